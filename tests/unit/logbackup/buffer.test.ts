/**
 * The store's event buffer: in memory first, spilled to temp files past its memory limit, read
 * back whole and in order at flush; and in a cluster, a burst larger than the memory limit
 * spills and loses nothing, and a burst past the flush size flushes by itself.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { rowKey } from '../../../core/cluster/catalog/keys.ts';
import { MvccStore } from '../../../core/cluster/store/mvcc.ts';
import { RegionGuard } from '../../../core/cluster/store/region-guard.ts';
import { compareBytes, DrainedEvents, EventBuffer, DEFAULT_BUFFER_MEMORY_BYTES, eventBytes, tsBytes } from '../../../core/logbackup/event-buffer.ts';
import { decodeEntries, encodeEntries } from '../../../core/storage/kv-file.ts';
import type { LogEvent } from '../../../core/logbackup/event-buffer.ts';
import { DEFAULT_FLUSH_SIZE_BYTES, LogBackupExecutor } from '../../../core/logbackup/executor.ts';
import { LOG_PATHS } from '../../../core/logbackup/format.ts';
import { waitFor } from '../../helpers/cluster.ts';
import { blobTable, checkInvariant, flushPast, lbEnv, MANUAL_FLUSH_MS, readLog, readSource } from './helpers.ts';

const ev = (i: number, size = 10): LogEvent => ({
  cf: i % 2 ? 'write' : 'default',
  key: Buffer.from(`k${String(i).padStart(6, '0')}`),
  ts: BigInt(1000 + i),
  startTs: BigInt(900 + i),
  type: i % 7 === 0 ? 'D' : 'P',
  value: Buffer.alloc(size, i % 256),
  commitTs: BigInt(1000 + i),
});

describe('EventBuffer', () => {
  test('spills past its memory limit and drains everything in order', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'pitr-buf-')), 'buf');
    try {
      const buf = new EventBuffer(dir, 1000);
      const all: LogEvent[] = [];
      for (let i = 0; i < 200; i++) {
        const e = ev(i, 10 + (i % 50));
        all.push(e);
        buf.push(e);
      }
      assert.ok(buf.spillCount > 5, `spilled ${buf.spillCount} times`);
      assert.ok(readdirSync(dir).filter((f) => f.startsWith('spill-')).length > 5, 'spill files on disk');
      assert.equal(buf.bytes, all.reduce((n, e) => n + eventBytes(e.key.length, e.value.length), 0));
      const out = buf.drain();
      assert.equal(out.length, all.length);
      out.forEach((e, i) => {
        const want = all[i]!;
        assert.ok(Buffer.isBuffer(e.key) && Buffer.isBuffer(e.value), 'keys and values come back as Buffers');
        assert.deepEqual({ ...e, key: e.key.toString('hex'), value: e.value.toString('hex') }, { ...want, key: want.key.toString('hex'), value: want.value.toString('hex') });
      });
      assert.equal(buf.bytes, 0);
      assert.deepEqual(readdirSync(dir).filter((f) => f.startsWith('spill-')), [], 'spill files removed');
      assert.deepEqual(buf.drain(), []);
      for (let i = 0; i < 100; i++) buf.push(ev(i, 30));
      buf.clear();
      assert.equal(buf.bytes, 0);
      assert.deepEqual(buf.drain(), []);
    } finally {
      rmSync(join(dir, '..'), { recursive: true, force: true });
    }
  });

  test('leftovers of a crashed run are removed', () => {
    const root = mkdtempSync(join(tmpdir(), 'pitr-buf-'));
    const dir = join(root, 'buf');
    try {
      const a = new EventBuffer(dir, 100);
      for (let i = 0; i < 20; i++) a.push(ev(i));
      assert.ok(existsSync(dir));
      const b = new EventBuffer(dir, 100);
      assert.deepEqual(b.drain(), [], 'a new buffer starts empty (the stores rescan from their checkpoints)');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('drained events, read in place', () => {
  // Keys with a long shared prefix, keys that are prefixes of others, keys that differ only
  // past the sort head's six bytes, zero bytes, equal keys at several ts.
  const prefix = Buffer.from('t\x80\x00\x00\x00\x00\x00\x00\x2a_r');
  const tails = [[], [0], [0, 0], [1], [0xff], [1, 2, 3, 4, 5, 6], [1, 2, 3, 4, 5, 6, 0], [1, 2, 3, 4, 5, 6, 7], [1, 2, 3, 4, 5, 7], [0x80, 0, 0, 0, 0, 0, 0, 1], [0x80, 0, 0, 0, 0, 0, 0, 2]];
  const events: LogEvent[] = [];
  let seed = 7;
  const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
  for (let i = 0; i < 400; i++) {
    const key = Buffer.concat([prefix, Buffer.from(tails[rnd(tails.length)]!)]);
    const commitTs = 2n ** 62n + BigInt(rnd(50));
    events.push({ cf: i % 3 ? 'write' : 'default', key, ts: commitTs, startTs: commitTs - 1n, type: i % 5 ? 'P' : 'D', value: Buffer.alloc(rnd(40), i), commitTs });
  }
  const ref = (a: LogEvent, b: LogEvent) => Buffer.compare(a.key, b.key) || (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : 0);

  test('sort by key then ts as Buffer.compare and the numbers do, and encode as the data files do', () => {
    const d = DrainedEvents.fromEvents(events);
    assert.equal(d.count, events.length);
    const ids = events.map((_, i) => i);
    d.sortByKeyTs(ids);
    const got = ids.map((i) => d.event(i));
    const want = [...events].sort(ref);
    for (let k = 1; k < got.length; k++) assert.ok(ref(got[k - 1]!, got[k]!) <= 0, `out of order at ${k}`);
    assert.deepEqual(got.map((e) => `${e.key.toString('hex')}@${e.ts}`), want.map((e) => `${e.key.toString('hex')}@${e.ts}`));
    assert.deepEqual(d.encode(ids), encodeEntries(got), 'the same bytes as the entry encoder');
    assert.equal(decodeEntries(d.encode(ids)).length, events.length);
  });

  test('byte and ts comparisons agree with Buffer.compare and BigInt', () => {
    const d = DrainedEvents.fromEvents(events);
    for (let k = 0; k < 300; k++) {
      const i = rnd(events.length);
      const j = rnd(events.length);
      assert.equal(Math.sign(compareBytes(events[i]!.key, events[j]!.key)), Buffer.compare(events[i]!.key, events[j]!.key));
      assert.equal(Math.sign(d.compareKey(i, events[j]!.key)), Buffer.compare(events[i]!.key, events[j]!.key));
      const c = events[i]!.commitTs;
      const t = events[j]!.commitTs;
      assert.equal(Math.sign(d.compareCommitTs(i, tsBytes(t))), c < t ? -1 : c > t ? 1 : 0);
      assert.equal(Math.sign(d.compareCommit(i, j)), c < t ? -1 : c > t ? 1 : 0);
      assert.equal(d.commitTs(i), c);
    }
  });

  test('what a flush keeps goes back into the buffer byte for byte', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'pitr-buf-')), 'buf');
    try {
      const buf = new EventBuffer(dir, 2000);
      buf.push(...events);
      const d = buf.drainRecords();
      assert.equal(d.count, events.length);
      for (let i = 0; i < d.count; i += 2) buf.appendFrom(d, i);
      const back = buf.drain();
      assert.deepEqual(back.map((e) => ({ ...e, key: e.key.toString('hex'), value: e.value.toString('hex') })), events.filter((_, i) => i % 2 === 0).map((e) => ({ ...e, key: e.key.toString('hex'), value: e.value.toString('hex') })));
    } finally {
      rmSync(join(dir, '..'), { recursive: true, force: true });
    }
  });
});

describe('what the executor buffers is what it accounts for', () => {
  test('a buffered event does not keep its request’s memory alive', async () => {
    // Keys reach a store worker by structured clone: a small key arrives as a view of a copy of
    // the sender's whole pool slab (8 KiB or more). Holding that view holds the slab.
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const root = mkdtempSync(join(tmpdir(), 'pitr-exec-'));
    const mvcc = new MvccStore(join(root, 'data.db'));
    try {
      const guard = new RegionGuard(1, mvcc);
      const exec = new LogBackupExecutor(1, mvcc, guard, root, () => undefined);
      guard.setRegions([{ id: 1, start: Buffer.alloc(0), end: Buffer.alloc(0), epoch: { version: 1, confVer: 1 } }]);
      exec.setTask({ name: 'x', storageUrl: join(root, 'backup'), startTs: '1', clusterId: '1' }, {}, 1n);
      await exec.flush({ tso: 2n, globalCheckpoint: 1n, regionCheckpoints: {} }); // the initial scan
      const SLAB = 64 * 1024;
      const N = 1000;
      gc();
      await new Promise((r) => setTimeout(r, 20));
      gc();
      const before = process.memoryUsage().arrayBuffers;
      for (let i = 0; i < N; i++) {
        const slab = new Uint8Array(SLAB);
        const key = slab.subarray(100, 110);
        key.set(Buffer.from(`k${String(i).padStart(9, '0')}`));
        const ts = BigInt(10 + 2 * i);
        mvcc.prewrite([{ op: 'Put', key, value: Buffer.from('v') }], key, ts, 3000);
        mvcc.commit([key], ts, ts + 1n);
      }
      // ArrayBuffer backing stores are freed by a background sweeper: collect until it settles.
      let held = Infinity;
      for (let k = 0; k < 10 && held >= (N * SLAB) / 4; k++) {
        gc();
        await new Promise((r) => setTimeout(r, 20));
        held = process.memoryUsage().arrayBuffers - before;
      }
      assert.ok(held < (N * SLAB) / 4, `${N} buffered 10-byte keys hold ${Math.round(held / 1024)} KiB of request memory`);
      const r = await exec.flush({ tso: BigInt(10 + 2 * N + 1), globalCheckpoint: 1n, regionCheckpoints: {} });
      assert.ok(r.ok, r.error?.message);
      assert.equal(r.entries, N, 'every commit is flushed');
    } finally {
      mvcc.close();
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('buffer limits in a running store', () => {
  test('a burst spills to disk, nothing lost; past the flush size a store flushes by itself', async () => {
    const env = await lbEnv({ stores: 2 });
    const { cluster, svc } = env;
    try {
      const blobs = await blobTable(cluster);
      const start = BigInt((await svc.start({ name: 'buf', storage: env.url, flushIntervalMs: MANUAL_FLUSH_MS })).start_ts);
      await flushPast(svc, start);
      const leader = cluster.pd.regions.locate(rowKey(blobs.id, 0)).leader;
      const spillDir = join(env.t.dir, `store-${leader}`, 'log-backup-buffer');
      const metas = async () => (await env.storage.list(LOG_PATHS.metaDir)).length;
      const value = (i: number) => Buffer.alloc(1024 * 1024, i);

      // 1.5 × the memory limit, well under the flush size: spilled, not flushed.
      const mib = Math.ceil((DEFAULT_BUFFER_MEMORY_BYTES * 1.5) / (1024 * 1024));
      const before = await metas();
      for (let i = 0; i < mib; i++) await cluster.txn.run(async (txn) => txn.put(rowKey(blobs.id, i), value(i)));
      assert.ok(readdirSync(spillDir).some((f) => f.startsWith('spill-')), 'the store spilled its buffer to disk');
      assert.equal(await metas(), before, 'no flush yet');
      await flushPast(svc, cluster.pd.tso());
      assert.deepEqual(readdirSync(spillDir).filter((f) => f.startsWith('spill-')), [], 'spill files are gone after the flush');
      const log = await readLog(env.storage);
      const r = checkInvariant(await readSource(cluster), log, start, svc.globalCheckpoint);
      assert.ok(r.longValues >= mib);

      // Past the flush size, the store asks for a flush itself (the ticker is off here).
      const n = Math.ceil(DEFAULT_FLUSH_SIZE_BYTES / (1024 * 1024)) + 2;
      const mark = await metas();
      for (let i = 0; i < n; i++) await cluster.txn.run(async (txn) => txn.put(rowKey(blobs.id, 100 + i), value(i)));
      await waitFor('a size-triggered flush', async () => (await metas()) > mark, 20_000, 50);
      const g = await flushPast(svc, cluster.pd.tso());
      checkInvariant(await readSource(cluster), await readLog(env.storage), start, g);
    } finally {
      await env.close();
    }
  });
});
