/**
 * Locks and GC during a snapshot backup: locks of crashed transactions at or before the backup
 * ts are resolved (committed or rolled back as their primary says) and the backup completes;
 * GC is held by a service safepoint while the backup runs and released after it, also when the
 * backup fails.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { userKey } from '../../../core/cluster/catalog/keys.ts';
import { runFullBackup } from '../../../core/snapshot/backup.ts';
import { FaultyStorage, LocalStorage } from '../../../core/storage/index.ts';
import { allLocks, spreadUserKeys, testCluster } from '../../helpers/cluster.ts';
import { assertSameKvs, decodeBackup, emptyFolder, filesIn, removeFolders, sourceSnapshot } from './helpers.ts';

after(removeFolders);

const hex = (s: string) => userKey(s).toString('hex');
const brHolds = <T extends { serviceId: string }>(sps: T[]): T[] => sps.filter((sp) => sp.serviceId.startsWith('br-backup-'));

test('locks of crashed transactions before the backup ts are resolved and the backup completes', async () => {
  const t = await testCluster({ stores: 3 });
  try {
    const c = t.cluster;
    await spreadUserKeys(c);
    // Crashed after prewrite: nothing committed, the locks roll back once their TTL has passed.
    const lost = c.txn.begin();
    lost.put(userKey('b-lost'), Buffer.from('never committed'));
    lost.put(userKey('i-lost'), Buffer.alloc(500, 1));
    await lost.commit({ crashAfter: 'prewrite', ttlMs: 1 });
    // Crashed after committing its primary: committed, the secondaries commit on resolution.
    const kept = c.txn.begin();
    kept.put(userKey('b-kept'), Buffer.from('primary'));
    kept.put(userKey('i-kept'), Buffer.from('secondary'));
    kept.put(userKey('r-kept'), Buffer.alloc(400, 2));
    const k = await kept.commit({ crashAfter: 'primary' });
    assert.ok((await allLocks(c)).length >= 3, 'locks were left behind');
    await new Promise((r) => setTimeout(r, 5));

    const folder = emptyFolder();
    const resolvedBefore = c.txn.resolver.resolvedCount;
    const r = await runFullBackup(c, { storage: folder });
    assert.ok(BigInt(r.backup_ts) > k.startTs);
    assert.ok(c.txn.resolver.resolvedCount > resolvedBefore, 'the backup resolved locks');
    assert.deepEqual(await allLocks(c, BigInt(r.backup_ts)), [], 'no lock at or before the backup ts is left');

    const backup = await decodeBackup(folder);
    assertSameKvs(backup.kvs, await sourceSnapshot(c, BigInt(r.backup_ts)), 'backup vs source');
    assert.ok(!backup.kvs.has(hex('b-lost')) && !backup.kvs.has(hex('i-lost')), 'the rolled-back transaction is not in the backup');
    assert.equal(backup.kvs.get(hex('i-kept'))?.toString(), 'secondary');
    assert.equal(backup.kvs.get(hex('r-kept'))?.length, 400);
  } finally {
    await t.close();
  }
});

test('GC is held at the backup ts while the backup runs, and released afterwards', async () => {
  const t = await testCluster({ stores: 3 });
  try {
    const c = t.cluster;
    for (let i = 0; i < 200; i++) {
      const txn = c.txn.begin();
      txn.put(userKey(`k${i}`), Buffer.alloc(300, i));
      await txn.commit();
    }
    await spreadUserKeys(c);
    // From now on GC would collect everything older than 1 ms, but for the backup's safepoint.
    c.pd.setSetting('gc_life_time_ms', '1');
    const folder = emptyFolder();
    const seen: Array<{ held: bigint[]; gcSafePoint: bigint }> = [];
    const r = await runFullBackup(c, {
      storage: folder,
      // Slowed, so that GC gets several chances to run while the stores are busy.
      rateLimit: 100_000,
      onProgress: () => {
        const held = brHolds(c.pd.serviceSafePoints()).map((sp) => sp.safepoint);
        seen.push({ held, gcSafePoint: c.pd.advanceGcSafePoint() });
      },
    });
    const ts = BigInt(r.backup_ts);
    assert.ok(seen.length >= 2, `progress was reported while the backup ran (${seen.length})`);
    for (const s of seen) {
      assert.deepEqual(s.held, [ts], 'one br-backup-* service safepoint, at the backup ts');
      assert.ok(s.gcSafePoint <= ts, 'GC did not pass the backup ts while the backup ran');
    }
    assert.deepEqual(brHolds(c.pd.serviceSafePoints()), [], 'the service safepoint is removed at the end');
    await new Promise((res) => setTimeout(res, 5));
    assert.ok(c.pd.advanceGcSafePoint() > ts, 'GC moves past the backup ts once the backup is done');
    assert.equal((await decodeBackup(folder)).kvs.size, r.kvs);
  } finally {
    await t.close();
  }
});

test('a failed backup releases GC and leaves no backupmeta (an incomplete backup)', async () => {
  const t = await testCluster({ stores: 2 });
  try {
    const c = t.cluster;
    const folder = emptyFolder();
    const faulty = new FaultyStorage(new LocalStorage(folder));
    // The stores write the data files themselves; once they are at work (backup.lock is
    // written), the host's next write is the backupmeta: fail it.
    const onProgress = () => faulty.fail('write', { times: 1 });
    await assert.rejects(runFullBackup(c, { storage: folder, openStorage: () => faulty, onProgress }), /injected fault/);
    assert.equal(faulty.failures.write, 1);
    assert.deepEqual(brHolds(c.pd.serviceSafePoints()), [], 'the service safepoint is removed after a failure');
    const files = filesIn(folder);
    assert.ok(files.includes('backup.lock'));
    assert.ok(!files.includes('backupmeta'), 'no backupmeta: the folder holds an incomplete backup');
    await assert.rejects(decodeBackup(folder), (err: Error & { code?: string }) => err.code === 'BR:Backup:ErrBackupIncomplete');
  } finally {
    await t.close();
  }
});
