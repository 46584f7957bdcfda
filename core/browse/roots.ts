/**
 * Finds the backups inside a storage: the folders holding a `backupmeta` (a log backup or a
 * snapshot) or a snapshot's `backup.lock` alone (an incomplete snapshot). Folder by folder, and
 * never inside a backup, so a base folder with a 50,000-file log backup costs a few listings.
 */
import { checkFolder, type BackupStorage } from '../storage/storage.ts';
import { backupKindFromSiblings, baseName } from './classify.ts';
import { listFolder, peekBackupKind } from './list.ts';

/** A backup found in a storage. */
export interface BackupRoot {
  /** '' (the storage itself) or a folder path ending with '/'. */
  path: string;
  kind: 'log' | 'snapshot' | 'incomplete-snapshot';
  /** Size of its backupmeta (0 for an incomplete snapshot), to tell a rewritten one. */
  backupmetaSize: number;
}

// The recommended layout puts backups two levels down (backup-<id>/snapshot-...); one more
// level covers a base folder given one level higher.
/** Folder levels searched below the starting folder. */
export const DEFAULT_ROOT_SEARCH_DEPTH = 3;
// 2,000 snapshots of one cluster are 2,000 folders; the bound keeps a wrong base from
// walking a whole bucket.
/** Folders listed at most while searching. */
export const DEFAULT_ROOT_SEARCH_FOLDERS = 10_000;

// Inside a backup (or the connection test's probes): never a backup root.
const NOT_ROOTS = /^(?:v1|store\d+|\.pitr-probe)$/;

/** The backups at or below `folder`. */
export async function findBackupRoots(storage: BackupStorage, folder = '', depth = DEFAULT_ROOT_SEARCH_DEPTH): Promise<BackupRoot[]> {
  const roots: BackupRoot[] = [];
  let level = [checkFolder(folder)];
  let listed = 0;
  for (let d = 0; d <= depth && level.length > 0 && listed < DEFAULT_ROOT_SEARCH_FOLDERS; d++) {
    const next: string[] = [];
    for (const dir of level) {
      if (++listed > DEFAULT_ROOT_SEARCH_FOLDERS) break;
      const l = await listFolder(storage, dir);
      const names = l.files.map((f) => baseName(f.path));
      const meta = l.files.find((f) => baseName(f.path) === 'backupmeta');
      if (meta) {
        const kind = backupKindFromSiblings(l.folders, names) ?? (await peekBackupKind(storage, meta.path)) ?? 'log';
        roots.push({ path: dir, kind, backupmetaSize: meta.size });
        continue;
      }
      if (names.includes('backup.lock') && l.folders.some((f) => /^store\d+$/.test(f))) {
        roots.push({ path: dir, kind: 'incomplete-snapshot', backupmetaSize: 0 });
        continue;
      }
      for (const f of l.folders) if (!NOT_ROOTS.test(f)) next.push(`${dir}${f}/`);
    }
    level = next;
  }
  return roots;
}

/** The backup that contains `folder` (itself or an ancestor holding a backupmeta), or null. */
export async function findEnclosingRoot(storage: BackupStorage, folder: string): Promise<BackupRoot | null> {
  const rel = checkFolder(folder);
  const parts = rel.split('/').filter((p) => p !== '');
  for (let n = parts.length; n >= 0; n--) {
    const dir = parts.slice(0, n).map((p) => `${p}/`).join('');
    // exists() first: an ancestor may be a 50,000-file folder not worth listing.
    if (!(await storage.exists(`${dir}backupmeta`))) continue;
    const l = await listFolder(storage, dir);
    const meta = l.files.find((f) => baseName(f.path) === 'backupmeta');
    if (!meta) continue;
    const kind = backupKindFromSiblings(l.folders, l.files.map((f) => baseName(f.path))) ?? (await peekBackupKind(storage, meta.path)) ?? 'log';
    return { path: dir, kind, backupmetaSize: meta.size };
  }
  return null;
}
