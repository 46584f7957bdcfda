/**
 * The metrics of one cluster as the host holds them: counters and histograms accumulated from
 * the deltas that stores piggyback on their flush reports, and gauges read from the live state
 * (the log backup task in PD, the stores' last reports, PD's GC safe point) when collected.
 */
import type { Cluster } from '../cluster/cluster.ts';
import type { FlushReport } from '../logbackup/executor.ts';
import type { LogBackupService } from '../logbackup/service.ts';
import { METRIC_DEFS, storeInstance } from './definitions.ts';
import type { MetricDef } from './definitions.ts';
import type { CounterDelta, HistogramDelta } from './store-recorder.ts';

/** Labels of one series. */
export type Labels = Record<string, string>;

/** One exposed value (a histogram contributes its _bucket, _sum and _count values). */
export interface MetricValue {
  metricName: string;
  labels: Labels;
  value: number;
}

interface Hist {
  labels: Labels;
  counts: number[];
  sum: number;
  count: number;
}

interface StoreGauges {
  heap: number;
  observed: number;
  pending: number;
}

const STATUS_CODE = { NORMAL: 0, PAUSE: 1, ERROR: 2 } as const;

function seriesKey(name: string, labels: Labels): string {
  return `${name}${JSON.stringify(labels)}`;
}

/** The host's view of one cluster's metrics. */
export class ClusterMetrics {
  private readonly counters = new Map<string, MetricValue>();
  private readonly hists = new Map<string, Hist & { name: string }>();
  private readonly gauges = new Map<number, StoreGauges>();
  private readonly safePoints = new Map<number, number>();
  private readonly unlisten: () => void;

  constructor(
    private readonly cluster: Cluster,
    private readonly logBackup: LogBackupService,
  ) {
    // Every store runs a log backup endpoint (as TiKV with log-backup.enable = true): counted
    // once per worker start, as TiKV counts it once per process start.
    for (const s of cluster.stores()) this.enabled(s.storeId);
    const onRestart = (id: number) => this.enabled(id);
    const onReport = (r: FlushReport) => this.applyReport(r);
    cluster.storeRestartListeners.add(onRestart);
    logBackup.reportListeners.add(onReport);
    this.unlisten = () => {
      cluster.storeRestartListeners.delete(onRestart);
      logBackup.reportListeners.delete(onReport);
    };
  }

  /** The cluster's name. */
  get name(): string {
    return this.cluster.name;
  }

  private base(storeId: number): Labels {
    return { cluster: this.cluster.name, instance: storeInstance(this.cluster.name, storeId) };
  }

  private enabled(storeId: number): void {
    this.addCounter(['tikv_stream_enabled', [], 1], storeId);
  }

  private labelsOf(name: string, values: string[], storeId: number): Labels {
    const def = METRIC_DEFS.find((d) => d.name === name);
    const labels = this.base(storeId);
    def?.labels.forEach((l, i) => (labels[l] = values[i] ?? ''));
    return labels;
  }

  private addCounter([name, values, n]: CounterDelta, storeId: number): void {
    const labels = this.labelsOf(name, values, storeId);
    const k = seriesKey(name, labels);
    const c = this.counters.get(k);
    if (c) c.value += n;
    else this.counters.set(k, { metricName: name, labels, value: n });
  }

  private addHistogram([name, values, counts, sum, count]: HistogramDelta, storeId: number): void {
    const labels = this.labelsOf(name, values, storeId);
    const k = seriesKey(name, labels);
    let h = this.hists.get(k);
    if (!h) {
      h = { name, labels, counts: counts.map(() => 0), sum: 0, count: 0 };
      this.hists.set(k, h);
    }
    counts.forEach((c, i) => (h.counts[i] = (h.counts[i] ?? 0) + c));
    h.sum += sum;
    h.count += count;
  }

  /** Applies the metrics a store piggybacked on a flush report. */
  applyReport(r: FlushReport): void {
    const m = r.metrics;
    if (!m) return;
    for (const c of m.counters) this.addCounter(c, r.store_id);
    for (const h of m.histograms) this.addHistogram(h, r.store_id);
    this.gauges.set(r.store_id, { heap: m.heap_memory, observed: m.observed_regions, pending: m.pending_initial_scans });
  }

  /** Every value of one metric now. */
  values(def: MetricDef): MetricValue[] {
    if (def.type === 'counter') return [...this.counters.values()].filter((c) => c.metricName === def.name).map((c) => ({ ...c }));
    if (def.type === 'histogram') return this.histogramValues(def);
    return this.gaugeValues(def);
  }

  private histogramValues(def: MetricDef): MetricValue[] {
    const out: MetricValue[] = [];
    const bounds = def.buckets ?? [];
    for (const h of this.hists.values()) {
      if (h.name !== def.name) continue;
      let cum = 0;
      h.counts.forEach((c, i) => {
        cum += c;
        out.push({ metricName: `${def.name}_bucket`, labels: { ...h.labels, le: i < bounds.length ? String(bounds[i]) : '+Inf' }, value: cum });
      });
      out.push({ metricName: `${def.name}_sum`, labels: { ...h.labels }, value: h.sum });
      out.push({ metricName: `${def.name}_count`, labels: { ...h.labels }, value: h.count });
    }
    return out;
  }

  private gaugeValues(def: MetricDef): MetricValue[] {
    const tasks = this.logBackup.statusAll();
    const stores = this.cluster.stores();
    const g = (storeId: number, value: number, extra: Labels = {}): MetricValue => ({ metricName: def.name, labels: { ...this.base(storeId), ...extra }, value });
    const running = tasks.some((t) => t.status === 'NORMAL');
    switch (def.name) {
      case 'tikv_log_backup_task_status':
        return tasks.flatMap((t) => stores.map((s) => g(s.storeId, STATUS_CODE[t.status], { task: t.name })));
      case 'tikv_stream_store_checkpoint_ts':
        return tasks.flatMap((t) => t.stores.map((s) => g(s.store_id, Number(s.checkpoint), { task: t.name })));
      case 'tidb_log_backup_last_checkpoint':
        return tasks.map((t) => ({ metricName: def.name, labels: { cluster: this.cluster.name, task: t.name }, value: Number(t.checkpoint) }));
      case 'tikv_gcworker_autogc_safe_point':
        // A live store's GC worker follows PD's safe point; a down one keeps what it last had.
        for (const s of stores) if (s.up) this.safePoints.set(s.storeId, Number(this.cluster.pd.gcSafePoint));
        return [...this.safePoints].map(([id, sp]) => g(id, sp));
      // Paused or stopped, the stores drop the task and their buffers (setTask(null)).
      case 'tikv_stream_heap_memory':
        return stores.map((s) => g(s.storeId, running ? (this.gauges.get(s.storeId)?.heap ?? 0) : 0));
      case 'tikv_stream_observed_region':
        return stores.map((s) => g(s.storeId, running ? (this.gauges.get(s.storeId)?.observed ?? 0) : 0));
      case 'tikv_pending_initial_scan':
        return stores.map((s) => g(s.storeId, running ? (this.gauges.get(s.storeId)?.pending ?? 0) : 0, { stage: 'queuing' }));
      default:
        return [];
    }
  }

  /** Every value of every metric now (what a scrape or a history sample sees). */
  all(): MetricValue[] {
    return METRIC_DEFS.flatMap((d) => this.values(d));
  }

  /** Stops listening to the cluster. */
  close(): void {
    this.unlisten();
  }
}
