/**
 * A snapshot backup holds exactly the source's MVCC snapshot at its backup ts: taken while a
 * bank workload transfers money (and while regions split and move), its decoded content equals
 * a scan of every key at backup_ts, the bank total read from it is unchanged, every file passes
 * its sha256, and the per-table checksums recomputed from the source match the backupmeta's.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeRow } from '../../../core/cluster/catalog/catalog.ts';
import { decodeKey, prefixNext, userKey } from '../../../core/cluster/catalog/keys.ts';
import { runFullBackup } from '../../../core/snapshot/backup.ts';
import { spreadUserKeys, testCluster, waitFor } from '../../helpers/cluster.ts';
import { assertSameKvs, decodeBackup, emptyFolder, removeFolders, sourceSnapshot, tableChecksums } from './helpers.ts';

after(removeFolders);

const ACCOUNTS = 100;

test('a backup taken during bank transfers is the exact MVCC snapshot at backup_ts', async () => {
  const t = await testCluster({ stores: 3 });
  try {
    const c = t.cluster;
    // Long values (in the default CF), short ones, a deleted key and an overwritten one.
    for (let i = 0; i < 40; i++) {
      const txn = c.txn.begin();
      txn.put(userKey(`long-${i}`), Buffer.alloc(300 + i, i));
      txn.put(userKey(`short-${i}`), Buffer.from(`v${i}`));
      await txn.commit();
    }
    const del = c.txn.begin();
    del.delete(userKey('short-3'));
    del.put(userKey('long-4'), Buffer.from('now short'));
    del.put(userKey('empty'), Buffer.alloc(0));
    await del.commit();

    await c.workloads.start('bank', { rate: 0, concurrency: 8, accounts: ACCOUNTS });
    await waitFor('bank transfers', () => (c.workloads.status().find((w) => w.kind === 'bank')?.committed ?? 0) > 50, 20_000);
    const folder = emptyFolder();
    const committed = () => c.workloads.status().find((w) => w.kind === 'bank')?.committed ?? 0;
    const before = committed();
    // Slowed a little, so that transfers commit (and lock keys) while the stores read.
    const r = await runFullBackup(c, { storage: folder, rateLimit: 100_000 });
    const moreAfter = committed();
    assert.ok(moreAfter > before, 'transfers committed while the backup ran');
    await waitFor('transfers after the backup', () => committed() > moreAfter + 20, 20_000);
    await c.workloads.stop('bank');

    const ts = BigInt(r.backup_ts);
    const source = await sourceSnapshot(c, ts);
    const backup = await decodeBackup(folder);
    assertSameKvs(backup.kvs, source, 'backup vs source at backup_ts');
    assert.notDeepEqual([...(await sourceSnapshot(c, c.pd.tso())).values()], [...source.values()], 'the workload moved on after the backup');

    // The backup's own figures.
    assert.equal(r.kvs, source.size);
    assert.equal(r.files, backup.meta.files.length);
    assert.equal(backup.meta.backup_ts, r.backup_ts);
    assert.equal(backup.meta.cluster_id, c.pd.clusterId.toString());
    assert.equal(backup.writeEntries, source.size);
    assert.ok(backup.defaultEntries >= 39, `long values are in the default CF (${backup.defaultEntries})`);
    assert.equal(r.bytes, [...source].reduce((n, [k, v]) => n + k.length / 2 + v.length, 0));
    assert.ok(r.size > 0 && r.size === backup.meta.files.reduce((n, f) => n + f.size, 0));
    assert.equal(backup.kvs.get(userKey('empty').toString('hex'))?.length, 0);
    assert.equal(backup.kvs.get(userKey('long-4').toString('hex'))?.toString(), 'now short');
    assert.ok(!backup.kvs.has(userKey('short-3').toString('hex')), 'a deleted key is not in the snapshot');

    // The bank total read from the backup alone.
    const accounts = backup.meta.schemas.find((s) => s.db === 'test' && s.table === 'accounts');
    assert.ok(accounts, 'test.accounts is named in the backupmeta');
    let total = 0;
    let rows = 0;
    for (const [hex, value] of backup.kvs) {
      const d = decodeKey(Buffer.from(hex, 'hex'));
      if (d.kind === 'row' && d.tableId === accounts.table_id) {
        total += decodeRow<{ balance: number }>(value).balance;
        rows++;
      }
    }
    assert.equal(rows, ACCOUNTS);
    assert.equal(total, ACCOUNTS * 1000);

    // Per-table checksums recomputed from the source equal the backupmeta's.
    const expected = tableChecksums(source);
    const recorded = new Map(backup.meta.schemas.filter((s) => s.kvs > 0).map((s) => [s.table_id, { kvs: s.kvs, bytes: s.bytes, checksum: s.checksum }]));
    assert.deepEqual(recorded, expected);
    assert.ok(backup.meta.schemas.some((s) => s.db === 'mysql' && s.table === 'user'));

    // The backed-up ranges tile the whole key space, in order.
    const ranges = backup.meta.ranges;
    assert.equal(ranges[0]?.start_key, '');
    assert.equal(ranges.at(-1)?.end_key, '');
    for (let i = 1; i < ranges.length; i++) assert.equal(ranges[i]!.start_key, ranges[i - 1]!.end_key);
  } finally {
    await t.close();
  }
});

test('regions that split and move during the backup are retried with a fresh route', async () => {
  const t = await testCluster({ stores: 3 });
  try {
    const c = t.cluster;
    const key = (i: number) => userKey(`k${String(i).padStart(4, '0')}`);
    for (let i = 0; i < 30; i++) {
      const txn = c.txn.begin();
      for (let j = 0; j < 20; j++) txn.put(key(i * 20 + j), Buffer.alloc(j % 3 === 0 ? 400 : 20, j));
      await txn.commit();
    }
    for (const i of [100, 200, 300, 400, 500]) await c.splitAt(key(i));
    await c.scatter();
    const ts = c.pd.tso();
    const folder = emptyFolder();
    let churn: Promise<unknown> | null = null;
    let rounds = 0;
    const r = await runFullBackup(c, {
      storage: folder,
      backupTs: ts,
      // Slow enough (about half a second per store) that the churn below lands mid-backup.
      rateLimit: 60_000,
      onProgress: (p) => {
        rounds = Math.max(rounds, p.round);
        churn ??= (async () => {
          for (const i of [50, 150, 250, 350, 450, 550]) await c.splitAt(key(i));
          const user = c.pd.regions.overlapping(key(0), prefixNext(userKey('')));
          for (const x of user) await c.moveRegion(x.id, c.stores().map((s) => s.storeId).find((id) => id !== x.leader)!);
        })();
      },
    });
    await churn;
    assert.ok(rounds >= 2, `moved and split regions were retried in later rounds (rounds: ${rounds})`);
    assert.equal(BigInt(r.backup_ts), ts);
    assertSameKvs((await decodeBackup(folder)).kvs, await sourceSnapshot(c, ts), 'backup vs source');
  } finally {
    await t.close();
  }
});

test('a store that crashes during the backup is retried once it is back', async () => {
  const t = await testCluster({ stores: 3 });
  try {
    const c = t.cluster;
    await spreadUserKeys(c);
    // The victim leads the 'i' region (40 KB, read first, then throttled) and the 'r' region:
    // it is killed while it waits, before it reads 'r'.
    const victim = c.pd.regions.locate(userKey('r')).leader;
    await c.moveRegion(c.pd.regions.locate(userKey('i')).id, victim);
    for (let i = 0; i < 20; i++) {
      const txn = c.txn.begin();
      for (const p of ['b', 'i', 'r']) txn.put(userKey(`${p}${i}`), Buffer.alloc(p === 'i' ? 2000 : 200 + i, i));
      await txn.commit();
    }
    const ts = c.pd.tso();
    const folder = emptyFolder();
    let killed: Promise<void> | null = null;
    let rounds = 0;
    const r = await runFullBackup(c, {
      storage: folder,
      backupTs: ts,
      rateLimit: 20_000,
      onProgress: (p) => {
        rounds = Math.max(rounds, p.round);
        killed ??= c.store(victim).kill();
      },
    });
    await killed;
    assert.ok(rounds >= 2, `the crashed store's regions were retried (rounds: ${rounds})`);
    assert.equal(BigInt(r.backup_ts), ts);
    assertSameKvs((await decodeBackup(folder)).kvs, await sourceSnapshot(c, ts), 'backup vs source');
  } finally {
    await t.close();
  }
});
