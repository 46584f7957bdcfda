/**
 * Turns one region's MVCC snapshot into its two data files, as TiKV's backup writes an SST per
 * column family: `write` (one Put record per visible key) and `default` (the long values), both
 * sorted by key and encoded with the shared kv-file codec, plus the per-table checksums a
 * restore recomputes to prove it is exact.
 */
import { createHash } from 'node:crypto';
import { decodeInt64 } from '../cluster/catalog/keys.ts';
import { encodeEntries, kvChecksum } from '../storage/kv-file.ts';
import type { BackupCf, KvEntry } from '../storage/kv-file.ts';
import type { TableStat } from './protocol.ts';
import type { VisibleKv } from './snapshot-reader.ts';

/** The plaintext of one data file and what the backupmeta records about it. */
export interface CfBlock {
  cf: BackupCf;
  plain: Buffer;
  kvs: number;
  minTs: bigint;
  maxTs: bigint;
  tableIds: number[];
}

/** A region's snapshot, ready to compress and write. */
export interface BuiltRegion {
  /** Null when the region holds no visible key (no file is written). */
  write: CfBlock | null;
  /** Null when no value of the region is long (no default file is written). */
  default: CfBlock | null;
  tables: TableStat[];
  kvs: number;
  bytes: number;
  checksum: bigint;
}

const TABLE_FLAG = 0x74; // 't'
const EMPTY = Buffer.alloc(0);

/**
 * The table a key belongs to (`t{id}...` keys: rows, indexes, anything under the table prefix),
 * or null for meta and user keys: the same table id `decodeKey` gives.
 */
export function tableIdOf(key: Buffer): number | null {
  if (key.length < 9 || key[0] !== TABLE_FLAG) return null;
  const id = decodeInt64(key, 1);
  return id >= BigInt(Number.MIN_SAFE_INTEGER) && id <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(id) : null;
}

/** `<prefix>store<N>/<region>_<epoch version>_<sha256(start key)[0:16]>_<backup ts>_<cf>.sst`. */
export function regionFileName(prefix: string, storeId: number, regionId: number, epochVersion: number, startKey: Buffer, backupTs: bigint, cf: BackupCf): string {
  const hash = createHash('sha256').update(startKey).digest('hex').slice(0, 16);
  return `${prefix}store${storeId}/${regionId}_${epochVersion}_${hash}_${backupTs}_${cf}.sst`;
}

class CfCollector {
  readonly entries: KvEntry[] = [];
  private readonly tables = new Set<number>();
  private minTs: bigint | null = null;
  private maxTs: bigint | null = null;

  constructor(private readonly cf: BackupCf) {}

  add(e: KvEntry, tableId: number | null): void {
    this.entries.push(e);
    if (tableId !== null) this.tables.add(tableId);
    if (this.minTs === null || e.ts < this.minTs) this.minTs = e.ts;
    if (this.maxTs === null || e.ts > this.maxTs) this.maxTs = e.ts;
  }

  block(): CfBlock | null {
    if (this.entries.length === 0 || this.minTs === null || this.maxTs === null) return null;
    return {
      cf: this.cf,
      plain: encodeEntries(this.entries),
      kvs: this.entries.length,
      minTs: this.minTs,
      maxTs: this.maxTs,
      tableIds: [...this.tables].sort((a, b) => a - b),
    };
  }
}

/**
 * Builds a region's files from its visible KVs (in key order): a write entry (commit ts, start
 * ts, 'P', the short value or empty) per KV, and a default entry (start ts, the full value) for
 * each long value. Deletes were already dropped by the reader: a snapshot holds only live keys.
 */
export function buildRegion(kvs: Iterable<VisibleKv>): BuiltRegion {
  const write = new CfCollector('write');
  const dflt = new CfCollector('default');
  const tables = new Map<number, TableStat>();
  let n = 0;
  let bytes = 0;
  let checksum = 0n;
  for (const kv of kvs) {
    const tableId = tableIdOf(kv.key);
    write.add({ key: kv.key, ts: kv.commitTs, startTs: kv.startTs, type: 'P', value: kv.shortValue ?? EMPTY }, tableId);
    if (kv.shortValue === null) dflt.add({ key: kv.key, ts: kv.startTs, startTs: kv.startTs, type: 'P', value: kv.value }, tableId);
    const size = kv.key.length + kv.value.length;
    n++;
    bytes += size;
    checksum = kvChecksum(checksum, kv.key, kv.value);
    if (tableId !== null) {
      let t = tables.get(tableId);
      if (!t) tables.set(tableId, (t = { table_id: tableId, kvs: 0, bytes: 0, checksum: 0n }));
      t.kvs++;
      t.bytes += size;
      t.checksum = kvChecksum(t.checksum, kv.key, kv.value);
    }
  }
  return { write: write.block(), default: dflt.block(), tables: [...tables.values()], kvs: n, bytes, checksum };
}
