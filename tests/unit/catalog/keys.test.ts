import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PitrError, ErrorCode } from '../../../core/errors.ts';
import {
  encodeInt64,
  decodeInt64,
  encodeBytesMemcomparable,
  decodeBytesMemcomparable,
  tablePrefix,
  recordPrefix,
  rowKey,
  indexPrefix,
  indexKey,
  decodeIndexValues,
  tableRange,
  recordRange,
  indexRange,
  metaKey,
  decodeMetaKey,
  userKey,
  userKeyFromEncoded,
  isUserKey,
  USER_KEY_RANGE,
  decodeKey,
  escapeKey,
  unescapeKey,
  prefixNext,
  compareKeys,
  keyInRange,
} from '../../../core/cluster/catalog/keys.ts';

// Seeded so a failure reproduces; mulberry32.
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomBytes(r: () => number, maxLen: number, alphabet?: number[]): Buffer {
  const len = Math.floor(r() * (maxLen + 1));
  const b = Buffer.alloc(len);
  for (let i = 0; i < len; i++) {
    b[i] = alphabet ? (alphabet[Math.floor(r() * alphabet.length)] as number) : Math.floor(r() * 256);
  }
  return b;
}

const isInvalidArgument = (err: unknown): boolean =>
  err instanceof PitrError && err.code === ErrorCode.InvalidArgument;

test('rowKey(1, 1) has TiDB bytes', () => {
  assert.equal(rowKey(1, 1).toString('hex'), '7480000000000000015f728000000000000001');
  assert.equal(rowKey(1n, 1n).toString('hex'), '7480000000000000015f728000000000000001');
  assert.equal(tablePrefix(1).toString('hex'), '748000000000000001');
  assert.equal(recordPrefix(1).toString('hex'), '7480000000000000015f72');
  assert.equal(indexPrefix(1, 2).toString('hex'), '7480000000000000015f698000000000000002');
});

test('encodeInt64 known bytes and round trip at extremes', () => {
  assert.equal(encodeInt64(0n).toString('hex'), '8000000000000000');
  assert.equal(encodeInt64(-1n).toString('hex'), '7fffffffffffffff');
  assert.equal(encodeInt64(-(1n << 63n)).toString('hex'), '0000000000000000');
  assert.equal(encodeInt64((1n << 63n) - 1n).toString('hex'), 'ffffffffffffffff');
  for (const v of [0n, 1n, -1n, 255n, -256n, -(1n << 63n), (1n << 63n) - 1n, 123456789012345n]) {
    assert.equal(decodeInt64(encodeInt64(v)), v);
    assert.equal(decodeInt64(Buffer.concat([Buffer.from('xx'), encodeInt64(v)]), 2), v);
  }
  assert.throws(() => encodeInt64(1n << 63n), isInvalidArgument);
  assert.throws(() => encodeInt64(2 ** 60), isInvalidArgument);
  assert.throws(() => encodeInt64(1.5), isInvalidArgument);
  assert.throws(() => decodeInt64(Buffer.alloc(7)), isInvalidArgument);
});

test('encodeInt64 byte order equals numeric order across the sign', () => {
  const r = rng(1);
  const values: bigint[] = [-(1n << 63n), (1n << 63n) - 1n, 0n, -1n, 1n, -2n, 2n];
  for (let i = 0; i < 300; i++) {
    const hi = BigInt(Math.floor(r() * 2 ** 31)) << 32n;
    const v = BigInt.asIntN(64, hi | BigInt(Math.floor(r() * 2 ** 32)));
    values.push(v, BigInt(Math.floor((r() - 0.5) * 2000)));
  }
  const byValue = [...values].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const byBytes = [...values].sort((a, b) => compareKeys(encodeInt64(a), encodeInt64(b)));
  assert.deepEqual(byBytes, byValue);
});

