/**
 * The data-file codec shared by log backup and snapshot backup (format version 1, documented in
 * docs/format.md): a sorted run of MVCC entries, zstd-compressed, identified by the sha256 of
 * its plaintext so that a restore can verify every byte it applies.
 *
 * Entry layout (big-endian):
 *   u32 keyLen | key | u64 ts | u64 startTs | u8 type | u32 valueLen | value
 * For `write` entries ts is the commit ts, type is 'P' (put) or 'D' (delete) and value is the
 * short value (empty when the value lives in the default CF). For `default` entries ts and
 * startTs are the transaction's start ts, type is 'P' and value is the full value.
 */
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { PitrError } from '../errors.ts';
import { StorageErrorCode } from './storage.ts';

// zstd-napi is CommonJS with a native addon: load it through require.
const zstd = createRequire(import.meta.url)('zstd-napi') as {
  compress(b: Uint8Array, params?: Record<string, number>): Buffer;
  decompress(b: Uint8Array): Buffer;
};

/** The column families that backups carry (TiKV backs up only these two). */
export type BackupCf = 'default' | 'write';

/** One MVCC entry of a data file. */
export interface KvEntry {
  key: Buffer;
  ts: bigint;
  startTs: bigint;
  type: 'P' | 'D';
  value: Buffer;
}

/** The on-storage format version written by this build. */
export const FORMAT_VERSION = 1;
const HEADER = 4 + 8 + 8 + 1 + 4;

/** Encodes entries (in the given order) into a plaintext block. */
export function encodeEntries(entries: KvEntry[]): Buffer {
  let size = 0;
  for (const e of entries) size += HEADER + e.key.length + e.value.length;
  const out = Buffer.allocUnsafe(size);
  // DataView and TypedArray#set: Buffer's writeBigUInt64BE splits every ts with BigInt math.
  const v = new DataView(out.buffer, out.byteOffset, out.length);
  let o = 0;
  for (const e of entries) {
    v.setUint32(o, e.key.length);
    out.set(e.key, o + 4);
    o += 4 + e.key.length;
    v.setBigUint64(o, e.ts);
    v.setBigUint64(o + 8, e.startTs);
    out[o + 16] = e.type.charCodeAt(0);
    v.setUint32(o + 17, e.value.length);
    out.set(e.value, o + 21);
    o += 21 + e.value.length;
  }
  return out;
}

/** Decodes a plaintext block; a truncated or malformed block is an error naming `what`. */
export function decodeEntries(buf: Buffer, what = 'data file'): KvEntry[] {
  const out: KvEntry[] = [];
  let o = 0;
  const bad = () => new PitrError(StorageErrorCode.Corrupted, `${what} is corrupted (malformed entry at byte ${o}); the backup cannot be used as is`);
  while (o < buf.length) {
    if (o + 4 > buf.length) throw bad();
    const kl = buf.readUInt32BE(o);
    if (o + HEADER + kl > buf.length) throw bad();
    const key = buf.subarray(o + 4, o + 4 + kl);
    let p = o + 4 + kl;
    const ts = buf.readBigUInt64BE(p);
    const startTs = buf.readBigUInt64BE(p + 8);
    const t = String.fromCharCode(buf.readUInt8(p + 16));
    const vl = buf.readUInt32BE(p + 17);
    p += 21;
    if ((t !== 'P' && t !== 'D') || p + vl > buf.length) throw bad();
    out.push({ key, ts, startTs, type: t, value: buf.subarray(p, p + vl) });
    o = p + vl;
  }
  return out;
}

/** The sha256 of bytes, hex. */
export function sha256Hex(b: Uint8Array): string {
  return createHash('sha256').update(b).digest('hex');
}

// Level 3 is zstd's default: most of the ratio at a fraction of the CPU of higher levels.
const DEFAULT_ZSTD_LEVEL = 3;

/** zstd-compresses a block. */
export function compress(plain: Uint8Array): Buffer {
  return zstd.compress(plain, { compressionLevel: DEFAULT_ZSTD_LEVEL });
}

/** Decompresses a block, with a clear error when it is not zstd data. */
export function decompress(data: Uint8Array, what = 'data file'): Buffer {
  try {
    return zstd.decompress(data);
  } catch {
    throw new PitrError(StorageErrorCode.Corrupted, `${what} is corrupted (not valid zstd data); the backup cannot be used as is`);
  }
}

/** Decompresses a block and checks its plaintext against the recorded sha256. */
export function openBlock(data: Uint8Array, expectedSha256: string, what: string): Buffer {
  const plain = decompress(data, what);
  const got = sha256Hex(plain);
  if (got !== expectedSha256) {
    throw new PitrError(StorageErrorCode.Corrupted, `${what} failed its checksum (sha256 ${got.slice(0, 12)}…, expected ${expectedSha256.slice(0, 12)}…): the file was changed or damaged`, { expected: expectedSha256, actual: got });
  }
  return plain;
}

/** A 64-bit order-independent checksum of KVs (XOR of per-KV digests), like TiDB's crc64-xor. */
export function kvChecksum(acc: bigint, key: Uint8Array, value: Uint8Array): bigint {
  const h = createHash('sha256').update(key).update(value).digest();
  return acc ^ h.readBigUInt64BE(0);
}
