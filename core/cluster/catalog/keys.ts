/**
 * TiDB's key encoding (pingcap/tidb `tablecodec`, `util/codec`, `structure`). Every encoding
 * here is memcomparable: the stores keep keys as SQLite BLOBs compared with memcmp, so byte
 * order must be exactly the logical order (ints by value, strings lexicographically).
 */
import { PitrError, ErrorCode } from '../../errors.ts';

/** A table id, index id or handle; numbers must be safe integers. */
export type IntLike = bigint | number;
/** A value that can appear in an index key. */
export type IndexValue = bigint | number | string | Buffer;
/** A half-open key range [start, end); an empty `end` means +infinity. */
export interface KeyRange {
  start: Buffer;
  end: Buffer;
}
/** What a key is, as told by its prefix. */
export type DecodedKey =
  | { kind: 'meta'; name: string; field?: string }
  | { kind: 'row'; tableId: number; handle: bigint }
  | { kind: 'index'; tableId: number; indexId: number; values?: Array<bigint | Buffer> }
  | { kind: 'table'; tableId: number }
  | { kind: 'user'; userKey: Buffer }
  | { kind: 'unknown' };

/** codec flag for memcomparable bytes (TiDB `bytesFlag`). */
export const BYTES_FLAG = 0x01;
/** codec flag for comparable int64 (TiDB `intFlag`). */
export const INT_FLAG = 0x03;

const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;
const SIGN_MASK = 1n << 63n;
const GROUP = 8;
const MARKER = 0xff;
const TABLE_PREFIX = Buffer.from('t');
const RECORD_SEP = Buffer.from('_r');
const INDEX_SEP = Buffer.from('_i');
const META_PREFIX = Buffer.from('m');
const USER_PREFIX = Buffer.from('u');
const HASH_FLAG = 0x68; // 'h'
const STRING_FLAG = 0x73; // 's'

const isSafe = (v: bigint): boolean => v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER);

function invalid(message: string): PitrError {
  return new PitrError(ErrorCode.InvalidArgument, message);
}

/** Converts a bigint or safe-integer number to a bigint in int64 range, or throws. */
export function toInt64(n: IntLike): bigint {
  if (typeof n === 'number' && !Number.isSafeInteger(n)) {
    throw invalid(`${n} is not a safe integer; pass a bigint for ids beyond 2^53`);
  }
  const v = BigInt(n);
  if (v < INT64_MIN || v > INT64_MAX) throw invalid(`${v} does not fit in int64`);
  return v;
}

/** codec.EncodeInt: 8 bytes big-endian with the sign bit flipped, so negatives sort first. */
export function encodeInt64(n: IntLike): Buffer {
  const buf = Buffer.alloc(8);
  buf.writeBigUInt64BE(BigInt.asUintN(64, toInt64(n)) ^ SIGN_MASK);
  return buf;
}

/** codec.DecodeInt: reads 8 bytes at `offset` written by encodeInt64. */
export function decodeInt64(buf: Buffer, offset = 0): bigint {
  if (offset < 0 || offset + 8 > buf.length) throw invalid(`need 8 bytes at offset ${offset} to decode an int64`);
  return BigInt.asIntN(64, buf.readBigUInt64BE(offset) ^ SIGN_MASK);
}

/** codec.EncodeBytes: 8-byte groups padded with 0x00, each followed by 0xFF - padCount. */
export function encodeBytesMemcomparable(b: Buffer): Buffer {
  // An input of length 8k still gets a final all-padding group, which makes the form prefix-free.
  const groups = Math.floor(b.length / GROUP) + 1;
  const out = Buffer.alloc(groups * (GROUP + 1));
  for (let g = 0; g < groups; g++) {
    const start = g * GROUP;
    const n = Math.min(GROUP, b.length - start);
    b.copy(out, g * (GROUP + 1), start, start + n);
    out[g * (GROUP + 1) + GROUP] = MARKER - (GROUP - n);
  }
  return out;
}

/** codec.DecodeBytes: decodes one memcomparable byte string at `offset`; `next` follows it. */
export function decodeBytesMemcomparable(buf: Buffer, offset = 0): { value: Buffer; next: number } {
  const parts: Buffer[] = [];
  for (let pos = offset; ; pos += GROUP + 1) {
    if (pos + GROUP + 1 > buf.length) throw invalid(`truncated memcomparable bytes at offset ${pos}`);
    const marker = buf[pos + GROUP] as number;
    const pad = MARKER - marker;
    if (pad > GROUP) throw invalid(`bad memcomparable group marker 0x${marker.toString(16)} at offset ${pos + GROUP}`);
    const real = GROUP - pad;
    for (let i = real; i < GROUP; i++) {
      if (buf[pos + i] !== 0) throw invalid(`non-zero padding in memcomparable bytes at offset ${pos + i}`);
    }
    parts.push(buf.subarray(pos, pos + real));
    if (pad > 0) return { value: Buffer.concat(parts), next: pos + GROUP + 1 };
  }
}