test('memcomparable bytes: known encodings and round trip for boundary lengths', () => {
  assert.equal(encodeBytesMemcomparable(Buffer.alloc(0)).toString('hex'), '0000000000000000f7');
  assert.equal(encodeBytesMemcomparable(Buffer.from('a')).toString('hex'), '6100000000000000f8');
  assert.equal(
    encodeBytesMemcomparable(Buffer.from('12345678')).toString('hex'),
    '3132333435363738ff' + '0000000000000000f7',
  );
  const r = rng(2);
  for (const len of [0, 1, 7, 8, 9, 16]) {
    const b = Buffer.alloc(len);
    for (let i = 0; i < len; i++) b[i] = Math.floor(r() * 256);
    const enc = encodeBytesMemcomparable(b);
    assert.equal(enc.length, (Math.floor(len / 8) + 1) * 9, `length ${len}`);
    const tail = Buffer.from('tail');
    const { value, next } = decodeBytesMemcomparable(Buffer.concat([Buffer.from('p'), enc, tail]), 1);
    assert.deepEqual(value, b, `round trip of length ${len}`);
    assert.equal(next, 1 + enc.length);
  }
});

test('memcomparable bytes: encoding order equals plain byte order on random inputs', () => {
  const r = rng(3);
  const inputs: Buffer[] = [];
  // A tiny alphabet with 0x00/0xFF makes shared prefixes and padding-like bytes common.
  for (let i = 0; i < 400; i++) inputs.push(randomBytes(r, 20, i % 2 ? [0x00, 0x01, 0xff] : undefined));
  const plain = [...inputs].sort(Buffer.compare).map((b) => b.toString('hex'));
  const encoded = [...inputs]
    .sort((a, b) => Buffer.compare(encodeBytesMemcomparable(a), encodeBytesMemcomparable(b)))
    .map((b) => b.toString('hex'));
  assert.deepEqual(encoded, plain);
  for (const b of inputs) assert.deepEqual(decodeBytesMemcomparable(encodeBytesMemcomparable(b)).value, b);
});

test('memcomparable bytes: malformed input is rejected', () => {
  assert.throws(() => decodeBytesMemcomparable(Buffer.from('0000000000000000', 'hex')), isInvalidArgument);
  assert.throws(() => decodeBytesMemcomparable(Buffer.from('000000000000000000f6', 'hex'), 1), isInvalidArgument);
  assert.throws(() => decodeBytesMemcomparable(Buffer.from('6100000000000001f8', 'hex')), isInvalidArgument);
  assert.throws(() => decodeBytesMemcomparable(Buffer.from('3132333435363738ff', 'hex')), isInvalidArgument);
});

test('indexKey encodes datums with TiDB flags and appends the handle for non-unique indexes', () => {
  const unique = indexKey(1, 2, [5]);
  assert.equal(unique.toString('hex'), indexPrefix(1, 2).toString('hex') + '03' + '8000000000000005');
  const nonUnique = indexKey(1, 2, ['a', Buffer.from([0xff])], 7n);
  assert.equal(
    nonUnique.toString('hex'),
    indexPrefix(1, 2).toString('hex') + '01' + '6100000000000000f8' + '01' + 'ff00000000000000f8' + '03' + '8000000000000007',
  );
  assert.deepEqual(decodeIndexValues(nonUnique, 19), [Buffer.from('a'), Buffer.from([0xff]), 7n]);
  // Index entries sort by value, then by handle.
  const keys = [indexKey(1, 2, ['b'], 1), indexKey(1, 2, ['a'], 9), indexKey(1, 2, ['ab'], 0), indexKey(1, 2, ['a'], -3)];
  const sorted = [...keys].sort(compareKeys).map((k) => decodeIndexValues(k, 19));
  assert.deepEqual(sorted, [
    [Buffer.from('a'), -3n],
    [Buffer.from('a'), 9n],
    [Buffer.from('ab'), 0n],
    [Buffer.from('b'), 1n],
  ]);
});

test('table, record and index ranges cover exactly their keys', () => {
  const t = tableRange(5);
  assert.deepEqual(t.start, tablePrefix(5));
  assert.deepEqual(t.end, tablePrefix(6));
  const inside = [rowKey(5, -(1n << 63n)), rowKey(5, (1n << 63n) - 1n), indexKey(5, 1, ['zz'], 3), tablePrefix(5)];
  for (const k of inside) assert.ok(keyInRange(k, t.start, t.end), escapeKey(k));
  for (const k of [rowKey(4, (1n << 63n) - 1n), rowKey(6, 0), tablePrefix(6)]) assert.ok(!keyInRange(k, t.start, t.end));
  const rr = recordRange(5);
  assert.ok(keyInRange(rowKey(5, -1), rr.start, rr.end));
  assert.ok(keyInRange(rowKey(5, (1n << 63n) - 1n), rr.start, rr.end));
  assert.ok(!keyInRange(indexKey(5, 1, [1]), rr.start, rr.end));
  const ir = indexRange(5, 1);
  assert.ok(keyInRange(indexKey(5, 1, [1], 2), ir.start, ir.end));
  assert.ok(!keyInRange(indexKey(5, 2, [1], 2), ir.start, ir.end));
  // The last possible table still gets a finite, correct end.
  const last = tableRange((1n << 63n) - 1n);
  assert.ok(keyInRange(rowKey((1n << 63n) - 1n, 1), last.start, last.end));
});

