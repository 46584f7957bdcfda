/**
 * Snapshot schedules run in cluster time: with a manual cluster clock stepped past midnight, a
 * `0 0 * * *` schedule takes one snapshot per cluster day into the seed's recommended folder,
 * and the history records it (manual runs too; a due run that finds its cluster busy is
 * recorded as skipped). Schedules and history live in host.db and survive a restart.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { PitrError } from '../../../core/errors.ts';
import { BackupErrorCode } from '../../../core/snapshot/errors.ts';
import { SnapshotService } from '../../../core/snapshot/service.ts';
import type { ClusterSource } from '../../../core/snapshot/service.ts';
import { proposeLayout } from '../../../core/storage/layout.ts';
import { userKey } from '../../../core/cluster/catalog/keys.ts';
import { ManualClock } from '../../../core/tso/index.ts';
import { testCluster } from '../../helpers/cluster.ts';
import type { TestCluster } from '../../helpers/cluster.ts';
import { decodeBackup, emptyFolder, removeFolders } from './helpers.ts';

const at = (iso: string) => Date.parse(iso);

describe('snapshot schedules', () => {
  let t: TestCluster;
  let clock: ManualClock;
  let source: ClusterSource;
  let svc: SnapshotService;
  let base: string;

  before(async () => {
    clock = new ManualClock(at('2026-01-01T10:00:00Z'));
    t = await testCluster({ stores: 2, clock });
    const txn = t.cluster.txn.begin();
    for (let i = 0; i < 50; i++) txn.put(userKey(`k${i}`), Buffer.alloc(100 + 5 * i, i));
    await txn.commit();
    source = { dataDir: emptyFolder('pitr-host-'), clusters: () => [t.cluster], cluster: () => t.cluster };
    svc = new SnapshotService(source);
    base = emptyFolder('pitr-base-');
  });
  after(async () => {
    await svc.stop();
    await t.close();
    removeFolders();
  });

  test('a daily schedule runs once per cluster day into backup-<id>/snapshot-YYYYMMDDhhmmss', async () => {
    const s = svc.addSchedule('test', '0 0 * * *', base);
    assert.equal(s.description, 'every day at 00:00');
    assert.equal(s.next_run, '2026-01-02T00:00:00.000Z');
    assert.equal(s.cluster, 'test');

    await svc.tick();
    clock.set(at('2026-01-01T23:59:59Z'));
    await svc.tick();
    assert.deepEqual(svc.history('test', 10), [], 'nothing is due before midnight');

    clock.set(at('2026-01-02T00:00:30Z'));
    await svc.tick();
    await svc.tick();
    clock.set(at('2026-01-02T12:00:00Z'));
    await svc.tick();
    let runs = svc.history('test', 10);
    assert.equal(runs.length, 1, 'one run on the first cluster day');
    const first = runs[0]!;
    const expected = proposeLayout(base, t.cluster.pd.clusterId, at('2026-01-02T00:00:30Z')).snapshot;
    assert.match(expected, /\/backup-\d+\/snapshot-20260102000030$/);
    assert.equal(first.storage, expected);
    assert.equal(first.state, 'succeeded', first.error ?? '');
    assert.equal(first.schedule_id, s.id);
    assert.equal(first.started_at, '2026-01-02T00:00:30.000Z');
    assert.ok(first.finished_at);
    const backup = await decodeBackup(expected);
    assert.equal(backup.meta.backup_ts, first.backup_ts);
    assert.equal(first.kvs, backup.kvs.size);
    assert.ok(backup.kvs.has(userKey('k7').toString('hex')));

    clock.set(at('2026-01-03T00:00:05Z'));
    await svc.tick();
    runs = svc.history('test', 10);
    assert.equal(runs.length, 2, 'one more run on the second cluster day');
    assert.equal(runs[0]!.state, 'succeeded');
    assert.match(runs[0]!.storage, /snapshot-20260103000005$/);
    assert.equal(svc.listSchedules('test')[0]?.next_run, '2026-01-04T00:00:00.000Z');
  });

  test('a due run while another runs is skipped and recorded; manual runs are in the history', async () => {
    // A manual run slowed down to last across the next midnight's tick.
    const manualFolder = emptyFolder();
    const manual = svc.backupNow('test', manualFolder, { rateLimit: 20_000 });
    await assert.rejects(async () => svc.backupNow('test', emptyFolder()), (e: unknown) => e instanceof PitrError && e.code === BackupErrorCode.InProgress);
    clock.set(at('2026-01-04T00:00:01Z'));
    await svc.tick();
    const r = await manual;
    const runs = svc.history('test', 10);
    const skipped = runs.find((x) => x.state === 'skipped');
    assert.ok(skipped, 'the due run was recorded as skipped');
    assert.match(skipped.error ?? '', /previous snapshot backup of this cluster was still running/);
    const m = runs.find((x) => x.schedule_id === null);
    assert.ok(m, 'the manual run is in the history');
    assert.equal(m.state, 'succeeded');
    assert.equal(m.backup_ts, r.backup_ts);
    assert.equal(m.storage, manualFolder);
  });

  test('invalid cron expressions are refused with an example', () => {
    for (const cron of ['0 0 * *', '61 * * * *', 'every day', '0 0 0 * * *', '@sometimes']) {
      assert.throws(() => svc.addSchedule('test', cron, base), /is not a valid cron expression .*`0 0 \* \* \*` = every day at 00:00/, cron);
    }
    assert.throws(() => svc.addSchedule('test', '0 0 * * *', 'gcs://bucket/x'), /gcs:\/\/ storage is not supported/);
    assert.equal(svc.listSchedules('test').length, 1);
  });

  test('schedules and history survive a restart; a run cut short is recorded as failed', async () => {
    const slow = svc.backupNow('test', emptyFolder(), { rateLimit: 2_000 });
    await svc.stop();
    await assert.rejects(slow, (e: unknown) => e instanceof PitrError && e.code === BackupErrorCode.Cancelled);
    svc = new SnapshotService(source);
    const list = svc.listSchedules('test');
    assert.equal(list.length, 1);
    assert.equal(list[0]?.cron, '0 0 * * *');
    const runs = svc.history('test', 100);
    assert.equal(runs[0]?.state, 'failed');
    assert.match(runs[0]?.error ?? '', /cancelled/);
    assert.ok(runs.length >= 5);

    const id = list[0]!.id;
    assert.deepEqual(svc.removeSchedule('test', id), { id });
    assert.deepEqual(svc.listSchedules('test'), []);
    assert.throws(() => svc.removeSchedule('test', id), /has no snapshot schedule/);
  });
});
