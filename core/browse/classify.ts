/**
 * What a file or folder of a backup storage is, from its place in the layout of docs/format.md
 * and the recommended organisation (`backup-<cluster-id>/log-backup`,
 * `backup-<cluster-id>/snapshot-YYYYMMDDhhmmss`). Names only: nothing is read here, so a folder
 * of 50,000 files is classified as fast as it is listed.
 */
import type { BrowseFileKind, BrowseFolderKind } from '../contract/browse.ts';

// Patterns match the tail of a path, so a backup root may sit at any depth of the storage.
const LOG_META = /(?:^|\/)v1\/backupmeta\/[^/]+\.meta$/;
const LOG_CHECKPOINT = /(?:^|\/)v1\/global_checkpoint\/[^/]+\.ts$/;
const LOG_DATA = /(?:^|\/)v1\/\d{8}\/\d{2}\/\d+\/[^/]+\.log$/;
const SNAPSHOT_DATA = /(?:^|\/)store\d+\/[^/]+_(?:write|default)\.sst$/;

/** The name after the last '/'. */
export function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** The folder of a path: '' or ending with '/'. */
export function folderOf(path: string): string {
  return path.slice(0, path.lastIndexOf('/') + 1);
}

/**
 * The kind of a file. `backupmeta` is a log's or a snapshot's: `backupKind` says which when the
 * caller knows (from the sibling folders or the file's first bytes); unknown, it counts as log.
 */
export function classifyFile(path: string, backupKind?: 'log' | 'snapshot'): BrowseFileKind {
  const name = baseName(path);
  if (name === 'backupmeta') return backupKind === 'snapshot' ? 'snapshot-backupmeta' : 'log-backupmeta';
  if (name === 'backup.lock' || name === 'truncating.lock') return 'lock';
  if (name === 'v1_stream_truncate_safepoint.txt') return 'log-truncate-safepoint';
  if (LOG_META.test(path)) return 'log-meta';
  if (LOG_CHECKPOINT.test(path)) return 'log-checkpoint';
  if (LOG_DATA.test(path)) return 'log-data';
  if (SNAPSHOT_DATA.test(path)) return 'snapshot-data';
  return 'other';
}

/** The kind of a folder, from its name in the recommended layout. */
export function classifyFolder(name: string): BrowseFolderKind {
  if (/^backup-\d+$/.test(name)) return 'cluster-backups';
  if (name === 'log-backup') return 'log-backup';
  if (/^snapshot-\d{14}$/.test(name)) return 'snapshot';
  return 'folder';
}

/** What the siblings of a `backupmeta` say it is: a log root has v1/, a snapshot root store<N>/. */
export function backupKindFromSiblings(folders: string[], fileNames: string[]): 'log' | 'snapshot' | undefined {
  if (folders.includes('v1') || fileNames.includes('v1_stream_truncate_safepoint.txt')) return 'log';
  if (folders.some((f) => /^store\d+$/.test(f))) return 'snapshot';
  return undefined;
}

/** The kind a backupmeta's first bytes declare (`"kind":"log"` or `"kind": "snapshot"`). */
export function backupKindFromHead(head: Uint8Array): 'log' | 'snapshot' | undefined {
  const m = /"kind"\s*:\s*"(log|snapshot)"/.exec(Buffer.from(head).toString('utf8'));
  return m ? (m[1] as 'log' | 'snapshot') : undefined;
}
