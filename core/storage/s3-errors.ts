/**
 * AWS SDK errors turned into storage errors. The SDK's error objects are never passed on (they
 * hold the request, and a server may echo a key id): each message is written here, from the
 * error's code and status only, and any SDK text that is kept is scrubbed of every secret.
 */
import { PitrError } from '../errors.ts';
import { StorageErrorCode } from './storage.ts';
import { redactUrl } from './url.ts';

/** What the S3 backend was doing, and where, for the message. */
export interface S3ErrorContext {
  op: 'write' | 'read' | 'list' | 'delete' | 'exists';
  /** The storage path (or list prefix). */
  path: string;
  bucket: string;
  /** `s3://bucket/prefix`, without the query. */
  location: string;
  /** The endpoint as shown to the user (`http://127.0.0.1:9000`, or AWS's regional host). */
  endpoint: string;
  /** Every credential value in use: removed from any text that is kept. */
  secrets: readonly string[];
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH',
  'ENETUNREACH', 'EPIPE', 'ECONNABORTED', 'ERR_SOCKET_CONNECTION_TIMEOUT',
]);
const NETWORK_NAMES = new Set(['TimeoutError', 'RequestTimeout', 'RequestTimeoutException']);
const CREDENTIAL_CODES = new Set([
  'InvalidAccessKeyId', 'SignatureDoesNotMatch', 'AccessDenied', 'ExpiredToken', 'InvalidToken',
  'TokenRefreshRequired', 'InvalidSecurity', 'AllAccessDisabled',
]);
const REGION_CODES = new Set(['PermanentRedirect', 'AuthorizationHeaderMalformed', 'IllegalLocationConstraintException']);

interface SdkErrorShape {
  name?: string;
  code?: string;
  Code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
  errors?: unknown[];
  cause?: unknown;
}

/** The errno-style code of a network failure, looking through AggregateError and causes. */
function networkCode(err: unknown, depth = 0): string | undefined {
  if (depth > 3 || typeof err !== 'object' || err === null) return undefined;
  const e = err as SdkErrorShape;
  if (typeof e.code === 'string' && NETWORK_CODES.has(e.code)) return e.code;
  for (const inner of e.errors ?? []) {
    const found = networkCode(inner, depth + 1);
    if (found !== undefined) return found;
  }
  return networkCode(e.cause, depth + 1);
}

/** Replaces every secret in text with `***`. */
export function scrubSecrets(text: string, secrets: readonly string[]): string {
  let out = redactUrl(text);
  for (const secret of secrets) if (secret.length > 0) out = out.split(secret).join('***');
  return out;
}

/** The HTTP status of an SDK error, if it got a response. */
export function httpStatus(err: unknown): number | undefined {
  return (err as SdkErrorShape | null)?.$metadata?.httpStatusCode;
}

/** The S3 error code (`NoSuchKey`, ...) or the error's name. */
export function s3Code(err: unknown): string {
  const e = (err ?? {}) as SdkErrorShape;
  return e.Code ?? e.name ?? 'Unknown';
}

/** A PitrError for an SDK error of ctx.op on ctx.path. */
export function s3Error(err: unknown, ctx: S3ErrorContext): PitrError {
  if (err instanceof PitrError) return err;
  const code = s3Code(err);
  const status = httpStatus(err);
  // HEAD answers carry no body, hence no S3 code: show the HTTP status instead.
  const label = (code === 'Unknown' || code === 'UnknownError') && status !== undefined ? `HTTP ${status}` : code;
  const target = ctx.path === '' ? ctx.location : ctx.path;
  const details = { op: ctx.op, path: ctx.path, s3Code: code, ...(status === undefined ? {} : { httpStatus: status }) };
  const make = (errCode: string, message: string): PitrError =>
    new PitrError(errCode, scrubSecrets(message, ctx.secrets), details);
  const net = networkCode(err);
  if (net !== undefined || NETWORK_NAMES.has(code)) {
    return make(StorageErrorCode.Unavailable, `cannot reach S3 endpoint ${ctx.endpoint} (${net ?? code}): check endpoint= and that the server is running`);
  }
  if (code === 'CredentialsProviderError') {
    return make(
      StorageErrorCode.AccessDenied,
      'no S3 credentials were found: add access-key= and secret-access-key= to the URL, set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or save them in the app',
    );
  }
  if (code === 'NoSuchBucket') {
    return make(StorageErrorCode.NotFound, `bucket ${ctx.bucket} does not exist at ${ctx.endpoint}: create it, or fix the bucket name in the URL`);
  }
  if (code === 'NoSuchKey' || code === 'NotFound' || status === 404) {
    return make(StorageErrorCode.NotFound, `${target} does not exist in ${ctx.location}`);
  }
  if (CREDENTIAL_CODES.has(code) || status === 401 || status === 403) {
    return make(
      StorageErrorCode.AccessDenied,
      `the S3 credentials were refused by ${ctx.endpoint} (${label} on ${ctx.op} of ${target} in bucket ${ctx.bucket}): ` +
        'check access-key / secret-access-key and that they may read and write this bucket',
    );
  }
  if (REGION_CODES.has(code) || status === 301) {
    return make(StorageErrorCode.InvalidUrl, `bucket ${ctx.bucket} is not in the region the URL names (${label}): set region= to the bucket's region`);
  }
  if (status !== undefined && status >= 500) {
    return make(StorageErrorCode.Unavailable, `S3 endpoint ${ctx.endpoint} failed to ${ctx.op} ${target} (${label === code ? `${code}, ` : ''}HTTP ${status}): retry later, or check the server's health`);
  }
  const sdkMessage = (err as SdkErrorShape | null)?.message ?? String(err);
  return make(
    StorageErrorCode.Unavailable,
    `S3 ${ctx.op} of ${target} failed at ${ctx.endpoint} (${label}${status === undefined || label !== code ? '' : `, HTTP ${status}`}): ${sdkMessage.slice(0, 300)}`,
  );
}
