/**
 * Bad input to `log start` and friends: each is refused with a clear error, and nothing is
 * written, neither in PD (no task, no safepoint, no metadata) nor in the storage.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCode, PitrError } from '../../../core/errors.ts';
import { LOG_PATHS } from '../../../core/logbackup/format.ts';
import { logMetadata, LogErrorCode, truncateLog } from '../../../core/logbackup/storage-ops.ts';
import { closeStorage, openStorage, StorageErrorCode } from '../../../core/storage/index.ts';
import { startS3rver } from '../../helpers/s3.ts';
import type { TestS3 } from '../../helpers/s3.ts';
import { lbEnv, listing, MANUAL_FLUSH_MS } from './helpers.ts';
import type { LbEnv } from './helpers.ts';

/** Asserts a PitrError with this code whose message matches every pattern. */
function refused(code: string, ...patterns: RegExp[]) {
  return (err: unknown): boolean => {
    assert.ok(err instanceof PitrError, `a PitrError, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    for (const p of patterns) assert.match(err.message, p);
    return true;
  };
}

describe('log backup bad input', () => {
  let env: LbEnv;

  /** Nothing of a log backup task is in PD. */
  const nothingInPd = () => {
    assert.deepEqual(env.svc.statusAll(), [], 'no task');
    assert.deepEqual(env.cluster.pd.metaScan('/tidb/br-stream/'), [], 'no task metadata');
    assert.deepEqual(
      env.cluster.pd.serviceSafePoints().filter((s) => /^(br-log|log-)/.test(s.serviceId)),
      [],
      'no log backup safepoint',
    );
  };

  before(async () => {
    env = await lbEnv({ stores: 1 });
  });

  after(async () => {
    await env?.close();
  });

  test('unsupported schemes are refused, naming what is supported', async () => {
    for (const url of ['gcs://bucket/prefix', 'gs://bucket/prefix', 'azure://container/prefix', 'azblob://c/p', 'hdfs://nn/p']) {
      await assert.rejects(env.svc.start({ name: 't', storage: url }), refused(StorageErrorCode.Unsupported, /not supported/, /local:\/\//, /s3:\/\//));
      assert.throws(() => openStorage(url), refused(StorageErrorCode.Unsupported));
    }
    nothingInPd();
  });

  test('bad task names, flush intervals and start ts are refused', async () => {
    const url = join(env.tempDir(), 'lb');
    await assert.rejects(env.svc.start({ name: '', storage: url }), refused(ErrorCode.InvalidArgument, /task-name/));
    await assert.rejects(env.svc.start({ name: 'a/b', storage: url }), refused(ErrorCode.InvalidArgument, /task-name/));
    await assert.rejects(env.svc.start({ name: 'ok', storage: url, flushIntervalMs: 500 }), refused(ErrorCode.InvalidArgument, /at least 1s/));
    await assert.rejects(env.svc.start({ name: 'ok', storage: url, startTs: env.cluster.pd.tso() + (1000n << 18n) }), refused(ErrorCode.InvalidArgument, /in the future/));
    assert.equal(existsSync(url), false, 'nothing written in storage');
    nothingInPd();
  });

  test('a folder that cannot be created (its parent is a file) is refused, nothing written', async () => {
    const parent = join(env.tempDir(), 'a-file');
    writeFileSync(parent, 'not a folder');
    await assert.rejects(env.svc.start({ name: 't', storage: join(parent, 'log-backup'), flushIntervalMs: MANUAL_FLUSH_MS }), refused(StorageErrorCode.Unavailable, /a-file/, /is a file, not a folder/));
    assert.equal(readFileSync(parent, 'utf8'), 'not a folder');
    nothingInPd();
  });

  test('a damaged backupmeta is refused with an error naming the file', async () => {
    const dir = join(env.tempDir(), 'damaged');
    mkdirSync(dir);
    writeFileSync(join(dir, 'backupmeta'), Buffer.from([0xde, 0xad, 0xbe, 0xef, 0x7b]));
    const storage = openStorage(dir);
    const before = await listing(storage);
    await assert.rejects(env.svc.start({ name: 't', storage: dir, flushIntervalMs: MANUAL_FLUSH_MS }), refused(ErrorCode.InvalidArgument, /backupmeta/, /not valid JSON/));
    await assert.rejects(logMetadata(storage), refused(ErrorCode.InvalidArgument, /backupmeta/));
    await assert.rejects(truncateLog(storage, 1n, true), refused(ErrorCode.InvalidArgument, /backupmeta/));
    // Valid JSON, wrong content (a log backupmeta missing its cluster id).
    writeFileSync(join(dir, 'backupmeta'), JSON.stringify({ version: 1, kind: 'log', task_name: 't', start_ts: '1', created_at: 'x' }));
    await assert.rejects(env.svc.start({ name: 't', storage: dir, flushIntervalMs: MANUAL_FLUSH_MS }), refused(ErrorCode.InvalidArgument, /backupmeta/, /cluster_id/));
    assert.equal((await listing(storage)).length, before.length, 'nothing written');
    nothingInPd();
  });

  test('a snapshot backup’s folder is refused as not a log backup', async () => {
    const id = env.cluster.pd.clusterId.toString();
    const full = join(env.tempDir(), 'snapshot-full');
    mkdirSync(full);
    writeFileSync(join(full, 'backup.lock'), JSON.stringify({ cluster_id: id, backup_ts: '1', started_at: 'x', note: 'written by `pitr backup full`' }));
    writeFileSync(join(full, 'backupmeta'), JSON.stringify({ version: 1, kind: 'snapshot', cluster_id: id }));
    await assert.rejects(env.svc.start({ name: 't', storage: full }), refused(LogErrorCode.NotLogBackup, /snapshot backup, not a log backup/));
    await assert.rejects(logMetadata(openStorage(full)), refused(LogErrorCode.NotLogBackup));
    // An unfinished one: its lock only.
    const unfinished = join(env.tempDir(), 'snapshot-unfinished');
    mkdirSync(unfinished);
    writeFileSync(join(unfinished, 'backup.lock'), JSON.stringify({ cluster_id: id, backup_ts: '1', started_at: 'x', note: 'written by `pitr backup full`' }));
    await assert.rejects(env.svc.start({ name: 't', storage: unfinished }), refused(LogErrorCode.NotLogBackup, /backup\.lock/, /not a log backup/));
    assert.deepEqual((await listing(openStorage(unfinished))).map((e) => e.split(':')[0]), ['backup.lock'], 'nothing written');
    nothingInPd();
  });

  test('a second task on one cluster is refused (ErrStreamLogTaskExist), its storage untouched', async () => {
    const url = join(env.tempDir(), 'first');
    const second = join(env.tempDir(), 'second');
    await env.svc.start({ name: 'one', storage: url, flushIntervalMs: MANUAL_FLUSH_MS });
    try {
      await assert.rejects(env.svc.start({ name: 'two', storage: second, flushIntervalMs: MANUAL_FLUSH_MS }), refused(LogErrorCode.TaskExists, /"one" already exists/, /one task per cluster/));
      // Even with the same name.
      await assert.rejects(env.svc.start({ name: 'one', storage: url, flushIntervalMs: MANUAL_FLUSH_MS }), refused(LogErrorCode.TaskExists));
      assert.equal(existsSync(second), false, 'the refused task’s storage is not created');
      assert.deepEqual(env.svc.statusAll().map((t) => t.name), ['one']);
      await assert.rejects(env.svc.pause('two'), refused(LogErrorCode.TaskNotFound, /"two" does not exist/));
      await assert.rejects(env.svc.stop('two'), refused(LogErrorCode.TaskNotFound));
      // --until after the checkpoint: refused, nothing deleted.
      await env.svc.flushAll();
      const storage = openStorage(url);
      const before = await listing(storage);
      const max = BigInt((await logMetadata(storage)).log_max_ts);
      await assert.rejects(truncateLog(storage, max + 1n, false), refused(LogErrorCode.UntilAfterCheckpoint, /after the log backup's checkpoint/));
      await assert.rejects(truncateLog(storage, env.cluster.pd.tso(), true), refused(LogErrorCode.UntilAfterCheckpoint));
      assert.deepEqual(await listing(storage), before);
    } finally {
      await env.svc.stop('one');
    }
    nothingInPd();
    await assert.rejects(env.svc.resume(undefined), refused(LogErrorCode.TaskNotFound, /no log backup task/));
  });

  test('the storage of another cluster is refused; nothing written in storage or PD', async () => {
    const other = await lbEnv({ stores: 1 });
    try {
      const url = join(env.tempDir(), 'cluster-a');
      await other.svc.start({ name: 'a', storage: url, flushIntervalMs: MANUAL_FLUSH_MS });
      await other.svc.flushAll();
      await other.svc.stop('a');
      const storage = openStorage(url);
      const before = await listing(storage);
      await assert.rejects(
        env.svc.start({ name: 'b', storage: url, flushIntervalMs: MANUAL_FLUSH_MS }),
        refused(LogErrorCode.OtherCluster, new RegExp(`cluster ${other.cluster.pd.clusterId}`), new RegExp(`this cluster \\(${env.cluster.pd.clusterId}\\)`)),
      );
      assert.deepEqual(await listing(storage), before, 'the storage is unchanged');
      nothingInPd();
    } finally {
      await other.close();
    }
  });

  test('wrong S3 credentials are refused and the secret never shows', async () => {
    let s3: TestS3 | undefined;
    try {
      s3 = await startS3rver();
      // s3rver checks the access key id but does not verify SigV4 signatures: a wrong secret
      // alone would pass there, so the key is wrong too (AWS refuses either).
      const secret = 'Wr0ngS3cretValue+/xyz';
      const key = 'AKIAWRONGKEY123';
      const bad = s3.url('log').replace('secret-access-key=S3RVER', `secret-access-key=${encodeURIComponent(secret)}`).replace('&access-key=S3RVER', `&access-key=${key}`);
      assert.ok(bad.includes(key) && bad.includes(encodeURIComponent(secret)));
      let message = '';
      await assert.rejects(env.svc.start({ name: 't', storage: bad, flushIntervalMs: MANUAL_FLUSH_MS }), (err: unknown) => {
        assert.ok(err instanceof PitrError);
        assert.equal(err.code, StorageErrorCode.AccessDenied, err.message);
        message = `${err.message} ${JSON.stringify(err.details ?? {})}`;
        return true;
      });
      assert.match(message, /credentials were refused/);
      for (const hidden of [secret, encodeURIComponent(secret), key]) assert.ok(!message.includes(hidden), `${hidden} is not in: ${message}`);
      nothingInPd();
      const good = openStorage(s3.url(''));
      try {
        assert.deepEqual(await good.list(''), [], 'nothing written in the bucket');
      } finally {
        closeStorage(good);
      }
    } finally {
      await s3?.stop();
    }
  });

  test('the error of a missing storage names backupmeta for metadata and truncate', async () => {
    const empty = openStorage(join(env.tempDir(), 'nothing-here'));
    await assert.rejects(logMetadata(empty), refused(LogErrorCode.NotLogBackup, /no log backup \(no backupmeta\)/));
    await assert.rejects(truncateLog(empty, 1n, false), refused(LogErrorCode.NotLogBackup));
    assert.equal(await empty.exists(LOG_PATHS.truncateSafepoint), false);
  });
});
