/**
 * Percolator MVCC over one SQLite database, as TiKV lays it out: the `default` CF holds large
 * values at (key, start_ts), the `write` CF holds commit records at (key, commit_ts), the `lock`
 * CF holds at most one lock per key. All methods are synchronous; the worker wraps batches of
 * them in one SQLite transaction.
 */
import Database from 'better-sqlite3';
import { ErrorCode, PitrError } from '../../errors.ts';
import { MvccRanges } from './mvcc-ranges.ts';
import { WriteType } from './mvcc-schema.ts';
import type { LockRow, WriteRow } from './mvcc-schema.ts';
import type { KvPair, LockInfo, Mutation, MutationOp, TxnStatus } from './protocol.ts';
import { buf } from './protocol.ts';

// TiKV inlines values up to 255 bytes in the write record (short value) and puts larger ones in
// the default CF; we keep the same split so that log backup sees both CFs as TiKV's does.
const SHORT_VALUE_MAX_LEN = 255;
const LOGICAL_BITS = 18n;

const OP_TO_WRITE: Record<MutationOp, string> = { Put: 'P', Delete: 'D', Lock: 'L' };

function physical(ts: bigint): bigint {
  return ts >> LOGICAL_BITS;
}

function lockInfo(l: LockRow): LockInfo {
  return { key: l.key, primary: l.primary_key, startTs: l.start_ts, ttl: Number(l.ttl), op: l.op };
}

function lockedError(l: LockRow): PitrError {
  return new PitrError(
    ErrorCode.KeyIsLocked,
    `key is locked by the transaction with start ts ${l.start_ts}; resolve the lock and retry`,
    { lock: lockInfo(l) },
  );
}

export { WriteType };

/** Percolator MVCC storage of one store. */
export class MvccStore extends MvccRanges {
  /**
   * Observer of applied commits (Put and Delete records), as TiKV's log backup observes the
   * apply of the write CF. Called synchronously inside the commit.
   */
  onCommitted: ((key: Buffer, commitTs: bigint, startTs: bigint, type: 'P' | 'D', shortValue: Buffer | null) => void) | null = null;
  private readonly s;

  constructor(path: string) {
    super(new Database(path));
    const p = (sql: string) => this.db.prepare(sql).safeIntegers(true);
    this.s = {
      getLock: p('SELECT key, primary_key, start_ts, ttl, op, short_value FROM cf_lock WHERE key = ?'),
      putLock: p('INSERT OR REPLACE INTO cf_lock (key, primary_key, start_ts, ttl, op, short_value) VALUES (?, ?, ?, ?, ?, ?)'),
      delLock: p('DELETE FROM cf_lock WHERE key = ?'),
      setLockTtl: p('UPDATE cf_lock SET ttl = ? WHERE key = ?'),
      locksByTs: p('SELECT key, primary_key, start_ts, ttl, op, short_value FROM cf_lock WHERE start_ts = ?'),
      scanLocks: p('SELECT key, primary_key, start_ts, ttl, op, short_value FROM cf_lock WHERE key >= ? ORDER BY key'),
      minLockTs: p('SELECT min(start_ts) AS ts FROM cf_lock'),
      latestWrite: p('SELECT key, commit_ts, start_ts, type, short_value FROM cf_write WHERE key = ? ORDER BY commit_ts DESC LIMIT 1'),
      writesAtOrBefore: p('SELECT key, commit_ts, start_ts, type, short_value FROM cf_write WHERE key = ? AND commit_ts <= ? ORDER BY commit_ts DESC'),
      latestWriteAtOrBefore: p('SELECT key, commit_ts, start_ts, type, short_value FROM cf_write WHERE key = ? AND commit_ts <= ? ORDER BY commit_ts DESC LIMIT 1'),
      writeByStartTs: p('SELECT key, commit_ts, start_ts, type, short_value FROM cf_write WHERE key = ? AND commit_ts >= ? AND start_ts = ? LIMIT 1'),
      putWrite: p('INSERT OR REPLACE INTO cf_write (key, commit_ts, start_ts, type, short_value) VALUES (?, ?, ?, ?, ?)'),
      delWrite: p('DELETE FROM cf_write WHERE key = ? AND commit_ts = ?'),
      scanWrites: p('SELECT key, commit_ts, start_ts, type, short_value FROM cf_write WHERE key >= ? AND commit_ts <= ? ORDER BY key, commit_ts DESC'),
      getDefault: p('SELECT value FROM cf_default WHERE key = ? AND start_ts = ?'),
      defaultLength: p('SELECT length(value) AS n FROM cf_default WHERE key = ? AND start_ts = ?'),
      putDefault: p('INSERT OR REPLACE INTO cf_default (key, start_ts, value) VALUES (?, ?, ?)'),
      delDefault: p('DELETE FROM cf_default WHERE key = ? AND start_ts = ?'),
      gcKeys: p('SELECT DISTINCT key FROM cf_write WHERE key >= ? ORDER BY key LIMIT ?'),
      metaGet: p('SELECT value FROM store_meta WHERE name = ?'),
      metaPut: p('INSERT OR REPLACE INTO store_meta (name, value) VALUES (?, ?)'),
    };
  }

