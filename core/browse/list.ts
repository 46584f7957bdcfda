/**
 * One folder of a backup storage at a time (`storage:browse`): the backend's own folder listing
 * (readdir, or S3's delimiter listing) so that opening the root of a log backup with 50,000 data
 * files touches a handful of names, not all of them.
 */
import { existsSync } from 'node:fs';
import type { BrowseFile, BrowseResult } from '../contract/browse.ts';
import { ErrorCode, PitrError } from '../errors.ts';
import { LocalStorage } from '../storage/local.ts';
import { checkFolder, comparePaths, type BackupStorage, type FolderListing, type FolderListOptions } from '../storage/storage.ts';
import { backupKindFromHead, backupKindFromSiblings, baseName, classifyFile, classifyFolder } from './classify.ts';

// The `"kind"` field sits in the first line of every backupmeta we write.
const BACKUPMETA_HEAD_BYTES = 256;

/** A folder's children through the backend's listFolder, or grouped from a recursive list. */
export async function listFolder(storage: BackupStorage, folder: string, opts: FolderListOptions = {}): Promise<FolderListing> {
  const rel = checkFolder(folder);
  if (storage.listFolder) return storage.listFolder(rel, opts);
  // Backends without a folder listing (fault-injecting wrappers): group the recursive list.
  const folders = new Set<string>();
  const children: Array<{ name: string; size: number }> = [];
  for (const e of await storage.list(rel)) {
    const rest = e.path.slice(rel.length);
    const cut = rest.indexOf('/');
    if (cut < 0) children.push({ name: rest, size: e.size });
    else if (!folders.has(rest.slice(0, cut))) {
      folders.add(rest.slice(0, cut));
      children.push({ name: rest.slice(0, cut), size: -1 });
    }
  }
  const sorted = children.filter((c) => opts.after === undefined || comparePaths(c.name, opts.after) > 0).sort((a, b) => comparePaths(a.name, b.name));
  const page = sorted.slice(0, opts.limit ?? sorted.length);
  return {
    folders: page.filter((c) => c.size < 0).map((c) => c.name),
    files: page.filter((c) => c.size >= 0).map((c) => ({ path: rel + c.name, size: c.size })),
    truncated: sorted.length > page.length,
  };
}

/** Reads a backupmeta's first bytes to tell a log's from a snapshot's. */
export async function peekBackupKind(storage: BackupStorage, path: string): Promise<'log' | 'snapshot' | undefined> {
  return backupKindFromHead(await storage.read(path, { offset: 0, length: BACKUPMETA_HEAD_BYTES }));
}

/** Refuses a local storage whose folder does not exist (an empty listing would hide a typo). */
export function checkStorageExists(storage: BackupStorage): void {
  if (storage instanceof LocalStorage && !existsSync(storage.root)) {
    throw new PitrError(ErrorCode.NotFound, `the backup folder ${storage.root} does not exist: check the storage path`);
  }
}

/** `storage:browse`: the immediate children of one folder, classified, paged by name. */
export async function browseFolder(storage: BackupStorage, prefix: string, limit: number, after?: string): Promise<BrowseResult> {
  const rel = checkFolder(prefix);
  checkStorageExists(storage);
  const listing = await listFolder(storage, rel, { limit, ...(after === undefined ? {} : { after }) });
  if (rel !== '' && listing.folders.length === 0 && listing.files.length === 0 && after === undefined) {
    throw new PitrError(ErrorCode.NotFound, `there is no folder "${rel}" in ${storage.url} (or it is empty): browse its parent folder`);
  }
  let kind = backupKindFromSiblings(listing.folders, listing.files.map((f) => baseName(f.path)));
  const meta = listing.files.find((f) => baseName(f.path) === 'backupmeta');
  if (meta !== undefined && kind === undefined) kind = await peekBackupKind(storage, meta.path).catch(() => undefined);
  const files: BrowseFile[] = listing.files.map((f) => ({ name: baseName(f.path), path: f.path, size: f.size, kind: classifyFile(f.path, kind) }));
  const names = [...listing.folders, ...files.map((f) => f.name)].sort(comparePaths);
  return {
    storage: storage.url,
    prefix: rel,
    folders: listing.folders.map((name) => ({ name, path: `${rel}${name}/`, kind: classifyFolder(name) })),
    files,
    truncated: listing.truncated,
    next_after: listing.truncated ? (names.at(-1) ?? null) : null,
  };
}
