/**
 * `pitr restore point|status|verify` through a real host and the real CLI, as a DBA runs br's
 * restore point: JSON progress lines then the result with its verification; `--dry-run` prints
 * the plan and writes nothing; `restore verify` passes; and the same restore from backups kept
 * in a real S3 server (s3rver) on loopback.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { RestorePlanInfo, RestoreResult, Verification } from '../../core/contract/restore.ts';
import type { LogWindow } from '../../core/contract/logbackup.ts';
import type { ClusterInfo, KvResult, TxnResult } from '../../core/contract/types.ts';
import { formatTs, parseTs } from '../../core/tso/index.ts';
import { pitr, pitrJson, pitrOk, removeTempDirs, startServer, tempDir, waitFor } from '../helpers/cli.ts';
import type { ServerHandle } from '../helpers/cli.ts';
import { startS3rver } from '../helpers/s3.ts';
import type { TestS3 } from '../helpers/s3.ts';

const PHASES = ['plan', 'prepare', 'snapshot', 'meta', 'kv', 'verify', 'done'];
const RESULT_FIELDS = ['restored_ts', 'snapshot_ts', 'kvs', 'bytes', 'files', 'duration_s', 'verification'];

/** A source cluster with a log backup and a snapshot, and the commits around them. */
interface Source {
  pd: string;
  log: string;
  snap: string;
  snapshotTs: bigint;
  /** Committed after the snapshot, before `late`. */
  early: TxnResult;
  /** Committed at least a few ms after `early`. */
  late: TxnResult;
  logMax: bigint;
}

