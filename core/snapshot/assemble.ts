/**
 * Builds a snapshot backup's backupmeta from what the stores reported: files and ranges in key
 * order, per-table figures merged across regions (checksums XOR, as TiDB's crc64-xor), and the
 * table names of the catalog at the backup ts.
 */
import type { Cluster } from '../cluster/cluster.ts';
import { buf } from '../cluster/store/protocol.ts';
import { FORMAT_VERSION } from '../storage/kv-file.ts';
import type { SnapshotBackupMeta, SnapshotTable } from './backupmeta.ts';
import type { RegionOutcome } from './protocol.ts';

/** A region backed up, and the store that did it. */
export type RegionDone = Extract<RegionOutcome, { kind: 'done' }> & { storeId: number };

/** Running totals of a backup. */
export interface BackupTotals {
  regions: number;
  kvs: number;
  bytes: number;
  files: number;
  size: number;
  fileBytes: number;
  checksum: bigint;
}

/** Totals of the regions backed up so far. */
export function totalsOf(done: readonly RegionDone[]): BackupTotals {
  const t: BackupTotals = { regions: done.length, kvs: 0, bytes: 0, files: 0, size: 0, fileBytes: 0, checksum: 0n };
  for (const r of done) {
    t.kvs += r.kvs;
    t.bytes += r.bytes;
    t.checksum ^= r.checksum;
    for (const f of r.files) {
      t.files++;
      t.size += f.size;
      t.fileBytes += f.bytes;
    }
  }
  return t;
}

const byStart = (a: RegionDone, b: RegionDone): number => Buffer.compare(buf(a.start), buf(b.start));
const hex = (b: Uint8Array): string => buf(b).toString('hex');

/** Per-table rows: every table of the catalog at ts, and every table that has data. */
async function tables(cluster: Cluster, ts: bigint, done: readonly RegionDone[]): Promise<SnapshotTable[]> {
  const merged = new Map<number, { kvs: number; bytes: number; checksum: bigint }>();
  for (const r of done) {
    for (const t of r.tables) {
      const m = merged.get(t.table_id) ?? { kvs: 0, bytes: 0, checksum: 0n };
      m.kvs += t.kvs;
      m.bytes += t.bytes;
      m.checksum ^= t.checksum;
      merged.set(t.table_id, m);
    }
  }
  const out = new Map<number, SnapshotTable>();
  for (const db of await cluster.catalog.databases(ts)) {
    for (const info of await cluster.catalog.tables(ts, db.id)) {
      const m = merged.get(info.id);
      out.set(info.id, { table_id: info.id, db_id: db.id, db: db.name, table: info.name, info, kvs: m?.kvs ?? 0, bytes: m?.bytes ?? 0, checksum: (m?.checksum ?? 0n).toString() });
    }
  }
  // A table dropped before the backup ts whose data GC has not deleted yet: its keys are in the
  // backup (the backup is of the whole key space), so it is listed, without a name.
  for (const [id, m] of merged) {
    if (!out.has(id)) out.set(id, { table_id: id, db_id: null, db: null, table: null, info: null, kvs: m.kvs, bytes: m.bytes, checksum: m.checksum.toString() });
  }
  return [...out.values()].sort((a, b) => a.table_id - b.table_id);
}

/** The backupmeta of a finished backup. */
export async function assembleMeta(
  cluster: Cluster,
  backupTs: bigint,
  done: readonly RegionDone[],
  times: { startedAt: string; finishedAt: string; durationS: number },
): Promise<SnapshotBackupMeta> {
  const regions = [...done].sort(byStart);
  const totals = totalsOf(regions);
  return {
    version: FORMAT_VERSION,
    kind: 'snapshot',
    cluster_id: cluster.pd.clusterId.toString(),
    backup_ts: backupTs.toString(),
    started_at: times.startedAt,
    finished_at: times.finishedAt,
    duration_s: times.durationS,
    files: regions.flatMap((r) => r.files),
    ranges: regions.map((r) => ({ start_key: hex(r.start), end_key: hex(r.end), region_id: r.regionId, store_id: r.storeId, kvs: r.kvs })),
    schemas: await tables(cluster, backupTs, regions),
    totals: { kvs: totals.kvs, bytes: totals.bytes, files: totals.files, size: totals.size, file_bytes: totals.fileBytes, checksum: totals.checksum.toString() },
  };
}
