/**
 * Helpers of the log backup tests: a test cluster with a LogBackupService and a local backup
 * folder, the source's committed write records read straight from every store, the log backup
 * decoded as a restore would (every block's sha256 and every file's sha256 checked), and the
 * invariant checks that compare the two.
 *
 *   const env = await lbEnv();
 *   try { await env.svc.start({ name: 't', storage: env.url, flushIntervalMs: MANUAL_FLUSH_MS }); ... }
 *   finally { await env.close(); }
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tablePrefix, rowKey } from '../../../core/cluster/catalog/keys.ts';
import type { Cluster } from '../../../core/cluster/cluster.ts';
import type { CfRow } from '../../../core/cluster/store/protocol.ts';
import type { FlushReport } from '../../../core/logbackup/executor.ts';
import { MetaFileSchema, LOG_PATHS } from '../../../core/logbackup/format.ts';
import type { MetaFile } from '../../../core/logbackup/format.ts';
import { readBlock, selectBlocks } from '../../../core/logbackup/reader.ts';
import type { LogBackupService } from '../../../core/logbackup/service.ts';
import { LogBackupService as Service } from '../../../core/logbackup/service.ts';
import { openStorage } from '../../../core/storage/index.ts';
import type { BackupStorage } from '../../../core/storage/storage.ts';
import { decompress, sha256Hex } from '../../../core/storage/kv-file.ts';
import type { ClusterClock } from '../../../core/tso/index.ts';
import { testCluster } from '../../helpers/cluster.ts';
import type { TestCluster } from '../../helpers/cluster.ts';

/** A flush interval so long that the ticker never fires: the tests drive flushes with flushAll. */
export const MANUAL_FLUSH_MS = 3_600_000;
/** The largest u64: "every block" for selectBlocks. */
export const MAX_TS = (1n << 64n) - 1n;

/** A test cluster, its log backup service and a backup folder. */
export interface LbEnv {
  t: TestCluster;
  /** The current cluster (changes after reopen). */
  readonly cluster: Cluster;
  svc: LogBackupService;
  /** The backup folder (a plain path, which is a valid storage URL). */
  url: string;
  storage: BackupStorage;
  /** A fresh temp folder removed at close. */
  tempDir(prefix?: string): string;
  /** Closes the service and the cluster (host restart), opens both again from the same folder. */
  restartHost(): Promise<void>;
  close(): Promise<void>;
}

/** Creates a cluster (scheduler off) with a LogBackupService and an empty backup folder. */
export async function lbEnv(opts: { stores?: number; clock?: ClusterClock } = {}): Promise<LbEnv> {
  const t = await testCluster({ stores: opts.stores ?? 3, ...(opts.clock ? { clock: opts.clock } : {}) });
  const dirs: string[] = [];
  const tempDir = (prefix = 'pitr-lb-') => {
    const d = mkdtempSync(join(tmpdir(), prefix));
    dirs.push(d);
    return d;
  };
  const url = join(tempDir(), 'log-backup');
  const env: LbEnv = {
    t,
    get cluster() {
      return t.cluster;
    },
    svc: new Service(t.cluster),
    url,
    storage: openStorage(url),
    tempDir,
    async restartHost() {
      env.svc.close();
      await t.reopen();
      env.svc = new Service(t.cluster);
      await env.svc.init();
    },
    async close() {
      env.svc.close();
      try {
        await t.close();
      } finally {
        for (const d of dirs) rmSync(d, { recursive: true, force: true });
      }
    },
  };
  return env;
}

/** A committed Put or Delete record of the source cluster. */
export interface SourceWrite {
  key: Buffer;
  commitTs: bigint;
  startTs: bigint;
  type: 'P' | 'D';
  /** The short value; null when the value lives in the default CF. */
  short: Buffer | null;
  storeId: number;
}

/** Every Put/Delete record of the source, and the default-CF values. */
export interface SourceState {
  /** `hex@commitTs` → record. */
  writes: Map<string, SourceWrite>;
  /** `hex@startTs` → value. */
  defaults: Map<string, Buffer>;
}

const wkey = (key: Buffer, ts: bigint) => `${key.toString('hex')}@${ts}`;

