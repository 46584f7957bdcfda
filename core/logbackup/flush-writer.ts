/**
 * Turns the events of one store flush into a `.log` file (one zstd block per region and column
 * family, entries sorted by key and ts) and its `.meta` description.
 */
import { randomUUID } from 'node:crypto';
import { decodeKey } from '../cluster/catalog/keys.ts';
import { compress, FORMAT_VERSION, sha256Hex } from '../storage/kv-file.ts';
import type { BackupStorage } from '../storage/storage.ts';
import { DrainedEvents } from './event-buffer.ts';
import type { LogEvent } from './event-buffer.ts';
import { dataFilePath, metaFilePath } from './format.ts';
import type { DataFileInfo, MetaFile } from './format.ts';

/** What a flush wrote. */
export interface FlushOutput {
  entries: number;
  bytes: number;
  files: number;
}

function tableOf(a: Buffer, b: Buffer): number | null {
  const ka = decodeKey(a);
  const kb = decodeKey(b);
  const ta = 'tableId' in ka ? ka.tableId : null;
  const tb = 'tableId' in kb ? kb.tableId : null;
  return ta !== null && ta === tb ? ta : null;
}

const yieldToRequests = () => new Promise<void>((resolve) => setImmediate(resolve));

/** The events of one region and column family in a flush: one block of the .log file. */
export interface FlushGroup {
  region: number;
  cf: 'write' | 'default';
  /** Indexes into the drained events. */
  ids: number[];
}

/**
 * Writes the .log and .meta files of one flush from drained events: one block per region and
 * column family, entries sorted by key and ts. No object is made per event (a busy store
 * flushes tens of thousands of them every interval).
 */
export async function writeFlushRecords(
  storage: BackupStorage,
  ctx: { clusterId: string; storeId: number; flushTs: bigint; resolvedTs: bigint },
  d: DrainedEvents,
  groups: FlushGroup[],
): Promise<FlushOutput> {
  const nonEmpty = groups.filter((g) => g.ids.length > 0).sort((a, b) => a.region - b.region || a.cf.localeCompare(b.cf));
  if (nonEmpty.length === 0) return { entries: 0, bytes: 0, files: 0 };
  const blocks: Buffer[] = [];
  const infos: DataFileInfo[] = [];
  let offset = 0;
  let plainBytes = 0;
  let entries = 0;
  let fileMin = -1;
  let fileMax = -1;
  for (const g of nonEmpty) {
    // Between blocks the store serves requests: a flush of a busy interval sorts and compresses
    // tens of thousands of events, and every transaction on this store would wait for it all.
    await yieldToRequests();
    const ids = g.ids;
    d.sortByKeyTs(ids);
    const plain = d.encode(ids);
    const packed = compress(plain);
    let min = ids[0]!;
    let max = min;
    for (const i of ids) {
      if (d.compareCommit(i, min) < 0) min = i;
      if (d.compareCommit(i, max) > 0) max = i;
    }
    if (fileMin < 0 || d.compareCommit(min, fileMin) < 0) fileMin = min;
    if (fileMax < 0 || d.compareCommit(max, fileMax) > 0) fileMax = max;
    const first = d.keyOf(ids[0]!);
    const last = d.keyOf(ids[ids.length - 1]!);
    infos.push({
      offset,
      length: packed.length,
      length_plain: plain.length,
      sha256: sha256Hex(plain),
      entries: ids.length,
      min_ts: d.commitTs(min).toString(),
      max_ts: d.commitTs(max).toString(),
      region_id: g.region,
      cf: g.cf,
      table_id: tableOf(first, last),
      start_key: first.toString('hex'),
      end_key: last.toString('hex'),
      compression: 'zstd',
    });
    blocks.push(packed);
    offset += packed.length;
    plainBytes += plain.length;
    entries += ids.length;
  }
  const file = Buffer.concat(blocks);
  const all = { min: d.commitTs(fileMin), max: d.commitTs(fileMax) };
  const id = randomUUID();
  const path = dataFilePath(ctx.flushTs, ctx.storeId, all.min, id);
  await storage.write(path, file);
  const meta: MetaFile = {
    version: FORMAT_VERSION,
    cluster_id: ctx.clusterId,
    store_id: ctx.storeId,
    flush_ts: ctx.flushTs.toString(),
    resolved_ts: ctx.resolvedTs.toString(),
    min_ts: all.min.toString(),
    max_ts: all.max.toString(),
    files: [{ path, size: file.length, sha256: sha256Hex(file), min_ts: all.min.toString(), max_ts: all.max.toString(), data_files: infos }],
  };
  await storage.write(metaFilePath(ctx.flushTs, ctx.storeId, id), Buffer.from(JSON.stringify(meta)));
  return { entries, bytes: plainBytes, files: 1 };
}

/** Writes the .log and .meta files of one flush of events given as objects, grouped by regionOf. */
export async function writeFlush(
  storage: BackupStorage,
  ctx: { clusterId: string; storeId: number; flushTs: bigint; resolvedTs: bigint },
  events: LogEvent[],
  regionOf: (key: Buffer) => number,
): Promise<FlushOutput> {
  const d = DrainedEvents.fromEvents(events);
  const groups = new Map<string, FlushGroup>();
  events.forEach((e, i) => {
    const region = regionOf(e.key);
    const id = `${region}:${e.cf}`;
    let g = groups.get(id);
    if (!g) groups.set(id, (g = { region, cf: e.cf, ids: [] }));
    g.ids.push(i);
  });
  return writeFlushRecords(storage, ctx, d, [...groups.values()]);
}
