/**
 * An optimistic transaction with Percolator two-phase commit across regions and stores: buffer
 * writes, prewrite every key (the first is the primary), take a commit ts, commit the primary
 * (the commit point), then the secondaries.
 */
import { ErrorCode, PitrError } from '../../errors.ts';
import type { LockInfo, Mutation, MutationOp } from '../store/protocol.ts';
import type { TxnClient } from './txn-client.ts';
import { Backoffer } from './region-rpc.ts';

/** Where a simulated client crash stops the commit (tests and the lab's fault drills). */
export type CrashPoint = 'prewrite' | 'primary';

/** The outcome of a commit. */
export interface CommitResult {
  startTs: bigint;
  commitTs: bigint;
  keys: number;
}

/** One optimistic transaction. */
export class Transaction {
  private readonly writes = new Map<string, Mutation>();
  private readonly prewritten = new Set<string>();
  private primaryKey: Buffer | null = null;
  private done = false;

  constructor(
    private readonly client: TxnClient,
    readonly startTs: bigint,
  ) {}

  /** Reads key at the start ts, seeing this transaction's own writes. */
  async get(key: Buffer): Promise<Buffer | null> {
    const own = this.writes.get(key.toString('latin1'));
    if (own) return own.op === 'Put' ? Buffer.from(own.value ?? []) : null;
    return this.client.get(key, this.startTs);
  }

  /** Reads many keys at the start ts. */
  async batchGet(keys: Buffer[]): Promise<Array<Buffer | null>> {
    return Promise.all(keys.map((k) => this.get(k)));
  }

  /** Buffers a write. */
  put(key: Buffer, value: Buffer): void {
    this.mutate('Put', key, value);
  }

  /** Buffers a delete. */
  delete(key: Buffer): void {
    this.mutate('Delete', key);
  }

  private mutate(op: MutationOp, key: Buffer, value?: Buffer): void {
    if (this.done) throw new PitrError(ErrorCode.InvalidArgument, 'the transaction is already finished');
    const id = key.toString('latin1');
    if (this.prewritten.has(id)) throw new PitrError(ErrorCode.InvalidArgument, 'a key cannot change after it was prewritten');
    this.writes.set(id, value === undefined ? { op, key } : { op, key, value });
  }

  /** Number of buffered mutations. */
  get size(): number {
    return this.writes.size;
  }

  /** The buffered mutations in key order (the first is the primary). */
  mutations(): Mutation[] {
    return [...this.writes.values()].sort((a, b) => Buffer.compare(a.key, b.key));
  }

  /**
   * Two-phase commit. `crashAfter` stops as a crashed client would: after prewrite (locks left
   * everywhere) or after the primary commit (secondary locks left, the transaction committed).
   */
  async commit(opts: { crashAfter?: CrashPoint; ttlMs?: number } = {}): Promise<CommitResult> {
    if (this.done) throw new PitrError(ErrorCode.InvalidArgument, 'the transaction is already finished');
    this.done = true;
    const muts = this.mutations();
    if (muts.length === 0) return { startTs: this.startTs, commitTs: this.startTs, keys: 0 };
    await this.prewritePending(opts.ttlMs);
    const primary = this.primaryKey as Buffer;
    if (opts.crashAfter === 'prewrite') return { startTs: this.startTs, commitTs: 0n, keys: muts.length };
    const commitTs = this.client.pd.tso();
    // The primary's commit record is the commit point: after it the transaction is committed.
    await this.client.rpc.onKey('commit primary', primary, (ctx, store) =>
      store.request('kvCommit', { ctx, keys: [primary], startTs: this.startTs, commitTs }),
    );
    if (opts.crashAfter !== 'primary' && muts.length > 1) {
      const secondaries = muts.map((m) => m.key as Buffer).filter((k) => !k.equals(primary));
      // A failed secondary commit does not undo the transaction: readers resolve that lock.
      await this.client.rpc
        .perRegion('commit secondaries', secondaries, (k) => k, (ctx, store, keys) =>
          store.request('kvCommit', { ctx, keys, startTs: this.startTs, commitTs }),
        )
        .catch(() => undefined);
    }
    return { startTs: this.startTs, commitTs, keys: muts.length };
  }

  /**
   * Prewrites the mutations not prewritten yet (a large transaction calls this as it goes, so
   * its locks stay in place for a long time); on failure everything is rolled back.
   */
  async prewritePending(ttlMs?: number): Promise<void> {
    const muts = this.mutations().filter((m) => !this.prewritten.has(Buffer.from(m.key).toString('latin1')));
    if (muts.length === 0) return;
    this.primaryKey ??= Buffer.from(muts[0]!.key);
    try {
      await this.prewrite(muts, this.primaryKey, ttlMs ?? this.client.defaultLockTtlMs());
    } catch (err) {
      this.done = true;
      void this.rollback().catch(() => undefined);
      throw err;
    }
    for (const m of muts) this.prewritten.add(Buffer.from(m.key).toString('latin1'));
  }

  private async prewrite(muts: Mutation[], primary: Buffer, ttl: number): Promise<void> {
    const bo = new Backoffer('prewrite');
    let pending = muts;
    while (pending.length > 0) {
      const retry: Mutation[] = [];
      await this.client.rpc.perRegion('prewrite', pending, (m) => m.key as Buffer, async (ctx, store, group) => {
        try {
          await store.request('kvPrewrite', { ctx, mutations: group, primary, startTs: this.startTs, ttl });
        } catch (err) {
          if (!(err instanceof PitrError) || err.code !== ErrorCode.KeyIsLocked) throw err;
          // Another transaction's lock: resolve it (it may be a crashed client's) and retry.
          await this.client.resolver.resolve((err.details as { lock: LockInfo }).lock);
          retry.push(...group);
        }
      }, bo);
      if (retry.length > 0) await bo.backoff(new PitrError(ErrorCode.KeyIsLocked, 'keys are locked by another transaction'));
      pending = retry;
    }
  }

  /** Rolls back whatever this transaction prewrote. */
  async rollback(muts = this.mutations()): Promise<void> {
    this.done = true;
    if (muts.length === 0) return;
    await this.client.rpc.perRegion('rollback', muts.map((m) => m.key as Buffer), (k) => k, (ctx, store, keys) =>
      store.request('kvRollback', { ctx, keys, startTs: this.startTs }),
    );
  }

  /** Extends the primary lock's TTL while a long transaction is still working. */
  async heartbeat(ttlMs: number): Promise<number> {
    const primary = this.primaryKey;
    if (!primary) return 0;
    return this.client.rpc.onKey('txn heartbeat', primary, (ctx, store) =>
      store.request<number>('kvTxnHeartbeat', { ctx, primary, startTs: this.startTs, ttl: ttlMs }),
    );
  }
}
