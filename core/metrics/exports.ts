/**
 * The metrics channels' work that is not HTTP: resolving time ranges in cluster time, history
 * queries of metrics and panels, and the export files.
 */
import type { ExportFile, ExportKind, MetricSeries, MetricsHistory as HistoryResult } from '../contract/metrics.ts';
import { ErrorCode, PitrError } from '../errors.ts';
import { parseTs, physicalOf } from '../tso/index.ts';
import { alertRulesYaml } from './alert-rules.ts';
import { dashboardJson, snapshotDocument } from './grafana.ts';
import type { MetricsHistory } from './history.ts';
import { BACKUP_LOG_PANELS, panelById } from './panels.ts';
import { fillLegend, queryRange, typicalGap } from './query.ts';

// The window a history query or snapshot covers when no `from` is given.
export const DEFAULT_WINDOW_MS = 3600_000;
// The points a snapshot keeps per series (Grafana draws no more than a panel's width anyway).
const SNAPSHOT_POINTS = 500;

/** A time point of a request (Unix ms, or a TSO/datetime text) as cluster ms. */
export function toMs(v: number | string, flag: string): number {
  return typeof v === 'number' ? v : physicalOf(parseTs(v, flag));
}

/** The [from, to] of a request, defaulting to the window ending at the cluster's now. */
export function resolveRange(now: number, i: { from?: number | string | undefined; to?: number | string | undefined; last_ms?: number | undefined }): { from: number; to: number } {
  const to = i.to !== undefined ? toMs(i.to, 'to') : now;
  const from = i.from !== undefined ? toMs(i.from, 'from') : to - (i.last_ms ?? DEFAULT_WINDOW_MS);
  if (from >= to) throw new PitrError(ErrorCode.InvalidArgument, `--from (${new Date(from).toISOString()}) must be before --to (${new Date(to).toISOString()})`);
  return { from, to };
}

function stepFor(from: number, to: number, points: number): number {
  return Math.max(1000, Math.ceil((to - from) / Math.max(1, points - 1) / 1000) * 1000);
}

/** Answers `metrics:history`: raw metrics and panel queries over [from, to]. */
export function historyQuery(h: MetricsHistory, cluster: string, now: number, i: { metrics?: string[] | undefined; panels?: string[] | undefined; from?: number | string | undefined; to?: number | string | undefined; last_ms?: number | undefined; step_ms?: number | undefined; max_points: number }): HistoryResult {
  const { from, to } = resolveRange(now, i);
  // Never finer than the history was sampled: a step between two samples only repeats one.
  const gap = typicalGap(h.sampleTimes(cluster, from, to)) ?? 0;
  const step = Math.max(i.step_ms ?? stepFor(from, to, i.max_points), Math.floor(gap / 1000) * 1000);
  const series: MetricSeries[] = [];
  for (const name of i.metrics ?? []) {
    for (const s of queryRange(h, cluster, name, from, to, step)) series.push({ metric: name, legend: fillLegend('{{instance}} {{task}}', s.labels) || name, labels: s.labels, points: s.points });
  }
  for (const id of i.panels ?? []) {
    const p = panelById(id);
    if (!p) throw new PitrError(ErrorCode.NotFound, `no panel "${id}"; the panels are ${BACKUP_LOG_PANELS.map((x) => x.id).join(', ')}`);
    for (const t of p.targets) {
      for (const s of queryRange(h, cluster, t.expr, from, to, step)) series.push({ metric: p.metrics[Math.min(p.metrics.length - 1, t.ref_id.charCodeAt(0) - 65)]!, panel_id: p.id, ref_id: t.ref_id, legend: fillLegend(t.legend, s.labels), labels: s.labels, points: s.points });
    }
  }
  return { cluster, from_ms: from, to_ms: to, step_ms: step, now_ms: now, series };
}

/** Builds an export file. The snapshot needs a cluster and its history. */
export function exportFile(kind: ExportKind, snapshot?: { h: MetricsHistory; cluster: string; from: number; to: number }): ExportFile {
  if (kind === 'alert-rules') return { filename: 'pitr-alert-rules.yml', content_type: 'application/yaml', content: alertRulesYaml() };
  if (kind === 'grafana-dashboard') return { filename: 'pitr-backup-log-dashboard.json', content_type: 'application/json', content: dashboardJson() };
  if (!snapshot) throw new PitrError(ErrorCode.InvalidArgument, 'a Grafana snapshot is of one cluster: pass --pd 127.0.0.1:PORT');
  const { h, cluster, from, to } = snapshot;
  const step = stepFor(from, to, SNAPSHOT_POINTS);
  const data = BACKUP_LOG_PANELS.flatMap((p) => p.targets.map((t) => ({ panelId: p.id, refId: t.ref_id, series: queryRange(h, cluster, t.expr, from, to, step) })));
  const content = `${JSON.stringify(snapshotDocument(cluster, from, to, data), null, 2)}\n`;
  return { filename: `pitr-${cluster}-snapshot.json`, content_type: 'application/json', content };
}
