/**
 * What restore point refuses, and when: a damaged file (a flipped byte in a snapshot .sst or in
 * a .log block) fails the restore naming the file, with nothing claimed after it; a missing
 * file, a gap between snapshot and log, a restored ts outside the window, snapshot and log of
 * different clusters, a non-empty target, the source itself, and the same restore run again
 * are refused BEFORE anything is written to the target.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { userKey } from '../../../core/cluster/catalog/keys.ts';
import type { Cluster } from '../../../core/cluster/cluster.ts';
import { ErrorCode, PitrError } from '../../../core/errors.ts';
import { selectBlocks } from '../../../core/logbackup/reader.ts';
import type { BlockRef } from '../../../core/logbackup/reader.ts';
import { logMetadata, truncateLog } from '../../../core/logbackup/storage-ops.ts';
import { RestoreCheckpoint } from '../../../core/restore/checkpoint.ts';
import { RestoreErrorCode } from '../../../core/restore/plan.ts';
import type { RestoreArgs } from '../../../core/restore/plan.ts';
import { readSnapshotMeta } from '../../../core/snapshot/backupmeta.ts';
import { runFullBackup } from '../../../core/snapshot/backup.ts';
import { StorageErrorCode } from '../../../core/storage/storage.ts';
import { closeStorage, openStorage } from '../../../core/storage/index.ts';
import type { HostEnv } from './helpers.ts';
import { assertVerified, blobTable, FLUSH_INTERVAL_MS, flushUntilLogMax, hostEnv, restoreInto, storeRows, writeBlobs } from './helpers.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('restore point refusals', () => {
  let env: HostEnv;
  let src: Cluster;
  let logUrl: string;
  let snapUrl: string;
  let snapshotTs: bigint;
  let logMin: bigint;
  let logMax: bigint;
  let targets = 0;

  /** A fresh target cluster and the witness of its untouched state. */
  const freshTarget = async (stores = 1) => {
    const name = `t${targets++}`;
    const cluster = await env.host.createCluster(name, stores);
    return { name, cluster, rows: await storeRows(cluster) };
  };

  /** The target is exactly as created: no row written or removed, no restore recorded. */
  const assertUntouched = async (t: { cluster: Cluster; rows: string[] }, what: string) => {
    assert.deepEqual(await storeRows(t.cluster), t.rows, `${what}: the target's stores are untouched`);
    assert.deepEqual(RestoreCheckpoint.all(t.cluster.pd), [], `${what}: no restore recorded in the target's PD`);
  };

  /** A copy of a backup folder that a test may damage. */
  const copyOf = (url: string, name: string) => {
    const dir = env.path(name);
    cpSync(url, dir, { recursive: true });
    return dir;
  };

  /** Runs point() expecting a refusal; returns the error. */
  const refused = async (target: string, args: RestoreArgs, code: string, dryRun = false): Promise<PitrError> => {
    const err = await env.host.restore.point(target, args, dryRun).then(
      (r) => assert.fail(`expected a refusal (${code}), got a started restore ${JSON.stringify(r.plan)}`),
      (e: unknown) => e,
    );
    assert.ok(err instanceof PitrError, `a PitrError, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    return err;
  };

  /** The log blocks a restore to the log max ts from the snapshot needs, in the order it applies them. */
  const neededBlocks = async (url: string): Promise<BlockRef[]> => {
    const storage = openStorage(url);
    try {
      return await selectBlocks(storage, snapshotTs, logMax);
    } finally {
      closeStorage(storage);
    }
  };

  const flipByte = (file: string, at: number) => {
    const bytes = readFileSync(file);
    bytes[at] = bytes[at]! ^ 0xff;
    writeFileSync(file, bytes);
  };

  before(async () => {
    env = await hostEnv();
    src = await env.host.createCluster('src', 2);
    logUrl = env.path('log');
    snapUrl = env.path('snap');
    const lb = env.host.logBackup('src');
    await lb.start({ name: 'refusals', storage: logUrl, flushIntervalMs: FLUSH_INTERVAL_MS });
    await src.workloads.start('bank', { rate: 300, concurrency: 4, accounts: 100 });
    const blobs = await blobTable(src, 'blobs');
    await writeBlobs(src, blobs, 0, 300);
    snapshotTs = BigInt((await runFullBackup(src, { storage: snapUrl })).backup_ts);
    // Several flushes after the snapshot: many .log files, so a failure has work left after it.
    for (let i = 0; i < 6; i++) {
      await writeBlobs(src, blobs, 300 + i * 100, 400 + i * 100);
      await sleep(250);
      await lb.flushAll();
    }
    await src.workloads.stopAll();
    await flushUntilLogMax(lb, logUrl, src.pd.tso());
    // The task stops: the folder no longer changes while the tests copy it.
    await lb.stop('refusals');
    const storage = openStorage(logUrl);
    const w = await logMetadata(storage);
    closeStorage(storage);
    logMin = BigInt(w.log_min_ts);
    logMax = BigInt(w.log_max_ts);
    assert.ok(logMin < snapshotTs && snapshotTs < logMax, 'the snapshot is inside the log window');
  });

  after(async () => {
    await env?.close();
  });

  test('a flipped byte in a snapshot .sst file fails the restore, naming the file', async () => {
    const snap = copyOf(snapUrl, 'snap-corrupt');
    const storage = openStorage(snap);
    const meta = await readSnapshotMeta(storage);
    closeStorage(storage);
    const file = [...meta.files].sort((a, b) => b.size - a.size)[0]!;
    flipByte(join(snap, file.name), Math.floor(file.size / 2));
    const t = await freshTarget();
    const { status } = await restoreInto(env.host, t.name, { logStorage: logUrl, snapStorage: snap });
    assert.equal(status.state, 'failed');
    assert.equal(status.error?.code, StorageErrorCode.Corrupted, status.error?.message);
    assert.ok(status.error?.message.includes(file.name), `the message names ${file.name}: ${status.error?.message}`);
    assert.equal(status.result, null, 'no result is claimed');
    const cp = new RestoreCheckpoint(t.cluster.pd, status.restore_id);
    assert.equal(cp.isDone(file.name), false, 'the damaged file is not recorded as applied');
    assert.equal(cp.info()?.finished_at, null, 'the restore is not recorded as finished');
    await assert.rejects(env.host.restore.verify(t.name), (e: unknown) => e instanceof PitrError && e.code === ErrorCode.NotFound);
  });

  test('a flipped byte in a .log block fails the restore naming the file; nothing runs or is claimed after it', async () => {
    const log = copyOf(logUrl, 'log-corrupt');
    const blocks = await neededBlocks(log);
    const files = [...new Set(blocks.map((b) => b.path))];
    assert.ok(files.length >= 6, `enough .log files for work to be left after the damaged one (${files.length})`);
    // The first file applied: every other file comes after it.
    const bad = blocks.find((b) => b.path === files[0])!;
    flipByte(join(log, bad.path), bad.block.offset + Math.floor(bad.block.length / 2));
    const t = await freshTarget();
    const args = { logStorage: log, snapStorage: snapUrl };
    const { status } = await restoreInto(env.host, t.name, args);
    assert.equal(status.state, 'failed');
    assert.equal(status.error?.code, StorageErrorCode.Corrupted, status.error?.message);
    assert.ok(status.error?.message.includes(bad.path), `the message names ${bad.path}: ${status.error?.message}`);
    assert.equal(status.result, null, 'no result is claimed');
    assert.notEqual(status.progress.phase, 'done');
    const doneAtFailure = new RestoreCheckpoint(t.cluster.pd, status.restore_id).doneCount;
    const rowsAtFailure = await storeRows(t.cluster);
    // A failed restore has stopped: nothing is applied or recorded after it says so.
    await sleep(800);
    const cp = new RestoreCheckpoint(t.cluster.pd, status.restore_id);
    assert.equal(cp.doneCount, doneAtFailure, 'no unit is recorded as applied after the restore failed');
    assert.deepEqual(await storeRows(t.cluster), rowsAtFailure, 'nothing is written to the target after the restore failed');
    assert.equal(cp.isDone(`${bad.path}@${bad.block.offset}`), false, 'the damaged block is not recorded as applied');
    assert.equal(cp.info()?.finished_at, null, 'the restore is not recorded as finished');
    await assert.rejects(env.host.restore.verify(t.name), (e: unknown) => e instanceof PitrError && e.code === ErrorCode.NotFound);
    // Run again: it resumes, meets the same damaged block, and fails the same way.
    const again = await restoreInto(env.host, t.name, args);
    assert.equal(again.plan.resume, true);
    assert.equal(again.status.state, 'failed');
    assert.ok(again.status.error?.message.includes(bad.path), again.status.error?.message);
  });

  test('a missing .log file is refused before anything is written, naming the file', async () => {
    const log = copyOf(logUrl, 'log-missing');
    const blocks = await neededBlocks(log);
    const gone = blocks[Math.floor(blocks.length / 2)]!.path;
    rmSync(join(log, gone));
    const t = await freshTarget();
    const err = await refused(t.name, { logStorage: log, snapStorage: snapUrl }, RestoreErrorCode.MissingFile);
    assert.ok(err.message.includes(gone), `the message names ${gone}: ${err.message}`);
    await refused(t.name, { logStorage: log, snapStorage: snapUrl }, RestoreErrorCode.MissingFile, true);
    await assertUntouched(t, 'missing .log');
  });

  test('a missing snapshot .sst file is refused before anything is written, naming the file', async () => {
    const snap = copyOf(snapUrl, 'snap-missing');
    const storage = openStorage(snap);
    const meta = await readSnapshotMeta(storage);
    closeStorage(storage);
    const gone = meta.files[meta.files.length - 1]!.name;
    rmSync(join(snap, gone));
    const t = await freshTarget();
    const err = await refused(t.name, { logStorage: logUrl, snapStorage: snap }, RestoreErrorCode.MissingFile);
    assert.ok(err.message.includes(gone), `the message names ${gone}: ${err.message}`);
    await assertUntouched(t, 'missing .sst');
  });

  test('a gap (the log truncated past the snapshot ts) is refused before anything is written, with the gap', async () => {
    const log = copyOf(logUrl, 'log-truncated');
    const until = snapshotTs + (logMax - snapshotTs) / 2n;
    const storage = openStorage(log);
    const r = await truncateLog(storage, until, false);
    closeStorage(storage);
    assert.equal(r.log_min_ts, until.toString());
    const t = await freshTarget();
    const err = await refused(t.name, { logStorage: log, snapStorage: snapUrl }, RestoreErrorCode.Gap);
    assert.ok(err.message.includes(`[${snapshotTs}, ${until})`), `the message gives the gap [${snapshotTs}, ${until}): ${err.message}`);
    // Also when the restored ts itself is inside the truncated log's window.
    await refused(t.name, { logStorage: log, snapStorage: snapUrl, restoredTs: until + 1n }, RestoreErrorCode.Gap);
    await assertUntouched(t, 'gap');
  });

  test('a restored ts outside the log window is refused before anything is written, with the window', async () => {
    const t = await freshTarget();
    const window = `[${logMin}, ${logMax}]`;
    for (const ts of [logMax + 1n, logMin - 1n]) {
      const err = await refused(t.name, { logStorage: logUrl, snapStorage: snapUrl, restoredTs: ts }, RestoreErrorCode.OutOfWindow);
      assert.ok(err.message.includes(window), `the message gives the window ${window}: ${err.message}`);
      assert.ok(err.message.includes(ts.toString()), `the message gives the asked ts ${ts}`);
    }
    // Inside the log but before the snapshot: the snapshot cannot be rolled back.
    const err = await refused(t.name, { logStorage: logUrl, snapStorage: snapUrl, restoredTs: snapshotTs - 1n }, RestoreErrorCode.OutOfWindow);
    assert.ok(err.message.includes(window), err.message);
    await assertUntouched(t, 'outside the window');
  });

  test('a non-empty target is refused before anything is written', async () => {
    const withKey = await freshTarget();
    await withKey.cluster.txn.run(async (txn) => txn.put(userKey('precious'), Buffer.from('data')));
    const rows = await storeRows(withKey.cluster);
    const err = await refused(withKey.name, { logStorage: logUrl, snapStorage: snapUrl }, RestoreErrorCode.NotEmpty);
    assert.match(err.message, /not empty/);
    assert.deepEqual(await storeRows(withKey.cluster), rows, 'the user key and everything else stay');
    assert.ok(await withKey.cluster.txn.get(userKey('precious'), withKey.cluster.pd.tso()));

    const withTable = await freshTarget();
    await blobTable(withTable.cluster, 'mine');
    await refused(withTable.name, { logStorage: logUrl, snapStorage: snapUrl }, RestoreErrorCode.NotEmpty);
    await refused(withTable.name, { logStorage: logUrl, snapStorage: snapUrl }, RestoreErrorCode.NotEmpty, true);
  });

  test('restoring into the source cluster itself is refused', async () => {
    const before = await storeRows(src);
    const err = await refused('src', { logStorage: logUrl, snapStorage: snapUrl }, RestoreErrorCode.NotEmpty);
    assert.match(err.message, /source cluster/);
    assert.deepEqual(await storeRows(src), before, 'the source is untouched');
  });

  test('a snapshot and a log of different clusters are refused before anything is written', async () => {
    const other = await env.host.createCluster('other', 1);
    const otherSnap = env.path('snap-other');
    await runFullBackup(other, { storage: otherSnap });
    const t = await freshTarget();
    const err = await refused(t.name, { logStorage: logUrl, snapStorage: otherSnap }, RestoreErrorCode.OtherCluster);
    assert.ok(err.message.includes(other.pd.clusterId.toString()) && err.message.includes(src.pd.clusterId.toString()), `the message names both clusters: ${err.message}`);
    await assertUntouched(t, 'other cluster');
  });

  test('the same restore run again after it finished is refused: the same log range never applies twice', async () => {
    const t = await freshTarget();
    const args = { logStorage: logUrl, snapStorage: snapUrl, restoredTs: snapshotTs + (logMax - snapshotTs) / 3n };
    const { status } = await restoreInto(env.host, t.name, args);
    assertVerified(status, 'the first run');
    const rows = await storeRows(t.cluster);
    const err = await refused(t.name, args, RestoreErrorCode.NotEmpty);
    assert.match(err.message, /already restored/);
    await refused(t.name, args, RestoreErrorCode.NotEmpty, true);
    // Another point into the same, now restored, cluster: not empty.
    await refused(t.name, { ...args, restoredTs: logMax }, RestoreErrorCode.NotEmpty);
    assert.deepEqual(await storeRows(t.cluster), rows, 'the refusals wrote nothing');
    assert.equal(env.host.restore.status(t.name).state, 'succeeded');
  });
});
