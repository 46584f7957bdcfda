/**
 * Helpers of the snapshot tests: decode a snapshot backup as a restore would (every file's
 * sha256 checked), read the source's MVCC snapshot at a ts, and per-table checksums of KVs.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeKey } from '../../../core/cluster/catalog/keys.ts';
import type { Cluster } from '../../../core/cluster/cluster.ts';
import { readSnapshotMeta } from '../../../core/snapshot/backupmeta.ts';
import type { SnapshotBackupMeta } from '../../../core/snapshot/backupmeta.ts';
import { openStorage } from '../../../core/storage/index.ts';
import { decodeEntries, kvChecksum, openBlock } from '../../../core/storage/kv-file.ts';

/** A decoded snapshot backup. */
export interface DecodedBackup {
  meta: SnapshotBackupMeta;
  /** hex key → value, long values resolved from the default CF. */
  kvs: Map<string, Buffer>;
  /** Write entries, with the (key, start ts) they need from the default CF. */
  writeEntries: number;
  defaultEntries: number;
}

/** Reads and checks a snapshot backup at a storage URL, as a restore would. */
export async function decodeBackup(url: string): Promise<DecodedBackup> {
  const storage = openStorage(url);
  const meta = await readSnapshotMeta(storage);
  const writes = new Map<string, { startTs: bigint; value: Buffer }>();
  const defaults = new Map<string, Buffer>();
  let writeEntries = 0;
  let defaultEntries = 0;
  for (const f of meta.files) {
    const data = await storage.read(f.name);
    assert.equal(data.length, f.size, `${f.name}: stored size`);
    const plain = openBlock(data, f.sha256, f.name);
    assert.equal(plain.length, f.bytes, `${f.name}: plaintext size`);
    const entries = decodeEntries(plain, f.name);
    assert.equal(entries.length, f.kvs, `${f.name}: entry count`);
    for (let i = 1; i < entries.length; i++) assert.ok(Buffer.compare(entries[i - 1]!.key, entries[i]!.key) < 0, `${f.name}: sorted by key, no duplicates`);
    for (const e of entries) {
      const hex = e.key.toString('hex');
      assert.ok(hex >= f.start_key && (f.end_key === '' || hex < f.end_key), `${f.name}: key inside the file's range`);
      assert.equal(e.type, 'P');
      if (f.cf === 'write') {
        assert.ok(!writes.has(hex), `key ${hex} is written once in the whole backup`);
        writes.set(hex, { startTs: e.startTs, value: e.value });
        writeEntries++;
      } else {
        assert.equal(e.ts, e.startTs);
        defaults.set(`${hex}@${e.startTs}`, e.value);
        defaultEntries++;
      }
    }
  }
  const kvs = new Map<string, Buffer>();
  for (const [hex, w] of writes) kvs.set(hex, defaults.get(`${hex}@${w.startTs}`) ?? w.value);
  return { meta, kvs, writeEntries, defaultEntries };
}

/** The source's MVCC snapshot at ts: every raw key and its value. */
export async function sourceSnapshot(cluster: Cluster, ts: bigint): Promise<Map<string, Buffer>> {
  const rows = await cluster.txn.scan(Buffer.alloc(0), Buffer.alloc(0), ts);
  return new Map(rows.map((r) => [r.key.toString('hex'), r.value]));
}

/** Per-table {kvs, bytes, checksum} of KVs, recomputed the way a restore verifies them. */
export function tableChecksums(kvs: Map<string, Buffer>): Map<number, { kvs: number; bytes: number; checksum: string }> {
  const acc = new Map<number, { kvs: number; bytes: number; checksum: bigint }>();
  for (const [hex, value] of kvs) {
    const key = Buffer.from(hex, 'hex');
    const d = decodeKey(key);
    if (d.kind !== 'row' && d.kind !== 'index' && d.kind !== 'table') continue;
    const t = acc.get(d.tableId) ?? { kvs: 0, bytes: 0, checksum: 0n };
    t.kvs++;
    t.bytes += key.length + value.length;
    t.checksum = kvChecksum(t.checksum, key, value);
    acc.set(d.tableId, t);
  }
  return new Map([...acc].map(([id, t]) => [id, { kvs: t.kvs, bytes: t.bytes, checksum: t.checksum.toString() }]));
}

/** Asserts two KV maps are equal, naming the first difference. */
export function assertSameKvs(actual: Map<string, Buffer>, expected: Map<string, Buffer>, what: string): void {
  for (const [k, v] of expected) {
    const got = actual.get(k);
    assert.ok(got, `${what}: key ${k} is missing`);
    assert.ok(got.equals(v), `${what}: key ${k} has another value`);
  }
  for (const k of actual.keys()) assert.ok(expected.has(k), `${what}: key ${k} should not be there`);
  assert.equal(actual.size, expected.size);
}

const made: string[] = [];

/** A fresh empty folder, removed by removeFolders(). */
export function emptyFolder(prefix = 'pitr-snap-'): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  made.push(d);
  return d;
}

/** Removes the folders made by emptyFolder(). */
export function removeFolders(): void {
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
}

/** Every file under a folder (relative paths): to prove that nothing was written. */
export function filesIn(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1))
    .sort();
}
