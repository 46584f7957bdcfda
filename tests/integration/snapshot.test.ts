/**
 * `pitr backup full` through a real host and the real CLI, into a local folder and into a real
 * S3 server (s3rver) on loopback; then the schedule and history commands and the refusals a
 * user meets first (a malformed --backupts, a non-empty folder, an unsupported scheme).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ClusterInfo, TxnResult } from '../../core/contract/types.ts';
import type { BackupRunInfo, ScheduleInfo, SnapshotRunStatus } from '../../core/contract/snapshot.ts';
import { readSnapshotMeta } from '../../core/snapshot/backupmeta.ts';
import { closeStorage, openStorage } from '../../core/storage/index.ts';
import { pitr, pitrJson, removeTempDirs, startServer, tempDir } from '../helpers/cli.ts';
import type { ServerHandle } from '../helpers/cli.ts';
import { startS3rver } from '../helpers/s3.ts';
import type { TestS3 } from '../helpers/s3.ts';

interface FullJson {
  backup_ts: string;
  kvs: number;
  bytes: number;
  files: number;
  duration_s: number;
}

describe('pitr backup', () => {
  let server: ServerHandle;
  let s3: TestS3;
  let dataDir: string;
  let pd: string;
  let clusterId: string;
  const o = () => ({ dataDir });

  before(async () => {
    dataDir = tempDir();
    [server, s3] = await Promise.all([startServer({ dataDir }), startS3rver()]);
    const c = await pitrJson<ClusterInfo>(['cluster', 'create', '--name', 'snap', '--stores', '3'], o());
    pd = c.pd;
    clusterId = c.cluster_id;
    await pitrJson<TxnResult>(['txn', '--pd', pd, '--put', 'a=1', '--put', 'b=2', '--put', `big=${'x'.repeat(1000)}`], o());
  });
  after(async () => {
    try {
      await Promise.all([server?.stop(), s3?.stop()]);
    } finally {
      removeTempDirs();
    }
  });

  const checkFull = (r: FullJson) => {
    assert.match(r.backup_ts, /^\d+$/);
    assert.ok(r.kvs >= 4, `kvs ${r.kvs}`);
    assert.ok(r.bytes > 1000 && r.files >= 2 && r.duration_s >= 0);
  };

  test('backup full --json to a local folder', async () => {
    const folder = tempDir('pitr-it-snap-');
    const r = await pitrJson<FullJson>(['backup', 'full', '--pd', pd, '-s', folder], o());
    checkFull(r);
    const storage = openStorage(folder);
    const meta = await readSnapshotMeta(storage);
    assert.equal(meta.backup_ts, r.backup_ts);
    assert.equal(meta.cluster_id, clusterId);
    assert.equal(meta.files.length, r.files);
    // Again into the same folder: refused, with the folder to use instead.
    const again = await pitr(['backup', 'full', '--pd', pd, '--storage', folder], o());
    assert.notEqual(again.code, 0);
    assert.match(again.stderr, new RegExp(`already holds a snapshot backup; choose an empty folder such as backup-${clusterId}/snapshot-\\d{14}`));
  });

  test('backup full --json to S3 (s3rver), with --backupts', async () => {
    const ts = (await pitrJson<{ tso: string }>(['tso', '--pd', pd], o())).tso;
    const url = s3.url('team/snap-1');
    const r = await pitrJson<FullJson>(['backup', 'full', '--pd', pd, '--storage', url, '--backupts', ts], o());
    checkFull(r);
    assert.equal(r.backup_ts, ts);
    const storage = openStorage(url);
    try {
      const meta = await readSnapshotMeta(storage);
      assert.equal(meta.backup_ts, ts);
      for (const f of meta.files) assert.equal((await storage.read(f.name)).length, f.size);
    } finally {
      closeStorage(storage);
    }
  });

  test('human output reads like br, and the history lists the runs', async () => {
    const r = await pitr(['backup', 'full', '--pd', pd, '-s', tempDir('pitr-it-snap-')], o());
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /\["Full Backup success summary"\] \[total-take=[\d.]+s\] \[BackupTS=\d+\] \[total-kv=\d+\] \[total-kv-size=[\d.]+k?B\]/);
    const runs = await pitrJson<BackupRunInfo[]>(['backup', 'history', '--pd', pd], o());
    assert.ok(runs.filter((x) => x.state === 'succeeded' && x.schedule_id === null).length >= 3);
    assert.ok(runs.some((x) => x.state === 'failed'), 'the refused run is recorded too');
    for (const x of runs) assert.ok(!/S3RVER/.test(x.storage), 'credentials are never shown');
    // `backup status`: the last run, with its progress at 100 % and br's summary.
    const st = await pitrJson<SnapshotRunStatus>(['backup', 'status', '--pd', pd], o());
    assert.equal(st.state, 'succeeded');
    assert.equal(st.progress.fraction, 1);
    assert.equal(st.run_id, runs[0]!.id);
    const human = await pitr(['backup', 'status', '--pd', pd], o());
    assert.equal(human.code, 0, human.stderr);
    assert.match(human.stdout, /^run \d+ \(manual\) into .*: succeeded/);
    assert.match(human.stdout, /Full Backup <-{60}> 100\.00% (\d+)\/\1 regions/);
  });

  test('schedule add, list and remove', async () => {
    const s = await pitrJson<ScheduleInfo>(['backup', 'schedule', 'add', '--pd', pd, '--cron', '0 0 * * *', '-s', s3.url('sched')], o());
    assert.equal(s.description, 'every day at 00:00');
    assert.match(s.next_run ?? '', /T00:00:00\.000Z$/);
    assert.ok(!s.storage.includes('S3RVER'));
    const list = await pitrJson<ScheduleInfo[]>(['backup', 'schedule', 'list', '--pd', pd], o());
    assert.deepEqual(list.map((x) => x.id), [s.id]);
    const bad = await pitr(['backup', 'schedule', 'add', '--pd', pd, '--cron', 'daily', '-s', tempDir()], o());
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /not a valid cron expression .*`0 0 \* \* \*` = every day at 00:00/);
    assert.deepEqual(await pitrJson(['backup', 'schedule', 'remove', '--pd', pd, '--id', String(s.id)], o()), { id: s.id });
    assert.deepEqual(await pitrJson(['backup', 'schedule', 'list', '--pd', pd], o()), []);
  });

  test('a bad --backupts or storage scheme fails before any request', async () => {
    // No such PD: a request would fail with "cannot reach"; these fail first.
    const bogus = '127.0.0.1:1';
    const ts = await pitr(['backup', 'full', '--pd', bogus, '-s', tempDir(), '--backupts', 'yesterday'], o());
    assert.equal(ts.code, 2);
    assert.match(ts.stderr, /invalid --backupts "yesterday"/);
    const gcs = await pitr(['backup', 'full', '--pd', bogus, '-s', 'gcs://bucket/x', '--json'], o());
    assert.equal(gcs.code, 1);
    assert.match(gcs.stderr, /gcs:\/\/ storage is not supported/);
    assert.doesNotMatch(gcs.stderr, /cannot reach/);
  });
});
