/**
 * Backup storage in an S3 bucket (AWS, or any S3-compatible server given by `endpoint=`), under a
 * key prefix. Large bodies go through a multipart upload; everything else is one request.
 */
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { PitrError } from '../errors.ts';
import { httpStatus, s3Code, s3Error, type S3ErrorContext } from './s3-errors.ts';
import {
  checkPath,
  checkPrefix,
  checkRange,
  checkFolder,
  comparePaths,
  type BackupStorage,
  type ByteRange,
  type FolderListing,
  type FolderListOptions,
  type StorageEntry,
} from './storage.ts';
import { redactUrl, type S3Credentials, type S3StorageUrl } from './url.ts';

// One PUT is one round trip and atomic, and cheaper than the 3+ requests of a multipart upload;
// past 8 MiB (the AWS CLI's multipart_threshold) a failed request would resend too much, so
// parts are sent (and retried) separately. S3's minimum part size is 5 MiB.
// S3's own page size: one request lists a thousand keys.
/** Keys per ListObjectsV2 request of listFolder. */
export const DEFAULT_LIST_PAGE_KEYS = 1000;
/** Bodies larger than this are uploaded in parts. */
export const DEFAULT_MULTIPART_THRESHOLD = 8 * 1024 * 1024;
// The AWS CLI's multipart_chunksize: few parts for our file sizes, little memory per part.
/** Size of each part of a multipart upload. */
export const DEFAULT_PART_SIZE = 8 * 1024 * 1024;
// Parts in flight at once: enough to fill a link, bounded memory (4 x 8 MiB).
/** Parallel part uploads of one multipart upload. */
export const DEFAULT_UPLOAD_CONCURRENCY = 4;
// Few attempts so that a down endpoint fails in well under a second instead of backing off long.
/** SDK attempts per request (first try included). */
export const DEFAULT_MAX_ATTEMPTS = 3;
// A TCP connect to a live S3 endpoint takes milliseconds; 5 s covers a slow VPN, not a dead host.
/** Connect timeout of one request. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;
// An idle socket for this long (no byte in either direction) means a stuck server.
/** Socket inactivity timeout of one request. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 60_000;

/** How an S3Storage is opened. */
export interface S3StorageOptions {
  /** The URL as given (it is redacted before being kept). */
  url: string;
  /** Resolved credentials; undefined lets the SDK use its own chain (e.g. ~/.aws/credentials). */
  credentials?: S3Credentials;
}

/** Backup storage under `prefix/` in an S3 bucket. */
export class S3Storage implements BackupStorage {
  /** The URL with credentials replaced by `***`. */
  readonly url: string;
  /** Bucket name. */
  readonly bucket: string;
  /** Key prefix ('' for the bucket's root). */
  readonly prefix: string;
  /** The endpoint as shown in messages. */
  readonly endpoint: string;
  #client: S3Client;
  #secrets: string[];
  // Set once the server answered 501 to If-None-Match: later writeIfAbsent calls skip it.
  #noConditionalPut = false;

