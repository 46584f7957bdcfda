/**
 * Turns the events of one store flush into a `.log` file (one zstd block per region and column
 * family, entries sorted by key and ts) and its `.meta` description.
 */
import { randomUUID } from 'node:crypto';
import { decodeKey } from '../cluster/catalog/keys.ts';
import { compress, encodeEntries, FORMAT_VERSION, sha256Hex } from '../storage/kv-file.ts';
import type { KvEntry } from '../storage/kv-file.ts';
import type { BackupStorage } from '../storage/storage.ts';
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

const minMax = (xs: bigint[]) => xs.reduce((m, x) => ({ min: x < m.min ? x : m.min, max: x > m.max ? x : m.max }), { min: xs[0]!, max: xs[0]! });

/** Writes the .log and .meta files of one flush; the events are grouped by regionOf. */
export async function writeFlush(
  storage: BackupStorage,
  ctx: { clusterId: string; storeId: number; flushTs: bigint; resolvedTs: bigint },
  events: LogEvent[],
  regionOf: (key: Buffer) => number,
): Promise<FlushOutput> {
  if (events.length === 0) return { entries: 0, bytes: 0, files: 0 };
  const groups = new Map<string, { region: number; cf: 'write' | 'default'; events: LogEvent[] }>();
  for (const e of events) {
    const region = regionOf(e.key);
    const id = `${region}:${e.cf}`;
    let g = groups.get(id);
    if (!g) groups.set(id, (g = { region, cf: e.cf, events: [] }));
    g.events.push(e);
  }
  const blocks: Buffer[] = [];
  const infos: DataFileInfo[] = [];
  let offset = 0;
  let plainBytes = 0;
  for (const g of [...groups.values()].sort((a, b) => a.region - b.region || a.cf.localeCompare(b.cf))) {
    g.events.sort((a, b) => Buffer.compare(a.key, b.key) || (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : 0));
    const entries: KvEntry[] = g.events.map((e) => ({ key: e.key, ts: e.ts, startTs: e.startTs, type: e.type, value: e.value }));
    const plain = encodeEntries(entries);
    const packed = compress(plain);
    const ts = minMax(g.events.map((e) => e.commitTs));
    const first = g.events[0]!.key;
    const last = g.events[g.events.length - 1]!.key;
    infos.push({
      offset,
      length: packed.length,
      length_plain: plain.length,
      sha256: sha256Hex(plain),
      entries: entries.length,
      min_ts: ts.min.toString(),
      max_ts: ts.max.toString(),
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
  }
  const file = Buffer.concat(blocks);
  const all = minMax(events.map((e) => e.commitTs));
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
  return { entries: events.length, bytes: plainBytes, files: 1 };
}
