/**
 * Range-level work on a store's column families: what region moves (export, import, delete),
 * PD's size and split decisions, log backup's initial scan and resolved ts, and restore's
 * ingest need. The transaction protocol itself is in mvcc.ts.
 */
import type Database from 'better-sqlite3';
import { SCHEMA } from './mvcc-schema.ts';
import type { WriteRow } from './mvcc-schema.ts';
import type { CfRow } from './protocol.ts';
import { buf } from './protocol.ts';

// SQLite's page cache per store, in KiB. better-sqlite3 builds SQLite with 16 MiB; a store's hot
// set (recent versions, locks) fits in far less, and a smaller cache keeps a store's memory from
// growing with its database during a long restore (restore bench, memory part).
const DEFAULT_STORE_CACHE_KIB = 8000;

/** Range operations over one store's database. */
export class MvccRanges {
  private readonly put;

  constructor(
    /** The underlying SQLite database (WAL mode). */
    readonly db: Database.Database,
  ) {
    db.pragma('journal_mode = WAL');
    // NORMAL in WAL mode is durable across a process crash (the WAL is in the OS), which is the
    // failure this lab simulates; FULL would fsync every commit batch.
    db.pragma('synchronous = NORMAL');
    db.pragma(`cache_size = -${DEFAULT_STORE_CACHE_KIB}`);
    db.exec(SCHEMA);
    const p = (sql: string) => db.prepare(sql).safeIntegers(true);
    this.put = {
      default: p('INSERT OR REPLACE INTO cf_default (key, start_ts, value) VALUES (?, ?, ?)'),
      write: p('INSERT OR REPLACE INTO cf_write (key, commit_ts, start_ts, type, short_value) VALUES (?, ?, ?, ?, ?)'),
      lock: p('INSERT OR REPLACE INTO cf_lock (key, primary_key, start_ts, ttl, op, short_value) VALUES (?, ?, ?, ?, ?, ?)'),
    };
  }

  /** The oldest start ts of the locks in [start, end), or null: it bounds a region's resolved ts. */
  minLockTsIn(start: Uint8Array, end: Uint8Array): bigint | null {
    const e = buf(end);
    const sql = `SELECT min(start_ts) AS ts FROM cf_lock WHERE key >= ?${e.length > 0 ? ' AND key < ?' : ''}`;
    const row = this.db.prepare(sql).safeIntegers(true).get(...(e.length > 0 ? [buf(start), e] : [buf(start)])) as { ts: bigint | null };
    return row.ts;
  }

  /**
   * Put and Delete records in [start, end) committed after afterTs: what log backup's initial
   * scan of a region reads when a store starts leading it.
   */
  *committedAfter(start: Uint8Array, end: Uint8Array, afterTs: bigint): Generator<{ key: Buffer; commitTs: bigint; startTs: bigint; type: 'P' | 'D'; shortValue: Buffer | null }> {
    const e = buf(end);
    const sql = `SELECT key, commit_ts, start_ts, type, short_value FROM cf_write WHERE key >= ?${e.length > 0 ? ' AND key < ?' : ''} AND commit_ts > ? AND type IN ('P', 'D') ORDER BY key, commit_ts`;
    const args = e.length > 0 ? [buf(start), e, afterTs] : [buf(start), afterTs];
    const rows = this.db.prepare(sql).safeIntegers(true).all(...args) as WriteRow[];
    for (const w of rows) yield { key: w.key, commitTs: w.commit_ts, startTs: w.start_ts, type: w.type as 'P' | 'D', shortValue: w.short_value };
  }


