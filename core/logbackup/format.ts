/**
 * The log backup layout in storage (format version 1, modelled on TiDB's; see docs/format.md):
 *
 *   backupmeta                                  the task's start ts and cluster id (JSON)
 *   backup.lock                                 which cluster owns this log backup (JSON)
 *   v1/backupmeta/<flush ts>-<store>-<id>.meta  one per store flush: what the .log holds (JSON)
 *   v1/global_checkpoint/<store>.ts             global checkpoint known at that store's last flush (u64 LE)
 *   v1/global_checkpoint/central.ts             global checkpoint when the task stopped (u64 LE)
 *   v1/<YYYYMMDD>/<HH>/<store>/<min ts>-<id>.log data files: zstd blocks, one per (region, cf)
 *   v1_stream_truncate_safepoint.txt            the last `log truncate --until`
 *   truncating.lock                             held while a truncate runs
 *
 * Every reader parses with these schemas, so a damaged or foreign file is a clear error.
 */
import { z } from 'zod';
import { ErrorCode, PitrError } from '../errors.ts';
import { physicalOf } from '../tso/index.ts';
import { FORMAT_VERSION } from '../storage/kv-file.ts';

/** Fixed paths of a log backup. */
export const LOG_PATHS = {
  backupmeta: 'backupmeta',
  lock: 'backup.lock',
  metaDir: 'v1/backupmeta/',
  checkpointDir: 'v1/global_checkpoint/',
  truncateSafepoint: 'v1_stream_truncate_safepoint.txt',
  truncatingLock: 'truncating.lock',
} as const;

const u64 = z.string().regex(/^\d{1,20}$/, 'a TSO as a decimal string');

/** `backupmeta` of a log backup. */
export const LogBackupMetaSchema = z.object({
  version: z.literal(FORMAT_VERSION),
  kind: z.literal('log'),
  cluster_id: u64,
  task_name: z.string(),
  start_ts: u64,
  created_at: z.string(),
});
/** `backupmeta` of a log backup. */
export type LogBackupMeta = z.infer<typeof LogBackupMetaSchema>;

/** `backup.lock`: who owns the storage. */
export const LockSchema = z.object({ cluster_id: u64, task_name: z.string(), created_at: z.string() });

/** One zstd block of a .log file: the entries of one region and column family. */
export const DataFileInfoSchema = z.object({
  offset: z.number().int().nonnegative(),
  length: z.number().int().positive(),
  length_plain: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  entries: z.number().int().nonnegative(),
  /** Commit ts range of the entries (of the referencing commits, for the default CF). */
  min_ts: u64,
  max_ts: u64,
  region_id: z.number().int(),
  cf: z.enum(['default', 'write']),
  table_id: z.number().int().nullable(),
  start_key: z.string(), // hex, first key
  end_key: z.string(), // hex, last key (inclusive)
  compression: z.literal('zstd'),
});
/** One zstd block of a .log file. */
export type DataFileInfo = z.infer<typeof DataFileInfoSchema>;

/** One .log file and its blocks. */
export const LogFileInfoSchema = z.object({
  path: z.string(),
  size: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  min_ts: u64,
  max_ts: u64,
  data_files: z.array(DataFileInfoSchema),
});
/** One .log file and its blocks. */
export type LogFileInfo = z.infer<typeof LogFileInfoSchema>;

/** A `.meta` file: what one store flush wrote. */
export const MetaFileSchema = z.object({
  version: z.literal(FORMAT_VERSION),
  cluster_id: u64,
  store_id: z.number().int(),
  flush_ts: u64,
  /** The store's resolved ts at this flush: every commit of its regions up to it is in storage. */
  resolved_ts: u64,
  min_ts: u64,
  max_ts: u64,
  files: z.array(LogFileInfoSchema),
});
/** A `.meta` file. */
export type MetaFile = z.infer<typeof MetaFileSchema>;

/** Parses JSON read from storage against a schema, with an error naming the file. */
export function parseStored<T>(schema: z.ZodType<T>, bytes: Uint8Array, path: string): T {
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch {
    throw new PitrError(ErrorCode.InvalidArgument, `${path} in the backup storage is not valid JSON: the file is damaged or not written by PiTR Studio`);
  }
  const r = schema.safeParse(raw);
  if (!r.success) {
    throw new PitrError(ErrorCode.InvalidArgument, `${path} in the backup storage is not a valid PiTR Studio file (${r.error.issues[0]?.path.join('.') ?? ''}: ${r.error.issues[0]?.message ?? ''})`);
  }
  return r.data;
}

/** Encodes a checkpoint file (u64 little-endian, as TiKV writes it). */
export function encodeTsFile(ts: bigint): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(ts);
  return b;
}

/** Decodes a checkpoint file. */
export function decodeTsFile(b: Uint8Array, path: string): bigint {
  if (b.length !== 8) throw new PitrError(ErrorCode.InvalidArgument, `${path} is not a checkpoint file (8 bytes expected, got ${b.length})`);
  return Buffer.from(b).readBigUInt64LE();
}

const pad2 = (n: number) => String(n).padStart(2, '0');

/** `v1/<YYYYMMDD>/<HH>/<store>/<min ts>-<id>.log`, dated by the flush's physical time (UTC). */
export function dataFilePath(flushTs: bigint, storeId: number, minTs: bigint, id: string): string {
  const d = new Date(physicalOf(flushTs));
  const day = `${d.getUTCFullYear()}${pad2(d.getUTCMonth() + 1)}${pad2(d.getUTCDate())}`;
  return `v1/${day}/${pad2(d.getUTCHours())}/${storeId}/${minTs}-${id}.log`;
}

/** `v1/backupmeta/<flush ts, zero-padded so names sort by ts>-<store>-<id>.meta`. */
export function metaFilePath(flushTs: bigint, storeId: number, id: string): string {
  return `${LOG_PATHS.metaDir}${flushTs.toString().padStart(20, '0')}-${storeId}-${id}.meta`;
}

/**
 * `v1/global_checkpoint/central.ts`: the br side writes the final global checkpoint there when
 * a task stops (the stores' files lag one flush behind it), so a later start continues there.
 */
export const CENTRAL_CHECKPOINT_PATH = `${LOG_PATHS.checkpointDir}central.ts`;

/** `v1/global_checkpoint/<store>.ts`. */
export function checkpointFilePath(storeId: number): string {
  return `${LOG_PATHS.checkpointDir}${storeId}.ts`;
}
