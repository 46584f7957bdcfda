/**
 * Applies a restore plan to the target: clears what its own bootstrap wrote (so older restored
 * versions are not shadowed), splits and scatters regions to fit the data, streams the snapshot
 * files and then the log blocks to the stores in parallel, verifying every file's sha256, and
 * records each applied file in the checkpoint. Memory holds a few files at a time, however long
 * the log is.
 */
import { tablePrefix, tableRange } from '../cluster/catalog/keys.ts';
import type { Cluster } from '../cluster/cluster.ts';
import type { RestoreProgress } from '../contract/restore.ts';
import type { BlockRef } from '../logbackup/reader.ts';
import { readBlock } from '../logbackup/reader.ts';
import { decodeEntries, openBlock } from '../storage/kv-file.ts';
import type { KvEntry } from '../storage/kv-file.ts';
import type { RestoreCheckpoint } from './checkpoint.ts';
import type { RestorePlan } from './plan.ts';
import type { RestoreEntry } from './store-restore.ts';

// Files read and applied at once: enough to keep every store busy, few enough to bound memory.
const DEFAULT_RESTORE_CONCURRENCY = 4;
// Entries per request to a store: large batches amortise the host↔worker hop.
const APPLY_BATCH_ENTRIES = 4000;

/** Counts of what was applied. */
export interface ApplyResult {
  snapshotKvs: number;
  logKvs: number;
  filesVerified: number;
  bytes: number;
}

type Report = (p: RestoreProgress) => void;

/** Keys of the privilege tables, which a restore never writes. */
function skipper(tableIds: number[]): (key: Buffer) => boolean {
  const ranges = tableIds.map((id) => tableRange(id));
  return (key) => ranges.some((r) => Buffer.compare(key, r.start) >= 0 && Buffer.compare(key, r.end) < 0);
}

async function applyEntries(cluster: Cluster, entries: RestoreEntry[]): Promise<void> {
  for (let i = 0; i < entries.length; i += APPLY_BATCH_ENTRIES) {
    const chunk = entries.slice(i, i + APPLY_BATCH_ENTRIES);
    await cluster.txn.rpc.perRegion('restore apply', chunk, (e) => e.key as Buffer, (ctx, store, group) => store.request('restoreApply', { ctx, entries: group }));
  }
}

/**
 * Runs fn over items, n at a time. After the first failure nothing new starts (fn sees
 * `stop.failed` between its own steps) and the failure is thrown only once every running fn has
 * ended: a restore reported failed has stopped writing to the target and to its checkpoint.
 */
async function pool<T>(items: T[], n: number, fn: (t: T, stop: { failed: boolean }) => Promise<void>): Promise<void> {
  let next = 0;
  const stop = { failed: false };
  let first: unknown;
  await Promise.all(
    Array.from({ length: Math.min(n, items.length) }, async () => {
      while (!stop.failed && next < items.length) {
        try {
          await fn(items[next++]!, stop);
        } catch (err) {
          if (!stop.failed) first = err;
          stop.failed = true;
        }
      }
    }),
  );
  if (stop.failed) throw first;
}

/** Removes everything the target's own bootstrap wrote except the privilege tables. */
async function clearTarget(cluster: Cluster, keep: number[]): Promise<void> {
  const holes = keep.map((id) => tableRange(id)).sort((a, b) => Buffer.compare(a.start, b.start));
  const ranges: Array<{ start: Buffer; end: Buffer }> = [];
  let from: Buffer = Buffer.alloc(0);
  for (const h of holes) {
    ranges.push({ start: from, end: h.start });
    from = h.end;
  }
  ranges.push({ start: from, end: Buffer.alloc(0) });
  for (const s of cluster.stores()) for (const r of ranges) await s.direct('deleteRange', r);
}

function progress(phase: RestoreProgress['phase'], started: number, done: { bytes: number; files: number; kvs: number }, total: { bytes: number; files: number }): RestoreProgress {
  const elapsed = (Date.now() - started) / 1000;
  const rate = elapsed > 0 ? done.bytes / elapsed : 0;
  return {
    phase,
    done_bytes: done.bytes,
    total_bytes: total.bytes,
    done_files: done.files,
    total_files: total.files,
    kvs: done.kvs,
    rate_bytes_per_s: Math.round(rate),
    eta_s: rate > 0 ? Math.max(0, (total.bytes - done.bytes) / rate) : null,
    elapsed_s: elapsed,
  };
}

