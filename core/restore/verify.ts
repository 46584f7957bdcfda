/**
 * Proof that a restore is exact: per-table checksums of the restored snapshot against the
 * snapshot's backupmeta, and a full key-by-key comparison of the restored cluster with the
 * source cluster's MVCC snapshot at the restored ts (when the source is on this host).
 */
import { escapeKey, tableRange } from '../cluster/catalog/keys.ts';
import type { Cluster } from '../cluster/cluster.ts';
import type { TableCheck, Verification } from '../contract/restore.ts';
import { kvChecksum } from '../storage/kv-file.ts';
import type { SnapshotBackupMeta } from '../snapshot/backupmeta.ts';

// Keys read per scan while comparing: bounded memory whatever the cluster's size.
const SCAN_CHUNK = 5000;
const MAX_REPORTED_MISMATCHES = 20;

/** Streams a cluster's pairs in [start, end) at ts, in key order, a chunk at a time. */
async function* pairs(c: Cluster, start: Buffer, end: Buffer, ts: bigint): AsyncGenerator<{ key: Buffer; value: Buffer }> {
  let from = start;
  for (;;) {
    const chunk = await c.txn.scan(from, end, ts, SCAN_CHUNK);
    for (const p of chunk) yield p;
    if (chunk.length < SCAN_CHUNK) return;
    from = Buffer.concat([chunk[chunk.length - 1]!.key, Buffer.from([0])]);
  }
}

/** Per-table checksums of the target now, against the snapshot's backupmeta. */
export async function checkTables(target: Cluster, snapshot: SnapshotBackupMeta, skipTableIds: number[]): Promise<TableCheck[]> {
  const ts = target.pd.tso();
  const out: TableCheck[] = [];
  for (const t of snapshot.schemas) {
    if (skipTableIds.includes(t.table_id)) continue;
    const r = tableRange(t.table_id);
    let kvs = 0;
    let sum = 0n;
    for await (const p of pairs(target, r.start, r.end, ts)) {
      kvs++;
      sum = kvChecksum(sum, p.key, p.value);
    }
    const name = t.db && t.table ? `${t.db}.${t.table}` : `(dropped table ${t.table_id})`;
    out.push({ table: name, table_id: t.table_id, expected_kvs: t.kvs, kvs, expected_checksum: t.checksum, checksum: sum.toString(), ok: kvs === t.kvs && sum.toString() === t.checksum });
  }
  return out;
}

/** Compares the target now with the source at restoredTs, outside the skipped tables. */
export async function compareWithSource(source: Cluster | null, target: Cluster, restoredTs: bigint, skipTableIds: number[]): Promise<Verification['source']> {
  if (!source) return { compared: false, reason: 'the source cluster is not on this host', equal: null, keys: 0, mismatches: [] };
  if (source.pd.gcSafePoint > restoredTs) {
    return { compared: false, reason: `the source's GC safepoint ${source.pd.gcSafePoint} has passed the restored ts: its history there is gone`, equal: null, keys: 0, mismatches: [] };
  }
  const skips = skipTableIds.map((id) => tableRange(id));
  const skipped = (k: Buffer) => skips.some((r) => Buffer.compare(k, r.start) >= 0 && Buffer.compare(k, r.end) < 0);
  const empty = Buffer.alloc(0);
  const a = pairs(source, empty, empty, restoredTs);
  const b = pairs(target, empty, empty, target.pd.tso());
  const next = async (g: AsyncGenerator<{ key: Buffer; value: Buffer }>) => {
    for (;;) {
      const r = await g.next();
      if (r.done) return null;
      if (!skipped(r.value.key)) return r.value;
    }
  };
  const mismatches: Verification['source']['mismatches'] = [];
  let keys = 0;
  let equal = true;
  let x = await next(a);
  let y = await next(b);
  while (x || y) {
    const cmp = !x ? 1 : !y ? -1 : Buffer.compare(x.key, y.key);
    if (cmp === 0 && x && y && x.value.equals(y.value)) {
      keys++;
      x = await next(a);
      y = await next(b);
      continue;
    }
    equal = false;
    if (mismatches.length < MAX_REPORTED_MISMATCHES) {
      const key = cmp <= 0 ? x!.key : y!.key;
      mismatches.push({ key: escapeKey(key), source: cmp <= 0 && x ? escapeKey(x.value) : null, restored: cmp >= 0 && y ? escapeKey(y.value) : null });
    }
    if (cmp <= 0) x = await next(a);
    if (cmp >= 0) y = await next(b);
  }
  return { compared: true, reason: null, equal, keys, mismatches };
}
