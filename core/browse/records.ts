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

/** The longest common prefix of two strings. */
export function commonPrefix(a: string, b: string): string {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return a.slice(0, i);
}

/** The name prefix shared by every .meta flushed in the UTC hour starting at `hourMs` (flush ts zero-padded to 20 digits). */
export function metaNamePrefixForHour(hourMs: number): string {
  const lo = BigInt(hourMs) << 18n;
  const hi = (BigInt(hourMs + HOUR_MS) << 18n) - 1n;
  return commonPrefix(lo.toString().padStart(20, '0'), hi.toString().padStart(20, '0'));
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
  const candidates = await storage.list(`${root}${LOG_PATHS.metaDir}${metaNamePrefixForHour(hourMs)}`);
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
