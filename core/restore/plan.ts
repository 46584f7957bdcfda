/**
 * The restore plan, made from metadata alone before anything is written: the snapshot, the
 * log blocks in (snapshot ts, restored ts], and every check br makes (same cluster, no gap,
 * restored ts inside the window, every file present).
 */
import { createHash } from 'node:crypto';
import { PRIVILEGE_TABLES, SYSTEM_DB } from '../cluster/catalog/catalog.ts';
import { PitrError } from '../errors.ts';
import { selectBlocks } from '../logbackup/reader.ts';
import type { BlockRef } from '../logbackup/reader.ts';
import { logMetadata } from '../logbackup/storage-ops.ts';
import type { LogWindow } from '../contract/logbackup.ts';
import { readSnapshotMeta } from '../snapshot/backupmeta.ts';
import type { SnapshotBackupMeta, SnapshotFile } from '../snapshot/backupmeta.ts';
import { listPaths, openStorage } from '../storage/index.ts';
import type { BackupStorage } from '../storage/storage.ts';
import { formatTsIso } from '../tso/index.ts';

// Plaintext bytes per second used for the estimate, measured by `npm run bench -- restore` on
// the 2-core reference machine (TiDB's per-TiKV figures are far higher: 2 TiB/h snapshot,
// 30 GiB/h log).
export const DEFAULT_SNAPSHOT_RESTORE_BYTES_PER_S = 20 * 1024 * 1024;
export const DEFAULT_LOG_RESTORE_BYTES_PER_S = 10 * 1024 * 1024;

/** Restore error codes, named after br's. */
export const RestoreErrorCode = {
  NotEmpty: 'BR:Restore:ErrRestoreNotFreshCluster',
  OtherCluster: 'BR:Restore:ErrRestoreClusterMismatch',
  Gap: 'BR:Restore:ErrRestoreLogGap',
  OutOfWindow: 'BR:Restore:ErrRestoreTSOutOfWindow',
  MissingFile: 'BR:Restore:ErrRestoreMissingFile',
} as const;

/** What `restore point` was asked to do. */
export interface RestoreArgs {
  logStorage: string;
  snapStorage: string;
  restoredTs?: bigint;
}

/** A restore plan. */
export interface RestorePlan {
  id: string;
  clusterId: string;
  snapshotTs: bigint;
  restoredTs: bigint;
  window: LogWindow;
  snapshot: SnapshotBackupMeta;
  snapshotFiles: SnapshotFile[];
  logBlocks: BlockRef[];
  /** Tables never restored (mysql.user, mysql.db, mysql.tables_priv), as TiDB skips them. */
  skipTableIds: number[];
  totals: { files: number; bytes: number; kvs: number; snapshotBytes: number; logBytes: number };
  estimatedSeconds: number;
  log: BackupStorage;
  snap: BackupStorage;
}

/** A stable id for a restore: the same arguments resume the same restore. */
export function restoreId(logUrl: string, snapUrl: string, restoredTs: bigint): string {
  return createHash('sha256').update(`${logUrl}\n${snapUrl}\n${restoredTs}`).digest('hex').slice(0, 16);
}

async function checkPresent(storage: BackupStorage, paths: string[], what: string): Promise<void> {
  const present = new Set(await listPaths(storage, ''));
  const missing = [...new Set(paths)].filter((p) => !present.has(p));
  if (missing.length > 0) {
    throw new PitrError(RestoreErrorCode.MissingFile, `${missing.length} ${what} file(s) the restore needs are missing from ${storage.url}, e.g. ${missing.slice(0, 3).join(', ')}; the backup is incomplete: choose another snapshot or restore point`, { missing: missing.slice(0, 20) });
  }
}

/**
 * Makes the plan, or refuses with the reason and what to do. Writes nothing. Without a restored
 * ts, `unfinished` may name the restored ts of an interrupted restore from the same storages,
 * which the plan then resumes (the log's max ts has moved on since that run started).
 */
export async function planRestore(args: RestoreArgs, unfinished?: (logUrl: string, snapUrl: string) => bigint | null): Promise<RestorePlan> {
  const log = openStorage(args.logStorage);
  const snap = openStorage(args.snapStorage);
  const snapshot = await readSnapshotMeta(snap);
  const window = await logMetadata(log);
  if (snapshot.cluster_id !== window.cluster_id) {
    throw new PitrError(RestoreErrorCode.OtherCluster, `the snapshot (cluster ${snapshot.cluster_id}) and the log backup (cluster ${window.cluster_id}) come from different clusters; use a snapshot of the same cluster as the log`);
  }
  const snapshotTs = BigInt(snapshot.backup_ts);
  const min = BigInt(window.log_min_ts);
  const max = BigInt(window.log_max_ts);
  const restoredTs = args.restoredTs ?? unfinished?.(log.url, snap.url) ?? max;
  const windowText = `the restorable window is [${window.log_min_ts}, ${window.log_max_ts}] (${window.log_min_date} to ${window.log_max_date})`;
  if (restoredTs < min || restoredTs > max) {
    throw new PitrError(RestoreErrorCode.OutOfWindow, `--restored-ts ${restoredTs} (${formatTsIso(restoredTs)}) is outside the log backup: ${windowText}; choose a point inside it`, { log_min_ts: window.log_min_ts, log_max_ts: window.log_max_ts });
  }
  if (snapshotTs > restoredTs) {
    throw new PitrError(RestoreErrorCode.OutOfWindow, `the snapshot was taken at ${snapshotTs} (${formatTsIso(snapshotTs)}), after --restored-ts ${restoredTs}; use an older snapshot or a later restore point (${windowText})`);
  }
  if (snapshotTs < min) {
    throw new PitrError(RestoreErrorCode.Gap, `gap: the log backup starts at ${window.log_min_ts} (${window.log_min_date}) but the snapshot is from ${snapshotTs} (${formatTsIso(snapshotTs)}); the changes in [${snapshotTs}, ${window.log_min_ts}) are not in the log. Use a snapshot taken at or after ${window.log_min_date}`, { gap_from: snapshotTs.toString(), gap_to: window.log_min_ts });
  }
  const logBlocks = restoredTs > snapshotTs ? await selectBlocks(log, snapshotTs, restoredTs) : [];
  await checkPresent(snap, snapshot.files.map((f) => f.name), 'snapshot');
  await checkPresent(log, logBlocks.map((b) => b.path), 'log');
  const skipTableIds = snapshot.schemas.filter((t) => t.db === SYSTEM_DB && (PRIVILEGE_TABLES as readonly string[]).includes(t.table ?? '')).map((t) => t.table_id);
  const snapshotBytes = snapshot.files.reduce((n, f) => n + f.bytes, 0);
  const logBytes = logBlocks.reduce((n, b) => n + b.block.length_plain, 0);
  return {
    id: restoreId(log.url, snap.url, restoredTs),
    clusterId: snapshot.cluster_id,
    snapshotTs,
    restoredTs,
    window,
    snapshot,
    snapshotFiles: snapshot.files,
    logBlocks,
    skipTableIds,
    totals: {
      files: snapshot.files.length + new Set(logBlocks.map((b) => b.path)).size,
      bytes: snapshotBytes + logBytes,
      kvs: snapshot.files.reduce((n, f) => n + f.kvs, 0) + logBlocks.reduce((n, b) => n + b.block.entries, 0),
      snapshotBytes,
      logBytes,
    },
    estimatedSeconds: snapshotBytes / DEFAULT_SNAPSHOT_RESTORE_BYTES_PER_S + logBytes / DEFAULT_LOG_RESTORE_BYTES_PER_S,
    log,
    snap,
  };
}
