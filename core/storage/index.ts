/**
 * Opening backup storage: the backend is chosen by the URL's scheme from one explicit table
 * (as litestream's replica client registry), so adding a backend is one line here.
 */
import { randomBytes } from 'node:crypto';
import { PitrError } from '../errors.ts';
import { LocalStorage } from './local.ts';
import { S3Storage } from './s3.ts';
import { StorageErrorCode, type BackupStorage } from './storage.ts';
import { parseStorageUrl, resolveS3Credentials, type S3Credentials, type StorageUrl } from './url.ts';

export * from './storage.ts';
export { FaultyStorage, type FaultOp, type FaultOptions } from './faulty.ts';
export { LocalStorage } from './local.ts';
export { DEFAULT_MULTIPART_THRESHOLD, S3Storage } from './s3.ts';
export {
  parseStorageUrl,
  redactUrl,
  resolveS3Credentials,
  type LocalStorageUrl,
  type S3Credentials,
  type S3StorageUrl,
  type StorageUrl,
} from './url.ts';

/** Options of openStorage. */
export interface OpenStorageOptions {
  /** Credentials from the app's credential store, used when neither the URL nor the env has any. */
  credentials?: S3Credentials;
  /** Environment to read AWS_* credentials from (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** Folder that relative plain paths resolve against (default process.cwd()). */
  cwd?: string;
}

type Opener<S extends StorageUrl['scheme']> = (
  parsed: Extract<StorageUrl, { scheme: S }>,
  url: string,
  opts: OpenStorageOptions,
) => BackupStorage;

/** The backends, by URL scheme. */
const BACKENDS: { [S in StorageUrl['scheme']]: Opener<S> } = {
  local: (parsed) => new LocalStorage(parsed.root),
  s3: (parsed, url, opts) => {
    const credentials = resolveS3Credentials(parsed, opts.credentials, opts.env ?? process.env);
    return new S3Storage(parsed, credentials === undefined ? { url } : { url, credentials });
  },
};

/** Opens the backup storage a URL names (nothing is contacted until the first operation). */
export function openStorage(url: string, opts: OpenStorageOptions = {}): BackupStorage {
  const parsed = parseStorageUrl(url, opts.cwd);
  return (BACKENDS[parsed.scheme] as Opener<typeof parsed.scheme>)(parsed, url, opts);
}

/** Releases a storage's connections, if it holds any (S3's sockets). */
export function closeStorage(storage: BackupStorage): void {
  (storage as Partial<{ close(): void }>).close?.();
}

/** True for the error a backend gives for a missing file. */
export function isNotFound(err: unknown): boolean {
  return err instanceof PitrError && err.code === StorageErrorCode.NotFound;
}

/** Result of a successful connection test. */
export interface StorageTestResult {
  ok: true;
  /** Milliseconds for the whole write, read, list and delete round. */
  latency_ms: number;
}

/** Folder of the connection test's probe files. */
export const PROBE_FOLDER = '.pitr-probe';

/**
 * Connection test for the wizard: writes a small probe file, reads it back, lists it and
 * deletes it. Throws the backend's own error (with what to check) on any failure.
 */
export async function testStorage(storage: BackupStorage): Promise<StorageTestResult> {
  const started = performance.now();
  const name = randomBytes(8).toString('hex');
  const path = `${PROBE_FOLDER}/${name}`;
  const data = Buffer.from(`pitr-studio probe ${name}\n`);
  let written = false;
  try {
    await storage.write(path, data);
    written = true;
    const back = await storage.read(path);
    if (!back.equals(data)) {
      throw new PitrError(StorageErrorCode.Unavailable, `${storage.url} returned different bytes than were written to ${path}: the storage is not reliable`);
    }
    const listed = await storage.list(`${PROBE_FOLDER}/`);
    if (!listed.some((e) => e.path === path && e.size === data.length)) {
      throw new PitrError(StorageErrorCode.Unavailable, `${storage.url} does not list ${path} right after writing it: the storage is not consistent`);
    }
    await storage.delete(path);
    written = false;
    if (await storage.exists(path)) {
      throw new PitrError(StorageErrorCode.Unavailable, `${storage.url} still has ${path} after deleting it: the storage does not delete`);
    }
  } finally {
    if (written) await storage.delete(path).catch(() => undefined);
  }
  return { ok: true, latency_ms: Math.round(performance.now() - started) };
}