  /** Opens the bucket named by a parsed s3:// URL. */
  constructor(parsed: S3StorageUrl, opts: S3StorageOptions) {
    this.url = redactUrl(opts.url);
    this.bucket = parsed.bucket;
    this.prefix = parsed.prefix;
    this.endpoint = parsed.endpoint ?? `https://s3.${parsed.region}.amazonaws.com`;
    const c = opts.credentials;
    this.#secrets = [parsed.accessKey, parsed.secretAccessKey, parsed.sessionToken, c?.accessKeyId, c?.secretAccessKey, c?.sessionToken]
      .filter((s): s is string => s !== undefined && s.length > 0);
    // The SDK warns on every client that Node 20 support ends; the lab pins Node 20 (and
    // Electron ships a newer one), so the warning is noise in CLI output and logs.
    process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';
    this.#client = new S3Client({
      region: parsed.region,
      forcePathStyle: parsed.forcePathStyle,
      ...(parsed.endpoint === undefined ? {} : { endpoint: parsed.endpoint }),
      ...(c === undefined ? {} : { credentials: c }),
      maxAttempts: DEFAULT_MAX_ATTEMPTS,
      // Without these the SDK sends streamed bodies as aws-chunked with trailing checksums, which
      // S3-compatible servers (s3rver, older MinIO) store with the chunk framing inside.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      requestHandler: { connectionTimeout: DEFAULT_CONNECT_TIMEOUT_MS, requestTimeout: DEFAULT_REQUEST_TIMEOUT_MS },
    });
  }

  /** Writes a whole object (multipart above DEFAULT_MULTIPART_THRESHOLD). */
  async write(path: string, data: Uint8Array): Promise<void> {
    const Key = this.#key(path);
    try {
      if (data.byteLength > DEFAULT_MULTIPART_THRESHOLD) {
        await new Upload({
          client: this.#client,
          params: { Bucket: this.bucket, Key, Body: data },
          partSize: DEFAULT_PART_SIZE,
          queueSize: DEFAULT_UPLOAD_CONCURRENCY,
          leavePartsOnError: false,
        }).done();
      } else {
        await this.#client.send(new PutObjectCommand({ Bucket: this.bucket, Key, Body: data, ContentLength: data.byteLength }));
      }
    } catch (err) {
      throw this.#error(err, 'write', path);
    }
  }

  /**
   * Creates an object only if absent. S3 (since 2024) honours `If-None-Match: *` atomically.
   * Servers that ignore it (s3rver, older MinIO) are covered only by the HeadObject before the
   * PUT: two writers racing between their HEAD and their PUT may both get true, the later PUT
   * winning. Good enough for a lab's single-host locks; not a distributed lock.
   */
  async writeIfAbsent(path: string, data: Uint8Array): Promise<boolean> {
    const Key = this.#key(path);
    if (await this.exists(path)) return false;
    try {
      await this.#client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key,
          Body: data,
          ContentLength: data.byteLength,
          ...(this.#noConditionalPut ? {} : { IfNoneMatch: '*' }),
        }),
      );
      return true;
    } catch (err) {
      const status = httpStatus(err);
      // 412: it exists; 409: another conditional write of this key is in flight.
      if (status === 412 || status === 409) return false;
      if (status === 501 && !this.#noConditionalPut) {
        this.#noConditionalPut = true;
        return this.writeIfAbsent(path, data);
      }
      throw this.#error(err, 'write', path);
    }
  }

  /** Reads a whole object or a byte range (a range past the end gives the bytes that exist). */
  async read(path: string, range?: ByteRange): Promise<Buffer> {
    const Key = this.#key(path);
    if (range !== undefined) {
      checkRange(range);
      if (range.length === 0) {
        if (!(await this.exists(path))) throw this.#error({ name: 'NotFound', $metadata: { httpStatusCode: 404 } }, 'read', path);
        return Buffer.alloc(0);
      }
    }
    try {
      const res = await this.#client.send(
        new GetObjectCommand({
          Bucket: this.bucket,
          Key,
          ...(range === undefined ? {} : { Range: `bytes=${range.offset}-${range.offset + range.length - 1}` }),
        }),
      );
      if (res.Body === undefined) return Buffer.alloc(0);
      const bytes = await res.Body.transformToByteArray();
      return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    } catch (err) {
      // 416: the range starts at or past the end (the object exists, or it would be a 404).
      if (range !== undefined && (s3Code(err) === 'InvalidRange' || httpStatus(err) === 416)) return Buffer.alloc(0);
      throw this.#error(err, 'read', path);
    }
  }

  /** Every object under the prefix whose path starts with prefix, sorted (follows pagination). */
  async list(prefix: string): Promise<StorageEntry[]> {
    checkPrefix(prefix);
    const base = this.prefix === '' ? '' : `${this.prefix}/`;
    const out: StorageEntry[] = [];
    let token: string | undefined;
    try {
      do {
        const res = await this.#client.send(
          new ListObjectsV2Command({ Bucket: this.bucket, Prefix: base + prefix, ...(token === undefined ? {} : { ContinuationToken: token }) }),
        );
        for (const obj of res.Contents ?? []) {
          const key = obj.Key;
          // Folder markers (`dir/`) made by other tools are not files.
          if (key === undefined || !key.startsWith(base) || key.endsWith('/')) continue;
          out.push({ path: key.slice(base.length), size: obj.Size ?? 0 });
        }
        token = res.IsTruncated === true ? res.NextContinuationToken : undefined;
      } while (token !== undefined);
    } catch (err) {
      throw this.#error(err, 'list', prefix);
    }
    return out.sort((a, b) => comparePaths(a.path, b.path));
  }

  /**
   * One folder's immediate children, sorted by name. Keys are listed in order and each child
   * folder is jumped over with StartAfter, so a folder holding 50,000 files costs one request;
   * not the '/' delimiter, which some S3-compatible servers (s3rver) answer without the
   * folders that hold only folders.
   */
  async listFolder(folder: string, opts: FolderListOptions = {}): Promise<FolderListing> {
    const rel = checkFolder(folder);
    const base = (this.prefix === '' ? '' : `${this.prefix}/`) + rel;
    const limit = opts.limit ?? Number.POSITIVE_INFINITY;
    const folders: string[] = [];
    const files: StorageEntry[] = [];
    // Past every key under `name/`: U+10FFFF sorts after any other character in UTF-8.
    const pastFolder = (name: string): string => `${base}${name}/\u{10FFFF}`;
    let startAfter = opts.after === undefined ? undefined : base + opts.after;
    let truncated = false;
    try {
      for (;;) {
        const res = await this.#client.send(
          new ListObjectsV2Command({ Bucket: this.bucket, Prefix: base, MaxKeys: DEFAULT_LIST_PAGE_KEYS, ...(startAfter === undefined ? {} : { StartAfter: startAfter }) }),
        );
        const keys = (res.Contents ?? []).map((o) => ({ key: o.Key ?? '', size: o.Size ?? 0 })).filter((o) => o.key.startsWith(base) && o.key.length > base.length);
        let jumped = false;
        for (const { key, size } of keys) {
          const rest = key.slice(base.length);
          const cut = rest.indexOf('/');
          const name = cut < 0 ? rest : rest.slice(0, cut);
          if (opts.after !== undefined && comparePaths(name, opts.after) <= 0) {
            if (cut < 0 || name !== opts.after) continue;
            startAfter = pastFolder(name); // the folder named by `after`: skip its keys
            jumped = true;
            break;
          }
          if (cut >= 0 && folders.at(-1) === name) continue;
          if (cut < 0 && key.endsWith('/')) continue; // a folder marker made by another tool
          if (folders.length + files.length >= limit) {
            truncated = true;
            break;
          }
          if (cut < 0) {
            files.push({ path: rel + name, size });
            continue;
          }
          folders.push(name);
          // Jump over the rest of this folder's keys in one request.
          startAfter = pastFolder(name);
          jumped = true;
          break;
        }
        if (truncated) break;
        if (!jumped) {
          if (res.IsTruncated !== true || keys.length === 0) break;
          startAfter = keys.at(-1)!.key;
        }
      }
    } catch (err) {
      throw this.#error(err, 'list', folder);
    }
    return { folders, files, truncated };
  }

  /** Deletes an object; a missing one is fine. */
  async delete(path: string): Promise<void> {
    const Key = this.#key(path);
    try {
      await this.#client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key }));
    } catch (err) {
      if (s3Code(err) === 'NoSuchKey') return;
      throw this.#error(err, 'delete', path);
    }
  }

  /** True when the object exists. */
  async exists(path: string): Promise<boolean> {
    const Key = this.#key(path);
    try {
      await this.#client.send(new HeadObjectCommand({ Bucket: this.bucket, Key }));
      return true;
    } catch (err) {
      const code = s3Code(err);
      if (code !== 'NoSuchBucket' && (code === 'NotFound' || code === 'NoSuchKey' || httpStatus(err) === 404)) return false;
      throw this.#error(err, 'exists', path);
    }
  }

  /** Closes the client's idle sockets. */
  close(): void {
    this.#client.destroy();
  }

  #key(path: string): string {
    checkPath(path);
    return this.prefix === '' ? path : `${this.prefix}/${path}`;
  }

  #error(err: unknown, op: S3ErrorContext['op'], path: string): PitrError {
    return s3Error(err, {
      op,
      path,
      bucket: this.bucket,
      location: `s3://${this.bucket}/${this.prefix}`,
      endpoint: this.endpoint,
      secrets: this.#secrets,
    });
  }
}

