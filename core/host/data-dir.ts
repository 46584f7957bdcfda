/**
 * The host's data dir: the access token (mode 0600), `host.json` (where a running host
 * listens), and `clusters/<name>/`. Shared by the host and the CLI.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir, platform } from 'node:os';
import { join, resolve } from 'node:path';
import { ErrorCode, PitrError } from '../errors.ts';

/** The per-user app data dir, the same folder Electron's userData uses for "PiTR Studio". */
export function defaultDataDir(): string {
  const home = homedir();
  if (platform() === 'darwin') return join(home, 'Library', 'Application Support', 'PiTR Studio');
  if (platform() === 'win32') return join(process.env.APPDATA ?? join(home, 'AppData', 'Roaming'), 'PiTR Studio');
  return join(process.env.XDG_CONFIG_HOME ?? join(home, '.config'), 'PiTR Studio');
}

/** The data dir: --data-dir, else PITR_DATA_DIR, else the per-user app data dir. */
export function resolveDataDir(flag?: string): string {
  return resolve(flag ?? process.env.PITR_DATA_DIR ?? defaultDataDir());
}

/** The token file's path. */
export function tokenPath(dataDir: string): string {
  return join(dataDir, 'token');
}

/** Reads the host's token, creating it (0600) when absent. */
export function ensureToken(dataDir: string): string {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const p = tokenPath(dataDir);
  if (!existsSync(p)) writeFileSync(p, randomBytes(32).toString('hex') + '\n', { mode: 0o600, flag: 'wx' });
  // A token readable by others would let any local user drive the host: keep it 0600.
  if ((statSync(p).mode & 0o077) !== 0) chmodSync(p, 0o600);
  return readFileSync(p, 'utf8').trim();
}

/** Reads the token for a client; a clear error when there is none. */
export function readToken(dataDir: string): string {
  const p = tokenPath(dataDir);
  if (!existsSync(p)) {
    throw new PitrError(ErrorCode.Unauthorized, `no access token at ${p}: start a host with \`pitr server --data-dir ${dataDir}\` (or \`npm start\`), or point --data-dir / PITR_DATA_DIR at the host's data dir`);
  }
  return readFileSync(p, 'utf8').trim();
}

/** What host.json records about a running host. */
export interface HostFile {
  url: string;
  pid: number;
  started_at: string;
}

/** The host.json path. */
export function hostFilePath(dataDir: string): string {
  return join(dataDir, 'host.json');
}

/** The running host of a data dir, or null (a stale file of a dead process counts as none). */
export function readHostFile(dataDir: string): HostFile | null {
  const p = hostFilePath(dataDir);
  if (!existsSync(p)) return null;
  try {
    const h = JSON.parse(readFileSync(p, 'utf8')) as HostFile;
    process.kill(h.pid, 0);
    return h;
  } catch {
    return null;
  }
}

/** Records the running host. */
export function writeHostFile(dataDir: string, h: HostFile): void {
  writeFileSync(hostFilePath(dataDir), JSON.stringify(h) + '\n', { mode: 0o600 });
}

/** Removes host.json if it is ours. */
export function removeHostFile(dataDir: string, pid: number): void {
  const p = hostFilePath(dataDir);
  try {
    const h = JSON.parse(readFileSync(p, 'utf8')) as HostFile;
    if (h.pid === pid) rmSync(p, { force: true });
  } catch {
    // already gone
  }
}
