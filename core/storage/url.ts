/**
 * Storage URLs, in br's forms: `local:///abs/path` (or a plain path, or `file:///abs/path`) and
 * `s3://bucket/prefix?endpoint=...&region=...&access-key=...&secret-access-key=...`. Anything
 * else is refused with a message naming what is supported. Error messages never quote a URL's
 * query (it may hold secrets); `redactUrl` gives the form that is safe to show.
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PitrError } from '../errors.ts';
import { checkPath, StorageErrorCode } from './storage.ts';

/** A local folder. */
export interface LocalStorageUrl {
  scheme: 'local';
  /** Absolute path of the backup folder. */
  root: string;
}

/** An S3 bucket (AWS or any S3-compatible server) and a key prefix inside it. */
export interface S3StorageUrl {
  scheme: 's3';
  bucket: string;
  /** Key prefix without leading or trailing `/` ('' for the bucket's root). */
  prefix: string;
  /** `http(s)://host[:port]` of an S3-compatible server; AWS when absent. */
  endpoint?: string;
  region: string;
  forcePathStyle: boolean;
  accessKey?: string;
  secretAccessKey?: string;
  sessionToken?: string;
}

/** A parsed storage URL. */
export type StorageUrl = LocalStorageUrl | S3StorageUrl;

/** The schemes we support (and `file`, an alias of `local`), for messages. */
export const SUPPORTED_SCHEMES = ['local', 's3'] as const;

// AWS's own default region; S3-compatible servers (MinIO, s3rver) accept any region.
/** Region used when the URL names none. */
export const DEFAULT_S3_REGION = 'us-east-1';

// br's default: S3-compatible servers (MinIO, Ceph, s3rver) need path-style addressing, and AWS
// still accepts it; `force-path-style=false` selects virtual-hosted addressing.
/** Whether path-style addressing is used when the URL does not say. */
export const DEFAULT_FORCE_PATH_STYLE = true;

const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//;
// S3's bucket naming rules (3-63 lowercase letters, digits, dots and hyphens).
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const REGION = /^[a-z0-9-]{1,64}$/;

// Query parameter names as br spells them (also with `_`), and the field each one sets.
const S3_PARAMS: Record<string, 'endpoint' | 'region' | 'forcePathStyle' | 'accessKey' | 'secretAccessKey' | 'sessionToken'> = {
  endpoint: 'endpoint',
  region: 'region',
  'force-path-style': 'forcePathStyle',
  'access-key': 'accessKey',
  'secret-access-key': 'secretAccessKey',
  'session-token': 'sessionToken',
};

// br options we deliberately do not implement: refused rather than silently ignored.
const BR_UNSUPPORTED_PARAMS = new Set([
  'storage-class', 'sse', 'sse-kms-key-id', 'acl', 'provider', 'use-accelerate-endpoint',
  'role-arn', 'external-id', 'object-lock-enabled',
]);