/** Reads every CF row of every store (exportRange over the whole key space). */
export async function readSource(cluster: Cluster): Promise<SourceState> {
  const writes = new Map<string, SourceWrite>();
  const defaults = new Map<string, Buffer>();
  for (const s of cluster.stores()) {
    const rows = await s.direct<CfRow[]>('exportRange', { start: Buffer.alloc(0), end: Buffer.alloc(0) });
    for (const r of rows) {
      const key = Buffer.from(r.key);
      if (r.cf === 'default') defaults.set(wkey(key, r.ts), Buffer.from(r.value ?? new Uint8Array(0)));
      else if (r.cf === 'write' && (r.type === 'P' || r.type === 'D')) {
        const k = wkey(key, r.ts);
        assert.ok(!writes.has(k), `write record ${k} is on one store only`);
        writes.set(k, { key, commitTs: r.ts, startTs: r.startTs, type: r.type, short: r.value === null ? null : Buffer.from(r.value), storeId: s.storeId });
      }
    }
  }
  return { writes, defaults };
}

/** One write-CF entry of the log backup. */
export interface StoredWrite {
  key: Buffer;
  commitTs: bigint;
  startTs: bigint;
  type: 'P' | 'D';
  value: Buffer;
  path: string;
  regionId: number;
}

/** The log backup as a restore reads it. */
export interface StoredLog {
  metas: Array<{ path: string; meta: MetaFile }>;
  writes: StoredWrite[];
  /** `hex@commitTs` → how many times the write entry is stored. */
  writeCount: Map<string, number>;
  /** `hex@startTs` → value (every copy must be equal). */
  defaults: Map<string, Buffer>;
}

/**
 * Decodes the whole log backup: every .meta is parsed, every .log file's size and sha256 are
 * checked, every block is read with readBlock (sha256 of its plaintext) and its recorded entry
 * count, cf, ts range, keys and region are checked against what it holds.
 */
export async function readLog(storage: BackupStorage): Promise<StoredLog> {
  const metas: StoredLog['metas'] = [];
  for (const e of await storage.list(LOG_PATHS.metaDir)) {
    if (!e.path.endsWith('.meta')) continue;
    const raw = JSON.parse((await storage.read(e.path)).toString('utf8')) as unknown;
    metas.push({ path: e.path, meta: MetaFileSchema.parse(raw) });
  }
  for (const { path, meta } of metas) {
    // Each region writes up to its own resolved ts; the meta's is the store's (the minimum).
    assert.ok(BigInt(meta.max_ts) <= BigInt(meta.flush_ts), `${path}: nothing above the flush's TSO is written (max ${meta.max_ts} > flush ${meta.flush_ts})`);
    assert.ok(BigInt(meta.resolved_ts) <= BigInt(meta.flush_ts), `${path}: resolved ts ≤ flush ts`);
    assert.ok(BigInt(meta.min_ts) <= BigInt(meta.max_ts), `${path}: min ts ≤ max ts`);
    for (const f of meta.files) {
      const bytes = await storage.read(f.path);
      assert.equal(bytes.length, f.size, `${f.path}: size recorded in ${path}`);
      assert.equal(sha256Hex(bytes), f.sha256, `${f.path}: sha256 of the whole file`);
      assert.ok(BigInt(meta.min_ts) <= BigInt(f.min_ts) && BigInt(f.max_ts) <= BigInt(meta.max_ts), `${path}: file ts range inside the meta's`);
      let end = 0;
      for (const b of f.data_files) {
        assert.equal(b.offset, end, `${f.path}: blocks are contiguous`);
        end = b.offset + b.length;
        assert.equal(decompress(bytes.subarray(b.offset, end)).length, b.length_plain, `${f.path}: plaintext length of the block at ${b.offset}`);
        assert.ok(BigInt(f.min_ts) <= BigInt(b.min_ts) && BigInt(b.max_ts) <= BigInt(f.max_ts), `${f.path}: block ts range inside the file's`);
      }
      assert.equal(end, f.size, `${f.path}: the blocks cover the whole file`);
    }
  }
  const writes: StoredWrite[] = [];
  const writeCount = new Map<string, number>();
  const defaults = new Map<string, Buffer>();
  const blocks = await selectBlocks(storage, 0n, MAX_TS);
  const blockCount = metas.reduce((n, m) => n + m.meta.files.reduce((k, f) => k + f.data_files.length, 0), 0);
  assert.equal(blocks.length, blockCount, 'selectBlocks(0, max) returns every block');
  for (const ref of blocks) {
    const entries = await readBlock(storage, ref);
    const b = ref.block;
    const what = `${ref.path}@${b.offset}`;
    assert.equal(entries.length, b.entries, `${what}: entry count`);
    assert.ok(entries.length > 0, `${what}: no empty block`);
    assert.equal(entries[0]!.key.toString('hex'), b.start_key, `${what}: first key`);
    assert.equal(entries[entries.length - 1]!.key.toString('hex'), b.end_key, `${what}: last key`);
    for (let i = 1; i < entries.length; i++) assert.ok(Buffer.compare(entries[i - 1]!.key, entries[i]!.key) <= 0, `${what}: sorted by key`);
    if (b.cf === 'write') {
      let min = entries[0]!.ts;
      let max = entries[0]!.ts;
      for (const e of entries) {
        if (e.ts < min) min = e.ts;
        if (e.ts > max) max = e.ts;
        assert.ok(e.startTs < e.ts, `${what}: start ts < commit ts`);
        const k = wkey(e.key, e.ts);
        writeCount.set(k, (writeCount.get(k) ?? 0) + 1);
        writes.push({ key: Buffer.from(e.key), commitTs: e.ts, startTs: e.startTs, type: e.type, value: Buffer.from(e.value), path: ref.path, regionId: b.region_id });
      }
      assert.equal(min.toString(), b.min_ts, `${what}: min ts`);
      assert.equal(max.toString(), b.max_ts, `${what}: max ts`);
    } else {
      for (const e of entries) {
        assert.equal(e.ts, e.startTs, `${what}: a default entry is keyed by start ts`);
        assert.equal(e.type, 'P', `${what}: default entries are puts`);
        const k = wkey(e.key, e.startTs);
        const prev = defaults.get(k);
        if (prev) assert.ok(prev.equals(e.value), `${what}: copies of ${k} agree`);
        defaults.set(k, Buffer.from(e.value));
      }
    }
  }
  return { metas, writes, writeCount, defaults };
}

