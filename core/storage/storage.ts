/**
 * Backup storage: one small interface (as litestream's ReplicaClient) with a local-folder and
 * an S3 implementation, chosen by URL scheme. Paths are relative to the storage root, with `/`
 * separators; a path that would leave the root is refused.
 */
import { ErrorCode, PitrError } from '../errors.ts';

/** A file in backup storage. */
export interface StorageEntry {
  /** Path relative to the storage root, `/`-separated. */
  path: string;
  size: number;
}

/** A byte range of a file. */
export interface ByteRange {
  offset: number;
  length: number;
}

/** The operations every backend provides. */
export interface BackupStorage {
  /** The storage URL with credentials removed: safe for logs, errors and the UI. */
  readonly url: string;
  /** Writes a whole file (replacing it). Local writes are atomic (temp file + rename). */
  write(path: string, data: Uint8Array): Promise<void>;
  /** Creates a file only if it does not exist yet; false if it did (used for locks). */
  writeIfAbsent(path: string, data: Uint8Array): Promise<boolean>;
  /** Reads a whole file, or a byte range of it. */
  read(path: string, range?: ByteRange): Promise<Buffer>;
  /** Every file whose path starts with prefix (recursively), sorted by path. */
  list(prefix: string): Promise<StorageEntry[]>;
  /** Deletes a file; deleting a missing file is not an error. */
  delete(path: string): Promise<void>;
  /** True when the file exists. */
  exists(path: string): Promise<boolean>;
  /** One folder's immediate children (lazy browsing); backends without it are listed recursively. */
  listFolder?(folder: string, opts?: FolderListOptions): Promise<FolderListing>;
  /** As list, paths only: a backend where a size costs a call per file (a folder) skips them. */
  listPaths?(prefix: string): Promise<string[]>;
}

/** The paths of every file whose path starts with prefix, sorted (see BackupStorage.listPaths). */
export function listPaths(storage: BackupStorage, prefix: string): Promise<string[]> {
  return storage.listPaths ? storage.listPaths(prefix) : storage.list(prefix).then((entries) => entries.map((e) => e.path));
}

/** Paging of listFolder: children (folders and files, by name) after `after`, at most `limit`. */
export interface FolderListOptions {
  after?: string;
  limit?: number;
}

/** One folder's immediate children, sorted by name; `truncated` when more follow `limit`. */
export interface FolderListing {
  /** Names of the child folders (without '/'). */
  folders: string[];
  /** Child files with their full paths. */
  files: StorageEntry[];
  truncated: boolean;
}

/** Checks a folder path for listFolder: '' (the root) or a valid path, with or without a final '/'; returns it as '' or ending in '/'. */
export function checkFolder(folder: string): string {
  if (folder === '' || folder === '/') return '';
  const bare = folder.endsWith('/') ? folder.slice(0, -1) : folder;
  return `${checkPath(bare)}/`;
}

/** Storage error codes, named after br's. */
export const StorageErrorCode = {
  InvalidUrl: 'BR:ExternalStorage:ErrStorageInvalidConfig',
  Unsupported: 'BR:ExternalStorage:ErrStorageUnknown',
  NotFound: 'BR:ExternalStorage:ErrStorageNotFound',
  AccessDenied: 'BR:ExternalStorage:ErrStorageAccessDenied',
  Unavailable: 'BR:ExternalStorage:ErrStorageUnavailable',
  PathEscape: 'BR:ExternalStorage:ErrStorageInvalidPath',
  Corrupted: 'BR:Common:ErrBackupChecksumMismatch',
} as const;

/** Checks a relative storage path: no `..`, no absolute path, no backslash, no NUL. */
export function checkPath(path: string): string {
  const bad =
    path.length === 0 ||
    path.startsWith('/') ||
    path.includes('\\') ||
    path.includes('\0') ||
    path.split('/').some((seg) => seg === '..' || seg === '.' || seg === '');
  if (bad) {
    throw new PitrError(StorageErrorCode.PathEscape, `"${path}" is not a valid path inside the backup storage: use a relative path without "..", "." or empty parts`);
  }
  return path;
}

/** Joins path parts with `/`, skipping empty ones. */
export function joinPath(...parts: string[]): string {
  return parts.filter((p) => p.length > 0).join('/');
}


/** Checks a list prefix: empty (everything), or a path that may end with `/` or mid-name. */
export function checkPrefix(prefix: string): string {
  if (prefix.length === 0) return prefix;
  checkPath(prefix.endsWith('/') ? prefix.slice(0, -1) : prefix);
  return prefix;
}

/** Orders paths the way S3 lists keys (by UTF-8 bytes), so every backend sorts alike. */
export function comparePaths(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** Checks a byte range: a non-negative integer offset and length. */
export function checkRange(range: ByteRange): ByteRange {
  const ok = (n: number): boolean => Number.isSafeInteger(n) && n >= 0;
  if (!ok(range.offset) || !ok(range.length)) {
    throw new PitrError(ErrorCode.InvalidArgument, `byte range {offset: ${range.offset}, length: ${range.length}} is invalid: use non-negative integers`);
  }
  return range;
}
