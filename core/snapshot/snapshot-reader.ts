/**
 * TiKV's backup scanner over one store's SQLite database: the locks that would block a read at
 * the backup ts, and the MVCC snapshot of a key range at that ts (per key the newest Put or
 * Delete committed at or before it; Lock and Rollback records are not data). It has its own
 * prepared statements on `mvcc.db`, so the MVCC store's hot paths stay untouched.
 */
import type Database from 'better-sqlite3';
import { ErrorCode, PitrError } from '../errors.ts';
import type { LockRow as StoredLock, WriteRow } from '../cluster/store/mvcc-schema.ts';
import type { LockInfo } from '../cluster/store/protocol.ts';
import { buf } from '../cluster/store/protocol.ts';

/** One visible KV of a snapshot, with the write record it comes from. */
export interface VisibleKv {
  key: Buffer;
  commitTs: bigint;
  startTs: bigint;
  /** The short value inlined in the write record; null when the value is in the default CF. */
  shortValue: Buffer | null;
  /** The row value (the short value, or the default CF's). */
  value: Buffer;
}

type LockRow = Omit<StoredLock, 'short_value'>;

const LOCK_COLS = 'key, primary_key, start_ts, ttl, op';
const WRITE_COLS = 'key, commit_ts, start_ts, type, short_value';

/** Reads MVCC snapshots of key ranges from one store's database. */
export class SnapshotReader {
  private readonly s;

  constructor(db: Database.Database) {
    const p = (sql: string) => db.prepare(sql).safeIntegers(true);
    // Two forms of each range query: an empty end key means +infinity (the last region).
    // Lock-type locks (SELECT ... FOR UPDATE) never block a snapshot read, as in TiKV.
    this.s = {
      locksBounded: p(`SELECT ${LOCK_COLS} FROM cf_lock WHERE key >= ? AND key < ? AND start_ts <= ? AND op != 'Lock' ORDER BY key LIMIT ?`),
      locksOpen: p(`SELECT ${LOCK_COLS} FROM cf_lock WHERE key >= ? AND start_ts <= ? AND op != 'Lock' ORDER BY key LIMIT ?`),
      writesBounded: p(`SELECT ${WRITE_COLS} FROM cf_write WHERE key >= ? AND key < ? AND commit_ts <= ? ORDER BY key, commit_ts DESC`),
      writesOpen: p(`SELECT ${WRITE_COLS} FROM cf_write WHERE key >= ? AND commit_ts <= ? ORDER BY key, commit_ts DESC`),
      defaultValue: p('SELECT value FROM cf_default WHERE key = ? AND start_ts = ?'),
    };
  }

  /** Locks in [start, end) that a read at ts must wait for (start ts ≤ ts), up to limit. */
  blockingLocks(start: Uint8Array, end: Uint8Array, ts: bigint, limit: number): LockInfo[] {
    const e = buf(end);
    const rows = (e.length > 0 ? this.s.locksBounded.all(buf(start), e, ts, limit) : this.s.locksOpen.all(buf(start), ts, limit)) as LockRow[];
    return rows.map((l) => ({ key: l.key, primary: l.primary_key, startTs: l.start_ts, ttl: Number(l.ttl), op: l.op }));
  }

  /** The visible KVs of [start, end) at ts, in key order. */
  *visible(start: Uint8Array, end: Uint8Array, ts: bigint): Generator<VisibleKv> {
    const e = buf(end);
    const rows = (e.length > 0 ? this.s.writesBounded.iterate(buf(start), e, ts) : this.s.writesOpen.iterate(buf(start), ts)) as IterableIterator<WriteRow>;
    let decidedKey: Buffer | null = null;
    for (const w of rows) {
      if (decidedKey !== null && decidedKey.equals(w.key)) continue;
      if (w.type === 'P') {
        decidedKey = w.key;
        yield { key: w.key, commitTs: w.commit_ts, startTs: w.start_ts, shortValue: w.short_value, value: w.short_value ?? this.longValue(w) };
      } else if (w.type === 'D') {
        decidedKey = w.key;
      }
      // 'L' and 'R' records say nothing about the value: look at the next older record.
    }
  }

  private longValue(w: WriteRow): Buffer {
    const row = this.s.defaultValue.get(w.key, w.start_ts) as { value: Buffer } | undefined;
    if (!row) {
      throw new PitrError(ErrorCode.Internal, `the default CF value of a committed key is missing (start ts ${w.start_ts}, commit ts ${w.commit_ts}): the store's data is damaged`);
    }
    return row.value;
  }
}