  /** Closes the database (the WAL is checkpointed by SQLite). */
  close(): void {
    this.db.close();
  }

  /** Runs fn in one SQLite transaction (a savepoint when nested). */
  txn<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  /** Reads a store-local metadata value. */
  getMeta(name: string): string | null {
    const row = this.s.metaGet.get(name) as { value: string } | undefined;
    return row ? row.value : null;
  }

  /** Writes a store-local metadata value. */
  setMeta(name: string, value: string): void {
    this.s.metaPut.run(name, value);
  }

  private lockOf(key: Buffer): LockRow | undefined {
    return this.s.getLock.get(key) as LockRow | undefined;
  }

  private writeValue(w: WriteRow): Buffer {
    if (w.short_value !== null && w.short_value.length > 0) return w.short_value;
    const row = this.s.getDefault.get(w.key, w.start_ts) as { value: Buffer } | undefined;
    // Backup files carry an empty short value for long values too: a default-CF value of the
    // same transaction decides; without one the value really is empty.
    if (!row && w.short_value !== null) return w.short_value;
    if (!row) {
      throw new PitrError(ErrorCode.Internal, `default CF value missing for a committed key (start ts ${w.start_ts})`);
    }
    return row.value;
  }

  /** Fails with KeyIsLocked when a lock that a read at ts must wait for sits on key. */
  private checkReadLock(l: LockRow | undefined, ts: bigint): void {
    // Lock-type locks (SELECT ... FOR UPDATE) never block readers, as in TiKV.
    if (l && l.op !== 'Lock' && l.start_ts <= ts) throw lockedError(l);
  }

  /** Point get at ts (snapshot isolation). Returns null when absent or deleted. */
  get(key: Uint8Array, ts: bigint): Buffer | null {
    const k = buf(key);
    this.checkReadLock(this.lockOf(k), ts);
    // Fast path: the newest version at or below ts is almost always a Put or a Delete.
    const first = this.s.latestWriteAtOrBefore.get(k, ts) as WriteRow | undefined;
    if (!first) return null;
    if (first.type === WriteType.Put) return this.writeValue(first);
    if (first.type === WriteType.Delete) return null;
    for (const w of this.s.writesAtOrBefore.iterate(k, ts) as IterableIterator<WriteRow>) {
      if (w.type === WriteType.Put) return this.writeValue(w);
      if (w.type === WriteType.Delete) return null;
    }
    return null;
  }

  /** Range scan [start, end) at ts; empty end = +infinity. */
  scan(start: Uint8Array, end: Uint8Array, ts: bigint, limit: number, keyOnly = false): KvPair[] {
    const s = buf(start);
    const e = buf(end);
    const bounded = e.length > 0;
    for (const l of this.s.scanLocks.iterate(s) as IterableIterator<LockRow>) {
      if (bounded && Buffer.compare(l.key, e) >= 0) break;
      this.checkReadLock(l, ts);
    }
    const rows: WriteRow[] = [];
    let lastKey: Buffer | null = null;
    let decided = false;
    for (const w of this.s.scanWrites.iterate(s, ts) as IterableIterator<WriteRow>) {
      if (bounded && Buffer.compare(w.key, e) >= 0) break;
      if (lastKey === null || !lastKey.equals(w.key)) {
        if (rows.length >= limit) break;
        lastKey = w.key;
        decided = false;
      }
      if (decided) continue;
      if (w.type === WriteType.Put) {
        rows.push(w);
        decided = true;
      } else if (w.type === WriteType.Delete) {
        decided = true;
      }
    }
    const empty = Buffer.alloc(0);
    return rows.map((w) => ({ key: w.key, value: keyOnly ? empty : this.writeValue(w) }));
  }