const SECRET_PARAM = /([?&](?:access[-_]key|secret[-_]access[-_]key|session[-_]token)=)[^&#]*/gi;

/** The URL with credential values replaced by `***` (safe for logs, errors and the UI). */
export function redactUrl(url: string): string {
  const out = url.replace(SECRET_PARAM, '$1***');
  // `scheme://user:secret@host/...`: a raw secret may itself hold `/`, so look up to the last
  // `@` before the query; a plain `@` in a path (no `:` before it) is left alone.
  const m = /^([A-Za-z][A-Za-z0-9+.-]*:\/\/)([^?#]*)@/.exec(out);
  if (m === null || m[1] === undefined || m[2] === undefined) return out;
  const userinfo = m[2];
  if (!userinfo.includes(':') && userinfo.includes('/')) return out;
  return `${m[1]}***@${out.slice(m[0].length)}`;
}

function invalid(message: string): PitrError {
  return new PitrError(StorageErrorCode.InvalidUrl, message);
}

/** Parses a storage URL (see the module doc); relative plain paths resolve against `cwd`. */
export function parseStorageUrl(url: string, cwd: string = process.cwd()): StorageUrl {
  const trimmed = url.trim();
  if (trimmed.length === 0) {
    throw invalid('the storage URL is empty: give a folder (local:///abs/path or a path) or s3://bucket/prefix');
  }
  const match = SCHEME.exec(trimmed);
  if (match === null) return { scheme: 'local', root: resolve(cwd, trimmed) };
  const scheme = (match[1] ?? '').toLowerCase();
  if (scheme === 'local' || scheme === 'file') return parseLocal(scheme, trimmed.slice(match[0].length));
  if (scheme === 's3') return parseS3(trimmed);
  throw new PitrError(
    StorageErrorCode.Unsupported,
    `${scheme}:// storage is not supported: PiTR Studio backs up to local:// folders or s3:// buckets ` +
      '(as TiDB PiTR supports S3 and shared file systems only)',
  );
}

function parseLocal(scheme: string, rest: string): LocalStorageUrl {
  let root: string;
  try {
    const parsed = new URL(`file://${rest}`);
    if (parsed.search !== '' || parsed.hash !== '') throw new Error('query');
    root = fileURLToPath(parsed);
  } catch {
    throw invalid(
      `a ${scheme}:// URL names an absolute folder with three slashes and no query, ` +
        `e.g. ${scheme}:///var/backups/pitr (or give a plain path)`,
    );
  }
  return { scheme: 'local', root: resolve(root) };
}

function parseS3(url: string): S3StorageUrl {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw invalid('the s3:// URL cannot be parsed: use s3://bucket/prefix?endpoint=...&region=...');
  }
  if (parsed.username !== '' || parsed.password !== '') {
    throw invalid('put S3 credentials in access-key= and secret-access-key=, not before the bucket name (s3://key:secret@bucket is not supported)');
  }
  const bucket = parsed.hostname;
  if (bucket === '') throw invalid('the s3:// URL names no bucket: use s3://bucket/prefix');
  if (parsed.port !== '') throw invalid(`s3://${bucket}:${parsed.port}: a bucket has no port; give the server as endpoint=http://host:port`);
  if (!BUCKET.test(bucket)) {
    throw invalid(`"${bucket}" is not a valid S3 bucket name: 3-63 lowercase letters, digits, dots and hyphens`);
  }
  // WHATWG URL parsing folds `a/../b` into `b`: check the raw path, so the prefix is as typed.
  const rawPath = url.slice(url.indexOf('//') + 2).split(/[?#]/)[0] ?? '';
  const out: S3StorageUrl = {
    scheme: 's3',
    bucket,
    prefix: parsePrefix(rawPath.slice(rawPath.indexOf('/') < 0 ? rawPath.length : rawPath.indexOf('/'))),
    region: DEFAULT_S3_REGION,
    forcePathStyle: DEFAULT_FORCE_PATH_STYLE,
  };
  const seen = new Set<string>();
  for (const [rawName, value] of parsed.searchParams) {
    const name = rawName.toLowerCase().replaceAll('_', '-');
    const field = S3_PARAMS[name];
    if (field === undefined) {
      const why = BR_UNSUPPORTED_PARAMS.has(name) ? 'is a br option PiTR Studio does not support' : 'is not a known s3:// parameter';
      // Name it only when it looks like an option name: a mistyped URL may carry a secret here.
      const shown = /^[a-z_-]{1,32}$/.test(rawName) ? `"${rawName}"` : 'a query parameter';
      throw invalid(`${shown} ${why}: use endpoint, region, force-path-style, access-key, secret-access-key, session-token`);
    }
    if (seen.has(field)) throw invalid(`"${rawName}" is given twice in the s3:// URL`);
    seen.add(field);
    if (field === 'endpoint') out.endpoint = parseEndpoint(value);
    else if (field === 'region') out.region = parseRegion(value);
    else if (field === 'forcePathStyle') out.forcePathStyle = parseBool(rawName, value);
    else if (value === '') throw invalid(`"${rawName}" is empty in the s3:// URL`);
    // A query decodes `+` as a space; AWS keys never hold spaces but secrets often hold `+`.
    else out[field] = value.replaceAll(' ', '+');
  }
  if ((out.accessKey === undefined) !== (out.secretAccessKey === undefined)) {
    throw invalid('the s3:// URL gives only one of access-key and secret-access-key: give both, or neither');
  }
  if (out.sessionToken !== undefined && out.accessKey === undefined) {
    throw invalid('session-token needs access-key and secret-access-key in the same s3:// URL');
  }
  return out;
}

function parsePrefix(pathname: string): string {
  let prefix: string;
  try {
    prefix = decodeURIComponent(pathname).replace(/^\/+/, '').replace(/\/+$/, '');
  } catch {
    throw invalid('the prefix of the s3:// URL has a bad %-escape');
  }
  if (prefix === '') return prefix;
  try {
    return checkPath(prefix);
  } catch {
    throw invalid(`"${prefix}" is not a valid prefix in the bucket: use a relative path without "..", "." or empty parts`);
  }
}

function parseEndpoint(value: string): string {
  let endpoint: URL;
  try {
    endpoint = new URL(value);
  } catch {
    throw invalid('endpoint= is not a URL: give the server as endpoint=http://host:port or https://host');
  }
  if (endpoint.protocol !== 'http:' && endpoint.protocol !== 'https:') {
    throw invalid('endpoint= must be an http:// or https:// URL, e.g. endpoint=http://127.0.0.1:9000');
  }
  if (endpoint.username !== '' || endpoint.password !== '') {
    throw invalid('endpoint= must not hold credentials: use access-key= and secret-access-key=');
  }
  if (endpoint.search !== '' || endpoint.hash !== '') throw invalid('endpoint= must not have a query: give http(s)://host[:port][/path]');
  return endpoint.href.replace(/\/+$/, '');
}

function parseRegion(value: string): string {
  if (!REGION.test(value)) throw invalid(`region= "${value.slice(0, 64)}" is not a region name (e.g. us-east-1)`);
  return value;
}

function parseBool(name: string, value: string): boolean {
  const v = value.toLowerCase();
  if (v === 'true' || v === '1' || v === '') return true;
  if (v === 'false' || v === '0') return false;
  throw invalid(`${name}= must be true or false`);
}

/** S3 credentials, as the SDK takes them. */
export interface S3Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** Where credentials came from, for the UI ("using credentials from the environment"). */
export type CredentialSource = 'url' | 'env' | 'app';

/**
 * Picks S3 credentials: the URL's, then AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY /
 * AWS_SESSION_TOKEN, then the app's credential store. Undefined when none are given (the SDK's
 * own chain, e.g. ~/.aws/credentials, is then used).
 */
export function resolveS3Credentials(
  url: S3StorageUrl,
  app?: S3Credentials,
  env: NodeJS.ProcessEnv = process.env,
): (S3Credentials & { source: CredentialSource }) | undefined {
  if (url.accessKey !== undefined && url.secretAccessKey !== undefined) {
    return withToken({ accessKeyId: url.accessKey, secretAccessKey: url.secretAccessKey }, url.sessionToken, 'url');
  }
  const envKey = env['AWS_ACCESS_KEY_ID'];
  const envSecret = env['AWS_SECRET_ACCESS_KEY'];
  if (envKey && envSecret) {
    return withToken({ accessKeyId: envKey, secretAccessKey: envSecret }, env['AWS_SESSION_TOKEN'] || undefined, 'env');
  }
  if (app !== undefined) return withToken({ accessKeyId: app.accessKeyId, secretAccessKey: app.secretAccessKey }, app.sessionToken, 'app');
  return undefined;
}

function withToken(c: S3Credentials, token: string | undefined, source: CredentialSource): S3Credentials & { source: CredentialSource } {
  return token === undefined ? { ...c, source } : { ...c, sessionToken: token, source };
}
