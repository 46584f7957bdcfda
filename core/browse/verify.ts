/**
 * `storage:verify`: reads every data file of the backups at or under a folder and checks it
 * against what its metadata records (size, sha256 of the file and of each block's plaintext,
 * entry counts), as a restore would before applying it. Missing files fail; files no metadata
 * lists are counted, not checked (a restore never reads them).
 */
import type { VerifyFailure, VerifyResult } from '../contract/browse.ts';
import { ErrorCode, PitrError } from '../errors.ts';
import { LOG_PATHS, MetaFileSchema, parseStored } from '../logbackup/format.ts';
import { decodeBackupMeta } from '../snapshot/backupmeta.ts';
import { BackupErrorCode } from '../snapshot/errors.ts';
import { checkFolder, StorageErrorCode, type BackupStorage } from '../storage/storage.ts';
import { classifyFile } from './classify.ts';
import { summarizeDataFile, type DataFileRecord } from './data-file.ts';
import { checkStorageExists } from './list.ts';
import { forEachLimited } from './meta-cache.ts';
import { findBackupRoots, findEnclosingRoot, type BackupRoot } from './roots.ts';

// Data files are read whole; a few at once keeps the disk or the S3 connection busy without
// holding many files in memory.
/** Data files read at once. */
export const DEFAULT_VERIFY_CONCURRENCY = 4;
/** Failures listed (all are counted). */
export const MAX_LISTED_FAILURES = 1000;

type Job = { path: string; record: Exclude<DataFileRecord, null> };

async function logJobs(storage: BackupStorage, root: string, fail: (f: VerifyFailure) => void): Promise<Job[]> {
  const jobs: Job[] = [];
  for (const e of await storage.list(root + LOG_PATHS.metaDir)) {
    if (!e.path.endsWith('.meta')) continue;
    try {
      const meta = parseStored(MetaFileSchema, await storage.read(e.path), e.path);
      for (const file of meta.files) jobs.push({ path: root + file.path, record: { kind: 'log', listedBy: e.path, file } });
    } catch (err) {
      fail({ path: e.path, reason: err instanceof Error ? err.message : String(err), code: err instanceof PitrError ? err.code : ErrorCode.Internal });
    }
  }
  return jobs;
}

async function snapshotJobs(storage: BackupStorage, root: string): Promise<Job[]> {
  const meta = decodeBackupMeta(await storage.read(`${root}backupmeta`), `${storage.url} (${root}backupmeta)`);
  return meta.files.map((file) => ({ path: root + file.name, record: { kind: 'snapshot', listedBy: `${root}backupmeta`, file } }));
}

/** Verifies every data file at or under `prefix` against its metadata. */
export async function verifyStorage(storage: BackupStorage, prefix: string): Promise<VerifyResult> {
  const started = performance.now();
  const rel = checkFolder(prefix);
  checkStorageExists(storage);
  const enclosing = await findEnclosingRoot(storage, rel);
  const roots: BackupRoot[] = enclosing ? [enclosing] : await findBackupRoots(storage, rel);
  if (roots.length === 0) {
    throw new PitrError(ErrorCode.NotFound, `no backup (no backupmeta) at or under "${rel || '/'}" in ${storage.url}: choose a log backup or snapshot folder`);
  }
  const failures: VerifyFailure[] = [];
  let failed = 0;
  const fail = (f: VerifyFailure): void => {
    failed++;
    if (failures.length < MAX_LISTED_FAILURES) failures.push(f);
  };
  const jobs: Job[] = [];
  let unreferenced = 0;
  for (const root of roots) {
    if (root.kind === 'incomplete-snapshot') {
      fail({ path: root.path, reason: 'an incomplete snapshot (backup.lock but no backupmeta): it failed or is still running, and a restore refuses it', code: BackupErrorCode.Incomplete });
      continue;
    }
    const found = root.kind === 'log' ? await logJobs(storage, root.path, fail) : await snapshotJobs(storage, root.path);
    const recorded = new Set(found.map((j) => j.path));
    const present = new Set<string>();
    for (const e of await storage.list(root.path)) {
      const kind = classifyFile(e.path);
      if (kind !== 'log-data' && kind !== 'snapshot-data') continue;
      present.add(e.path);
      if (!recorded.has(e.path) && e.path.startsWith(rel)) unreferenced++;
    }
    for (const j of found) {
      if (!j.path.startsWith(rel)) continue;
      if (present.has(j.path)) jobs.push(j);
      else fail({ path: j.path, reason: `missing: ${j.record.listedBy} lists it but the storage does not have it; a restore that needs it will refuse`, code: StorageErrorCode.NotFound });
    }
  }
  let checkedFiles = 0;
  let checkedBytes = 0;
  let ok = 0;
  await forEachLimited(jobs, DEFAULT_VERIFY_CONCURRENCY, async (j) => {
    try {
      const data = await storage.read(j.path);
      checkedFiles++;
      checkedBytes += data.length;
      const s = summarizeDataFile(j.path, data, j.record, j.record.kind);
      if (s.ok) ok++;
      else fail({ path: j.path, reason: s.error ?? 'verification failed', code: StorageErrorCode.Corrupted });
    } catch (err) {
      fail({ path: j.path, reason: err instanceof Error ? err.message : String(err), code: err instanceof PitrError ? err.code : ErrorCode.Internal });
    }
  });
  failures.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return {
    storage: storage.url,
    prefix: rel,
    backups: roots.map((r) => ({ path: r.path, kind: r.kind })),
    checked_files: checkedFiles,
    checked_bytes: checkedBytes,
    ok,
    failed,
    failures,
    unreferenced,
    duration_ms: Math.round(performance.now() - started),
    passed: failed === 0,
  };
}
