/**
 * What br does on the storage alone: claim a log backup storage for a cluster (lock and
 * backupmeta), read its restorable window (`br log metadata`) and truncate it
 * (`br log truncate`). Only metadata is read: data files are listed, never opened.
 */
import type { LogWindow, TruncateResult } from '../contract/logbackup.ts';
import { ErrorCode, PitrError } from '../errors.ts';
import { isNotFound } from '../storage/index.ts';
import type { BackupStorage } from '../storage/storage.ts';
import { FORMAT_VERSION } from '../storage/kv-file.ts';
import { formatTsIso } from '../tso/index.ts';
import { decodeTsFile, LOG_PATHS, LockSchema, LogBackupMetaSchema, MetaFileSchema, parseStored } from './format.ts';
import type { LogBackupMeta, MetaFile } from './format.ts';

/** Error codes of the br log family. */
export const LogErrorCode = {
  TaskExists: 'BR:Stream:ErrStreamLogTaskExist',
  TaskNotFound: 'BR:Stream:ErrStreamLogTaskNotFound',
  OtherCluster: 'BR:Stream:ErrStreamStorageOfOtherCluster',
  NotLogBackup: 'BR:Stream:ErrStreamStorageNotLogBackup',
  GcSafepointExceeded: 'BR:Backup:ErrBackupGCSafepointExceeded',
  TruncateLocked: 'BR:Stream:ErrStreamTruncateLocked',
  UntilAfterCheckpoint: 'BR:Stream:ErrStreamUntilAfterCheckpoint',
} as const;

async function readOptional(storage: BackupStorage, path: string): Promise<Buffer | null> {
  try {
    return await storage.read(path);
  } catch (err) {
    if (isNotFound(err)) return null;
    throw err;
  }
}

/** The log backupmeta of a storage, or null when the storage holds no backup at all. */
export async function readLogBackupMeta(storage: BackupStorage): Promise<LogBackupMeta | null> {
  const raw = await readOptional(storage, LOG_PATHS.backupmeta);
  if (!raw) return null;
  const kind = (() => {
    try {
      return (JSON.parse(raw.toString('utf8')) as { kind?: unknown } | null)?.kind;
    } catch {
      return undefined;
    }
  })();
  if (typeof kind === 'string' && kind !== 'log') {
    throw new PitrError(LogErrorCode.NotLogBackup, `${storage.url} holds a ${kind} backup, not a log backup; choose another --storage (for example backup-<cluster-id>/log-backup)`);
  }
  // A damaged or foreign backupmeta: the error names the file and what is wrong with it.
  return parseStored(LogBackupMetaSchema, raw, LOG_PATHS.backupmeta);
}

/**
 * Claims a storage for a cluster's log backup: refuses one that belongs to another cluster,
 * writes backupmeta and backup.lock when new. Returns the existing meta when continuing.
 */
export async function claimLogStorage(storage: BackupStorage, clusterId: string, taskName: string, startTs: bigint): Promise<{ meta: LogBackupMeta; existing: boolean }> {
  // backupmeta first: a snapshot backup's folder is refused as such, not for its lock's shape.
  const existing = await readLogBackupMeta(storage);
  const lockRaw = await readOptional(storage, LOG_PATHS.lock);
  if (lockRaw) {
    const owner = parseStored(LockSchema.pick({ cluster_id: true }), lockRaw, LOG_PATHS.lock);
    if (owner.cluster_id !== clusterId) {
      throw new PitrError(LogErrorCode.OtherCluster, `${storage.url} holds the log backup of cluster ${owner.cluster_id}, not of this cluster (${clusterId}); choose another --storage`);
    }
    if (!LockSchema.safeParse(JSON.parse(lockRaw.toString('utf8'))).success) {
      throw new PitrError(LogErrorCode.NotLogBackup, `${storage.url} holds a ${LOG_PATHS.lock} that is not a log backup's (an unfinished backup of another kind?); choose another --storage (for example backup-<cluster-id>/log-backup)`);
    }
  }
  if (existing) {
    if (existing.cluster_id !== clusterId) {
      throw new PitrError(LogErrorCode.OtherCluster, `${storage.url} holds the log backup of cluster ${existing.cluster_id}, not of this cluster (${clusterId}); choose another --storage`);
    }
    return { meta: existing, existing: true };
  }
  const now = new Date().toISOString();
  const meta: LogBackupMeta = { version: FORMAT_VERSION, kind: 'log', cluster_id: clusterId, task_name: taskName, start_ts: startTs.toString(), created_at: now };
  await storage.writeIfAbsent(LOG_PATHS.lock, Buffer.from(JSON.stringify({ cluster_id: clusterId, task_name: taskName, created_at: now })));
  await storage.write(LOG_PATHS.backupmeta, Buffer.from(JSON.stringify(meta)));
  return { meta, existing: false };
}