/** Runs the restore; resumes past the units the checkpoint holds. */
export async function applyPlan(cluster: Cluster, plan: RestorePlan, cp: RestoreCheckpoint, report: Report, afterSnapshot: () => Promise<void>): Promise<ApplyResult> {
  const skip = skipper(plan.skipTableIds);
  const result: ApplyResult = { snapshotKvs: 0, logKvs: 0, filesVerified: 0, bytes: 0 };
  report(progress('prepare', Date.now(), { bytes: 0, files: 0, kvs: 0 }, { bytes: 0, files: 0 }));
  if (cp.doneCount === 0) await clearTarget(cluster, plan.skipTableIds);
  // Every TSO of the target from now on is above every restored commit: the checksums after the
  // snapshot phase read the restored versions even when the source's clock ran ahead of ours.
  cluster.pd.fastForwardTso(plan.restoredTs);
  // Regions to fit the data, as br splits by the backup's ranges: one per table (TiDB's
  // split-table), one per source region of the snapshot, and one per source region seen in the
  // log (at its smallest key); then scatter them over the stores so every store restores.
  const splits = new Map<string, Buffer>();
  const add = (k: Buffer) => {
    if (k.length > 0) splits.set(k.toString('hex'), k);
  };
  for (const f of plan.snapshotFiles) for (const t of f.table_ids) add(tablePrefix(t));
  for (const r of plan.snapshot.ranges) add(Buffer.from(r.start_key, 'hex'));
  const logRegionStart = new Map<number, string>();
  for (const b of plan.logBlocks) {
    if (b.block.table_id !== null) add(tablePrefix(b.block.table_id));
    const cur = logRegionStart.get(b.block.region_id);
    if (cur === undefined || b.block.start_key < cur) logRegionStart.set(b.block.region_id, b.block.start_key);
  }
  for (const k of logRegionStart.values()) add(Buffer.from(k, 'hex'));
  for (const k of [...splits.values()].sort(Buffer.compare)) await cluster.splitAt(k);
  await cluster.scatter();

  const toEntries = (entries: KvEntry[], cf: 'write' | 'default', keep: (e: KvEntry) => boolean): RestoreEntry[] =>
    entries.filter((e) => !skip(e.key) && keep(e)).map((e) => ({ cf, key: e.key, ts: e.ts, startTs: e.startTs, type: e.type, value: e.value }));

  // Snapshot phase ("Full Restore").
  let started = Date.now();
  const snapTotal = { bytes: plan.totals.snapshotBytes, files: plan.snapshotFiles.length };
  const snapDone = { bytes: 0, files: 0, kvs: 0 };
  await pool(plan.snapshotFiles, DEFAULT_RESTORE_CONCURRENCY, async (f) => {
    if (!cp.isDone(f.name)) {
      const plain = openBlock(await plan.snap.read(f.name), f.sha256, f.name);
      const entries = toEntries(decodeEntries(plain, f.name), f.cf, () => true);
      await applyEntries(cluster, entries);
      cp.markDone(f.name);
      result.snapshotKvs += entries.length;
      result.filesVerified++;
    }
    snapDone.bytes += f.bytes;
    snapDone.files++;
    snapDone.kvs += f.kvs;
    report(progress('snapshot', started, snapDone, snapTotal));
  });

  await afterSnapshot();

  // Log phase ("Restore KV Files"): only commits in (snapshot ts, restored ts], each once.
  started = Date.now();
  const byFile = new Map<string, BlockRef[]>();
  for (const b of plan.logBlocks) byFile.set(b.path, [...(byFile.get(b.path) ?? []), b]);
  const logTotal = { bytes: plan.totals.logBytes, files: byFile.size };
  const logDone = { bytes: 0, files: 0, kvs: 0 };
  report(progress('meta', started, logDone, logTotal));
  const { snapshotTs, restoredTs } = plan;
  await pool([...byFile.entries()], DEFAULT_RESTORE_CONCURRENCY, async ([path, blocks], stop) => {
    for (const b of blocks) {
      if (stop.failed) return;
      const unit = `${path}@${b.block.offset}`;
      if (!cp.isDone(unit)) {
        const keep = b.block.cf === 'write' ? (e: KvEntry) => e.ts > snapshotTs && e.ts <= restoredTs : (e: KvEntry) => e.startTs <= restoredTs;
        const entries = toEntries(await readBlock(plan.log, b), b.block.cf, keep);
        await applyEntries(cluster, entries);
        cp.markDone(unit);
        result.logKvs += entries.length;
      }
      logDone.bytes += b.block.length_plain;
      logDone.kvs += b.block.entries;
      report(progress('kv', started, logDone, logTotal));
    }
    logDone.files++;
    result.filesVerified++;
  });
  result.bytes = plan.totals.bytes;
  return result;
}