test('decodeKey recognises every kind', () => {
  assert.deepEqual(decodeKey(rowKey(42, -7n)), { kind: 'row', tableId: 42, handle: -7n });
  assert.deepEqual(decodeKey(indexKey(42, 3, ['x'], 9)), {
    kind: 'index',
    tableId: 42,
    indexId: 3,
    values: [Buffer.from('x'), 9n],
  });
  assert.deepEqual(decodeKey(tablePrefix(42)), { kind: 'table', tableId: 42 });
  assert.deepEqual(decodeKey(Buffer.concat([tablePrefix(42), Buffer.from('_r1')])), { kind: 'table', tableId: 42 });
  assert.deepEqual(decodeKey(metaKey('DBs', 'DB:1')), { kind: 'meta', name: 'DBs', field: 'DB:1' });
  assert.deepEqual(decodeKey(metaKey('NextGlobalID')), { kind: 'meta', name: 'NextGlobalID' });
  assert.deepEqual(decodeKey(userKey('hello')), { kind: 'user', userKey: Buffer.from('hello') });
  assert.deepEqual(decodeKey(Buffer.from('t12')), { kind: 'unknown' });
  assert.deepEqual(decodeKey(Buffer.from('mxyz')), { kind: 'unknown' });
  assert.deepEqual(decodeKey(Buffer.alloc(0)), { kind: 'unknown' });
  assert.deepEqual(decodeKey(Buffer.from('z')), { kind: 'unknown' });
});

test('meta keys round trip and reject garbage', () => {
  for (const [name, field] of [['DB:12', 'Table:34'], ['SchemaVersionKey', undefined], ['', '']] as const) {
    const decoded = decodeMetaKey(metaKey(name, field));
    assert.deepEqual(decoded, field === undefined ? { name } : { name, field });
  }
  assert.notDeepEqual(metaKey('DBs'), metaKey('DBs', ''));
  assert.throws(() => decodeMetaKey(Buffer.concat([metaKey('DBs'), Buffer.from('x')])), isInvalidArgument);
  assert.throws(() => decodeMetaKey(rowKey(1, 1)), isInvalidArgument);
  // All fields of one hash are contiguous and sorted by field.
  const fields = ['DB:2', 'DB:10', 'DB:1'].map((f) => metaKey('DBs', f)).sort(compareKeys);
  assert.deepEqual(fields.map((k) => decodeMetaKey(k).field), ['DB:1', 'DB:10', 'DB:2']);
});

test('meta keys sort before table keys, which sort before user keys', () => {
  const meta = [metaKey('DBs', 'DB:1'), metaKey('NextGlobalID'), metaKey('SchemaVersionKey'), metaKey('\u00ff\u00ff')];
  const table = [tablePrefix(-(1n << 63n)), rowKey(1, 1), indexKey((1n << 63n) - 1n, 1, ['z'], 1), tableRange((1n << 63n) - 1n).start];
  const user = [userKey(''), userKey('a'), userKey(Buffer.from([0xff, 0xff]))];
  for (const m of meta) for (const t of table) assert.ok(compareKeys(m, t) < 0);
  for (const t of table) for (const u of user) assert.ok(compareKeys(t, u) < 0);
  for (const u of user) assert.ok(keyInRange(u, USER_KEY_RANGE.start, USER_KEY_RANGE.end));
  for (const k of [...meta, ...table]) assert.ok(!keyInRange(k, USER_KEY_RANGE.start, USER_KEY_RANGE.end));
});

test('user keys strip back to their raw bytes', () => {
  assert.deepEqual(userKeyFromEncoded(userKey('héllo')), Buffer.from('héllo', 'utf8'));
  assert.ok(isUserKey(userKey('')));
  assert.ok(!isUserKey(rowKey(1, 1)));
  assert.ok(!isUserKey(Buffer.alloc(0)));
  assert.throws(() => userKeyFromEncoded(metaKey('DBs')), isInvalidArgument);
});

