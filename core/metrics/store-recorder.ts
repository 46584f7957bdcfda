/**
 * The store worker's side of the metrics: counters and histogram buckets aggregated in plain
 * numbers inside the worker (cheap enough for the hot path: no allocation per KV once a series
 * exists) and shipped to the host as a delta with each flush report, never one message per KV.
 */
import { metricDef } from './definitions.ts';

/** A counter increment: name, label values (in the definition's label order), amount. */
export type CounterDelta = [string, string[], number];

/** A histogram delta: name, label values, per-bucket counts (last = +Inf), sum, count. */
export type HistogramDelta = [string, string[], number[], number, number];

/** What a store ships to the host since its previous delta. */
export interface StoreMetricsDelta {
  counters: CounterDelta[];
  histograms: HistogramDelta[];
}

interface Hist {
  name: string;
  labels: string[];
  bounds: readonly number[];
  counts: number[];
  sum: number;
  count: number;
}

/** Aggregates a store's metric updates between two shipments. */
export class StoreMetricsRecorder {
  private counters = new Map<string, CounterDelta>();
  private hists = new Map<string, Hist>();

  /** Adds n to a counter series. */
  inc(name: string, labels: string[], n = 1): void {
    if (n === 0) return;
    const key = labels.length === 0 ? name : `${name}\u0000${labels.join('\u0000')}`;
    const c = this.counters.get(key);
    if (c) c[2] += n;
    else this.counters.set(key, [name, labels, n]);
  }

  /** Records one observation of a histogram series. */
  observe(name: string, labels: string[], value: number): void {
    const key = labels.length === 0 ? name : `${name}\u0000${labels.join('\u0000')}`;
    let h = this.hists.get(key);
    if (!h) {
      const bounds = metricDef(name)?.buckets;
      if (!bounds) throw new Error(`${name} is not a histogram`);
      h = { name, labels, bounds, counts: new Array<number>(bounds.length + 1).fill(0), sum: 0, count: 0 };
      this.hists.set(key, h);
    }
    let i = 0;
    while (i < h.bounds.length && value > h.bounds[i]!) i++;
    h.counts[i]!++;
    h.sum += value;
    h.count++;
  }

  /** Takes everything recorded since the last take (and starts over). */
  take(): StoreMetricsDelta {
    const out: StoreMetricsDelta = { counters: [...this.counters.values()], histograms: [] };
    for (const h of this.hists.values()) if (h.count > 0) out.histograms.push([h.name, h.labels, h.counts, h.sum, h.count]);
    this.counters = new Map();
    this.hists = new Map();
    return out;
  }
}