  /**
   * Prewrite: lock every key for startTs, or write nothing and report why. A newer commit than
   * startTs is a write conflict; another transaction's lock is KeyIsLocked.
   */
  prewrite(mutations: Mutation[], primary: Uint8Array, startTs: bigint, ttl: number): void {
    const prim = buf(primary);
    // Every key is checked before any is written, so a refused prewrite leaves nothing behind
    // (cheaper than a savepoint on this hot path).
    const todo: Array<{ k: Buffer; m: Mutation }> = [];
    for (const m of mutations) {
      const k = buf(m.key);
      const lock = this.lockOf(k);
      if (lock) {
        if (lock.start_ts === startTs) continue; // a retried prewrite is idempotent
        throw lockedError(lock);
      }
      const latest = this.s.latestWrite.get(k) as WriteRow | undefined;
      if (latest && latest.commit_ts >= startTs) {
        const aborted = latest.start_ts === startTs;
        throw new PitrError(
          aborted ? ErrorCode.TxnAborted : ErrorCode.WriteConflict,
          aborted
            ? `transaction ${startTs} was already rolled back; start a new transaction`
            : `write conflict: the key was committed at ${latest.commit_ts}, after this transaction started at ${startTs}; retry the transaction`,
          { conflictTs: latest.commit_ts, startTs },
        );
      }
      todo.push({ k, m });
    }
    for (const { k, m } of todo) {
      let short: Buffer | null = null;
      if (m.op === 'Put') {
        const v = buf(m.value ?? new Uint8Array(0));
        if (v.length <= SHORT_VALUE_MAX_LEN) short = v;
        else this.s.putDefault.run(k, startTs, v);
      }
      this.s.putLock.run(k, prim, startTs, BigInt(ttl), m.op, short);
    }
  }

  /**
   * Commits the locks of startTs on keys at commitTs; idempotent for keys already committed.
   * Returns the approximate bytes committed (for region size accounting).
   */
  commit(keys: Uint8Array[], startTs: bigint, commitTs: bigint): number {
    if (commitTs <= startTs) {
      throw new PitrError(ErrorCode.InvalidArgument, `commit ts ${commitTs} must be greater than start ts ${startTs}`);
    }
    // Every key is checked before any is written, so a refused commit leaves nothing behind.
    const locked: Array<{ k: Buffer; lock: LockRow }> = [];
    for (const key of keys) {
      const k = buf(key);
      const lock = this.lockOf(k);
      if (lock && lock.start_ts === startTs) {
        locked.push({ k, lock });
        continue;
      }
      const w = this.s.writeByStartTs.get(k, startTs, startTs) as WriteRow | undefined;
      if (w && w.type !== WriteType.Rollback) continue;
      if (w) {
        throw new PitrError(ErrorCode.TxnAborted, `transaction ${startTs} was rolled back (its lock expired and was resolved); retry the transaction`);
      }
      throw new PitrError(ErrorCode.TxnLockNotFound, `no lock of transaction ${startTs} on the key; the transaction may have been rolled back`);
    }
    let bytes = 0;
    for (const { k, lock } of locked) {
      const type = OP_TO_WRITE[lock.op];
      this.s.putWrite.run(k, commitTs, startTs, type, lock.short_value);
      this.s.delLock.run(k);
      if (this.onCommitted && (type === 'P' || type === 'D')) this.onCommitted(k, commitTs, startTs, type, lock.short_value);
      // A long value's real size counts, or regions of large rows would never split by size.
      const long = lock.short_value ? 0 : ((this.s.defaultLength.get(k, startTs) as { n: bigint } | undefined)?.n ?? 0n);
      bytes += k.length + (lock.short_value ? lock.short_value.length : Number(long));
    }
    return bytes;
  }

  /** Rolls back the locks of startTs on keys and leaves Rollback records against late prewrites. */
  rollback(keys: Uint8Array[], startTs: bigint): void {
    const ks = keys.map(buf);
    // Refuse before writing anything when any key is already committed.
    for (const k of ks) {
      const lock = this.lockOf(k);
      if (lock && lock.start_ts === startTs) continue;
      const w = this.s.writeByStartTs.get(k, startTs, startTs) as WriteRow | undefined;
      if (w && w.type !== WriteType.Rollback) {
        throw new PitrError(ErrorCode.Committed, `transaction ${startTs} is already committed at ${w.commit_ts}; it cannot be rolled back`);
      }
    }
    for (const k of ks) this.rollbackKey(k, startTs);
  }

  private rollbackKey(k: Buffer, startTs: bigint): void {
    const lock = this.lockOf(k);
    if (lock && lock.start_ts === startTs) {
      if (lock.op === 'Put' && lock.short_value === null) this.s.delDefault.run(k, startTs);
      this.s.delLock.run(k);
    } else {
      const w = this.s.writeByStartTs.get(k, startTs, startTs) as WriteRow | undefined;
      if (w && w.type !== WriteType.Rollback) {
        throw new PitrError(ErrorCode.Committed, `transaction ${startTs} is already committed at ${w.commit_ts}; it cannot be rolled back`);
      }
      if (w) return;
    }
    this.s.putWrite.run(k, startTs, startTs, WriteType.Rollback, null);
  }

