/**
 * The metrics PiTR exposes: the seed's table (TiKV's backup-stream metrics, with TiKV's types and
 * label names), plus `tikv_gcworker_autogc_safe_point` (read by the GC rule) and
 * `tidb_log_backup_last_checkpoint` (the name newer TiDB rules use). Shared by the store worker
 * (which counts) and the host (which exposes): no Node or prom-client imports here.
 */

/** A metric's Prometheus type, as the seed gives it. */
export type MetricType = 'counter' | 'gauge' | 'histogram';

/** One metric definition. */
export interface MetricDef {
  name: string;
  type: MetricType;
  help: string;
  /** Labels besides `instance` and `cluster` (which every store metric carries). */
  labels: readonly string[];
  /** Upper bounds of a histogram's buckets (+Inf is implied). */
  buckets?: readonly number[];
  /** Store metrics carry `instance`; cluster-wide ones (TiDB's) do not. */
  perStore: boolean;
}

/** Bounds start, start*factor, ... (count of them), as Prometheus' exponential_buckets. */
export function exponentialBuckets(start: number, factor: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => start * factor ** i);
}

// TiKV's own bucket choices for these histograms (components/backup-stream/src/metrics.rs).
const DURATION_BUCKETS = exponentialBuckets(0.001, 2, 16);
const SIZE_BUCKETS = exponentialBuckets(1024, 2, 16);
const BATCH_BUCKETS = exponentialBuckets(1, 2, 15);

const def = (name: string, type: MetricType, help: string, labels: string[] = [], buckets?: number[], perStore = true): MetricDef => ({
  name,
  type,
  help,
  labels,
  perStore,
  ...(buckets ? { buckets } : {}),
});

/** Every metric, in the seed's order, then the two that the alert rules add. */
export const METRIC_DEFS: readonly MetricDef[] = [
  def('tikv_log_backup_interal_actor_acting_duration_sec', 'histogram', 'The internal actor message handling duration.', ['message'], DURATION_BUCKETS),
  def('tikv_log_backup_initial_scan_reason', 'counter', 'The reason of doing initial scanning.', ['reason']),
  def('tikv_stream_event_handle_duration_sec', 'histogram', 'The duration of handling an event.', ['stage'], DURATION_BUCKETS),
  def('tikv_stream_handle_kv_batch', 'histogram', 'The total kv pair change handle by the stream.', [], BATCH_BUCKETS),
  def('tikv_log_backup_initial_scan_disk_read', 'counter', 'The total count of disk read bytes.'),
  def('tikv_stream_incremental_scan_bytes', 'histogram', 'The size of scanning.', [], SIZE_BUCKETS),
  def('tikv_stream_skip_kv_count', 'counter', 'The total kv size skipped by the streaming.'),
  def('tikv_stream_errors', 'counter', 'The errors during stream backup.', ['type']),
  def('tikv_log_backup_fatal_errors', 'counter', 'The errors during stream backup that pause the task.', ['type']),
  def('tikv_stream_heap_memory', 'gauge', 'The heap memory allocating by stream backup.'),
  def('tikv_stream_on_event_duration_seconds', 'histogram', 'The time cost of handling events.', ['stage'], DURATION_BUCKETS),
  def('tikv_stream_store_checkpoint_ts', 'gauge', 'The checkpoint ts (TSO) of the store for the task.', ['task']),
  def('tikv_stream_flush_duration_sec', 'histogram', 'The time cost of flushing a task.', ['stage'], DURATION_BUCKETS),
  def('tikv_stream_flush_file_size', 'histogram', 'Some statistics of flushing of this run.', [], SIZE_BUCKETS),
  def('tikv_stream_initial_scan_duration_sec', 'histogram', 'The duration of initial scanning.', [], DURATION_BUCKETS),
  def('tikv_stream_skip_retry_observe', 'counter', 'The reason of giving up observing region when meeting error.', ['reason']),
  def('tikv_stream_initial_scan_operations', 'counter', 'The operations over rocksdb during initial scanning.', ['cf', 'op']),
  def('tikv_stream_enabled', 'counter', 'When gt 0, this node enabled streaming.'),
  def('tikv_stream_observed_region', 'gauge', 'The observed region count.'),
  def('tikv_log_backup_task_status', 'gauge', 'The status of tasks: 0 running, 1 paused, 2 error.', ['task']),
  def('tikv_pending_initial_scan', 'gauge', 'The pending initial scan.', ['stage']),
  def('tikv_gcworker_autogc_safe_point', 'gauge', 'Safe point used for auto gc.'),
  def('tidb_log_backup_last_checkpoint', 'gauge', 'The last checkpoint (TSO) of the log backup task.', ['task'], undefined, false),
];

/** A definition by name, or undefined. */
export function metricDef(name: string): MetricDef | undefined {
  return METRIC_DEFS.find((d) => d.name === name);
}

/** The names Prometheus sees for a metric (a histogram's _bucket/_sum/_count series). */
export function exposedNames(d: MetricDef): string[] {
  return d.type === 'histogram' ? [`${d.name}_bucket`, `${d.name}_sum`, `${d.name}_count`] : [d.name];
}

/** The instance label of a store: unique across a host's clusters (the GC rule groups by it). */
export function storeInstance(cluster: string, storeId: number): string {
  return `${cluster}/store-${storeId}`;
}