test('escapeKey known forms and unescape round trip on random bytes', () => {
  assert.equal(escapeKey(Buffer.from('a\\b"c')), 'a\\\\b\\"c');
  assert.equal(escapeKey(Buffer.from([0x00, 0x7f, 0xab, 0x20, 0x7e])), '\\x00\\x7F\\xAB ~');
  assert.equal(escapeKey(rowKey(1, 1)), 't\\x80\\x00\\x00\\x00\\x00\\x00\\x00\\x01_r\\x80\\x00\\x00\\x00\\x00\\x00\\x00\\x01');
  assert.deepEqual(unescapeKey('\\xab\\xAB'), Buffer.from([0xab, 0xab]));
  const r = rng(4);
  for (let i = 0; i < 300; i++) {
    const b = randomBytes(r, 24, i % 3 === 0 ? [0x5c, 0x22, 0x78, 0x41, 0x00, 0xff] : undefined);
    const s = escapeKey(b);
    assert.match(s, /^[\x20-\x7e]*$/);
    assert.deepEqual(unescapeKey(s), b, s);
  }
});

test('unescapeKey rejects malformed escapes', () => {
  for (const bad of ['\\', 'a\\', '\\x', '\\x4', '\\xZZ', '\\n', '\\q', 'é', 'a\tb']) {
    assert.throws(() => unescapeKey(bad), (err: unknown) => isInvalidArgument(err) && /position/.test((err as Error).message), bad);
  }
});

test('prefixNext is the smallest key above every key with the prefix', () => {
  assert.deepEqual(prefixNext(Buffer.from('ab')), Buffer.from('ac'));
  assert.deepEqual(prefixNext(Buffer.from([0x61, 0xff, 0xff])), Buffer.from('b'));
  assert.deepEqual(prefixNext(Buffer.from([0x01, 0xfe])), Buffer.from([0x01, 0xff]));
  assert.deepEqual(prefixNext(Buffer.from([0xff, 0xff])), Buffer.alloc(0));
  assert.deepEqual(prefixNext(Buffer.alloc(0)), Buffer.alloc(0));
  assert.deepEqual(prefixNext(Buffer.from('t')), Buffer.from('u'));
  const p = Buffer.from([0x10, 0xff]);
  const original = Buffer.from(p);
  prefixNext(p);
  assert.deepEqual(p, original, 'input must not be mutated');
  const r = rng(5);
  for (let i = 0; i < 200; i++) {
    const prefix = randomBytes(r, 4, [0x00, 0x7f, 0xfe, 0xff]);
    const next = prefixNext(prefix);
    const extended = Buffer.concat([prefix, randomBytes(r, 4, [0x00, 0xff])]);
    assert.ok(keyInRange(extended, prefix, next), `${escapeKey(extended)} in [${escapeKey(prefix)}, ${escapeKey(next)})`);
    if (next.length > 0) {
      // Outside the prefix, above it, and only the last kept byte differs (so nothing smaller fits).
      assert.ok(compareKeys(next, prefix) > 0);
      assert.ok(!next.subarray(0, prefix.length).equals(prefix));
      assert.ok(prefix.subarray(0, next.length - 1).equals(next.subarray(0, -1)));
      assert.equal(next[next.length - 1], (prefix[next.length - 1] as number) + 1);
    } else {
      assert.ok(prefix.every((c) => c === 0xff));
    }
  }
});

test('keyInRange: start inclusive, end exclusive, empty end is +infinity', () => {
  const a = Buffer.from('a');
  const b = Buffer.from('b');
  assert.ok(keyInRange(a, a, b));
  assert.ok(!keyInRange(b, a, b));
  assert.ok(!keyInRange(Buffer.alloc(0), a, b));
  assert.ok(keyInRange(Buffer.from([0xff, 0xff, 0xff]), a, Buffer.alloc(0)));
  assert.ok(keyInRange(Buffer.alloc(0), Buffer.alloc(0), Buffer.alloc(0)));
  assert.ok(!keyInRange(Buffer.from('0'), a, Buffer.alloc(0)));
  assert.equal(compareKeys(a, b), -1);
  assert.equal(compareKeys(b, a), 1);
  assert.equal(compareKeys(a, Buffer.from('a')), 0);
});
