/**
 * The backup browser and the restore timeline through a real host (HTTP API, real stores, a
 * running log backup and a snapshot in the recommended layout), on a local folder and on a real
 * S3 server (s3rver): browse folder by folder, decode files, verify checksums (and catch a
 * damaged file), and the timeline's snapshot, window, gaps and refusals.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { call, type Endpoint } from '../../core/cli/client.ts';
import type { Channel, RequestInput, ResponseTypes } from '../../core/contract/index.ts';
import { ClusterHost } from '../../core/host/host.ts';
import { closeStorage, openStorage } from '../../core/storage/index.ts';
import { appendToStorageUrl } from '../../core/storage/layout.ts';
import { startS3rver, type TestS3 } from '../helpers/s3.ts';

describe('backup browser and timeline through a host', () => {
  let dir: string;
  let host: ClusterHost;
  let s3: TestS3;
  let ep: Endpoint;
  const api = <K extends Channel>(ch: K, input: RequestInput<K>): Promise<ResponseTypes[K]> => call(ep, ch, input);
  const refused = async (p: Promise<unknown>, code: RegExp) => {
    await assert.rejects(p, (err: { code?: string; message: string }) => {
      assert.match(err.code ?? '', code, err.message);
      return true;
    });
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pitr-browse-'));
    [host, s3] = await Promise.all([ClusterHost.start({ dataDir: join(dir, 'data') }), startS3rver()]);
    ep = { base: host.url, token: host.token, label: 'test host' };
  });

  after(async () => {
    try {
      await Promise.all([host?.close(), s3?.stop()]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  /** One cluster with a log backup and a snapshot in the layout `backup:propose-layout` gives under `base`. */
  async function backupUnder(name: string, base: string) {
    await api('cluster:create', { name, stores: 2 });
    const layout = await api('backup:propose-layout', { cluster: name, base });
    await api('log:start', { cluster: name, task_name: name, storage: layout.log, flush_interval_ms: 1000 });
    await api('txn:commit', { cluster: name, puts: [{ key: 'a', value: '1' }, { key: 'big', value: 'x'.repeat(600) }] });
    const snap = await api('backup:full', { cluster: name, storage: layout.snapshot });
    // Two flushes that write: at least two .meta files.
    await api('txn:commit', { cluster: name, puts: [{ key: 'b', value: '2' }], deletes: ['a'] });
    await api('log:flush', { cluster: name });
    await api('txn:commit', { cluster: name, puts: [{ key: 'c', value: '3' }] });
    await api('log:flush', { cluster: name });
    await api('log:flush', { cluster: name });
    const clusterFolder = (await api('cluster:status', { cluster: name })).cluster_id;
    return { layout, snapTs: snap.backup_ts, folder: `backup-${clusterFolder}/` };
  }

  async function journey(name: string, base: string) {
    const { layout, snapTs, folder } = await backupUnder(name, base);
    // Root → cluster folder → the log backup and the snapshot, one folder at a time.
    const root = await api('storage:browse', { storage: base });
    assert.deepEqual(root.folders.map((f) => [f.path, f.kind]), [[folder, 'cluster-backups']]);
    const cluster = await api('storage:browse', { storage: base, prefix: folder });
    const kinds = cluster.folders.map((f) => f.kind).sort();
    assert.deepEqual(kinds, ['log-backup', 'snapshot']);
    const snapFolder = cluster.folders.find((f) => f.kind === 'snapshot')!.path;
    const logRoot = await api('storage:browse', { storage: base, prefix: `${folder}log-backup/` });
    assert.deepEqual(logRoot.files.map((f) => [f.name, f.kind]), [['backup.lock', 'lock'], ['backupmeta', 'log-backupmeta']]);
    assert.deepEqual(logRoot.folders.map((f) => f.name), ['v1']);
    const snapRoot = await api('storage:browse', { storage: base, prefix: snapFolder });
    assert.ok(snapRoot.files.some((f) => f.name === 'backupmeta' && f.kind === 'snapshot-backupmeta'), JSON.stringify(snapRoot));
    assert.ok(snapRoot.folders.every((f) => /^store\d+$/.test(f.name)) && snapRoot.folders.length > 0);

    // Paging a folder by name.
    const metaDir = `${folder}log-backup/v1/backupmeta/`;
    const page1 = await api('storage:browse', { storage: base, prefix: metaDir, limit: 1 });
    assert.equal(page1.files.length, 1);
    assert.equal(page1.files[0]!.kind, 'log-meta');
    assert.equal(page1.truncated, true);
    const page2 = await api('storage:browse', { storage: base, prefix: metaDir, limit: 1, after: page1.next_after! });
    assert.notEqual(page2.files[0]!.path, page1.files[0]!.path);

    // Decoding: a .meta, the .log it lists, the snapshot's backupmeta and one of its .sst files.
    const meta = await api('storage:inspect', { storage: base, path: page1.files[0]!.path });
    assert.equal(meta.error, null);
    const logPath = `${folder}log-backup/${(meta.decoded as { files: Array<{ path: string }> }).files[0]!.path}`;
    const log = await api('storage:inspect', { storage: base, path: logPath });
    assert.equal(log.kind, 'log-data');
    assert.equal(log.data?.ok, true, JSON.stringify(log.data));
    assert.equal(log.data?.listed_by, page1.files[0]!.path);
    assert.ok(log.data!.entries > 0 && log.data!.entries === log.data!.recorded_entries);
    assert.ok(log.data!.checksums.every((c) => c.ok === true) && log.data!.blocks.every((b) => b.checksum.ok === true));
    const smeta = await api('storage:inspect', { storage: base, path: `${snapFolder}backupmeta` });
    assert.equal(smeta.kind, 'snapshot-backupmeta');
    assert.equal((smeta.decoded as { backup_ts: string }).backup_ts, snapTs);
    const store = await api('storage:browse', { storage: base, prefix: snapRoot.folders[0]!.path });
    const sst = await api('storage:inspect', { storage: base, path: store.files[0]!.path });
    assert.equal(sst.kind, 'snapshot-data');
    assert.equal(sst.data?.ok, true, JSON.stringify(sst.data));
    const cp = await api('storage:browse', { storage: base, prefix: `${folder}log-backup/v1/global_checkpoint/` });
    const cpFile = await api('storage:inspect', { storage: base, path: cp.files[0]!.path });
    assert.match((cpFile.decoded as { global_checkpoint: { ts: string } }).global_checkpoint.ts, /^\d+$/);

    // Clear errors: a path out of the root, a missing file, a missing folder.
    await refused(api('storage:inspect', { storage: base, path: '../etc/passwd' }), /InvalidPath/);
    await refused(api('storage:inspect', { storage: base, path: `${folder}nope` }), /NotFound/);
    await refused(api('storage:browse', { storage: base, prefix: 'no-such-folder/' }), /NotFound/);

    // The timeline: the snapshot found beside the log, restorable from it to the checkpoint.
    const tl = await api('restore:timeline', { storage: layout.log });
    assert.equal(tl.snapshots.length, 1, JSON.stringify(tl.problems));
    assert.equal(tl.snapshots[0]!.backup_ts, snapTs);
    assert.equal(tl.snapshots[0]!.usable, true, tl.snapshots[0]!.reason ?? '');
    assert.equal(tl.earliest_restorable_ts, snapTs);
    assert.equal(tl.latest_restorable_ts, tl.log_max_ts);
    assert.deepEqual(tl.bands, [{ from_ts: tl.log_min_ts, to_ts: tl.log_max_ts }]);
    assert.equal(tl.gaps.length, 0);
    assert.ok(tl.log_files.count > 0 && tl.log_files.ranges.length === 2 * tl.log_files.count);
    assert.ok(tl.refusals.some((r) => r.from_ts === null) && tl.refusals.some((r) => r.to_ts === null));
    const named = await api('restore:timeline', { storage: layout.log, full_backup_storage: base });
    assert.equal(named.snapshots.length, 1);
    assert.equal(named.earliest_restorable_ts, snapTs);

    // Verify passes, then catches a damaged .log and a damaged .sst, then a missing .log.
    const ok = await api('storage:verify', { storage: base });
    assert.equal(ok.passed, true, JSON.stringify(ok.failures));
    assert.ok(ok.checked_files >= 2 && ok.ok === ok.checked_files);
    assert.deepEqual(ok.backups.map((b) => b.kind).sort(), ['log', 'snapshot']);
    const storage = openStorage(base);
    try {
      for (const p of [logPath, store.files[0]!.path]) {
        const bytes = await storage.read(p);
        bytes[bytes.length >> 1]! ^= 0xff;
        await storage.write(p, bytes);
      }
      const bad = await api('storage:verify', { storage: base });
      assert.equal(bad.passed, false);
      assert.deepEqual(bad.failures.map((f) => f.path).sort(), [logPath, store.files[0]!.path].sort());
      const badLog = await api('storage:inspect', { storage: base, path: logPath });
      assert.equal(badLog.data?.ok, false);
      assert.match(badLog.error ?? '', /checksum/);
      // Only the damaged log's folder: the snapshot is not checked.
      const part = await api('storage:verify', { storage: base, prefix: `${folder}log-backup/` });
      assert.deepEqual(part.failures.map((f) => f.path), [logPath]);

      await storage.delete(logPath);
      const gap = await api('restore:timeline', { storage: layout.log });
      assert.equal(gap.gaps.length, 1, JSON.stringify(gap));
      assert.match(gap.gaps[0]!.reason, /missing/);
      const missing = await api('storage:verify', { storage: base, prefix: `${folder}log-backup/` });
      assert.match(missing.failures[0]!.reason, /missing/);
    } finally {
      closeStorage(storage);
    }
    return { tl, layout };
  }

  test('a local folder: browse, inspect, verify (with damage), timeline', async () => {
    await journey('loc', join(dir, 'backups'));
    await refused(api('storage:browse', { storage: join(dir, 'nowhere') }), /NotFound/);
  });

  test('s3rver: the same, and no secret in any answer', async () => {
    const base = s3.url('base');
    const { tl, layout } = await journey('rem', base);
    const text = JSON.stringify(tl) + JSON.stringify(await api('storage:browse', { storage: layout.log }));
    assert.doesNotMatch(text, /secret-access-key=S3RVER/);
    assert.ok(tl.snapshots[0]!.storage.startsWith('s3://'));
    assert.equal(appendToStorageUrl('s3://b/p?x=1', 'q'), 's3://b/p/q?x=1');
  });
});
