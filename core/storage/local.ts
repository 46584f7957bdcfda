/**
 * A backup folder on a local or shared file system. Writes are atomic (temp file in the same
 * folder, fsync, rename, fsync of the folder), so a reader sees a whole old file or a whole new
 * one. Every path is checked twice: lexically (`checkPath`, `path.resolve` inside the root) and
 * physically (the `realpath` of the nearest existing folder must be inside the root's), so a
 * symlink inside the backup folder cannot lead a write or a read outside it.
 */
import { randomBytes } from 'node:crypto';
import type { Dirent } from 'node:fs';
import { lstat, mkdir, open, readdir, realpath, rename, rm, rmdir, unlink } from 'node:fs/promises';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { PitrError } from '../errors.ts';
import { localError, type LocalOp } from './local-errors.ts';
import {
  checkFolder,
  checkPath,
  checkPrefix,
  checkRange,
  comparePaths,
  StorageErrorCode,
  type BackupStorage,
  type ByteRange,
  type FolderListing,
  type FolderListOptions,
  type StorageEntry,
} from './storage.ts';

// Temp files are `.<name>.<16 hex>.pitr-tmp` beside their target; `list` hides them.
const TEMP_FILE = /^\..*\.[0-9a-f]{16}\.pitr-tmp$/;

// A concurrent delete may remove a just-created empty parent folder; create it again this often.
/** Attempts of a write whose parent folder vanished under it. */
export const DEFAULT_WRITE_ATTEMPTS = 5;

function errno(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | null)?.code;
}

/** Backup storage in a folder. */
export class LocalStorage implements BackupStorage {
  /** `local://` + the absolute root folder. */
  readonly url: string;
  /** Absolute path of the backup folder (created on the first write). */
  readonly root: string;

  /** Opens the folder `root` (it need not exist yet). */
  constructor(root: string) {
    this.root = resolve(root);
    this.url = `local://${this.root}`;
  }

