/**
 * Queries over the recorded history: a PromQL expression evaluated at a series of instants
 * (as Prometheus' query_range), for the panels and the snapshot export, with a staleness window
 * and a rate window that follow how densely the history was sampled (a sped-up cluster clock
 * samples minutes of cluster time apart).
 */
import type { Labels } from './cluster-metrics.ts';
import type { MetricsHistory, StoredSeries } from './history.ts';
import { evaluate } from './promql/eval.ts';
import type { SeriesSource } from './promql/eval.ts';
import { maxRangeMs, parsePromQL, selectedNames } from './promql/parse.ts';

// Prometheus' default staleness window (query.lookback-delta).
export const DEFAULT_LOOKBACK_MS = 5 * 60_000;
// Grafana's $__rate_interval floor: four 15 s scrape intervals.
const MIN_RATE_INTERVAL_MS = 60_000;

/** A series source over the history of a cluster in [from, to], loading each name once. */
export function historySource(h: MetricsHistory, cluster: string, from: number, to: number): SeriesSource {
  const cache = new Map<string, StoredSeries[]>();
  return (name) => {
    let s = cache.get(name);
    if (!s) {
      s = h.series(cluster, name, from, to);
      cache.set(name, s);
    }
    return s;
  };
}

/** The typical spacing of samples (median gap), or null with fewer than two. */
export function typicalGap(times: number[]): number | null {
  if (times.length < 2) return null;
  const gaps = times.slice(1).map((t, i) => t - times[i]!).sort((a, b) => a - b);
  return gaps[gaps.length >> 1]!;
}

/** Staleness window for samples spaced `gapMs` apart: Prometheus' 5 min, or 1.5 gaps if wider. */
export function lookbackFor(gapMs: number | null): number {
  return Math.max(DEFAULT_LOOKBACK_MS, Math.ceil(1.5 * (gapMs ?? 0)));
}

/** One result series of a range query. */
export interface RangeSeries {
  labels: Labels;
  points: Array<[number, number]>;
}

/** Evaluates `expr` at from, from+step, ..., to over a cluster's history (query_range). */
export function queryRange(h: MetricsHistory, cluster: string, exprText: string, from: number, to: number, stepMs: number): RangeSeries[] {
  const gap = typicalGap(h.sampleTimes(cluster, from - 6 * 3600_000, to));
  const rateInterval = Math.max(MIN_RATE_INTERVAL_MS, 4 * (gap ?? 0));
  const expr = parsePromQL(exprText.replaceAll('$__rate_interval', `${Math.ceil(rateInterval / 1000)}s`));
  const lookback = lookbackFor(gap);
  const source = historySource(h, cluster, from - Math.max(lookback, maxRangeMs(expr)), to);
  for (const n of selectedNames(expr)) source(n);
  const out = new Map<string, RangeSeries>();
  for (let t = from; t <= to; t += stepMs) {
    const v = evaluate(expr, { at: t, lookbackMs: lookback, source });
    const samples = v.kind === 'scalar' ? [{ labels: {}, value: v.value }] : v.samples;
    for (const s of samples) {
      if (!Number.isFinite(s.value)) continue;
      const labels = Object.fromEntries(Object.entries(s.labels).filter(([k]) => k !== '__name__'));
      const k = JSON.stringify(labels);
      const series = out.get(k) ?? { labels, points: [] };
      series.points.push([t, s.value]);
      out.set(k, series);
    }
  }
  return [...out.values()];
}

/** A legend filled from labels, as Grafana's `{{label}}` legendFormat. */
export function fillLegend(format: string, labels: Labels): string {
  return format.replace(/\{\{\s*(\w+)\s*\}\}/g, (_m, l: string) => labels[l] ?? '').trim();
}