  /**
   * CheckTxnStatus on a primary key: committed, rolled back, or still locked. An expired lock
   * (its TTL counted in physical ms from its start ts) is rolled back, as TiKV does. With no
   * trace of the transaction on the primary, it is rolled back only if `rollbackIfNotExist`
   * (TiKV's flag): otherwise its prewrite may still be on the way, and this is TxnLockNotFound.
   */
  checkTxnStatus(primary: Uint8Array, lockTs: bigint, currentTs: bigint, rollbackIfNotExist = true): TxnStatus {
    const k = buf(primary);
    const lock = this.lockOf(k);
    if (lock && lock.start_ts === lockTs) {
      if (physical(currentTs) >= physical(lockTs) + lock.ttl) {
        this.rollbackKey(k, lockTs);
        return { state: 'rolledback' };
      }
      return { state: 'locked', ttl: Number(lock.ttl), lockTs };
    }
    const w = this.s.writeByStartTs.get(k, lockTs, lockTs) as WriteRow | undefined;
    if (w && w.type !== WriteType.Rollback) return { state: 'committed', commitTs: w.commit_ts };
    if (!w && !rollbackIfNotExist) {
      throw new PitrError(ErrorCode.TxnLockNotFound, `transaction ${lockTs} has no lock on its primary key yet; its prewrite may still be in flight, retry later`);
    }
    if (!w) this.s.putWrite.run(k, lockTs, lockTs, WriteType.Rollback, null);
    return { state: 'rolledback' };
  }

  /** Commits (commitTs > 0) or rolls back (commitTs = 0) the locks of startTs: keys given, or all. */
  resolveLock(startTs: bigint, commitTs: bigint, keys?: Uint8Array[]): number {
    const targets = keys ? keys.map(buf) : (this.s.locksByTs.all(startTs) as LockRow[]).map((l) => l.key);
    let n = 0;
    for (const k of targets) {
      const lock = this.lockOf(k);
      if (!lock || lock.start_ts !== startTs) continue;
      if (commitTs > 0n) this.commit([k], startTs, commitTs);
      else this.rollbackKey(k, startTs);
      n++;
    }
    return n;
  }

  /** Extends the TTL of a live primary lock (large transactions heartbeat). */
  txnHeartbeat(primary: Uint8Array, startTs: bigint, ttl: number): number {
    const k = buf(primary);
    const lock = this.lockOf(k);
    if (!lock || lock.start_ts !== startTs) {
      throw new PitrError(ErrorCode.TxnLockNotFound, `transaction ${startTs} has no lock on its primary key; it was committed or rolled back`);
    }
    const next = Math.max(Number(lock.ttl), ttl);
    this.s.setLockTtl.run(BigInt(next), k);
    return next;
  }

  /** Locks in [start, end) with start ts ≤ maxTs. */
  scanLocks(start: Uint8Array, end: Uint8Array, maxTs: bigint, limit: number): LockInfo[] {
    const e = buf(end);
    const out: LockInfo[] = [];
    for (const l of this.s.scanLocks.iterate(buf(start)) as IterableIterator<LockRow>) {
      if (e.length > 0 && Buffer.compare(l.key, e) >= 0) break;
      if (l.start_ts <= maxTs) out.push(lockInfo(l));
      if (out.length >= limit) break;
    }
    return out;
  }

  /** The value a long Put keeps in the default CF, or null. */
  defaultValue(key: Uint8Array, startTs: bigint): Buffer | null {
    const row = this.s.getDefault.get(buf(key), startTs) as { value: Buffer } | undefined;
    return row ? row.value : null;
  }

  /** The oldest start ts of any lock on this store, or null. */
  minLockTs(): bigint | null {
    const row = this.s.minLockTs.get() as { ts: bigint | null };
    return row.ts;
  }

  /**
   * GC below safepoint for up to `limit` keys from `from`: keeps the newest Put at or below the
   * safepoint, removes older versions, Deletes, and Lock/Rollback records. Returns the key to
   * continue from (null when done) and how many versions were removed.
   */
  gc(safepoint: bigint, from: Uint8Array, limit: number): { next: Buffer | null; removed: number } {
    const keys = (this.s.gcKeys.all(buf(from), limit) as Array<{ key: Buffer }>).map((r) => r.key);
    let removed = 0;
    for (const k of keys) {
      let found = false;
      for (const w of this.s.writesAtOrBefore.all(k, safepoint) as WriteRow[]) {
        const isData = w.type === WriteType.Put || w.type === WriteType.Delete;
        if (!found && w.type === WriteType.Put) {
          found = true;
          continue;
        }
        if (isData) found = true;
        this.s.delWrite.run(k, w.commit_ts);
        if (w.type === WriteType.Put && w.short_value === null) this.s.delDefault.run(k, w.start_ts);
        removed++;
      }
    }
    const last = keys[keys.length - 1];
    const next = keys.length < limit || !last ? null : Buffer.concat([last, Buffer.from([0])]);
    return { next, removed };
  }
}