/**
 * The entries a restore of (afterTs, upToTs] reads: only the blocks selectBlocks picks from the
 * .meta files, each read with readBlock (sha256 checked).
 */
export async function readSelected(storage: BackupStorage, afterTs: bigint, upToTs: bigint): Promise<StoredLog & { blocks: number }> {
  const writes: StoredWrite[] = [];
  const writeCount = new Map<string, number>();
  const defaults = new Map<string, Buffer>();
  const refs = await selectBlocks(storage, afterTs, upToTs);
  for (const ref of refs) {
    for (const e of await readBlock(storage, ref)) {
      if (ref.block.cf === 'default') {
        defaults.set(wkey(e.key, e.startTs), Buffer.from(e.value));
        continue;
      }
      const k = wkey(e.key, e.ts);
      writeCount.set(k, (writeCount.get(k) ?? 0) + 1);
      writes.push({ key: Buffer.from(e.key), commitTs: e.ts, startTs: e.startTs, type: e.type, value: Buffer.from(e.value), path: ref.path, regionId: ref.block.region_id });
    }
  }
  return { metas: [], writes, writeCount, defaults, blocks: refs.length };
}

/** What the invariant check looked at. */
export interface InvariantReport {
  /** Source commits in the window that were found in storage. */
  checked: number;
  /** Of those, Puts whose value lives in the default CF. */
  longValues: number;
  deletes: number;
}

/**
 * The log backup invariant: every source Put/Delete committed in (fromTs, upToTs] is in storage
 * with its exact commit ts, start ts, type and value (the short value, or the default-CF entry
 * of a long value); and every stored entry is a commit that exists in the source, exactly.
 */
export function checkInvariant(src: SourceState, log: StoredLog, fromTs: bigint, upToTs: bigint, label = ''): InvariantReport {
  const stored = new Map<string, StoredWrite>();
  for (const w of log.writes) stored.set(wkey(w.key, w.commitTs), w);
  const missing: string[] = [];
  let checked = 0;
  let longValues = 0;
  let deletes = 0;
  for (const [k, s] of src.writes) {
    if (s.commitTs <= fromTs || s.commitTs > upToTs) continue;
    const w = stored.get(k);
    if (!w) {
      missing.push(`${k} (store ${s.storeId}, start ${s.startTs})`);
      continue;
    }
    checked++;
    assert.equal(w.startTs, s.startTs, `${label}${k}: start ts`);
    assert.equal(w.type, s.type, `${label}${k}: type`);
    if (s.type === 'D') deletes++;
    if (s.type === 'P' && s.short === null) {
      longValues++;
      assert.equal(w.value.length, 0, `${label}${k}: a long value is not inlined`);
      const dk = wkey(s.key, s.startTs);
      const want = src.defaults.get(dk);
      assert.ok(want, `${label}${dk}: the source has the default-CF value`);
      const got = log.defaults.get(dk);
      assert.ok(got, `${label}${dk}: the default-CF value of a long Put is in storage`);
      assert.ok(got.equals(want), `${label}${dk}: default-CF value`);
    } else {
      assert.ok(w.value.equals(s.short ?? Buffer.alloc(0)), `${label}${k}: short value`);
    }
  }
  assert.deepEqual(missing.slice(0, 10), [], `${label}${missing.length} source commits in (${fromTs}, ${upToTs}] are missing from storage`);
  // No stored entry claims a commit the source does not have.
  for (const w of log.writes) {
    const k = wkey(w.key, w.commitTs);
    const s = src.writes.get(k);
    assert.ok(s, `${label}stored entry ${k} is a commit of the source`);
    assert.equal(w.startTs, s.startTs, `${label}stored ${k}: start ts`);
    assert.equal(w.type, s.type, `${label}stored ${k}: type`);
    if (s.short !== null) assert.ok(w.value.equals(s.short), `${label}stored ${k}: value`);
  }
  for (const [k, v] of log.defaults) {
    const s = src.defaults.get(k);
    assert.ok(s, `${label}stored default entry ${k} exists in the source`);
    assert.ok(s.equals(v), `${label}stored default entry ${k}: value`);
  }
  return { checked, longValues, deletes };
}

