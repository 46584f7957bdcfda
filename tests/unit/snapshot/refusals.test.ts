/**
 * What `backup full` refuses, before it writes anything: a storage that already holds a backup
 * (or anything else), a backup ts behind the GC safepoint or in the future, and storage schemes
 * TiDB's PiTR does not support. Each refusal says what to do instead.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCode, PitrError } from '../../../core/errors.ts';
import { runFullBackup } from '../../../core/snapshot/backup.ts';
import { BackupErrorCode } from '../../../core/snapshot/errors.ts';
import { StorageErrorCode } from '../../../core/storage/index.ts';
import { testCluster } from '../../helpers/cluster.ts';
import type { TestCluster } from '../../helpers/cluster.ts';
import { emptyFolder, filesIn, removeFolders } from './helpers.ts';

const fails = (code: string, message: RegExp) => (err: unknown): boolean => {
  assert.ok(err instanceof PitrError, `a PitrError, got ${String(err)}`);
  assert.equal(err.code, code, err.message);
  assert.match(err.message, message);
  return true;
};
const brHolds = (t: TestCluster) => t.cluster.pd.serviceSafePoints().filter((sp) => sp.serviceId.startsWith('br-backup-'));

describe('backup full refusals', () => {
  let t: TestCluster;
  before(async () => {
    t = await testCluster({ stores: 2 });
  });
  after(async () => {
    await t.close();
    removeFolders();
  });

  test('a storage that already holds a snapshot backup', async () => {
    const folder = emptyFolder();
    await runFullBackup(t.cluster, { storage: folder });
    const before = filesIn(folder);
    const id = t.cluster.pd.clusterId.toString();
    await assert.rejects(
      runFullBackup(t.cluster, { storage: `local://${folder}` }),
      fails(BackupErrorCode.StorageNotEmpty, new RegExp(`already holds a snapshot backup; choose an empty folder such as backup-${id}/snapshot-\\d{14}`)),
    );
    assert.deepEqual(filesIn(folder), before, 'nothing was written');
    assert.deepEqual(brHolds(t), []);
  });

  test('a storage that holds other files, or an unfinished backup', async () => {
    const folder = emptyFolder();
    writeFileSync(join(folder, 'notes.txt'), 'mine');
    await assert.rejects(runFullBackup(t.cluster, { storage: folder }), fails(BackupErrorCode.StorageNotEmpty, /is not empty \(1 file, e\.g\. notes\.txt\); choose an empty folder/));
    assert.deepEqual(filesIn(folder), ['notes.txt']);
    const locked = emptyFolder();
    writeFileSync(join(locked, 'backup.lock'), '{}');
    await assert.rejects(runFullBackup(t.cluster, { storage: locked }), fails(BackupErrorCode.StorageNotEmpty, /unfinished snapshot backup \(backup\.lock without backupmeta/));
    assert.deepEqual(filesIn(locked), ['backup.lock']);
  });

  test('a backup ts older than the GC safepoint', async () => {
    const c = t.cluster;
    const old = c.pd.tso();
    c.pd.setSetting('gc_life_time_ms', '1');
    await new Promise((r) => setTimeout(r, 5));
    const safepoint = c.pd.advanceGcSafePoint();
    c.pd.setSetting('gc_life_time_ms', String(10 * 60 * 1000));
    assert.ok(safepoint > old);
    const folder = emptyFolder();
    await assert.rejects(
      runFullBackup(c, { storage: folder, backupTs: old }),
      fails(BackupErrorCode.GcSafepointExceeded, new RegExp(`backup ts ${old} .* is older than the GC safepoint ${safepoint} .*Choose a --backupts at or after the GC safepoint, or omit it`)),
    );
    assert.deepEqual(filesIn(folder), [], 'nothing was written');
    assert.deepEqual(brHolds(t), [], 'no safepoint was left behind');
    // At the safepoint itself the history is still there.
    await runFullBackup(c, { storage: folder, backupTs: safepoint });
  });

  test('a backup ts in the future', async () => {
    const folder = emptyFolder();
    const future = t.cluster.pd.tso() + (60_000n << 18n);
    await assert.rejects(runFullBackup(t.cluster, { storage: folder, backupTs: future }), fails(ErrorCode.InvalidTs, /is in the future .* give a --backupts at or before now, or omit it/));
    assert.deepEqual(filesIn(folder), []);
  });

  test('storage schemes TiDB PiTR does not support', async () => {
    for (const url of ['gcs://x', 'gs://bucket/p', 'azure://c/p']) {
      await assert.rejects(runFullBackup(t.cluster, { storage: url }), fails(StorageErrorCode.Unsupported, /is not supported: PiTR Studio backs up to local:\/\/ folders or s3:\/\/ buckets/), url);
    }
    assert.deepEqual(brHolds(t), []);
  });
});
