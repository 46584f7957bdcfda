/**
 * The metrics domain of the API contract (`metrics:*` channels): the recorded history of the
 * seed's Prometheus metrics, the six recommended alert rules evaluated in the app, the "Backup
 * Log" panel definitions and the exports (rules file, Grafana dashboard, Grafana snapshot).
 * Times are cluster time in Unix ms (the cluster clock may run faster than real time).
 */
import { z } from 'zod';
import { target, tsText } from './common.ts';

/** A point in time: Unix ms (cluster time) as a number, or a TSO / datetime as text (parseTs). */
export const timePoint = z.union([z.number().int().nonnegative(), tsText]);

/** What `metrics:export` produces. */
export const EXPORT_KINDS = ['alert-rules', 'grafana-dashboard', 'grafana-snapshot'] as const;

/** One of EXPORT_KINDS. */
export type ExportKind = (typeof EXPORT_KINDS)[number];

/** The panel and metric names a history query may ask for (ids of `metrics:panels`, metric names). */
const seriesName = z.string().regex(/^[a-zA-Z_:][a-zA-Z0-9_:-]{0,199}$/, 'a metric name or panel id uses letters, digits, _ : -');

/** Input schemas of the metrics channels. */
export const metricsSchemas = {
  /**
   * Recorded series of a cluster: raw metric names (`metrics`) and/or panels (`panels`, whose
   * queries are evaluated over the history). `to` defaults to the cluster's now, `from` to
   * `to - last_ms` (default one hour); `step_ms` defaults to fit about `max_points` points.
   */
  'metrics:history': z
    .object({
      ...target,
      metrics: z.array(seriesName).max(64).optional(),
      panels: z.array(seriesName).max(64).optional(),
      from: timePoint.optional(),
      to: timePoint.optional(),
      last_ms: z.number().int().positive().max(366 * 86400_000).optional(),
      step_ms: z.number().int().min(1000).max(86400_000).optional(),
      max_points: z.number().int().min(2).max(5000).default(300),
    })
    .strict(),
  /** The six rules' states at `at` (default: the cluster's now), evaluated over the history. */
  'metrics:alerts': z.object({ ...target, at: timePoint.optional() }).strict(),
  /** The "Backup Log" panel definitions (the same for every cluster). */
  'metrics:panels': z.object({}).strict(),
  /** An export as a file: the rules file, an importable dashboard, or a snapshot of [from, to]. */
  'metrics:export': z
    .object({ ...target, kind: z.enum(EXPORT_KINDS), from: timePoint.optional(), to: timePoint.optional() })
    .strict(),
} as const;

/** A point of a series: [cluster time in Unix ms, value]. */
export type SeriesPoint = [number, number];

/** One series of the history. */
export interface MetricSeries {
  /** The metric name (for a panel query: the name of the metric it reads). */
  metric: string;
  /** Set when the series is the result of a panel query. */
  panel_id?: string;
  /** The panel target's ref id (A, B, ...) when panel_id is set. */
  ref_id?: string;
  /** The legend as Grafana would draw it (the target's legendFormat filled from labels). */
  legend: string;
  labels: Record<string, string>;
  points: SeriesPoint[];
}

/** The answer of `metrics:history`. */
export interface MetricsHistory {
  cluster: string;
  from_ms: number;
  to_ms: number;
  step_ms: number;
  /** The cluster's now when the query ran. */
  now_ms: number;
  series: MetricSeries[];
}

/** How a panel's values read. */
export type PanelUnit = 'none' | 'short' | 's' | 'ms' | 'bytes' | 'ops' | 'Bps' | 'dateTimeAsIso' | 'percent';

/** One query of a panel: PromQL as Grafana runs it, and its legend. */
export interface PanelTarget {
  ref_id: string;
  expr: string;
  legend: string;
}

/** A "Backup Log" panel (as in TiKV-Details' Backup Log row). */
export interface PanelInfo {
  id: string;
  title: string;
  description: string;
  unit: PanelUnit;
  kind: 'timeseries' | 'stat';
  targets: PanelTarget[];
  /** The metric names the panel reads (all exported by the host). */
  metrics: string[];
}

/** The state of an alert, as Prometheus names them. */
export type AlertState = 'inactive' | 'pending' | 'firing';

/** The seed's level of a rule, exported as the `severity` label. */
export type AlertSeverity = 'warning' | 'critical';

/** One labelled instance of a rule (one per task, or per instance for the GC rule). */
export interface AlertInstance {
  state: Exclude<AlertState, 'inactive'>;
  labels: Record<string, string>;
  value: number;
  /** Cluster time when the expression started to hold (Unix ms), and as a datetime string. */
  active_since_ms: number;
  active_since: string;
}

/** One of the six rules and its current state (the most advanced of its instances). */
export interface AlertInfo {
  name: string;
  severity: AlertSeverity;
  description: string;
  expr: string;
  for_seconds: number;
  state: AlertState;
  /** Of the most advanced instance; null when inactive. */
  active_since_ms: number | null;
  active_since: string | null;
  value: number | null;
  labels: Record<string, string>;
  instances: AlertInstance[];
}

/** The answer of `metrics:alerts`. */
export interface AlertsResult {
  cluster: string;
  /** Cluster time of the evaluation (Unix ms). */
  at_ms: number;
  alerts: AlertInfo[];
}

/** An export ready to be saved. */
export interface ExportFile {
  filename: string;
  content_type: string;
  content: string;
}

/** What each metrics channel returns. */
export interface MetricsResponseTypes {
  'metrics:history': MetricsHistory;
  'metrics:alerts': AlertsResult;
  'metrics:panels': { panels: PanelInfo[] };
  'metrics:export': ExportFile;
}

/** Pushes of the metrics domain. */
export interface MetricsEvents {
  /** A new history sample was recorded for a cluster (the Monitoring page refreshes its charts). */
  'metrics:sampled': { cluster: string; at_ms: number };
  /** An alert of a cluster changed state. */
  'metrics:alerts': AlertsResult;
}
