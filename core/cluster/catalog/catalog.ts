/**
 * The schema catalog, kept where TiDB keeps it: in `m`-prefixed meta keys written by ordinary
 * transactions (so log backup and restore carry DDL like any other change). Databases and
 * tables get ids from NextGlobalID; each new table gets its own region (TiDB's split-table).
 * Rows are JSON objects under `t{id}_r{handle}` keys (not TiDB's row format v2).
 */
import { ErrorCode, PitrError } from '../../errors.ts';
import type { Transaction } from '../txn/transaction.ts';
import type { TxnClient } from '../txn/txn-client.ts';
import { indexKey, metaKey, prefixNext, rowKey, tableRange } from './keys.ts';

/** A column of a table. */
export interface ColumnInfo {
  name: string;
  type: 'bigint' | 'varchar' | 'decimal' | 'datetime' | 'json';
}

/** A secondary index (index ids start at 1, as in TiDB). */
export interface IndexInfo {
  id: number;
  name: string;
  columns: string[];
  unique: boolean;
}

/** A table's schema; the first column is the integer primary key (the handle). */
export interface TableInfo {
  id: number;
  name: string;
  columns: ColumnInfo[];
  indexes: IndexInfo[];
}

/** A database's schema. */
export interface DbInfo {
  id: number;
  name: string;
}

/** A table definition as given to createTable. */
export type TableDef = Omit<TableInfo, 'id' | 'indexes'> & { indexes?: Array<Omit<IndexInfo, 'id'>> };

/** The system database and the privilege tables that restore skips, as TiDB does. */
export const SYSTEM_DB = 'mysql';
/** Privilege tables of the system database (never restored). */
export const PRIVILEGE_TABLES = ['user', 'db', 'tables_priv'] as const;
/** Dropped tables' key ranges wait here until GC passes the drop ts (TiDB's gc_delete_range). */
export const GC_DELETE_RANGE_TABLE = 'gc_delete_range';

/** The key range of every field of a meta hash (TiDB's HGetAll). */
function hashRange(name: string): [Buffer, Buffer] {
  const prefix = Buffer.concat([metaKey(name).subarray(0, -1), Buffer.from('h')]);
  return [prefix, prefixNext(prefix)];
}

const enc = (v: unknown): Buffer => Buffer.from(JSON.stringify(v));
const dec = <T>(b: Buffer): T => JSON.parse(b.toString('utf8')) as T;

/** A dropped table's range waiting for GC. */
export interface DeleteRange {
  tableId: number;
  start: string; // hex
  end: string; // hex
  ts: string; // the drop's start ts (decimal)
}

/** Reads and changes the schema. */
export class Catalog {
  /** Called after a table is created, so the cluster can split a region at its prefix. */
  onTableCreated: ((tableId: number) => Promise<void>) | null = null;

  constructor(private readonly client: TxnClient) {}

  private async allocIds(txn: Transaction, n: number): Promise<number> {
    const key = metaKey('NextGlobalID');
    const cur = Number((await txn.get(key))?.toString() ?? '0');
    txn.put(key, Buffer.from(String(cur + n)));
    return cur + 1;
  }

  private async bumpSchemaVersion(txn: Transaction): Promise<void> {
    const key = metaKey('SchemaVersionKey');
    const cur = Number((await txn.get(key))?.toString() ?? '0');
    txn.put(key, Buffer.from(String(cur + 1)));
  }

  /** Every database at ts. */
  async databases(ts: bigint): Promise<DbInfo[]> {
    const rows = await this.client.scan(...hashRange('DBs'), ts);
    return rows.map((r) => dec<DbInfo>(r.value)).sort((a, b) => a.id - b.id);
  }

  /** Every table of a database at ts. */
  async tables(ts: bigint, dbId: number): Promise<TableInfo[]> {
    const rows = await this.client.scan(...hashRange(`DB:${dbId}`), ts);
    return rows.map((r) => dec<TableInfo>(r.value)).sort((a, b) => a.id - b.id);
  }

  /** A database by name at ts, or null. */
  async database(ts: bigint, name: string): Promise<DbInfo | null> {
    return (await this.databases(ts)).find((d) => d.name === name) ?? null;
  }

  /** A table by name at ts, or null. */
  async table(ts: bigint, db: string, name: string): Promise<TableInfo | null> {
    const d = await this.database(ts, db);
    if (!d) return null;
    return (await this.tables(ts, d.id)).find((t) => t.name === name) ?? null;
  }

  /** CREATE DATABASE IF NOT EXISTS; returns its info. */
  async createDatabase(name: string): Promise<DbInfo> {
    const { result } = await this.client.run(async (txn) => {
      const existing = (await this.databases(txn.startTs)).find((d) => d.name === name);
      if (existing) return existing;
      const db: DbInfo = { id: await this.allocIds(txn, 1), name };
      txn.put(metaKey('DBs', `DB:${db.id}`), enc(db));
      await this.bumpSchemaVersion(txn);
      return db;
    });
    return result;
  }

