/**
 * File-system errors of the local backend turned into storage errors whose messages say what to
 * check (permissions, a read-only mount, a file where a folder should be, free space).
 */
import { PitrError } from '../errors.ts';
import { StorageErrorCode } from './storage.ts';

/** What the local backend was doing; `create` is the creation of the backup folder itself. */
export type LocalOp = 'create' | 'write' | 'read' | 'list' | 'delete' | 'exists';

const WRITES: ReadonlySet<LocalOp> = new Set(['create', 'write', 'delete']);

/** A PitrError for a file-system error of `op` on `path` (a storage path) under `root`. */
export function localError(err: unknown, op: LocalOp, root: string, path?: string): PitrError {
  if (err instanceof PitrError) return err;
  const code = (err as NodeJS.ErrnoException | null)?.code ?? 'UNKNOWN';
  const what = path === undefined ? `the backup folder ${root}` : `${path} in the backup folder ${root}`;
  const details = path === undefined ? { op, errno: code } : { op, errno: code, path };
  const denied = (message: string): PitrError => new PitrError(StorageErrorCode.AccessDenied, message, details);
  const unavailable = (message: string): PitrError => new PitrError(StorageErrorCode.Unavailable, message, details);
  switch (code) {
    case 'EACCES':
    case 'EPERM':
      return WRITES.has(op)
        ? denied(`the backup folder ${root} is not writable (${op} of ${path ?? root} was refused): check its permissions or choose another --storage`)
        : denied(`the backup folder ${root} is not readable (${op} of ${path ?? root} was refused): check its permissions`);
    case 'EROFS':
      return denied(`the backup folder ${root} is on a read-only file system: remount it read-write or choose another --storage`);
    case 'ENOTDIR':
    case 'EEXIST':
      return op === 'create'
        ? unavailable(`cannot create the backup folder ${root}: a part of that path is a file, not a folder; check the path or choose another --storage`)
        : unavailable(`cannot ${op} ${what}: a part of that path is a file, not a folder; remove the stray file or choose another --storage`);
    case 'EISDIR':
      return unavailable(`cannot ${op} ${what}: a folder of that name is in the way; remove it or choose another --storage`);
    case 'ENOSPC':
    case 'EDQUOT':
      return unavailable(`no space left for the backup folder ${root}: free some space or choose another --storage`);
    case 'ENOENT':
      return unavailable(`cannot ${op} ${what}: the folder disappeared (was it removed or unmounted?); check that ${root} is available`);
    case 'EMFILE':
    case 'ENFILE':
      return unavailable(`too many open files while trying to ${op} ${what}: raise the open-file limit (ulimit -n) and retry`);
    default:
      return unavailable(`cannot ${op} ${what}: ${code}; check that ${root} is a healthy, mounted folder`);
  }
}
