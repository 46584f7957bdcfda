/**
 * `br log status` as data: the task's state (NORMAL, PAUSE, ERROR), its checkpoint and the gap
 * to now (the RPO), the estimated speed, per-store checkpoints and last errors.
 */
import type { Cluster } from '../cluster/cluster.ts';
import { formatTsIso, physicalOf } from '../tso/index.ts';
import type { LogTaskStatus } from '../contract/logbackup.ts';
import type { FlushReport } from './executor.ts';
import type { LastError, PauseInfo, TaskInfo } from './meta-keys.ts';

export type { LogTaskStatus };

// The window over which `speed(est.)` averages flushed KV events.
const SPEED_WINDOW_MS = 60_000;

interface StoreFlushState {
  lastAt: number | null;
  failures: number;
  error: string | null;
}

/** Keeps recent flush reports and renders the status. */
export class TaskStatusView {
  private readonly flushes: Array<{ at: number; entries: number }> = [];
  private readonly stores = new Map<number, StoreFlushState>();
  /** Every report received (for metrics). */
  readonly reports: FlushReport[] = [];

  constructor(private readonly cluster: Cluster) {}

  /** Records a flush report. */
  record(r: FlushReport): void {
    const now = Date.now();
    this.flushes.push({ at: now, entries: r.entries });
    while (this.flushes.length > 0 && now - this.flushes[0]!.at > SPEED_WINDOW_MS) this.flushes.shift();
    this.stores.set(r.store_id, { lastAt: r.ok ? now : (this.stores.get(r.store_id)?.lastAt ?? null), failures: r.consecutive_failures, error: r.error ? r.error.message : null });
    this.reports.push(r);
    if (this.reports.length > 1000) this.reports.shift();
  }

  /** Renders a task's status. */
  render(t: TaskInfo, s: { global: bigint; paused: PauseInfo | null; errors: LastError[]; stores: Array<{ store_id: number; checkpoint: string }>; storageUrl: string }): LogTaskStatus {
    const now = this.cluster.pd.clock.now();
    const entries = this.flushes.reduce((n, f) => n + f.entries, 0);
    const span = this.flushes.length > 1 ? Math.max(1, Date.now() - this.flushes[0]!.at) : SPEED_WINDOW_MS;
    const status = s.paused ? (s.errors.length > 0 || s.paused.by_error ? 'ERROR' : 'PAUSE') : 'NORMAL';
    const ids = new Set([...this.cluster.stores().map((x) => x.storeId), ...s.stores.map((x) => x.store_id)]);
    return {
      name: t.name,
      status,
      start_ts: t.start_ts,
      end_ts: t.end_ts,
      storage: s.storageUrl,
      checkpoint: s.global.toString(),
      checkpoint_time: formatTsIso(s.global),
      gap_seconds: Math.max(0, (now - physicalOf(s.global)) / 1000),
      speed_est: Math.round((entries * 1000) / span),
      flush_interval_ms: t.flush_interval_ms,
      pause_message: s.paused ? s.paused.message : null,
      stores: [...ids].sort((a, b) => a - b).map((id) => {
        const st = this.stores.get(id);
        return {
          store_id: id,
          checkpoint: s.stores.find((x) => x.store_id === id)?.checkpoint ?? t.start_ts,
          last_flush_at: st?.lastAt ? new Date(st.lastAt).toISOString() : null,
          consecutive_failures: st?.failures ?? 0,
          last_flush_error: st?.error ?? null,
        };
      }),
      last_errors: s.errors,
    };
  }
}
