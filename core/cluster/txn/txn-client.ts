/**
 * The transactional client of a cluster (what TiDB's client-go is): snapshot reads at a ts with
 * lock resolution, and optimistic transactions with two-phase commit.
 */
import { ErrorCode, PitrError, isRegionError } from '../../errors.ts';
import type { Pd } from '../pd/pd.ts';
import { buf } from '../store/protocol.ts';
import type { KvPair, LockInfo } from '../store/protocol.ts';
import type { StoreClient } from '../store/store-client.ts';
import { LockResolver } from './lock-resolver.ts';
import { Backoffer, RegionRpc, ctxOf } from './region-rpc.ts';
import { Transaction } from './transaction.ts';

// TiDB's minimum TTL of an optimistic transaction's locks (3 s). It is counted in cluster time,
// so it is scaled by the clock's speed factor: a sped-up clock must not make every in-flight
// commit look abandoned to other clients.
export const DEFAULT_LOCK_TTL_MS = 3000;
// Reads wait this long (real time) for live locks of other transactions before failing.
const READ_LOCK_WAIT_MS = 30_000;

/** Reads and transactions against one cluster. */
export class TxnClient {
  readonly rpc: RegionRpc;
  readonly resolver: LockResolver;

  constructor(
    readonly pd: Pd,
    storeOf: (storeId: number) => StoreClient,
  ) {
    this.rpc = new RegionRpc(pd, storeOf);
    this.resolver = new LockResolver(this.rpc);
  }

  /** The TTL given to new locks, in cluster ms. */
  defaultLockTtlMs(): number {
    return Math.round(DEFAULT_LOCK_TTL_MS * Math.max(1, this.pd.clock.speed));
  }

  /** Starts an optimistic transaction at a fresh start ts. */
  begin(): Transaction {
    return new Transaction(this, this.pd.tso());
  }

  /** Runs fn until it commits, retrying write conflicts up to `attempts` times. */
  async run<T>(fn: (txn: Transaction) => Promise<T>, attempts = 10): Promise<{ result: T; startTs: bigint; commitTs: bigint }> {
    for (let i = 1; ; i++) {
      const txn = this.begin();
      try {
        const result = await fn(txn);
        const c = await txn.commit();
        return { result, startTs: c.startTs, commitTs: c.commitTs };
      } catch (err) {
        const retryable = err instanceof PitrError && (err.code === ErrorCode.WriteConflict || err.code === ErrorCode.TxnAborted);
        if (!retryable || i >= attempts) throw err;
      }
    }
  }

  /** Waits out or resolves a lock met by a read. */
  private async onLocked(err: unknown, bo: Backoffer): Promise<void> {
    if (!(err instanceof PitrError) || err.code !== ErrorCode.KeyIsLocked) throw err;
    const resolved = await this.resolver.resolve((err.details as { lock: LockInfo }).lock);
    if (!resolved) await bo.backoff(err);
  }

  /** Snapshot read of one key at ts. */
  async get(key: Buffer, ts: bigint): Promise<Buffer | null> {
    const bo = new Backoffer('get', READ_LOCK_WAIT_MS);
    for (;;) {
      try {
        const v = await this.rpc.onKey('get', key, (ctx, store) => store.request<Uint8Array | null>('kvGet', { ctx, key, ts }));
        return v === null ? null : buf(v);
      } catch (err) {
        await this.onLocked(err, bo);
      }
    }
  }

  /** Snapshot scan of [start, end) at ts across regions, up to limit pairs; empty end = +inf. */
  async scan(start: Buffer, end: Buffer, ts: bigint, limit = Number.MAX_SAFE_INTEGER, keyOnly = false): Promise<Array<{ key: Buffer; value: Buffer }>> {
    const out: Array<{ key: Buffer; value: Buffer }> = [];
    let cursor = start;
    const bo = new Backoffer('scan', READ_LOCK_WAIT_MS);
    while (out.length < limit && (end.length === 0 || Buffer.compare(cursor, end) < 0)) {
      const r = this.pd.regions.locate(cursor);
      // PD splits regions in place: read the end now, or a split during the request would move
      // the cursor back to the split key and return the keys above it twice.
      const rEnd = r.end;
      const regionEnd = r.end.length === 0 ? end : end.length === 0 || Buffer.compare(r.end, end) < 0 ? r.end : end;
      try {
        const pairs = await this.rpc.leaderOf(r).request<KvPair[]>('kvScan', {
          ctx: ctxOf(r),
          start: cursor,
          end: regionEnd,
          ts,
          limit: Math.min(limit - out.length, 1 << 30),
          keyOnly,
        });
        for (const p of pairs) out.push({ key: buf(p.key), value: buf(p.value) });
      } catch (err) {
        if (isRegionError(err)) await bo.backoff(err);
        else await this.onLocked(err, bo);
        continue;
      }
      if (rEnd.length === 0 || out.length >= limit) break;
      cursor = rEnd;
    }
    return out;
  }
}