/**
 * Each .meta's resolved ts is durable: for every store, every source commit on that store in
 * (fromTs, max resolved ts of its metas] is in storage. Valid while no region changed store
 * since the task started (the commits of a store are those of the regions it led).
 */
export function checkResolvedDurable(src: SourceState, log: StoredLog, fromTs: bigint): number {
  const resolved = new Map<number, bigint>();
  for (const { meta } of log.metas) {
    const r = BigInt(meta.resolved_ts);
    if (r > (resolved.get(meta.store_id) ?? 0n)) resolved.set(meta.store_id, r);
  }
  let n = 0;
  for (const [k, s] of src.writes) {
    const r = resolved.get(s.storeId);
    if (r === undefined || s.commitTs <= fromTs || s.commitTs > r) continue;
    assert.ok(log.writeCount.has(k), `${k} committed on store ${s.storeId} at or before its flush's resolved ts ${r} is in storage`);
    n++;
  }
  return n;
}

/** Source commits in (fromTs, upToTs]. */
export function commitsIn(src: SourceState, fromTs: bigint, upToTs: bigint): SourceWrite[] {
  return [...src.writes.values()].filter((s) => s.commitTs > fromTs && s.commitTs <= upToTs);
}

/** Flushes until pred holds (or fails after the deadline); returns the last reports. */
export async function flushUntil(svc: LogBackupService, what: string, pred: (reports: FlushReport[]) => boolean, timeoutMs = 15_000): Promise<FlushReport[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const reports = await svc.flushAll();
    if (pred(reports)) return reports;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms flushing until ${what} (checkpoint ${svc.globalCheckpoint}; reports ${JSON.stringify(reports.map((r) => ({ store: r.store_id, ok: r.ok, err: r.error?.message })))})`);
    await sleep(20);
  }
}

/** Flushes until the global checkpoint passes ts. */
export async function flushPast(svc: LogBackupService, ts: bigint, timeoutMs = 15_000): Promise<bigint> {
  await flushUntil(svc, `the checkpoint passes ${ts}`, () => svc.globalCheckpoint > ts, timeoutMs);
  return svc.globalCheckpoint;
}

/** Resolves after ms. */
export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Creates test.blobs, a table whose rows are larger than a short value (255 bytes). */
export async function blobTable(cluster: Cluster): Promise<{ id: number; prefix: Buffer }> {
  const t = await cluster.catalog.createTable('test', { name: 'blobs', columns: [{ name: 'id', type: 'bigint' }, { name: 'body', type: 'varchar' }] });
  return { id: t.id, prefix: tablePrefix(t.id) };
}

/** One transaction writing a long row (> 255 bytes, so in the default CF), a short row, and a delete. */
export async function writeBlobs(cluster: Cluster, tableId: number, i: number): Promise<{ commitTs: bigint }> {
  const { commitTs } = await cluster.txn.run(async (txn) => {
    txn.put(rowKey(tableId, i), Buffer.alloc(300 + (i % 700), 0x41 + (i % 26)));
    txn.put(rowKey(tableId, 1_000_000 + i), Buffer.from(`short-${i}`));
    if (i > 0) txn.delete(rowKey(tableId, 1_000_000 + i - 1));
  });
  return { commitTs };
}

/** Every file in a local backup folder or bucket prefix with its size (a "nothing changed" witness). */
export async function listing(storage: BackupStorage): Promise<string[]> {
  return (await storage.list('')).map((e) => `${e.path}:${e.size}`);
}
