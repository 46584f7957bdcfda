/**
 * The `backupmeta` of a snapshot backup (format version 1; see FORMAT-snapshot.md): backup ts,
 * cluster id, every data file with its key range, sizes, sha256 and KV count, and per-table
 * checksums with the table names of the catalog at the backup ts. It is written last: a folder
 * without it holds an incomplete backup, which a restore refuses.
 */
import { z } from 'zod';
import { ErrorCode, PitrError } from '../errors.ts';
import { FORMAT_VERSION } from '../storage/kv-file.ts';
import type { BackupStorage } from '../storage/storage.ts';
import { BackupErrorCode } from './errors.ts';

/** Fixed paths of a snapshot backup. */
export const SNAPSHOT_PATHS = { backupmeta: 'backupmeta', lock: 'backup.lock' } as const;

const u64 = z.string().regex(/^\d{1,20}$/, 'a 64-bit unsigned integer as a decimal string');
const hexKey = z.string().regex(/^(?:[0-9a-f]{2})*$/, 'a key in hex');
const count = z.number().int().nonnegative();

/** One data file. */
export const SnapshotFileSchema = z.object({
  name: z.string().min(1),
  store_id: z.number().int().positive(),
  region_id: z.number().int().positive(),
  cf: z.enum(['default', 'write']),
  start_key: hexKey,
  end_key: hexKey,
  size: count,
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  kvs: count,
  bytes: count,
  min_ts: u64,
  max_ts: u64,
  table_ids: z.array(z.number().int()),
});

/** A key range backed up by one region (empty ranges included: the ranges tile the key space). */
export const SnapshotRangeSchema = z.object({
  start_key: hexKey,
  end_key: hexKey,
  region_id: z.number().int().positive(),
  store_id: z.number().int().positive(),
  kvs: count,
});

/** A table's figures: names from the catalog at the backup ts (null: dropped, data awaiting GC). */
export const SnapshotTableSchema = z.object({
  table_id: z.number().int(),
  db_id: z.number().int().nullable(),
  db: z.string().nullable(),
  table: z.string().nullable(),
  /** The table's schema (TableInfo JSON) at the backup ts, or null. */
  info: z.unknown(),
  kvs: count,
  bytes: count,
  /** XOR of kvChecksum over (key, value) of the table's visible KVs, a u64 as a decimal string. */
  checksum: u64,
});

/** The whole backupmeta. */
export const SnapshotBackupMetaSchema = z.object({
  version: z.literal(FORMAT_VERSION),
  kind: z.literal('snapshot'),
  cluster_id: u64,
  backup_ts: u64,
  /** Cluster time (ISO) when the backup started and ended. */
  started_at: z.string(),
  finished_at: z.string(),
  duration_s: z.number().nonnegative(),
  files: z.array(SnapshotFileSchema),
  ranges: z.array(SnapshotRangeSchema),
  schemas: z.array(SnapshotTableSchema),
  totals: z.object({ kvs: count, bytes: count, files: count, size: count, file_bytes: count, checksum: u64 }),
});

/** One data file of a snapshot backup. */
export type SnapshotFile = z.infer<typeof SnapshotFileSchema>;
/** A table of a snapshot backup. */
export type SnapshotTable = z.infer<typeof SnapshotTableSchema>;
/** A snapshot backup's backupmeta. */
export type SnapshotBackupMeta = z.infer<typeof SnapshotBackupMetaSchema>;

/** Encodes a backupmeta (readable JSON: it is small next to the data, and people open it). */
export function encodeBackupMeta(meta: SnapshotBackupMeta): Buffer {
  return Buffer.from(JSON.stringify(meta, null, 1) + '\n');
}

/** Parses a backupmeta's bytes, with an error that names the storage. */
export function decodeBackupMeta(bytes: Uint8Array, where: string): SnapshotBackupMeta {
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch {
    throw new PitrError(ErrorCode.InvalidArgument, `the backupmeta in ${where} is not valid JSON: the file is damaged or not written by PiTR Studio`);
  }
  if (typeof raw === 'object' && raw !== null && (raw as { kind?: unknown }).kind === 'log') {
    throw new PitrError(ErrorCode.InvalidArgument, `${where} holds a log backup, not a snapshot backup: give the snapshot's folder`);
  }
  const r = SnapshotBackupMetaSchema.safeParse(raw);
  if (!r.success) {
    const i = r.error.issues[0];
    throw new PitrError(ErrorCode.InvalidArgument, `the backupmeta in ${where} is not a valid snapshot backupmeta (${i?.path.join('.') ?? ''}: ${i?.message ?? ''})`);
  }
  return r.data;
}

/**
 * Reads a snapshot backup's backupmeta; a folder with a backup.lock but no backupmeta is an
 * incomplete backup (it failed or is still running) and is refused.
 */
export async function readSnapshotMeta(storage: BackupStorage): Promise<SnapshotBackupMeta> {
  if (!(await storage.exists(SNAPSHOT_PATHS.backupmeta))) {
    const locked = await storage.exists(SNAPSHOT_PATHS.lock);
    throw new PitrError(
      locked ? BackupErrorCode.Incomplete : ErrorCode.NotFound,
      locked
        ? `${storage.url} holds an incomplete snapshot backup (backup.lock but no backupmeta): it failed or is still running; use another snapshot`
        : `${storage.url} holds no snapshot backup (no backupmeta): check the --storage path`,
    );
  }
  return decodeBackupMeta(await storage.read(SNAPSHOT_PATHS.backupmeta), storage.url);
}
