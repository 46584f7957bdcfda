/**
 * The large-transaction workload: ONE transaction that stays open for a long time, writing its
 * rows in chunks and prewriting each chunk at once, so its locks sit in the stores for the
 * whole duration (holding back resolved ts and the log backup checkpoint, as a real large
 * transaction does in TiKV). It heartbeats its primary lock so nobody resolves it as
 * abandoned, then commits. Stopping it early rolls it back.
 */
import type { TableDef } from '../catalog/catalog.ts';
import { encodeRow } from '../catalog/catalog.ts';
import { rowKey } from '../catalog/keys.ts';
import type { Cluster } from '../cluster.ts';
import type { Transaction } from '../txn/transaction.ts';
import { physicalOf } from '../../tso/tso.ts';
import { WORKLOAD_DB } from './bank.ts';
import { WorkloadStats, errorText } from './stats.ts';
import { Waker } from './timing.ts';
import type { Workload, WorkloadState, WorkloadStatus } from './types.ts';

/** test.large_txn. */
export const LARGE_TXN_TABLE: TableDef = {
  name: 'large_txn',
  columns: [
    { name: 'id', type: 'bigint' },
    { name: 'payload', type: 'varchar' },
  ],
};
// A chunk at most this often: the locks grow visibly over time without a flood of prewrites.
const CHUNK_INTERVAL_MS = 250;
// TiDB's client heartbeats a large transaction's primary lock every second.
export const DEFAULT_HEARTBEAT_INTERVAL_MS = 1000;
// TTL beyond the time left (real ms): covers a late heartbeat and the commit itself, while a
// crashed host's locks still expire soon after the transaction should have ended.
const TTL_MARGIN_MS = 5000;
// Small enough to stay a short value in the lock CF, large enough to look like a real row.
const PAYLOAD = 'x'.repeat(64);

/** The long-running transaction. */
export class LargeTxnWorkload implements Workload {
  readonly kind = 'large-txn' as const;
  /** Settles once the table exists and the transaction has begun; rejects when that failed. */
  readonly ready: Promise<void>;
  readonly finished: Promise<void>;
  private state: WorkloadState = 'running';
  private stopRequested = false;
  private readonly stats = new WorkloadStats();
  private readonly waker = new Waker();
  private txn: Transaction | null = null;
  private tableId = 0;
  // Fresh 40-bit-based handles, so a second run writes new rows and its start ts sees none of them.
  private readonly firstId = Math.floor(Math.random() * 2 ** 40) + 1;
  private written = 0;
  private heartbeats = 0;
  private lastBeat = 0;
  private commitTs: bigint | null = null;

  constructor(
    private readonly cluster: Cluster,
    private readonly keys: number,
    private readonly durationMs: number,
  ) {
    this.ready = this.begin();
    this.finished = this.ready.then(
      () => this.write(),
      (err: unknown) => this.fail(err),
    );
  }

  /** The current status; detail names the keys (table_id, ids first_id..+keys) and the timestamps. */
  status(): WorkloadStatus {
    return this.stats.status(this.kind, this.state, 0, 1, {
      table: `${WORKLOAD_DB}.${LARGE_TXN_TABLE.name}`,
      table_id: this.tableId,
      first_id: this.firstId,
      keys: this.keys,
      keys_written: this.written,
      duration_ms: this.durationMs,
      heartbeats: this.heartbeats,
      start_ts: this.txn ? this.txn.startTs.toString() : null,
      commit_ts: this.commitTs === null ? null : this.commitTs.toString(),
    });
  }

  /** Rolls the transaction back unless it is already committing. */
  async stop(): Promise<void> {
    this.stopRequested = true;
    if (this.state === 'running') this.state = 'stopping';
    this.waker.wake();
    await this.finished;
  }

  private async begin(): Promise<void> {
    this.tableId = (await this.cluster.catalog.createTable(WORKLOAD_DB, LARGE_TXN_TABLE)).id;
    this.txn = this.cluster.txn.begin();
  }

  /** Lock TTL (cluster ms, counted from the start ts) that lasts remainingMs of real time more. */
  private ttlFor(txn: Transaction, remainingMs: number): number {
    const elapsed = Math.max(0, this.cluster.pd.clock.now() - physicalOf(txn.startTs));
    return Math.ceil(elapsed + (Math.max(0, remainingMs) + TTL_MARGIN_MS) * this.cluster.pd.clock.speed);
  }

  private async write(): Promise<void> {
    const txn = this.txn as Transaction;
    const t0 = Date.now();
    const end = t0 + this.durationMs;
    const chunks = Math.max(1, Math.min(this.keys, Math.ceil(this.durationMs / CHUNK_INTERVAL_MS)));
    this.lastBeat = t0;
    try {
      for (let i = 0; i < chunks; i++) {
        await this.idleUntil(txn, t0 + (i * this.durationMs) / chunks, end);
        if (this.stopRequested) return await this.rollback(txn);
        const upTo = Math.floor(((i + 1) * this.keys) / chunks);
        for (let k = this.written; k < upTo; k++) {
          const id = this.firstId + k;
          txn.put(rowKey(this.tableId, id), encodeRow({ id, payload: PAYLOAD }));
        }
        await txn.prewritePending(this.ttlFor(txn, end - Date.now()));
        this.written = upTo;
      }
      await this.idleUntil(txn, end, end);
      if (this.stopRequested) return await this.rollback(txn);
      this.commitTs = (await txn.commit()).commitTs;
      this.stats.onCommit();
      this.state = 'done';
    } catch (err) {
      await txn.rollback().catch(() => undefined);
      this.fail(err);
    }
  }

  /** Sleeps until deadline (or a stop), heartbeating the primary lock every second. */
  private async idleUntil(txn: Transaction, deadline: number, end: number): Promise<void> {
    for (;;) {
      const now = Date.now();
      if (this.stopRequested || now >= deadline) return;
      if (this.written > 0 && now - this.lastBeat >= DEFAULT_HEARTBEAT_INTERVAL_MS) {
        await txn.heartbeat(this.ttlFor(txn, end - now));
        this.heartbeats++;
        this.lastBeat = now;
        continue;
      }
      const nextBeat = this.written > 0 ? this.lastBeat + DEFAULT_HEARTBEAT_INTERVAL_MS : deadline;
      await this.waker.wait(Math.max(1, Math.min(deadline, nextBeat) - now));
    }
  }

  private async rollback(txn: Transaction): Promise<void> {
    try {
      await txn.rollback();
      this.stats.aborted++;
      this.state = 'stopped';
    } catch (err) {
      this.fail(err);
    }
  }

  private fail(err: unknown): void {
    this.stats.onFailure(err);
    // Even a conflict ends this single transaction for good: say why.
    this.stats.lastError = errorText(err);
    this.state = 'failed';
  }
}
