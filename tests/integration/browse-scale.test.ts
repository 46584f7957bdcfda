/**
 * The browser and the timeline on a synthetic log backup of 50,000 data files (10,000 .meta
 * files of 5 files each, written straight to a folder: the layout is what matters, not the
 * bytes), through a real host: answers stay bounded in size. Times are printed, not asserted.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { call, type Endpoint } from '../../core/cli/client.ts';
import { ClusterHost } from '../../core/host/host.ts';
import { checkpointFilePath, dataFilePath, encodeTsFile, metaFilePath } from '../../core/logbackup/format.ts';

const METAS = 10_000;
const FILES_PER_META = 5;
const T0_MS = Date.UTC(2026, 10, 20);
const SHA = 'a'.repeat(64);

let dir: string;
let host: ClusterHost;
let ep: Endpoint;

function put(root: string, path: string, data: string | Buffer): void {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), data);
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pitr-browse-scale-'));
  const root = join(dir, 'log');
  const ts = (ms: number) => BigInt(ms) << 18n;
  put(root, 'backupmeta', JSON.stringify({ version: 1, kind: 'log', cluster_id: '7', task_name: 'scale', start_ts: ts(T0_MS).toString(), created_at: new Date(T0_MS).toISOString() }));
  put(root, 'backup.lock', JSON.stringify({ cluster_id: '7', task_name: 'scale', created_at: new Date(T0_MS).toISOString() }));
  let last = 0n;
  for (let i = 0; i < METAS; i++) {
    // One flush every 10 s for ~28 hours, 5 stores' worth of files per flush.
    const flush = ts(T0_MS + (i + 1) * 10_000);
    const files = Array.from({ length: FILES_PER_META }, (_, j) => {
      const min = ts(T0_MS + i * 10_000 + j * 100 + 1);
      const path = dataFilePath(flush, j + 1, min, `${i}-${j}`);
      put(root, path, 'x');
      return { path, size: 1, sha256: SHA, min_ts: min.toString(), max_ts: flush.toString(), data_files: [] };
    });
    put(root, metaFilePath(flush, 1, `${i}`), JSON.stringify({ version: 1, cluster_id: '7', store_id: 1, flush_ts: flush.toString(), resolved_ts: flush.toString(), min_ts: files[0]!.min_ts, max_ts: flush.toString(), files }));
    last = flush;
  }
  put(root, checkpointFilePath(1), encodeTsFile(last));
  host = await ClusterHost.start({ dataDir: join(dir, 'data') });
  ep = { base: host.url, token: host.token, label: 'test host' };
});

after(async () => {
  try {
    await host?.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('50,000 log files: timeline and browse answers stay small', async (t) => {
  const storage = join(dir, 'log');
  const timed = async <T>(f: () => Promise<T>): Promise<{ r: T; ms: number; bytes: number }> => {
    const s = performance.now();
    const r = await f();
    return { r, ms: Math.round(performance.now() - s), bytes: Buffer.byteLength(JSON.stringify(r)) };
  };
  const first = await timed(() => call(ep, 'restore:timeline', { storage }));
  const again = await timed(() => call(ep, 'restore:timeline', { storage }));
  assert.equal(first.r.log_files.count, METAS * FILES_PER_META);
  assert.equal(first.r.log_files.ranges.length, 2 * METAS * FILES_PER_META);
  assert.deepEqual(first.r.gaps, []);
  assert.deepEqual(first.r.problems, []);
  assert.equal(first.r.snapshots.length, 0);
  assert.equal(first.r.earliest_restorable_ts, null, 'no snapshot: nothing restorable');
  assert.ok(first.r.refusals.some((r) => /no usable snapshot/.test(r.reason)));
  assert.ok(first.bytes < 2 * 1024 * 1024, `timeline payload ${first.bytes} bytes`);
  assert.deepEqual(again.r, first.r, 'the cached .meta files give the same answer');

  const root = await timed(() => call(ep, 'storage:browse', { storage }));
  assert.deepEqual(root.r.folders.map((f) => f.name), ['v1']);
  const metas = await timed(() => call(ep, 'storage:browse', { storage, prefix: 'v1/backupmeta/' }));
  assert.equal(metas.r.files.length, 1000);
  assert.equal(metas.r.truncated, true);
  assert.ok(metas.bytes < 300 * 1024, `a page of 1000 files is ${metas.bytes} bytes`);
  const one = await timed(() => call(ep, 'storage:inspect', { storage, path: metas.r.files[0]!.path }));
  assert.equal(one.r.kind, 'log-meta');
  t.diagnostic(`timeline, 50,000 files: first ${first.ms} ms, cached ${again.ms} ms, ${(first.bytes / 1024).toFixed(0)} KiB of JSON`);
  t.diagnostic(`browse root ${root.ms} ms (${root.bytes} B); browse v1/backupmeta/ (10,000 files, page of 1000) ${metas.ms} ms (${(metas.bytes / 1024).toFixed(0)} KiB); inspect a .meta ${one.ms} ms`);
});
