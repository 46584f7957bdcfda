/**
 * Resolves locks left by other transactions, as TiDB's LockResolver does: ask the primary
 * key's store for the transaction's status (rolling an expired lock back there), then commit or
 * roll back the secondary lock to match. A crashed client's locks are cleaned up this way.
 */
import { ErrorCode, PitrError } from '../../errors.ts';
import { physicalOf } from '../../tso/index.ts';
import { buf } from '../store/protocol.ts';
import type { LockInfo, TxnStatus } from '../store/protocol.ts';
import type { RegionRpc } from './region-rpc.ts';

// Statuses of finished transactions are final; caching a few saves a round trip per lock.
const RESOLVED_CACHE_SIZE = 2048;

/** Resolves other transactions' locks. */
export class LockResolver {
  private readonly resolved = new Map<bigint, TxnStatus>();
  /** Locks resolved so far (for status pages and tests). */
  resolvedCount = 0;

  constructor(private readonly rpc: RegionRpc) {}

  /** The status of the transaction owning lock (final statuses come from a cache). */
  async txnStatus(lock: LockInfo): Promise<TxnStatus> {
    const cached = this.resolved.get(lock.startTs);
    if (cached) return cached;
    const currentTs = this.rpc.pd.tso();
    // As client-go does: a lock whose primary holds no trace of its transaction may belong to a
    // transaction still prewriting (its primary's region answers later). Only once this lock's
    // TTL has expired is the transaction rolled back on the primary; until then it counts as alive.
    const rollbackIfNotExist = physicalOf(currentTs) >= physicalOf(lock.startTs) + lock.ttl;
    let status: TxnStatus;
    try {
      status = await this.rpc.onKey('check txn status', buf(lock.primary), (ctx, store) =>
        store.request<TxnStatus>('kvCheckTxnStatus', { ctx, primary: lock.primary, lockTs: lock.startTs, currentTs, rollbackIfNotExist }),
      );
    } catch (err) {
      if (err instanceof PitrError && err.code === ErrorCode.TxnLockNotFound) return { state: 'locked', ttl: lock.ttl, lockTs: lock.startTs };
      throw err;
    }
    if (status.state !== 'locked') {
      if (this.resolved.size >= RESOLVED_CACHE_SIZE) this.resolved.delete(this.resolved.keys().next().value as bigint);
      this.resolved.set(lock.startTs, status);
    }
    return status;
  }

  /**
   * Tries to clear a lock. True when it is gone (committed or rolled back); false when its
   * transaction is still alive and the caller must back off.
   */
  async resolve(lock: LockInfo): Promise<boolean> {
    const status = await this.txnStatus(lock);
    if (status.state === 'locked') return false;
    const commitTs = status.state === 'committed' ? status.commitTs : 0n;
    await this.rpc.onKey('resolve lock', buf(lock.key), (ctx, store) =>
      store.request<number>('kvResolveLock', { ctx, startTs: lock.startTs, commitTs, keys: [lock.key] }),
    );
    this.resolvedCount++;
    return true;
  }
}