describe('pitr restore', () => {
  let server: ServerHandle;
  let s3: TestS3;
  let dataDir: string;
  let local: Source;
  let remote: Source;
  const o = () => ({ dataDir });

  const txn = (pd: string, ...args: string[]) => pitrJson<TxnResult>(['txn', '--pd', pd, ...args], o());
  const rawScan = async (pd: string) => (await pitrOk(['scan', '--pd', pd, '--raw', '--json'], o())).lines<KvResult>();
  const newCluster = async (name: string) => (await pitrJson<ClusterInfo>(['cluster', 'create', '--name', name, '--stores', '1'], o())).pd;

  /** A cluster with bank transfers, a log backup (1 s flushes) and a snapshot, in log/snap. */
  const makeSource = async (name: string, log: string, snap: string): Promise<Source> => {
    const pd = (await pitrJson<ClusterInfo>(['cluster', 'create', '--name', name, '--stores', '2'], o())).pd;
    await pitrOk(['log', 'start', '--pd', pd, '--task-name', name, '-s', log, '--flush-interval', '1s'], o());
    await pitrOk(['workload', 'start', '--pd', pd, '--kind', 'bank', '--rate', '200', '--concurrency', '4', '--accounts', '50'], o());
    await txn(pd, '--put', 'gone=soon', '--put', `big=${'x'.repeat(1000)}`);
    const snapshotTs = BigInt((await pitrJson<{ backup_ts: string }>(['backup', 'full', '--pd', pd, '-s', snap], o())).backup_ts);
    const early = await txn(pd, '--put', 'early=1', '--delete', 'gone', '--put', `big=${'y'.repeat(1200)}`);
    await new Promise((r) => setTimeout(r, 30));
    const late = await txn(pd, '--put', 'late=2');
    await pitrOk(['workload', 'stop', '--pd', pd], o());
    const window = await waitFor(
      `the log backup of ${name} to reach the last commit`,
      async () => {
        const w = await pitrJson<LogWindow>(['log', 'metadata', '-s', log], o());
        return BigInt(w.log_max_ts) >= BigInt(late.commit_ts) ? w : undefined;
      },
      30_000,
      250,
    );
    return { pd, log, snap, snapshotTs, early, late, logMax: BigInt(window.log_max_ts) };
  };

  /** Runs `restore point --json`; returns its progress lines and its result. */
  const restorePoint = async (target: string, s: Source, restoredTs: string) => {
    const r = await pitr(['restore', 'point', '--pd', target, '-s', s.log, '--full-backup-storage', s.snap, '--restored-ts', restoredTs, '--json'], o());
    assert.equal(r.code, 0, `restore point failed: ${r.stderr}`);
    const lines = r.lines<Record<string, unknown>>();
    const result = lines.pop() as unknown as RestoreResult;
    assert.ok(lines.length > 0, 'progress lines come before the result');
    let last = -1;
    for (const p of lines) {
      assert.equal(p.event, 'progress', JSON.stringify(p));
      const phase = PHASES.indexOf(p.phase as string);
      assert.ok(phase >= 0, `a known phase: ${JSON.stringify(p)}`);
      assert.ok(phase >= last, `phases only move forward: ${JSON.stringify(lines.map((l) => l.phase))}`);
      last = phase;
      for (const k of ['done_bytes', 'total_bytes', 'done_files', 'total_files', 'kvs', 'rate_bytes_per_s', 'elapsed_s']) assert.equal(typeof p[k], 'number', `progress has ${k}`);
    }
    assert.deepEqual(Object.keys(result).sort(), [...RESULT_FIELDS].sort());
    return { progress: lines, result };
  };

  const assertVerified = (v: Verification, what: string) => {
    assert.equal(v.ok, true, `${what}: ${JSON.stringify(v)}`);
    assert.equal(v.source.compared, true, `${what}: compared with the source (${v.source.reason})`);
    assert.equal(v.source.equal, true, `${what}: equal to the source ${JSON.stringify(v.source.mismatches)}`);
    assert.ok(v.source.keys > 50, `${what}: the comparison saw the data (${v.source.keys} keys)`);
    assert.ok(v.tables.length > 0 && v.tables.every((t) => t.ok), `${what}: table checksums`);
  };

  const get = async (pd: string, key: string) => (await pitrJson<KvResult>(['get', '--pd', pd, key], o())).value;

  before(async () => {
    dataDir = tempDir();
    [server, s3] = await Promise.all([startServer({ dataDir }), startS3rver()]);
    const dir = tempDir('pitr-it-backup-');
    local = await makeSource('src', join(dir, 'log'), join(dir, 'snap'));
    remote = await makeSource('src-s3', s3.url('log'), s3.url('snap'));
  });

  after(async () => {
    try {
      await Promise.all([server?.stop(), s3?.stop()]);
    } finally {
      removeTempDirs();
    }
  });

  test('restore point --restored-ts <datetime> --json: progress lines, then the result with its verification', async () => {
    const target = await newCluster('t-datetime');
    const fresh = await rawScan(target);
    // One ms after `early` committed, as a DBA types it: a datetime, ms precision.
    const at = formatTs(parseTs(String(BigInt(local.early.commit_ts) + (1n << 18n))));
    const restoredTs = parseTs(at);
    assert.ok(restoredTs > BigInt(local.early.commit_ts) && restoredTs < BigInt(local.late.commit_ts), `${at} lies between the two commits`);
    const { progress, result } = await restorePoint(target, local, at);
    assert.equal(result.restored_ts, restoredTs.toString());
    assert.equal(result.snapshot_ts, local.snapshotTs.toString());
    assert.ok(result.kvs > 50 && result.bytes > 1000 && result.files >= 2 && result.duration_s >= 0, JSON.stringify(result));
    // The CLI samples progress every 300 ms: a small restore may show only its first and last phases.
    assert.equal(progress[progress.length - 1]!.phase, 'done', JSON.stringify(progress.map((p) => p.phase)));
    assertVerified(result.verification, 'datetime restore');
    assert.ok(result.verification.log_kvs > 0, 'log entries were applied');
    // What the DBA sees in the restored cluster.
    assert.equal(await get(target, 'early'), '1');
    assert.equal(await get(target, 'big'), 'y'.repeat(1200));
    assert.equal(await get(target, 'gone'), null, 'deleted before the restored ts');
    assert.equal(await get(target, 'late'), null, 'committed after the restored ts');
    assert.notDeepEqual(await rawScan(target), fresh);

    const verify = await pitr(['restore', 'verify', '--pd', target, '--json'], o());
    assert.equal(verify.code, 0, verify.stderr);
    assertVerified(verify.json<Verification>(), 'restore verify');
    const human = await pitr(['restore', 'verify', '--pd', target], o());
    assert.equal(human.code, 0, human.stderr);
    assert.match(human.stdout, /verification: PASSED/);
    const status = await pitrJson<{ state: string; progress: { phase: string } }>(['restore', 'status', '--pd', target], o());
    assert.equal(status.state, 'succeeded');
    assert.equal(status.progress.phase, 'done');
  });

  test('restore point --dry-run --json prints the plan and writes nothing', async () => {
    const target = await newCluster('t-dry');
    const before = await rawScan(target);
    const r = await pitr(['restore', 'point', '--pd', target, '-s', local.log, '--full-backup-storage', local.snap, '--restored-ts', local.late.commit_ts, '--dry-run', '--json'], o());
    assert.equal(r.code, 0, r.stderr);
    const plan = r.json<RestorePlanInfo>();
    assert.match(plan.restore_id, /^[0-9a-f]{16}$/);
    assert.equal(plan.restored_ts, local.late.commit_ts);
    assert.equal(plan.snapshot_ts, local.snapshotTs.toString());
    assert.equal(plan.resume, false);
    assert.ok(BigInt(plan.log_min_ts) <= local.snapshotTs && BigInt(plan.log_max_ts) >= BigInt(local.late.commit_ts));
    assert.ok(plan.snapshot_files > 0 && plan.log_files > 0 && plan.files === plan.snapshot_files + plan.log_files, JSON.stringify(plan));
    assert.ok(plan.bytes > 0 && plan.kvs > 0 && plan.estimated_duration_s >= 0);
    assert.deepEqual(plan.skipped_tables, ['mysql.user', 'mysql.db', 'mysql.tables_priv']);
    // Nothing written: the same raw keys and values as before, i.e. only the cluster's bootstrap.
    assert.deepEqual(await rawScan(target), before);
    const bootstrap = (await rawScan(await newCluster('t-fresh'))).map((kv) => kv.key);
    assert.deepEqual(before.map((kv) => kv.key), bootstrap, 'a fresh cluster holds only its bootstrap keys');
    assert.equal(await get(target, 'early'), null);
    // No restore ran, and a real one can still start there.
    const status = await pitr(['restore', 'status', '--pd', target, '--json'], o());
    assert.notEqual(status.code, 0, 'no restore into the target after a dry run');
    assert.match(status.stderr, /no restore into cluster/);
  });

  test('restore point from snapshot and log backups on S3 (s3rver), --restored-ts as a TSO', async () => {
    const target = await newCluster('t-s3');
    const { result } = await restorePoint(target, remote, remote.late.commit_ts);
    assert.equal(result.restored_ts, remote.late.commit_ts);
    assertVerified(result.verification, 's3 restore');
    assert.equal(await get(target, 'late'), '2');
    assert.equal(await get(target, 'gone'), null);
    const verify = await pitr(['restore', 'verify', '--pd', target, '--json'], o());
    assert.equal(verify.code, 0, verify.stderr);
    assert.equal(verify.json<Verification>().ok, true);
  });
});
