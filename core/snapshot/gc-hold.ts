/**
 * Holds GC back while a snapshot backup reads history, as br does: a service GC safepoint at
 * the backup ts with a short TTL, refreshed while the backup runs and removed when it ends, so
 * a crashed br never pins GC for long.
 */
import { randomBytes } from 'node:crypto';
import type { Pd } from '../cluster/pd/pd.ts';
import { PitrError } from '../errors.ts';
import { formatTs } from '../tso/index.ts';
import { BackupErrorCode } from './errors.ts';

// br's default service safepoint TTL for `backup full` (5 min of cluster time).
const DEFAULT_GC_TTL_S = 5 * 60;
// Refresh well inside the TTL. Real time: a sped-up cluster clock shortens the TTL in real
// terms, which the TTL scaling below makes up for.
const DEFAULT_REFRESH_MS = 2_000;

/** A service safepoint held for one backup. */
export class GcHold {
  /** The service id, `br-backup-<random>` (or another br prefix) as br names its own. */
  readonly serviceId: string;
  private timer: NodeJS.Timeout | null = null;
  /** The last refresh error (a refresh that fails is retried on the next tick). */
  lastError: string | null = null;

  constructor(
    private readonly pd: Pd,
    readonly safepoint: bigint,
    prefix = 'br-backup',
  ) {
    this.serviceId = `${prefix}-${randomBytes(6).toString('hex')}`;
  }

  /**
   * The TTL in cluster seconds: 5 minutes, stretched by the clock's speed so it still spans
   * several refreshes in real time (at 1000× five cluster minutes pass in 0.3 s).
   */
  private ttlSeconds(): number {
    return Math.ceil(DEFAULT_GC_TTL_S * Math.max(1, this.pd.clock.speed));
  }

  /** Registers the safepoint; refuses when GC has already passed it (that history is gone). */
  start(): void {
    const r = this.pd.updateServiceSafePoint(this.serviceId, this.safepoint, this.ttlSeconds());
    if (!r.accepted) throw gcExceeded(this.safepoint, r.minSafePoint);
    this.timer = setInterval(() => this.refresh(), DEFAULT_REFRESH_MS);
    this.timer.unref();
  }

  private refresh(): void {
    try {
      this.pd.updateServiceSafePoint(this.serviceId, this.safepoint, this.ttlSeconds());
      this.lastError = null;
    } catch (err) {
      this.lastError = (err as Error).message;
    }
  }

  /** Removes the safepoint (also after a failure); safe to call twice. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    try {
      this.pd.updateServiceSafePoint(this.serviceId, 0n, 0);
    } catch {
      // PD closed with its cluster: its safepoints went with it.
    }
  }
}

/** The error for a backup ts older than the GC safepoint. */
export function gcExceeded(backupTs: bigint, gcSafePoint: bigint): PitrError {
  return new PitrError(
    BackupErrorCode.GcSafepointExceeded,
    `backup ts ${backupTs} (${formatTs(backupTs)}) is older than the GC safepoint ${gcSafePoint} (${formatTs(gcSafePoint)}): ` +
      'the versions it needs may have been garbage-collected. Choose a --backupts at or after the GC safepoint, or omit it to back up now; ' +
      'to keep more history, raise the GC life time (tidb_gc_life_time).',
    { backup_ts: backupTs.toString(), gc_safe_point: gcSafePoint.toString() },
  );
}
