/**
 * The counters of one workload: committed, aborted (lost a conflict, as TiDB's txn retry
 * metrics count them) and errors (anything else), with the commit rate and the error streak
 * that decides when a workload has failed.
 */
import { ErrorCode, PitrError } from '../../errors.ts';
import { RateWindow } from './timing.ts';
import type { WorkloadKind, WorkloadState, WorkloadStatus } from './types.ts';

// A workload that does nothing but fail for this long is broken (a store down for good, a
// dropped table), not unlucky; it stops and says why instead of spinning.
export const DEFAULT_FAIL_AFTER_MS = 10_000;

// Outcomes of optimistic concurrency that a client retries, not faults. TxnLockNotFound is a
// commit that found its lock already rolled back by another client: the transaction aborted.
const ABORT_CODES: ReadonlySet<string> = new Set([
  ErrorCode.WriteConflict,
  ErrorCode.TxnAborted,
  ErrorCode.KeyIsLocked,
  ErrorCode.TxnLockNotFound,
]);

/** True when err means the transaction aborted (conflict, lock) rather than failed. */
export function isAbort(err: unknown): boolean {
  return err instanceof PitrError && ABORT_CODES.has(err.code);
}

/** The one-line form of an error kept as last_error. */
export function errorText(err: unknown): string {
  if (err instanceof PitrError) return `${err.code}: ${err.message}`;
  return err instanceof Error ? err.message : String(err);
}

/** Counters and rate of one workload. */
export class WorkloadStats {
  committed = 0;
  aborted = 0;
  errors = 0;
  /** Transactions that found nothing to do (an empty account, no row to delete). */
  skipped = 0;
  lastError: string | null = null;
  readonly startedAt = Date.now();
  private readonly window = new RateWindow();
  private errorStreakSince: number | null = null;

  constructor(private readonly failAfterMs = DEFAULT_FAIL_AFTER_MS) {}

  /** Counts a commit. */
  onCommit(now = Date.now()): void {
    this.committed++;
    this.window.add(now);
    this.errorStreakSince = null;
  }

  /** Counts a transaction that had nothing to write. */
  onSkip(): void {
    this.skipped++;
    this.errorStreakSince = null;
  }

  /**
   * Counts a failed transaction as aborted or as an error; true when errors alone have lasted
   * failAfterMs, i.e. the workload should fail.
   */
  onFailure(err: unknown, now = Date.now()): boolean {
    if (isAbort(err)) {
      this.aborted++;
      // A conflict means the cluster answered: the workload is alive.
      this.errorStreakSince = null;
      return false;
    }
    this.errors++;
    this.lastError = errorText(err);
    this.errorStreakSince ??= now;
    return now - this.errorStreakSince >= this.failAfterMs;
  }

  /** The status with these counters. */
  status(kind: WorkloadKind, state: WorkloadState, targetRate: number, concurrency: number, detail?: Record<string, unknown>): WorkloadStatus {
    const s: WorkloadStatus = {
      kind,
      state,
      target_rate: targetRate,
      concurrency,
      committed: this.committed,
      aborted: this.aborted,
      errors: this.errors,
      committed_per_sec: this.window.perSecond(Date.now(), this.startedAt),
      started_at: new Date(this.startedAt).toISOString(),
      last_error: this.lastError,
    };
    if (detail !== undefined) s.detail = detail;
    return s;
  }
}
