/**
 * The "Backup Log" panels, modelled on the Backup Log row of TiKV-Details (tikv_details.json).
 * The same PromQL feeds the exported Grafana dashboard and the app's Monitoring page (evaluated
 * over the recorded history by promql.ts), so the two show the same numbers.
 */
import type { PanelInfo, PanelTarget, PanelUnit } from '../contract/metrics.ts';

// The rate window of every panel: Grafana's $__rate_interval (four scrape intervals at least);
// the app substitutes it from the history's sample spacing (query.ts).
const RATE = '[$__rate_interval]';

function p99(metric: string, by: string): string {
  return `histogram_quantile(0.99, sum(rate(${metric}_bucket${RATE})) by (le, ${by}))`;
}

function panel(id: string, title: string, unit: PanelUnit, description: string, targets: Array<[string, string]>, metrics: string[], kind: PanelInfo['kind'] = 'timeseries'): PanelInfo {
  const t: PanelTarget[] = targets.map(([expr, legend], i) => ({ ref_id: String.fromCharCode(65 + i), expr, legend }));
  return { id, title, description, unit, kind, targets: t, metrics };
}

/** The Backup Log panels, in display order. */
export const BACKUP_LOG_PANELS: readonly PanelInfo[] = [
  panel('task-status', 'Task Status', 'none', 'Log backup task status per task: 0 Running, 1 Paused, 2 Error.', [['max(tikv_log_backup_task_status) by (task)', '{{task}}']], ['tikv_log_backup_task_status']),
  panel('checkpoint-lag', 'Checkpoint Lag (RPO)', 's', 'How far the slowest store checkpoint of each task is behind now: the data a disaster would lose.', [['max(time() - tikv_stream_store_checkpoint_ts / 262144000) by (task)', '{{task}}']], ['tikv_stream_store_checkpoint_ts']),
  panel('store-checkpoint', 'Store Checkpoint TS', 'dateTimeAsIso', 'The checkpoint ts of each store (TSO >> 18 = Unix ms).', [['max(tikv_stream_store_checkpoint_ts) by (instance, task) / 262144', '{{instance}} {{task}}']], ['tikv_stream_store_checkpoint_ts']),
  panel('last-checkpoint', 'Global Checkpoint', 'dateTimeAsIso', 'The global checkpoint of each task as the advancer reports it.', [['max(tidb_log_backup_last_checkpoint) by (task) / 262144', '{{task}}']], ['tidb_log_backup_last_checkpoint']),
  panel('gc-safepoint', 'GC Safe Point vs Checkpoint', 'dateTimeAsIso', 'The GC safe point must stay behind the checkpoint, or data is collected before it is backed up.', [['min(tikv_stream_store_checkpoint_ts) by (instance) / 262144', 'checkpoint {{instance}}'], ['max(tikv_gcworker_autogc_safe_point) by (instance) / 262144', 'safe point {{instance}}']], ['tikv_stream_store_checkpoint_ts', 'tikv_gcworker_autogc_safe_point']),
  panel('enabled', 'Endpoint Enabled', 'none', 'Greater than 0 when log backup is enabled on the store.', [['sum(tikv_stream_enabled) by (instance)', '{{instance}}']], ['tikv_stream_enabled'], 'stat'),
  panel('observed-regions', 'Observed Regions', 'short', 'Regions whose changes the store observes for log backup.', [['sum(tikv_stream_observed_region) by (instance)', '{{instance}}']], ['tikv_stream_observed_region']),
  panel('flush-duration', 'Flush Duration (P99)', 's', 'Time to flush buffered events to the backup storage.', [[p99('tikv_stream_flush_duration_sec', 'instance'), '{{instance}}']], ['tikv_stream_flush_duration_sec']),
  panel('flush-file-size', 'Flushed Files Size (P99)', 'bytes', 'Size of the data files written by a flush.', [[p99('tikv_stream_flush_file_size', 'instance'), '{{instance}}']], ['tikv_stream_flush_file_size']),
  panel('handle-event-rate', 'Handle Event Rate', 'ops', 'KV events handled per second.', [[`sum(rate(tikv_stream_handle_kv_batch_sum${RATE})) by (instance)`, '{{instance}}']], ['tikv_stream_handle_kv_batch']),
  panel('event-handle-duration', 'Event Handle Duration (P99)', 's', 'Time spent on each stage of handling a batch of events.', [[p99('tikv_stream_event_handle_duration_sec', 'stage'), '{{stage}}']], ['tikv_stream_event_handle_duration_sec']),
  panel('on-event-duration', 'On Event Duration (P99)', 's', 'Time spent in the observer callback of each event batch.', [[p99('tikv_stream_on_event_duration_seconds', 'stage'), '{{stage}}']], ['tikv_stream_on_event_duration_seconds']),
  panel('actor-acting-duration', 'Internal Actor Acting Duration (P99)', 's', 'Time the endpoint spends handling each kind of internal message.', [[p99('tikv_log_backup_interal_actor_acting_duration_sec', 'message'), '{{message}}']], ['tikv_log_backup_interal_actor_acting_duration_sec']),
  panel('initial-scan-duration', 'Initial Scan Duration (P99)', 's', 'Time to scan a region when the store starts observing it.', [[p99('tikv_stream_initial_scan_duration_sec', 'instance'), '{{instance}}']], ['tikv_stream_initial_scan_duration_sec']),
  panel('initial-scan-operations', 'Initial Scan Operations', 'ops', 'Operations of initial scans per column family.', [[`sum(rate(tikv_stream_initial_scan_operations${RATE})) by (instance, cf, op)`, '{{instance}} {{cf}} {{op}}']], ['tikv_stream_initial_scan_operations']),
  panel('initial-scan-disk-read', 'Initial Scan Disk Read', 'Bps', 'Bytes read from disk by initial scans.', [[`sum(rate(tikv_log_backup_initial_scan_disk_read${RATE})) by (instance)`, '{{instance}}']], ['tikv_log_backup_initial_scan_disk_read']),
  panel('initial-scan-reason', 'Initial Scan Reason', 'ops', 'Why initial scans started.', [[`sum(rate(tikv_log_backup_initial_scan_reason${RATE})) by (reason)`, '{{reason}}']], ['tikv_log_backup_initial_scan_reason']),
  panel('pending-initial-scan', 'Pending Initial Scan', 'short', 'Initial scans waiting or running.', [['sum(tikv_pending_initial_scan) by (instance, stage)', '{{instance}} {{stage}}']], ['tikv_pending_initial_scan']),
  panel('incremental-scan-bytes', 'Incremental Scan Bytes', 'Bps', 'Bytes of events read by scans.', [[`sum(rate(tikv_stream_incremental_scan_bytes_sum${RATE})) by (instance)`, '{{instance}}']], ['tikv_stream_incremental_scan_bytes']),
  panel('memory-of-events', 'Memory Of Events', 'bytes', 'Memory held by buffered events not yet flushed.', [['sum(tikv_stream_heap_memory) by (instance)', '{{instance}}']], ['tikv_stream_heap_memory']),
  panel('skip-kv', 'Skipped KVs', 'ops', 'KVs skipped by the observer (not in a task range, or not data).', [[`sum(rate(tikv_stream_skip_kv_count${RATE})) by (instance)`, '{{instance}}']], ['tikv_stream_skip_kv_count']),
  panel('skip-retry-observe', 'Skipped Retry Observe', 'short', 'Retries of observing a region that were skipped, by reason.', [[`sum(increase(tikv_stream_skip_retry_observe${RATE})) by (reason)`, '{{reason}}']], ['tikv_stream_skip_retry_observe']),
  panel('errors', 'Errors', 'short', 'Errors of the log backup endpoint, by type.', [[`sum(increase(tikv_stream_errors${RATE})) by (type)`, '{{type}}']], ['tikv_stream_errors']),
  panel('fatal-errors', 'Fatal Errors', 'short', 'Errors that paused a task, by type.', [[`sum(increase(tikv_log_backup_fatal_errors${RATE})) by (type)`, '{{type}}']], ['tikv_log_backup_fatal_errors']),
];

/** A panel by id, or undefined. */
export function panelById(id: string): PanelInfo | undefined {
  return BACKUP_LOG_PANELS.find((p) => p.id === id);
}