  /** CREATE TABLE (IF NOT EXISTS when ifNotExists); returns its info. */
  async createTable(dbName: string, def: TableDef, ifNotExists = true): Promise<TableInfo> {
    const db = await this.createDatabase(dbName);
    const { result, created } = await this.client
      .run(async (txn) => {
        const existing = (await this.tables(txn.startTs, db.id)).find((t) => t.name === def.name);
        if (existing) {
          if (!ifNotExists) throw new PitrError(ErrorCode.InvalidArgument, `table ${dbName}.${def.name} already exists`);
          return { info: existing, created: false };
        }
        const id = await this.allocIds(txn, 1);
        const info: TableInfo = { id, name: def.name, columns: def.columns, indexes: (def.indexes ?? []).map((ix, i) => ({ ...ix, id: i + 1 })) };
        txn.put(metaKey(`DB:${db.id}`, `Table:${id}`), enc(info));
        await this.bumpSchemaVersion(txn);
        return { info, created: true };
      })
      .then((r) => ({ result: r.result.info, created: r.result.created }));
    if (created) await this.onTableCreated?.(result.id);
    return result;
  }

  /**
   * DROP TABLE: removes the schema entry and records the table's key range in
   * mysql.gc_delete_range; GC deletes the data once its safepoint passes the drop.
   */
  async dropTable(dbName: string, name: string): Promise<TableInfo> {
    const ranges = await this.table(this.client.pd.tso(), SYSTEM_DB, GC_DELETE_RANGE_TABLE);
    const { result } = await this.client.run(async (txn) => {
      const db = await this.database(txn.startTs, dbName);
      const t = db && (await this.tables(txn.startTs, db.id)).find((x) => x.name === name);
      if (!db || !t) throw new PitrError(ErrorCode.NotFound, `table ${dbName}.${name} does not exist`);
      txn.delete(metaKey(`DB:${db.id}`, `Table:${t.id}`));
      if (ranges) {
        const r = tableRange(t.id);
        const dr: DeleteRange = { tableId: t.id, start: r.start.toString('hex'), end: r.end.toString('hex'), ts: txn.startTs.toString() };
        txn.put(rowKey(ranges.id, t.id), enc(dr));
      }
      await this.bumpSchemaVersion(txn);
      return t;
    });
    return result;
  }

  /** Creates the `mysql` system database with its privilege tables and a root user. */
  async bootstrap(): Promise<void> {
    const col = (name: string, type: ColumnInfo['type'] = 'varchar'): ColumnInfo => ({ name, type });
    const user = await this.createTable(SYSTEM_DB, { name: 'user', columns: [col('id', 'bigint'), col('host'), col('user'), col('authentication_string'), col('priv')] });
    await this.createTable(SYSTEM_DB, { name: 'db', columns: [col('id', 'bigint'), col('host'), col('db'), col('user'), col('priv')] });
    await this.createTable(SYSTEM_DB, { name: 'tables_priv', columns: [col('id', 'bigint'), col('host'), col('db'), col('user'), col('table_name'), col('priv')] });
    await this.createTable(SYSTEM_DB, { name: GC_DELETE_RANGE_TABLE, columns: [col('table_id', 'bigint'), col('start'), col('end'), col('ts')] });
    await this.client.run(async (txn) => {
      txn.put(rowKey(user.id, 1), enc({ id: 1, host: '%', user: 'root', authentication_string: '', priv: 'ALL' }));
    });
  }

  /** Dropped tables' ranges whose drop is older than the safepoint (ready for GC to delete). */
  async deleteRangesBefore(safepoint: bigint): Promise<DeleteRange[]> {
    const ts = this.client.pd.tso();
    const t = await this.table(ts, SYSTEM_DB, GC_DELETE_RANGE_TABLE);
    if (!t) return [];
    const r = tableRange(t.id);
    const rows = await this.client.scan(r.start, r.end, ts);
    return rows.map((row) => dec<DeleteRange>(row.value)).filter((d) => BigInt(d.ts) < safepoint);
  }

  /** Removes a processed delete-range record. */
  async finishDeleteRange(tableId: number): Promise<void> {
    const t = await this.table(this.client.pd.tso(), SYSTEM_DB, GC_DELETE_RANGE_TABLE);
    if (!t) return;
    await this.client.run(async (txn) => txn.delete(rowKey(t.id, tableId)));
  }
}

/** Encodes a row value (a JSON object). */
export function encodeRow(row: Record<string, unknown>): Buffer {
  return enc(row);
}

/** Decodes a row value. */
export function decodeRow<T = Record<string, unknown>>(value: Buffer): T {
  return dec<T>(value);
}

/** The key of an index entry for a row (non-unique indexes append the handle). */
export function indexEntryKey(t: TableInfo, ix: IndexInfo, row: Record<string, unknown>, handle: bigint): Buffer {
  const values = ix.columns.map((c) => {
    const v = row[c];
    return typeof v === 'number' || typeof v === 'bigint' ? v : String(v ?? '');
  });
  return ix.unique ? indexKey(t.id, ix.id, values) : indexKey(t.id, ix.id, values, handle);
}