/** The newest global checkpoint recorded in storage (0 when none yet). */
export async function readStorageCheckpoint(storage: BackupStorage): Promise<bigint> {
  let max = 0n;
  for (const e of await storage.list(LOG_PATHS.checkpointDir)) {
    if (!e.path.endsWith('.ts')) continue;
    const ts = decodeTsFile(await storage.read(e.path), e.path);
    if (ts > max) max = ts;
  }
  return max;
}

async function readTruncateSafepoint(storage: BackupStorage): Promise<bigint | null> {
  const raw = await readOptional(storage, LOG_PATHS.truncateSafepoint);
  if (!raw) return null;
  const text = raw.toString('utf8').trim();
  if (!/^\d+$/.test(text)) throw new PitrError(ErrorCode.InvalidArgument, `${LOG_PATHS.truncateSafepoint} is damaged (not a TSO)`);
  return BigInt(text);
}

/** `br log metadata`: min = max(start ts, truncate safepoint); max = the newest global checkpoint. */
export async function logMetadata(storage: BackupStorage): Promise<LogWindow> {
  const meta = await readLogBackupMeta(storage);
  if (!meta) throw new PitrError(LogErrorCode.NotLogBackup, `${storage.url} holds no log backup (no backupmeta); check --storage`);
  const start = BigInt(meta.start_ts);
  const sp = await readTruncateSafepoint(storage);
  const min = sp !== null && sp > start ? sp : start;
  const cp = await readStorageCheckpoint(storage);
  const max = cp > min ? cp : min;
  return {
    log_min_ts: min.toString(),
    log_max_ts: max.toString(),
    log_min_date: formatTsIso(min),
    log_max_date: formatTsIso(max),
    cluster_id: meta.cluster_id,
    truncate_safepoint: sp === null ? null : sp.toString(),
  };
}

/** Every .meta file of a log backup, parsed. */
export async function readMetaFiles(storage: BackupStorage): Promise<Array<{ path: string; meta: MetaFile }>> {
  const out: Array<{ path: string; meta: MetaFile }> = [];
  for (const e of await storage.list(LOG_PATHS.metaDir)) {
    if (!e.path.endsWith('.meta')) continue;
    out.push({ path: e.path, meta: parseStored(MetaFileSchema, await storage.read(e.path), e.path) });
  }
  return out;
}


/**
 * `br log truncate --until`: removes the data files whose every entry was committed before
 * `until` (and meta files left empty), under a remote lock, then records the safepoint.
 */
export async function truncateLog(storage: BackupStorage, until: bigint, dryRun: boolean): Promise<TruncateResult> {
  const window = await logMetadata(storage);
  if (until > BigInt(window.log_max_ts)) {
    throw new PitrError(LogErrorCode.UntilAfterCheckpoint, `--until ${until} is after the log backup's checkpoint ${window.log_max_ts} (${window.log_max_date}): truncating there would delete data no snapshot can replace; choose a ts at or before the checkpoint`, { log_max_ts: window.log_max_ts });
  }
  if (!dryRun && !(await storage.writeIfAbsent(LOG_PATHS.truncatingLock, Buffer.from(JSON.stringify({ until: until.toString(), at: new Date().toISOString() }))))) {
    throw new PitrError(LogErrorCode.TruncateLocked, `another truncate holds ${LOG_PATHS.truncatingLock} in ${storage.url}; wait for it, or delete that file if that truncate died`);
  }
  try {
    const removed: TruncateResult['removed_files'] = [];
    let kept = 0;
    for (const { path, meta } of await readMetaFiles(storage)) {
      const gone = meta.files.filter((f) => BigInt(f.max_ts) < until);
      const stay = meta.files.filter((f) => BigInt(f.max_ts) >= until);
      kept += stay.length;
      for (const f of gone) removed.push({ path: f.path, size: f.size, max_ts: f.max_ts });
      if (dryRun || gone.length === 0) continue;
      // Meta first (rewritten or removed), then the data: a crash in between leaves only
      // unreferenced data files, never a meta pointing at a missing file.
      if (stay.length === 0) await storage.delete(path);
      else {
        // The rewritten meta's ts range is that of the files it still lists.
        const min = stay.reduce((m, f) => (BigInt(f.min_ts) < m ? BigInt(f.min_ts) : m), BigInt(stay[0]!.min_ts));
        const max = stay.reduce((m, f) => (BigInt(f.max_ts) > m ? BigInt(f.max_ts) : m), BigInt(stay[0]!.max_ts));
        await storage.write(path, Buffer.from(JSON.stringify({ ...meta, min_ts: min.toString(), max_ts: max.toString(), files: stay } satisfies MetaFile)));
      }
      for (const f of gone) await storage.delete(f.path);
    }
    const start = BigInt(window.log_min_ts);
    const newMin = until > start ? until : start;
    if (!dryRun) await storage.write(LOG_PATHS.truncateSafepoint, Buffer.from(newMin.toString() + '\n'));
    return { until: until.toString(), dry_run: dryRun, removed_files: removed, removed_bytes: removed.reduce((n, f) => n + f.size, 0), kept_files: kept, log_min_ts: newMin.toString() };
  } finally {
    if (!dryRun) await storage.delete(LOG_PATHS.truncatingLock);
  }
}
