/**
 * test.orders, shared by the insert, update, delete and mixed workloads: its schema, its rows
 * and index entries, fresh handles, and a bounded sample of handles known to be live.
 */
import type { IndexInfo, TableDef, TableInfo } from '../catalog/catalog.ts';
import { indexEntryKey } from '../catalog/catalog.ts';
import { decodeKey, recordRange } from '../catalog/keys.ts';
import type { Cluster } from '../cluster.ts';
import { WORKLOAD_DB } from './bank.ts';

/** test.orders with its non-unique index on customer_id. */
export const ORDERS_TABLE: TableDef = {
  name: 'orders',
  columns: [
    { name: 'id', type: 'bigint' },
    { name: 'customer_id', type: 'bigint' },
    { name: 'amount', type: 'decimal' },
    { name: 'note', type: 'varchar' },
  ],
  indexes: [{ name: 'idx_customer', columns: ['customer_id'], unique: false }],
};
// Handles remembered for update and delete: enough to spread them over many rows and regions,
// bounded so that a long insert run does not grow memory.
export const DEFAULT_LIVE_SAMPLE = 10_000;
// Distinct customers: enough that index entries spread, few enough that customers repeat.
const CUSTOMERS = 1000;
/** The value of a non-unique index entry (TiDB writes '0' when the handle is in the key). */
export const INDEX_VALUE = Buffer.from('0');

/** A row of test.orders. */
export interface OrderRow {
  id: number;
  customer_id: number;
  amount: string;
  note: string;
  [column: string]: unknown;
}

/** A random customer id. */
export function randomCustomer(): number {
  return 1 + Math.floor(Math.random() * CUSTOMERS);
}

/** A random decimal amount with two places (decimals are strings in JSON rows). */
export function randomAmount(): string {
  return (Math.floor(Math.random() * 1_000_000) / 100).toFixed(2);
}

/** A set of handles with O(1) add, remove and random pick; when full a random one makes room. */
export class HandleSample {
  private readonly handles: number[] = [];
  private readonly index = new Map<number, number>();

  constructor(private readonly capacity = DEFAULT_LIVE_SAMPLE) {}

  /** Number of handles held. */
  get size(): number {
    return this.handles.length;
  }

  /** Remembers a live handle. */
  add(h: number): void {
    if (this.index.has(h)) return;
    if (this.handles.length >= this.capacity) this.remove(this.handles[Math.floor(Math.random() * this.handles.length)]!);
    this.index.set(h, this.handles.length);
    this.handles.push(h);
  }

  /** Forgets a handle (deleted, or found missing). */
  remove(h: number): void {
    const i = this.index.get(h);
    if (i === undefined) return;
    const last = this.handles.pop()!;
    this.index.delete(h);
    if (last !== h) {
      this.handles[i] = last;
      this.index.set(last, i);
    }
  }

  /** Forgets every handle. */
  clear(): void {
    this.handles.length = 0;
    this.index.clear();
  }

  /** A random handle, or null when empty. */
  pick(): number | null {
    return this.handles.length === 0 ? null : this.handles[Math.floor(Math.random() * this.handles.length)]!;
  }
}

/** The orders table and what a manager knows about its rows. */
export class OrdersState {
  readonly live = new HandleSample();
  // Handles count up from a random 40-bit base, so runs by different managers do not collide
  // (and stay far below 2^53).
  private nextHandle = Math.floor(Math.random() * 2 ** 40) + 1;
  private table: Promise<TableInfo> | null = null;
  private tableId: number | null = null;
  private learning: Promise<void> | null = null;

  constructor(private readonly cluster: Cluster) {}

  /** Creates test.orders if needed; returns its info (one creation per manager). */
  ensureTable(): Promise<TableInfo> {
    this.table ??= this.cluster.catalog.createTable(WORKLOAD_DB, ORDERS_TABLE).catch((err: unknown) => {
      this.table = null;
      throw err;
    });
    return this.table;
  }

  /**
   * Looks the table up again (a workload start): after a DROP TABLE orders the table is new,
   * and the handles known of the old one mean nothing.
   */
  async reload(): Promise<TableInfo> {
    this.table = null;
    const t = await this.ensureTable();
    if (this.tableId !== t.id) {
      this.tableId = t.id;
      this.live.clear();
      this.learning = null;
    }
    return t;
  }

  /** A handle never used by this manager. */
  freshHandle(): number {
    return this.nextHandle++;
  }

  /** The index every row has an entry in. */
  index(t: TableInfo): IndexInfo {
    return t.indexes[0]!;
  }

  /** The index entry of row. */
  indexKey(t: TableInfo, row: OrderRow): Buffer {
    return indexEntryKey(t, this.index(t), row, BigInt(row.id));
  }

  /**
   * A live handle; with none known, learns up to a sample's worth from one scan of the table
   * (once per manager: rows written by an earlier run). Null when the table is empty.
   */
  async pickLive(): Promise<number | null> {
    const h = this.live.pick();
    if (h !== null) return h;
    this.learning ??= this.learn().catch((err: unknown) => {
      this.learning = null;
      throw err;
    });
    await this.learning;
    return this.live.pick();
  }

  private async learn(): Promise<void> {
    const t = await this.ensureTable();
    const r = recordRange(t.id);
    const rows = await this.cluster.txn.scan(r.start, r.end, this.cluster.pd.tso(), DEFAULT_LIVE_SAMPLE, true);
    for (const row of rows) {
      const k = decodeKey(row.key);
      if (k.kind === 'row') this.live.add(Number(k.handle));
    }
  }
}