/** tablecodec: 't' + int64(tableId), the prefix of every key of the table. */
export function tablePrefix(tableId: IntLike): Buffer {
  return Buffer.concat([TABLE_PREFIX, encodeInt64(tableId)]);
}

/** 't' + int64(tableId) + '_r', the prefix of the table's row keys. */
export function recordPrefix(tableId: IntLike): Buffer {
  return Buffer.concat([tablePrefix(tableId), RECORD_SEP]);
}

/** The key of the row with an integer handle. */
export function rowKey(tableId: IntLike, handle: IntLike): Buffer {
  return Buffer.concat([recordPrefix(tableId), encodeInt64(handle)]);
}

/** 't' + int64(tableId) + '_i' + int64(indexId), the prefix of one index's entries. */
export function indexPrefix(tableId: IntLike, indexId: IntLike): Buffer {
  return Buffer.concat([tablePrefix(tableId), INDEX_SEP, encodeInt64(indexId)]);
}

/** codec.EncodeKey for one datum: a type flag, then the comparable form of the value. */
export function encodeIndexValue(v: IndexValue): Buffer {
  if (typeof v === 'bigint' || typeof v === 'number') return Buffer.concat([Buffer.of(INT_FLAG), encodeInt64(v)]);
  const bytes = typeof v === 'string' ? Buffer.from(v, 'utf8') : v;
  return Buffer.concat([Buffer.of(BYTES_FLAG), encodeBytesMemcomparable(bytes)]);
}

/** An index entry key; pass `handle` for non-unique indexes, where TiDB appends it to keep keys distinct. */
export function indexKey(tableId: IntLike, indexId: IntLike, values: IndexValue[], handle?: IntLike): Buffer {
  const parts = [indexPrefix(tableId, indexId), ...values.map(encodeIndexValue)];
  if (handle !== undefined) parts.push(encodeIndexValue(toInt64(handle)));
  return Buffer.concat(parts);
}

/** Decodes the datums of an index key suffix (a non-unique index's handle is the last one). */
export function decodeIndexValues(buf: Buffer, offset = 0): Array<bigint | Buffer> {
  const out: Array<bigint | Buffer> = [];
  for (let pos = offset; pos < buf.length; ) {
    const flag = buf[pos] as number;
    if (flag === INT_FLAG) {
      out.push(decodeInt64(buf, pos + 1));
      pos += 9;
      continue;
    }
    if (flag !== BYTES_FLAG) throw invalid(`unsupported datum flag 0x${flag.toString(16)} at offset ${pos}`);
    const { value, next } = decodeBytesMemcomparable(buf, pos + 1);
    out.push(value);
    pos = next;
  }
  return out;
}

/** Every key of a table: ['t'+id, 't'+(id+1)). */
export function tableRange(tableId: IntLike): KeyRange {
  const id = toInt64(tableId);
  // The last possible table has no successor id; its prefix's successor bounds it instead.
  const end = id === INT64_MAX ? prefixNext(tablePrefix(id)) : tablePrefix(id + 1n);
  return { start: tablePrefix(id), end };
}

/** Every row key of a table: [recordPrefix, prefixNext(recordPrefix)). */
export function recordRange(tableId: IntLike): KeyRange {
  const start = recordPrefix(tableId);
  return { start, end: prefixNext(start) };
}

/** Every entry of one index. */
export function indexRange(tableId: IntLike, indexId: IntLike): KeyRange {
  const start = indexPrefix(tableId, indexId);
  return { start, end: prefixNext(start) };
}

/**
 * A schema key, shaped like TiDB's structure hash/string keys but with a one-byte type flag
 * (TiDB writes the flag as a uint64): 'm' + bytes(name) + ('h' + bytes(field) | 's').
 */
export function metaKey(name: string, field?: string): Buffer {
  const head = Buffer.concat([META_PREFIX, encodeBytesMemcomparable(Buffer.from(name, 'utf8'))]);
  if (field === undefined) return Buffer.concat([head, Buffer.of(STRING_FLAG)]);
  return Buffer.concat([head, Buffer.of(HASH_FLAG), encodeBytesMemcomparable(Buffer.from(field, 'utf8'))]);
}

/** The inverse of metaKey; throws InvalidArgument on anything else. */
export function decodeMetaKey(key: Buffer): { name: string; field?: string } {
  if (key[0] !== META_PREFIX[0]) throw invalid(`not a meta key: ${escapeKey(key)}`);
  const { value: name, next } = decodeBytesMemcomparable(key, 1);
  const flag = key[next];
  if (flag === STRING_FLAG && next + 1 === key.length) return { name: name.toString('utf8') };
  if (flag === HASH_FLAG) {
    const f = decodeBytesMemcomparable(key, next + 1);
    if (f.next === key.length) return { name: name.toString('utf8'), field: f.value.toString('utf8') };
  }
  throw invalid(`malformed meta key: ${escapeKey(key)}`);
}

