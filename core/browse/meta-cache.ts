/**
 * The .meta files of a log backup, read once and remembered by (path, size): a log backup only
 * adds .meta files (a truncate rewrites or deletes some, which changes their size or removes
 * them from the listing), so a timeline refreshed every few seconds reads only the new ones.
 */
import { LOG_PATHS, MetaFileSchema, parseStored } from '../logbackup/format.ts';
import type { BackupStorage } from '../storage/storage.ts';

/** What the timeline needs of one .log file listed by a .meta. */
export interface LogFileRange {
  path: string;
  size: number;
  minTs: bigint;
  maxTs: bigint;
  meta: string;
}

/** The .meta files of a storage: their .log files, and the ones that could not be parsed. */
export interface LogMetaScan {
  metas: number;
  files: LogFileRange[];
  damaged: Array<{ path: string; error: string }>;
}

// Reads in flight: enough to hide S3's round trips, few enough not to flood a local disk.
/** Concurrent .meta reads. */
export const DEFAULT_META_READ_CONCURRENCY = 32;
// A host browses a handful of storages; older ones are dropped first.
/** Storages whose .meta summaries are kept. */
export const DEFAULT_CACHED_STORAGES = 8;

type Cached = { size: number; files: LogFileRange[] };
const cache = new Map<string, Map<string, Cached>>();

/** Runs fn over items with at most `limit` calls in flight. */
export async function forEachLimited<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** Every .meta of the log backup under `root` ('' or ending with '/'), from the cache where unchanged. */
export async function scanLogMetas(storage: BackupStorage, root = ''): Promise<LogMetaScan> {
  const key = `${storage.url}\n${root}`;
  const known = cache.get(key) ?? new Map<string, Cached>();
  cache.delete(key);
  cache.set(key, known); // most recently used last
  while (cache.size > DEFAULT_CACHED_STORAGES) cache.delete(cache.keys().next().value!);
  const listed = (await storage.list(root + LOG_PATHS.metaDir)).filter((e) => e.path.endsWith('.meta'));
  const present = new Set(listed.map((e) => e.path));
  for (const path of known.keys()) if (!present.has(path)) known.delete(path);
  const damaged: LogMetaScan['damaged'] = [];
  const toRead = listed.filter((e) => known.get(e.path)?.size !== e.size);
  await forEachLimited(toRead, DEFAULT_META_READ_CONCURRENCY, async (e) => {
    try {
      const meta = parseStored(MetaFileSchema, await storage.read(e.path), e.path);
      const files = meta.files.map((f) => ({ path: root + f.path, size: f.size, minTs: BigInt(f.min_ts), maxTs: BigInt(f.max_ts), meta: e.path }));
      known.set(e.path, { size: e.size, files });
    } catch (err) {
      known.delete(e.path);
      damaged.push({ path: e.path, error: err instanceof Error ? err.message : String(err) });
    }
  });
  const files: LogFileRange[] = [];
  for (const c of known.values()) for (const f of c.files) files.push(f);
  return { metas: listed.length, files, damaged };
}
