/**
 * The host's metrics: one ClusterMetrics per cluster, the Prometheus registries (all clusters
 * for the host's `/metrics`, one per cluster for its PD endpoint), the sampler that records the
 * history on each cluster's own clock, and the alert trackers fed by each sample.
 */
import { join } from 'node:path';
import type { Registry } from 'prom-client';
import type { Cluster } from '../cluster/cluster.ts';
import type { AlertsResult } from '../contract/metrics.ts';
import type { MetricsEvents } from '../contract/metrics.ts';
import type { LogBackupService } from '../logbackup/service.ts';
import { AlertTracker } from './alerts.ts';
import { ClusterMetrics } from './cluster-metrics.ts';
import { MetricsHistory } from './history.ts';
import { historySource, lookbackFor } from './query.ts';
import { metricsRegistry } from './registry.ts';

// Cluster time between two history samples: Prometheus' default scrape interval.
export const DEFAULT_SAMPLE_INTERVAL_MS = 15_000;
// Real time between sampler ticks: at speed 1 a sample every 15 s; at 3600x (an hour per
// second) one every 15 min of cluster time, so a sped-up clock records hours in seconds
// without turning into thousands of writes per second.
export const DEFAULT_SAMPLER_TICK_MS = 250;
// Metric names the six rules read (loaded for each alert evaluation).
const ALERT_METRICS = ['tikv_stream_store_checkpoint_ts', 'tikv_log_backup_task_status', 'tikv_gcworker_autogc_safe_point'];

/** Options of the hub (tests shorten the tick). */
export interface MetricsHubOptions {
  samplerTickMs?: number;
  sampleIntervalMs?: number;
}

interface Entry {
  cluster: Cluster;
  metrics: ClusterMetrics;
  registry: Registry;
  alerts: AlertTracker;
  lastSampleAt: number | null;
  lastStates: string;
}

type Push = <K extends keyof MetricsEvents>(channel: K, data: MetricsEvents[K]) => void;

/** Every cluster's metrics on a host. */
export class MetricsHub {
  readonly history: MetricsHistory;
  private readonly entries = new Map<string, Entry>();
  private readonly hostRegistry: Registry;
  private readonly timer: NodeJS.Timeout;
  private readonly interval: number;
  /** Push listeners (the host forwards them as `metrics:*` events). */
  readonly listeners = new Set<Push>();

  constructor(dataDir: string, opts: MetricsHubOptions = {}) {
    this.history = new MetricsHistory(join(dataDir, 'metrics.db'));
    this.hostRegistry = metricsRegistry(() => [...this.entries.values()].map((e) => e.metrics));
    this.interval = opts.sampleIntervalMs ?? DEFAULT_SAMPLE_INTERVAL_MS;
    this.timer = setInterval(() => this.tick(), opts.samplerTickMs ?? DEFAULT_SAMPLER_TICK_MS);
    this.timer.unref();
  }

  /** Starts collecting a cluster's metrics. */
  addCluster(cluster: Cluster, logBackup: LogBackupService): void {
    const metrics = new ClusterMetrics(cluster, logBackup);
    const e: Entry = { cluster, metrics, registry: metricsRegistry(() => [metrics]), alerts: new AlertTracker(), lastSampleAt: this.history.lastSampleAt(cluster.name), lastStates: '' };
    this.entries.set(cluster.name, e);
    this.replayAlerts(e);
  }

  /** Stops collecting a cluster's metrics; `forget` also drops its history (destroyed). */
  removeCluster(name: string, forget: boolean): void {
    this.entries.get(name)?.metrics.close();
    this.entries.delete(name);
    if (forget) this.history.dropCluster(name);
  }

  /** The Prometheus text of every cluster (host) or of one (its PD endpoint). */
  async scrape(cluster?: string): Promise<string> {
    const reg = cluster === undefined ? this.hostRegistry : this.entry(cluster).registry;
    return reg.metrics();
  }

  private entry(name: string): Entry {
    const e = this.entries.get(name);
    if (!e) throw new Error(`no metrics for cluster "${name}"`);
    return e;
  }

  /** The metrics of a cluster (live values). */
  clusterMetrics(name: string): ClusterMetrics {
    return this.entry(name).metrics;
  }

  /** The alert tracker of a cluster. */
  alerts(name: string): AlertTracker {
    return this.entry(name).alerts;
  }

  private tick(): void {
    for (const e of this.entries.values()) {
      const now = e.cluster.pd.clock.now();
      if (e.lastSampleAt === null || now - e.lastSampleAt >= this.interval) this.sample(e.cluster.name);
    }
  }

  /** Records one sample of a cluster now (cluster time) and evaluates its alerts on it. */
  sample(name: string): number {
    const e = this.entry(name);
    const at = e.cluster.pd.clock.now();
    if (e.lastSampleAt !== null && at <= e.lastSampleAt) return e.lastSampleAt;
    const gap = e.lastSampleAt === null ? null : at - e.lastSampleAt;
    this.history.record(name, at, e.metrics.all());
    e.lastSampleAt = at;
    this.evaluate(e, at, lookbackFor(gap));
    for (const l of this.listeners) l('metrics:sampled', { cluster: name, at_ms: at });
    return at;
  }

  private evaluate(e: Entry, at: number, lookback: number): void {
    const source = historySource(this.history, e.cluster.name, at - lookback, at);
    for (const n of ALERT_METRICS) source(n);
    e.alerts.step(at, source, lookback);
    const result = this.alertsResult(e.cluster.name);
    const states = JSON.stringify(result.alerts.map((a) => [a.name, a.state, a.instances.map((i) => i.active_since_ms)]));
    if (states !== e.lastStates) {
      e.lastStates = states;
      for (const l of this.listeners) l('metrics:alerts', result);
    }
  }

  /** Rebuilds alert states from the recorded history (after a restart, or for a past instant). */
  replay(name: string, until: number, tracker = new AlertTracker()): AlertTracker {
    // A day back covers the longest `for` (10m) and the 12h rule with margin.
    const times = this.history.sampleTimes(name, until - 86400_000, until);
    if (times.length === 0) return tracker;
    // One load for the whole window; each step looks back only as far as its own spacing.
    const source = historySource(this.history, name, times[0]! - lookbackFor(null), until);
    times.forEach((t, i) => tracker.step(t, source, lookbackFor(i > 0 ? t - times[i - 1]! : null)));
    return tracker;
  }

  private replayAlerts(e: Entry): void {
    if (e.lastSampleAt !== null) e.alerts = this.replay(e.cluster.name, e.lastSampleAt);
  }

  /** The alert states of a cluster now. */
  alertsResult(name: string): AlertsResult {
    const e = this.entry(name);
    return { cluster: name, at_ms: e.alerts.evaluatedAt ?? e.cluster.pd.clock.now(), alerts: e.alerts.states() };
  }

  /** Stops sampling and closes the history. */
  close(): void {
    clearInterval(this.timer);
    for (const e of this.entries.values()) e.metrics.close();
    this.entries.clear();
    this.history.close();
  }
}