/** A CLI user key: 'u' + raw bytes, outside (and after) the 'm' and 't' key spaces. */
export function userKey(k: Buffer | string): Buffer {
  return Buffer.concat([USER_PREFIX, typeof k === 'string' ? Buffer.from(k, 'utf8') : k]);
}

/** True when the encoded key lies in the user key space. */
export function isUserKey(key: Buffer): boolean {
  return key.length >= 1 && key[0] === USER_PREFIX[0];
}

/** Strips the 'u' prefix of a user key; throws InvalidArgument for other keys. */
export function userKeyFromEncoded(key: Buffer): Buffer {
  if (!isUserKey(key)) throw invalid(`not a user key: ${escapeKey(key)}`);
  return key.subarray(1);
}

/** The whole user key space ['u', 'v'); shared Buffers, so do not mutate them. */
export const USER_KEY_RANGE: Readonly<KeyRange> = Object.freeze({ start: Buffer.from('u'), end: Buffer.from('v') });

/** Classifies a key by its prefix; never throws (malformed keys are 'unknown' or 'table'). */
export function decodeKey(key: Buffer): DecodedKey {
  const first = key[0];
  if (first === META_PREFIX[0]) {
    try {
      return { kind: 'meta', ...decodeMetaKey(key) };
    } catch {
      return { kind: 'unknown' };
    }
  }
  if (isUserKey(key)) return { kind: 'user', userKey: userKeyFromEncoded(key) };
  if (first !== TABLE_PREFIX[0] || key.length < 9) return { kind: 'unknown' };
  const id = decodeInt64(key, 1);
  if (!isSafe(id)) return { kind: 'unknown' };
  const tableId = Number(id);
  const sep = key.subarray(9, 11);
  if (sep.equals(RECORD_SEP) && key.length === 19) return { kind: 'row', tableId, handle: decodeInt64(key, 11) };
  if (sep.equals(INDEX_SEP) && key.length >= 19 && isSafe(decodeInt64(key, 11))) {
    const out: Extract<DecodedKey, { kind: 'index' }> = { kind: 'index', tableId, indexId: Number(decodeInt64(key, 11)) };
    try {
      out.values = decodeIndexValues(key, 19);
    } catch {
      // Values that are not ours to decode still leave the key identifiable as an index entry.
    }
    return out;
  }
  return { kind: 'table', tableId };
}

/** Printable form of a key: printable ASCII as is, `\\` and `\"` escaped, other bytes as uppercase `\xHH`. */
export function escapeKey(key: Buffer): string {
  let s = '';
  for (const c of key) {
    if (c === 0x5c) s += '\\\\';
    else if (c === 0x22) s += '\\"';
    else if (c >= 0x20 && c < 0x7f) s += String.fromCharCode(c);
    else s += '\\x' + c.toString(16).toUpperCase().padStart(2, '0');
  }
  return s;
}

/** The inverse of escapeKey (hex digits of either case); throws InvalidArgument on malformed escapes. */
export function unescapeKey(s: string): Buffer {
  const out: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const code = s.charCodeAt(i);
    if (code < 0x20 || code >= 0x7f) {
      throw invalid(`character ${JSON.stringify(s[i])} at position ${i} must be written as \\xHH (UTF-8 bytes)`);
    }
    const next = s[i + 1];
    if (code !== 0x5c) out.push(code);
    else if (next === '\\' || next === '"') out.push(s.charCodeAt(++i));
    else if (next === 'x' && /^[0-9a-fA-F]{2}$/.test(s.slice(i + 2, i + 4))) {
      out.push(parseInt(s.slice(i + 2, i + 4), 16));
      i += 3;
    } else {
      throw invalid(`malformed escape at position ${i} in ${JSON.stringify(s)}: use \\\\, \\" or \\xHH`);
    }
  }
  return Buffer.from(out);
}

/** The smallest key greater than every key with this prefix; empty (+infinity) if none exists. */
export function prefixNext(key: Buffer): Buffer {
  // Trailing 0xFF bytes cannot be incremented; dropping them gives the smallest successor.
  let i = key.length - 1;
  while (i >= 0 && key[i] === 0xff) i--;
  if (i < 0) return Buffer.alloc(0);
  const out = Buffer.from(key.subarray(0, i + 1));
  out[i] = (out[i] as number) + 1;
  return out;
}

/** Byte order, which is key order. */
export function compareKeys(a: Buffer, b: Buffer): number {
  return Buffer.compare(a, b);
}

/** start <= key < end, where an empty `end` means +infinity (TiKV's last region). */
export function keyInRange(key: Buffer, start: Buffer, end: Buffer): boolean {
  return Buffer.compare(key, start) >= 0 && (end.length === 0 || Buffer.compare(key, end) < 0);
}