  /** Every row of every CF in [start, end), to move a region to another store. */
  exportRange(start: Uint8Array, end: Uint8Array): CfRow[] {
    const s = buf(start);
    const e = buf(end);
    const inRange = e.length > 0 ? 'key >= ? AND key < ?' : 'key >= ?';
    const args = e.length > 0 ? [s, e] : [s];
    const q = (sql: string) => this.db.prepare(sql).safeIntegers(true).all(...args) as Array<Record<string, unknown>>;
    const rows: CfRow[] = [];
    for (const r of q(`SELECT key, start_ts, value FROM cf_default WHERE ${inRange}`)) {
      rows.push({ cf: 'default', key: r.key as Buffer, ts: r.start_ts as bigint, startTs: r.start_ts as bigint, type: '', value: r.value as Buffer });
    }
    for (const r of q(`SELECT key, commit_ts, start_ts, type, short_value FROM cf_write WHERE ${inRange}`)) {
      rows.push({ cf: 'write', key: r.key as Buffer, ts: r.commit_ts as bigint, startTs: r.start_ts as bigint, type: r.type as string, value: r.short_value as Buffer | null });
    }
    for (const r of q(`SELECT key, primary_key, start_ts, ttl, op, short_value FROM cf_lock WHERE ${inRange}`)) {
      rows.push({ cf: 'lock', key: r.key as Buffer, ts: r.start_ts as bigint, startTs: r.start_ts as bigint, type: r.op as string, value: r.short_value as Buffer | null, primary: r.primary_key as Buffer, ttl: Number(r.ttl) });
    }
    return rows;
  }

  /** Writes rows exported by exportRange (the receiving side of a region move). */
  importRows(rows: CfRow[]): void {
    for (const r of rows) {
      const k = buf(r.key);
      if (r.cf === 'default') this.put.default.run(k, r.ts, r.value ? buf(r.value) : Buffer.alloc(0));
      else if (r.cf === 'write') this.put.write.run(k, r.ts, r.startTs, r.type, r.value ? buf(r.value) : null);
      else this.put.lock.run(k, buf(r.primary ?? r.key), r.ts, BigInt(r.ttl ?? 0), r.type, r.value ? buf(r.value) : null);
    }
  }

  /** Physically removes every row in [start, end) (after a region moved away). */
  deleteRange(start: Uint8Array, end: Uint8Array): void {
    const s = buf(start);
    const e = buf(end);
    for (const t of ['cf_default', 'cf_write', 'cf_lock']) {
      if (e.length > 0) this.db.prepare(`DELETE FROM ${t} WHERE key >= ? AND key < ?`).run(s, e);
      else this.db.prepare(`DELETE FROM ${t} WHERE key >= ?`).run(s);
    }
  }

  /** Number of write records and their bytes in [start, end): a region's approximate size. */
  rangeSize(start: Uint8Array, end: Uint8Array): { keys: number; bytes: number } {
    const e = buf(end);
    const sql = `SELECT count(*) AS n, coalesce(sum(length(key) + coalesce(length(short_value), 0)), 0) AS b FROM cf_write WHERE key >= ?${e.length > 0 ? ' AND key < ?' : ''}`;
    const row = this.db.prepare(sql).get(...(e.length > 0 ? [buf(start), e] : [buf(start)])) as { n: number; b: number };
    return { keys: row.n, bytes: row.b };
  }

  /** A key near the middle of [start, end), to split a region there; null if too few keys. */
  middleKey(start: Uint8Array, end: Uint8Array): Buffer | null {
    const e = buf(end);
    const bound = e.length > 0 ? ' AND key < ?' : '';
    const args = e.length > 0 ? [buf(start), e] : [buf(start)];
    const n = (this.db.prepare(`SELECT count(DISTINCT key) AS n FROM cf_write WHERE key >= ?${bound}`).get(...args) as { n: number }).n;
    if (n < 2) return null;
    const row = this.db
      .prepare(`SELECT DISTINCT key FROM cf_write WHERE key >= ?${bound} ORDER BY key LIMIT 1 OFFSET ?`)
      .get(...args, Math.floor(n / 2)) as { key: Buffer } | undefined;
    return row ? row.key : null;
  }
}
