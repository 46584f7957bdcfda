/**
 * Finds the metadata that records a data file, from the file's path alone: a .log file's .meta
 * shares its UUID and sits under the flush's hour (so one narrow listing finds it among 50,000),
 * a snapshot's .sst is listed by the backupmeta of its folder.
 */
import { LOG_PATHS, MetaFileSchema, parseStored } from '../logbackup/format.ts';
import { decodeBackupMeta } from '../snapshot/backupmeta.ts';
import { isNotFound } from '../storage/index.ts';
import type { BackupStorage } from '../storage/storage.ts';
import type { DataFileRecord } from './data-file.ts';

const LOG_DATA_AT = /(^|\/)v1\/(\d{4})(\d{2})(\d{2})\/(\d{2})\/\d+\/\d+-([^/]+)\.log$/;
const SNAPSHOT_DATA_AT = /(^|\/)store\d+\/[^/]+\.sst$/;
const HOUR_MS = 3_600_000;

// Few enough listings per lookup, each narrow enough to hold minutes of flushes.
const MAX_META_PREFIXES = 20;

/**
 * Name prefixes that together cover every .meta flushed in the UTC hour starting at `hourMs`
 * (flush ts zero-padded to 20 digits): the longest prefixes of which at most 20 span the hour.
 */
export function metaNamePrefixesForHour(hourMs: number): string[] {
  const lo = (BigInt(hourMs) << 18n).toString().padStart(20, '0');
  const hi = ((BigInt(hourMs + HOUR_MS) << 18n) - 1n).toString().padStart(20, '0');
  for (let len = lo.length; len > 0; len--) {
    const from = BigInt(lo.slice(0, len));
    const to = BigInt(hi.slice(0, len));
    if (to - from + 1n > BigInt(MAX_META_PREFIXES)) continue;
    const out: string[] = [];
    for (let v = from; v <= to; v++) out.push(v.toString().padStart(len, '0'));
    return out;
  }
  return [''];
}

/** The root folder ('' or ending in '/') of the log backup a .log path belongs to, or null. */
export function logRootOf(path: string): string | null {
  const m = LOG_DATA_AT.exec(path);
  return m ? path.slice(0, m.index + m[1]!.length) : null;
}

/** The root folder of the snapshot a .sst path belongs to, or null. */
export function snapshotRootOf(path: string): string | null {
  const m = SNAPSHOT_DATA_AT.exec(path);
  return m ? path.slice(0, m.index + m[1]!.length) : null;
}

/** The .meta that lists a .log file and the file's entry in it, or null when none does. */
export async function findLogRecord(storage: BackupStorage, path: string): Promise<DataFileRecord> {
  const m = LOG_DATA_AT.exec(path);
  if (!m) return null;
  const root = path.slice(0, m.index + m[1]!.length);
  const rel = path.slice(root.length);
  const hourMs = Date.UTC(Number(m[2]), Number(m[3]) - 1, Number(m[4]), Number(m[5]));
  const id = m[6]!;
  const candidates = [];
  for (const prefix of metaNamePrefixesForHour(hourMs)) candidates.push(...(await storage.list(`${root}${LOG_PATHS.metaDir}${prefix}`)));
  for (const e of candidates) {
    if (!e.path.endsWith(`-${id}.meta`)) continue;
    const meta = parseStored(MetaFileSchema, await storage.read(e.path), e.path);
    const file = meta.files.find((f) => f.path === rel);
    if (file) return { kind: 'log', listedBy: e.path, file };
  }
  return null;
}

/** The snapshot backupmeta that lists a .sst file and its entry, or null. */
export async function findSnapshotRecord(storage: BackupStorage, path: string): Promise<DataFileRecord> {
  const root = snapshotRootOf(path);
  if (root === null) return null;
  let raw: Buffer;
  try {
    raw = await storage.read(`${root}backupmeta`);
  } catch (err) {
    if (isNotFound(err)) return null; // an incomplete snapshot: nothing records its files yet
    throw err;
  }
  const meta = decodeBackupMeta(raw, `${storage.url}/${root}`);
  const file = meta.files.find((f) => f.name === path.slice(root.length));
  return file ? { kind: 'snapshot', listedBy: `${root}backupmeta`, file } : null;
}