  /** Writes a whole file atomically. */
  async write(path: string, data: Uint8Array): Promise<void> {
    const abs = this.#lexical(path);
    const dir = dirname(abs);
    for (let attempt = 1; ; attempt++) {
      await this.#prepareParent(abs, path);
      const tmp = join(dir, `.${basename(abs)}.${randomBytes(8).toString('hex')}.pitr-tmp`);
      try {
        const fh = await open(tmp, 'w', 0o644);
        try {
          await fh.writeFile(data);
          await fh.sync();
        } finally {
          await fh.close();
        }
        await rename(tmp, abs);
      } catch (err) {
        await rm(tmp, { force: true }).catch(() => undefined);
        if (attempt < DEFAULT_WRITE_ATTEMPTS && (await this.#raced(err, abs))) continue;
        throw this.#error(err, 'write', path);
      }
      await syncDir(dir);
      return;
    }
  }

  /** Creates a file with O_EXCL; false when it already exists. */
  async writeIfAbsent(path: string, data: Uint8Array): Promise<boolean> {
    const abs = this.#lexical(path);
    let fh;
    for (let attempt = 1; fh === undefined; attempt++) {
      await this.#prepareParent(abs, path);
      try {
        fh = await open(abs, 'wx', 0o644);
      } catch (err) {
        if (errno(err) === 'EEXIST') return false;
        if (attempt >= DEFAULT_WRITE_ATTEMPTS || !(await this.#raced(err, abs))) throw this.#error(err, 'write', path);
      }
    }
    try {
      await fh.writeFile(data);
      await fh.sync();
      await fh.close();
    } catch (err) {
      // Never leave a half-written file that would hold the lock forever.
      await fh.close().catch(() => undefined);
      await rm(abs, { force: true }).catch(() => undefined);
      throw this.#error(err, 'write', path);
    }
    await syncDir(dirname(abs));
    return true;
  }

  /** Reads a whole file or a byte range (a range past the end gives the bytes that exist). */
  async read(path: string, range?: ByteRange): Promise<Buffer> {
    const abs = this.#lexical(path);
    if (range !== undefined) checkRange(range);
    const real = await this.#physical(abs, path, 'read');
    if (real === undefined) throw this.#notFound(path);
    try {
      const fh = await open(real, 'r');
      try {
        if (range === undefined) return await fh.readFile();
        const size = (await fh.stat()).size;
        const length = Math.max(0, Math.min(range.length, size - range.offset));
        const buf = Buffer.alloc(length);
        let done = 0;
        while (done < length) {
          const { bytesRead } = await fh.read(buf, done, length - done, range.offset + done);
          if (bytesRead === 0) break;
          done += bytesRead;
        }
        return buf.subarray(0, done);
      } finally {
        await fh.close();
      }
    } catch (err) {
      const code = errno(err);
      if (code === 'ENOENT' || code === 'EISDIR' || code === 'ENOTDIR') throw this.#notFound(path);
      throw this.#error(err, 'read', path);
    }
  }

  /** Every file under the root whose path starts with prefix, sorted. */
  async list(prefix: string): Promise<StorageEntry[]> {
    return this.#list(prefix, true);
  }

  /** See BackupStorage.listPaths: no stat per file (ten times faster on a big log backup). */
  async listPaths(prefix: string): Promise<string[]> {
    return (await this.#list(prefix, false)).map((e) => e.path);
  }

  async #list(prefix: string, withSizes: boolean): Promise<StorageEntry[]> {
    checkPrefix(prefix);
    const cut = prefix.lastIndexOf('/');
    const startRel = cut < 0 ? '' : prefix.slice(0, cut);
    const startAbs = startRel === '' ? this.root : this.#lexical(startRel);
    const real = await this.#physical(startAbs, prefix, 'list');
    if (real === undefined) return [];
    const out: StorageEntry[] = [];
    try {
      await this.#walk(real, startRel, prefix, out, withSizes);
    } catch (err) {
      throw this.#error(err, 'list', prefix);
    }
    return out.sort((a, b) => comparePaths(a.path, b.path));
  }

  /** One folder's immediate children, sorted by name (only the returned page's files are stat'ed). */
  async listFolder(folder: string, opts: FolderListOptions = {}): Promise<FolderListing> {
    const rel = checkFolder(folder);
    const abs = rel === '' ? this.root : this.#lexical(rel.slice(0, -1));
    const real = await this.#physical(abs, folder, 'list');
    if (real === undefined) return { folders: [], files: [], truncated: false };
    let entries: Dirent[];
    try {
      entries = await readdir(real, { withFileTypes: true });
    } catch (err) {
      if (errno(err) === 'ENOENT' || errno(err) === 'ENOTDIR') return { folders: [], files: [], truncated: false };
      throw this.#error(err, 'list', folder);
    }
    // Symlinks and temp files are hidden, as in list().
    const children = entries
      .filter((e) => (e.isDirectory() || (e.isFile() && !TEMP_FILE.test(e.name))) && (opts.after === undefined || comparePaths(e.name, opts.after) > 0))
      .sort((a, b) => comparePaths(a.name, b.name));
    const limit = opts.limit ?? Number.POSITIVE_INFINITY;
    const page = children.slice(0, limit);
    const files: StorageEntry[] = [];
    for (const e of page) {
      if (!e.isFile()) continue;
      try {
        files.push({ path: rel + e.name, size: (await lstat(join(real, e.name))).size });
      } catch (err) {
        if (errno(err) !== 'ENOENT') throw this.#error(err, 'list', folder);
      }
    }
    return { folders: page.filter((e) => e.isDirectory()).map((e) => e.name), files, truncated: children.length > page.length };
  }

  /** Deletes a file (a missing one is fine) and the folders it leaves empty, up to the root. */
  async delete(path: string): Promise<void> {
    const abs = this.#lexical(path);
    const parent = await this.#physical(dirname(abs), path, 'delete');
    if (parent === undefined) return;
    try {
      await unlink(join(parent, basename(abs)));
    } catch (err) {
      const code = errno(err);
      if (code === 'ENOENT' || code === 'ENOTDIR') return;
      throw this.#error(err, 'delete', path);
    }
    for (let dir = dirname(abs); dir.startsWith(this.root + sep); dir = dirname(dir)) {
      try {
        await rmdir(dir);
      } catch {
        break; // not empty (or already gone): stop climbing
      }
    }
  }

  /** True when a file (not a folder) exists at path. */
  async exists(path: string): Promise<boolean> {
    const abs = this.#lexical(path);
    const real = await this.#physical(abs, path, 'exists');
    if (real === undefined) return false;
    try {
      return (await lstat(real)).isFile();
    } catch (err) {
      if (errno(err) === 'ENOENT') return false;
      throw this.#error(err, 'exists', path);
    }
  }

  /** Files under dirAbs matching prefix; sizes are -1 unless withSizes (one lstat each). */
  async #walk(dirAbs: string, dirRel: string, prefix: string, out: StorageEntry[], withSizes: boolean): Promise<void> {
    let entries: Dirent[];
    try {
      entries = await readdir(dirAbs, { withFileTypes: true });
    } catch (err) {
      if (errno(err) === 'ENOENT' || errno(err) === 'ENOTDIR') return; // deleted while listing
      throw err;
    }
    await Promise.all(
      entries.map(async (entry) => {
        const rel = dirRel === '' ? entry.name : `${dirRel}/${entry.name}`;
        const abs = join(dirAbs, entry.name);
        // Symlinks are skipped: we never create them, and one may lead outside the root.
        if (entry.isDirectory() && `${rel}/`.startsWith(prefix)) {
          await this.#walk(abs, rel, prefix, out, withSizes);
        } else if (entry.isFile() && rel.startsWith(prefix) && !TEMP_FILE.test(entry.name)) {
          if (!withSizes) {
            out.push({ path: rel, size: -1 });
            return;
          }
          try {
            out.push({ path: rel, size: (await lstat(abs)).size });
          } catch (err) {
            if (errno(err) !== 'ENOENT') throw err;
          }
        }
      }),
    );
  }

  /** The absolute path of a storage path, checked lexically to stay inside the root. */
  #lexical(path: string): string {
    const abs = resolve(this.root, ...checkPath(path).split('/'));
    if (!abs.startsWith(this.root + sep)) throw this.#escape(path);
    return abs;
  }

  /** The real path of abs (undefined when it or the root does not exist), inside the real root. */
  async #physical(abs: string, path: string, op: LocalOp): Promise<string | undefined> {
    try {
      const realRoot = await realpath(this.root);
      const real = await realpath(abs);
      if (real !== realRoot && !real.startsWith(realRoot + sep)) throw this.#escape(path);
      return real;
    } catch (err) {
      const code = errno(err);
      if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
      throw this.#error(err, op, path);
    }
  }

  /** Creates the root and the parent folders of abs, refusing a parent that leads outside. */
  async #prepareParent(abs: string, path: string): Promise<void> {
    // Not cached: the folder may be removed (or swapped for a symlink) between writes.
    let realRoot: string;
    try {
      await mkdir(this.root, { recursive: true });
      realRoot = await realpath(this.root);
    } catch (err) {
      throw localError(err, 'create', this.root);
    }
    // The nearest existing ancestor decides where mkdir would go: it must be inside the root.
    for (let dir = dirname(abs); ; dir = dirname(dir)) {
      let real: string;
      try {
        real = await realpath(dir);
      } catch (err) {
        if (errno(err) === 'ENOENT' && dir.startsWith(this.root + sep)) continue;
        throw this.#error(err, 'write', path);
      }
      if (real !== realRoot && !real.startsWith(realRoot + sep)) throw this.#escape(path);
      break;
    }
    for (let attempt = 1; ; attempt++) {
      try {
        await mkdir(dirname(abs), { recursive: true });
        return;
      } catch (err) {
        // A concurrent delete removed a folder mkdir had just made: make it again.
        if (attempt >= DEFAULT_WRITE_ATTEMPTS || !(await this.#raced(err, abs))) throw this.#error(err, 'write', path);
      }
    }
  }

  /**
   * True when err (ENOENT, ENOTDIR or EEXIST while creating abs or its folders) comes from a
   * concurrent delete removing a folder under us rather than from a stray file in the path:
   * no existing part of the path between the root and abs's folder is a non-folder.
   */
  async #raced(err: unknown, abs: string): Promise<boolean> {
    const code = errno(err);
    if (code !== 'ENOENT' && code !== 'ENOTDIR' && code !== 'EEXIST') return false;
    for (let dir = dirname(abs); dir.startsWith(this.root + sep); dir = dirname(dir)) {
      try {
        if (!(await lstat(dir)).isDirectory()) return false;
      } catch (e) {
        if (errno(e) !== 'ENOENT') return false;
      }
    }
    return true;
  }

  #error(err: unknown, op: LocalOp, path: string): PitrError {
    return localError(err, op, this.root, path);
  }

  #notFound(path: string): PitrError {
    return new PitrError(StorageErrorCode.NotFound, `${path} does not exist in the backup folder ${this.root}`, { path });
  }

  #escape(path: string): PitrError {
    return new PitrError(StorageErrorCode.PathEscape, `"${path}" leads outside the backup folder ${this.root} (through a symlink or ".."): it is refused`, { path });
  }
}

/** Makes a rename durable; some platforms cannot fsync a folder, which is then skipped. */
async function syncDir(dir: string): Promise<void> {
  try {
    const fh = await open(dir, 'r');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
  } catch {
    // best effort: Windows and some network file systems refuse to fsync a folder
  }
}
