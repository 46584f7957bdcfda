/**
 * A snapshot run's progress (`backup:progress` pushes, `backup:status`): by regions as br's
 * bar counts them, never backwards, with an ETA once a region is done; its end carries the
 * result or the error, and a storage secret never shows in any of it.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { userKey } from '../../../core/cluster/catalog/keys.ts';
import type { SnapshotRunStatus } from '../../../core/contract/snapshot.ts';
import { BackupErrorCode } from '../../../core/snapshot/errors.ts';
import { SnapshotService } from '../../../core/snapshot/service.ts';
import { testCluster } from '../../helpers/cluster.ts';
import type { TestCluster } from '../../helpers/cluster.ts';
import { emptyFolder, removeFolders } from './helpers.ts';

describe('snapshot run progress', () => {
  let t: TestCluster;
  let svc: SnapshotService;
  const pushes: SnapshotRunStatus[] = [];

  before(async () => {
    t = await testCluster({ stores: 3 });
    const txn = t.cluster.txn.begin();
    for (let i = 0; i < 300; i++) txn.put(userKey(`k${String(i).padStart(3, '0')}`), Buffer.alloc(2000, i));
    await txn.commit();
    for (const i of [50, 100, 150, 200, 250]) await t.cluster.splitAt(userKey(`k${i}`));
    svc = new SnapshotService({ dataDir: emptyFolder('pitr-host-'), clusters: () => [t.cluster], cluster: () => t.cluster });
    svc.listeners.add((s) => pushes.push(s));
  });
  after(async () => {
    await svc.stop();
    await t.close();
    removeFolders();
  });

  test('pushes go forward by regions to the result, and backup:status has the last', async () => {
    pushes.length = 0;
    assert.equal(svc.status('test'), null, 'no run yet');
    const regions = t.cluster.pd.regions.all().length;
    assert.ok(regions >= 6, `${regions} regions`);
    // Slowed down (br's --ratelimit) so that progress is seen between the first and last push.
    const r = await svc.backupNow('test', emptyFolder(), { rateLimit: 400_000 });
    assert.ok(pushes.length >= 3, `${pushes.length} pushes`);
    const first = pushes[0]!;
    assert.equal(first.state, 'running');
    assert.equal(first.progress.regions_done, 0);
    assert.equal(first.schedule_id, null);
    const running = pushes.filter((p) => p.state === 'running');
    for (let i = 1; i < running.length; i++) {
      assert.ok(running[i]!.progress.regions_done >= running[i - 1]!.progress.regions_done, 'regions done never go back');
      assert.ok(running[i]!.progress.kvs >= running[i - 1]!.progress.kvs, 'KVs never go back');
    }
    for (const p of running) assert.ok(p.progress.fraction >= 0 && p.progress.fraction < 1, `fraction ${p.progress.fraction} while running`);
    const midway = running.find((p) => p.progress.fraction > 0);
    assert.ok(midway, 'a push between the start and the end');
    assert.equal(midway.backup_ts, r.backup_ts);
    assert.ok(midway.progress.eta_s !== null && midway.progress.eta_s >= 0, 'an ETA once a region is done');
    assert.ok(midway.progress.regions_total >= regions);

    const last = pushes.at(-1)!;
    assert.equal(last.state, 'succeeded');
    assert.equal(last.progress.fraction, 1);
    assert.equal(last.progress.regions_done, last.progress.regions_total);
    assert.deepEqual(last.result, { backup_ts: r.backup_ts, kvs: r.kvs, bytes: r.bytes, size: r.size, files: r.files, duration_s: r.duration_s, storage: r.storage });
    assert.ok((last.result?.kvs ?? 0) >= 300, 'every row (and the catalog) is in it');
    assert.equal(last.run_id, svc.history('test', 1)[0]!.id);
    assert.deepEqual(svc.status('test'), last);
    // Pushes are copies: what a listener holds does not change under it.
    assert.equal(first.state, 'running');
  });

  test('a failed run ends with its error, and no secret shows', async () => {
    pushes.length = 0;
    const secret = 'Sup3rS3cretKey+/zz';
    const url = `s3://bucket/snap?endpoint=http://127.0.0.1:9&access-key=AKIDPROGRESS&secret-access-key=${encodeURIComponent(secret)}&force-path-style=true`;
    await assert.rejects(svc.backupNow('test', url));
    const last = pushes.at(-1)!;
    assert.equal(last.state, 'failed');
    assert.ok(last.error && last.error.message.length > 0);
    assert.equal(last.result, null);
    const all = JSON.stringify(pushes) + JSON.stringify(svc.status('test'));
    for (const hidden of [secret, encodeURIComponent(secret), 'AKIDPROGRESS']) assert.ok(!all.includes(hidden), `${hidden} does not show`);

    pushes.length = 0;
    const full = emptyFolder();
    await svc.backupNow('test', full);
    await assert.rejects(svc.backupNow('test', full));
    const refused = pushes.at(-1)!;
    assert.equal(refused.state, 'failed');
    assert.equal(refused.error?.code, BackupErrorCode.StorageNotEmpty);
    assert.match(refused.error?.message ?? '', /choose an empty folder/);
  });
});
