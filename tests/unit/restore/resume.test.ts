/**
 * An interrupted restore resumes from its checkpoint when run again with the same arguments
 * (DESIGN.md §7, br's checkpoint restore since v7.1), and ends exactly where an uninterrupted
 * one ends: the host closed at seeded random moments of the snapshot and the log phases, a
 * target store killed during the apply, and (through the real CLI) the host SIGKILLed during
 * `pitr restore point`, restarted, and the very same command run again.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import type { ClusterInfo } from '../../../core/contract/types.ts';
import type { RestoreStatus, Verification } from '../../../core/contract/restore.ts';
import type { ClusterHost } from '../../../core/host/host.ts';
import { RestoreCheckpoint } from '../../../core/restore/checkpoint.ts';
import { runFullBackup } from '../../../core/snapshot/backup.ts';
import { PROJECT_ROOT, PITR_BIN, pitr, pitrJson, removeTempDirs, startServer, waitFor } from '../../helpers/cli.ts';
import type { ServerHandle } from '../../helpers/cli.ts';
import type { HostEnv } from './helpers.ts';
import {
  assertSameState,
  assertVerified,
  blobTable,
  FLUSH_INTERVAL_MS,
  flushUntilLogMax,
  hostEnv,
  privilegeTableIds,
  prng,
  rawState,
  restoreInto,
  seedFromEnv,
  withSeed,
  writeBlobs,
} from './helpers.ts';

const TABLES = 4;
const ROWS_PER_PHASE = 2500;

interface Source {
  logUrl: string;
  snapUrl: string;
  restoredTs: bigint;
}

/**
 * A source big enough that a restore takes a few seconds: bank transfers, and 1 KB rows in four
 * tables before the snapshot and after it, over several flushes (many .sst files and .log blocks).
 */
async function buildSource(env: HostEnv): Promise<Source> {
  const src = await env.host.createCluster('src', 2);
  const lb = env.host.logBackup('src');
  const logUrl = env.path('log');
  const snapUrl = env.path('snap');
  await lb.start({ name: 'resume', storage: logUrl, flushIntervalMs: FLUSH_INTERVAL_MS });
  await src.workloads.start('bank', { rate: 300, concurrency: 4, accounts: 100 });
  const tables: number[] = [];
  for (let i = 0; i < TABLES; i++) tables.push(await blobTable(src, `blobs${i}`));
  for (const [i, t] of tables.entries()) await writeBlobs(src, t, 0, ROWS_PER_PHASE, 250, i);
  await runFullBackup(src, { storage: snapUrl });
  for (let round = 0; round < 5; round++) {
    const per = ROWS_PER_PHASE / 5;
    for (const [i, t] of tables.entries()) await writeBlobs(src, t, ROWS_PER_PHASE + round * per, ROWS_PER_PHASE + (round + 1) * per, 250, i + round);
    await lb.flushAll();
  }
  await src.workloads.stopAll();
  const restoredTs = await flushUntilLogMax(lb, logUrl, src.pd.tso());
  return { logUrl, snapUrl, restoredTs };
}

/** How far a restore is, from 0 to 1: the snapshot phase is the first half, the log the second. */
function progressOf(s: RestoreStatus): number {
  const p = s.progress;
  const frac = p.total_bytes > 0 ? p.done_bytes / p.total_bytes : 0;
  if (p.phase === 'snapshot') return frac / 2;
  if (p.phase === 'meta' || p.phase === 'kv') return 0.5 + frac / 2;
  if (p.phase === 'verify' || p.phase === 'done') return 1;
  return 0;
}

/** Polls the restore into target until it is at least `at` done; fails if it ended first (unless `mayEnd`: then null). */
async function reach(host: ClusterHost, target: string, at: number, mayEnd = false): Promise<number | null> {
  for (;;) {
    const s = host.restore.status(target);
    if (mayEnd && s.state !== 'running') return null;
    assert.equal(s.state, 'running', `the restore ended (${s.state}: ${s.error?.message ?? ''}) before reaching ${at}: make the backup bigger`);
    const p = progressOf(s);
    if (p >= at) return p;
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('restore resumes after an interruption', () => {
  let env: HostEnv;
  let source: Source;
  let args: { logStorage: string; snapStorage: string; restoredTs: bigint };
  let skip: number[];
  let expected: Map<string, Buffer>;
  let fullKvs: number;

  before(async () => {
    env = await hostEnv();
    source = await buildSource(env);
    args = { logStorage: source.logUrl, snapStorage: source.snapUrl, restoredTs: source.restoredTs };
    const src = env.host.cluster('src');
    skip = await privilegeTableIds(src);
    expected = await rawState(src, source.restoredTs, skip);
    // The uninterrupted restore: what every interrupted one must end equal to.
    await env.host.createCluster('base', 2);
    const { status } = await restoreInto(env.host, 'base', args);
    assertVerified(status, 'the uninterrupted restore');
    fullKvs = status.result!.kvs;
    const base = env.host.cluster('base');
    assertSameState(await rawState(base, base.pd.tso(), skip), expected, 'the uninterrupted restore');
  });

  after(async () => {
    await env?.close();
  });

  /** The target, restored and resumed, equals the source and the uninterrupted restore. */
  const assertSameResult = async (host: ClusterHost, target: string, status: RestoreStatus, what: string) => {
    assertVerified(status, what);
    const c = host.cluster(target);
    assertSameState(await rawState(c, c.pd.tso(), skip), expected, what);
    const base = host.cluster('base');
    assertSameState(await rawState(c, c.pd.tso(), skip), await rawState(base, base.pd.tso(), skip), `${what} vs the uninterrupted restore`);
    assert.deepEqual(await c.workloads.bankTotal(c.pd.tso()), { accounts: 100, total: 100_000n }, `${what}: the bank total`);
    const v = await host.restore.verify(target);
    assert.equal(v.ok, true, `${what}: restore verify`);
  };

  test('the host closed at random moments of the snapshot and the log phases: each rerun resumes', async (t) => {
    const seed = seedFromEnv();
    const rng = prng(seed);
    t.diagnostic(`seed ${seed} (replay with RESTORE_SEED=${seed})`);
    await withSeed(seed, async () => {
      await env.host.createCluster('r1', 2);
      // Interrupted twice: once in the snapshot phase, once in the log phase of the resumed run.
      const moments = [0.1 + rng.next() * 0.3, 0.55 + rng.next() * 0.3];
      let id = '';
      let lastDone = 0;
      for (const [i, at] of moments.entries()) {
        const { plan, started } = await env.host.restore.point('r1', args, false);
        assert.ok(started);
        assert.equal(plan.resume, i > 0, `run ${i + 1} ${i > 0 ? 'resumes' : 'starts afresh'}`);
        id = plan.restore_id;
        const reached = await reach(env.host, 'r1', at);
        t.diagnostic(`run ${i + 1}: host closed at ${(reached! * 100).toFixed(0)}% (aimed at ${(at * 100).toFixed(0)}%)`);
        await env.reopen();
        const cp = new RestoreCheckpoint(env.host.cluster('r1').pd, id);
        assert.ok(cp.doneCount > lastDone, `run ${i + 1} recorded progress in the target's checkpoint (${cp.doneCount} units, ${lastDone} before)`);
        assert.equal(cp.info()?.finished_at, null, 'not finished');
        lastDone = cp.doneCount;
      }
      const { plan, status } = await restoreInto(env.host, 'r1', args);
      assert.equal(plan.resume, true, 'the last run resumes');
      assert.equal(plan.restore_id, id, 'the same arguments are the same restore');
      assert.ok(status.result!.kvs < fullKvs, `the resumed run applied fewer KVs (${status.result!.kvs}) than a full one (${fullKvs})`);
      await assertSameResult(env.host, 'r1', status, 'resumed after two host closes');
    });
  });

  test('the same arguments into another target are another restore, not a resume of the running one', async () => {
    await env.host.createCluster('twin1', 1);
    await env.host.createCluster('twin2', 1);
    const first = await env.host.restore.point('twin1', args, false);
    assert.ok(first.started);
    await reach(env.host, 'twin1', 0.05);
    const second = await env.host.restore.point('twin2', args, false);
    assert.equal(second.started, true, 'a restore into twin2 starts while the one into twin1 runs');
    assert.equal(second.plan.resume, false);
    const [s1, s2] = await Promise.all([env.host.restore.wait(first.plan.restore_id, 'twin1'), env.host.restore.wait(second.plan.restore_id, 'twin2')]);
    assert.equal(s1?.target, 'twin1');
    assert.equal(s2?.target, 'twin2');
    await assertSameResult(env.host, 'twin1', s1!, 'twin1');
    await assertSameResult(env.host, 'twin2', s2!, 'twin2');
    assert.equal(env.host.restore.status('twin2').state, 'succeeded');
  });

  test('a target store killed during the apply: the restore retries, or fails and resumes', async (t) => {
    const seed = seedFromEnv();
    const rng = prng(seed);
    t.diagnostic(`seed ${seed} (replay with RESTORE_SEED=${seed})`);
    await withSeed(seed, async () => {
      const target = await env.host.createCluster('r2', 2);
      const { plan } = await env.host.restore.point('r2', args, false);
      for (const at of [0.1 + rng.next() * 0.3, 0.55 + rng.next() * 0.3]) {
        // A kill may fail the restore at once: then there is no second moment to reach.
        if ((await reach(env.host, 'r2', at, true)) === null) break;
        await target.store(rng.pick(target.stores()).storeId).kill();
      }
      let status = (await env.host.restore.wait(plan.restore_id, 'r2'))!;
      t.diagnostic(`after the kills: ${status.state}${status.error ? ` (${status.error.message})` : ''}`);
      if (status.state === 'failed') {
        const again = await restoreInto(env.host, 'r2', args);
        assert.equal(again.plan.resume, true);
        status = again.status;
      }
      await assertSameResult(env.host, 'r2', status, 'after store kills');
    });
  });
});

describe('pitr restore point: the host SIGKILLed during the restore, restarted, the same command again', () => {
  let dataDir: string;
  let dir: string;
  let server: ServerHandle | undefined;
  let source: Source;

  before(async () => {
    // The source is built in-process on the data dir, then served by a real `pitr server`.
    const env = await hostEnv();
    dir = env.dir;
    try {
      source = await buildSource(env);
    } finally {
      await env.host.close();
    }
    dataDir = env.path('host');
    server = await startServer({ dataDir });
  });

  after(async () => {
    try {
      await server?.stop();
    } finally {
      removeTempDirs();
      if (dir) rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
    }
  });

  test('the rerun resumes and the verification passes', async (t) => {
    const seed = seedFromEnv();
    t.diagnostic(`seed ${seed} (replay with RESTORE_SEED=${seed})`);
    const aim = 0.1 + prng(seed).next() * 0.7;
    const o = { dataDir };
    const target = await pitrJson<ClusterInfo>(['cluster', 'create', '--name', 'target', '--stores', '2'], o);
    // Exactly the command a DBA types, without --restored-ts: the log's max ts by default.
    const cmd = ['restore', 'point', '--pd', target.pd, '-s', source.logUrl, '--full-backup-storage', source.snapUrl, '--json'];
    const childEnv: NodeJS.ProcessEnv = { ...process.env, PITR_DATA_DIR: dataDir };
    delete childEnv.NODE_TEST_CONTEXT;
    const child = spawn(process.execPath, [PITR_BIN, ...cmd], { cwd: PROJECT_ROOT, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (err += c));
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    // Poll `restore status` until the restore is well into its work, then SIGKILL the host.
    const at = await waitFor(
      'the restore to be under way',
      async () => {
        const r = await pitr(['restore', 'status', '--pd', target.pd, '--json'], o);
        if (r.code !== 0) return undefined;
        const s = r.json<RestoreStatus>();
        assert.equal(s.state, 'running', `the restore ended (${s.state}) before the kill: make the backup bigger`);
        return progressOf(s) >= aim ? s : undefined;
      },
      30_000,
      20,
    );
    t.diagnostic(`SIGKILL at ${(progressOf(at) * 100).toFixed(0)}% (aimed at ${(aim * 100).toFixed(0)}%): phase ${at.progress.phase}, ${at.progress.done_bytes}/${at.progress.total_bytes} bytes, restoring to ${at.plan.restored_ts}`);
    await server!.kill();
    const code = await exited;
    assert.notEqual(code, 0, `the CLI fails when its host dies; stdout ${out} stderr ${err}`);
    const progress = out.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as { event?: string });
    assert.ok(progress.length > 0 && progress.every((p) => p.event === 'progress'), 'only progress lines before the kill');

    server = await startServer({ dataDir });
    const again = await pitr(cmd, o);
    assert.equal(again.code, 0, `the same command succeeds after the restart: ${again.stderr}`);
    const lines = again.lines<Record<string, unknown>>();
    const result = lines[lines.length - 1] as { restored_ts: string; kvs: number; verification: Verification };
    assert.equal(result.verification.ok, true, JSON.stringify(result.verification));
    assert.equal(result.verification.source.compared && result.verification.source.equal, true, JSON.stringify(result.verification.source));
    assert.equal(result.restored_ts, at.plan.restored_ts, 'resumed at the restored ts of the interrupted run');
    const status = await pitrJson<RestoreStatus>(['restore', 'status', '--pd', target.pd], o);
    assert.equal(status.plan.resume, true, 'the rerun resumed from the checkpoint');
    assert.ok(result.verification.files_verified < status.plan.files, `the rerun skipped the files applied before the kill (${result.verification.files_verified} of ${status.plan.files} files)`);
    const verify = await pitr(['restore', 'verify', '--pd', target.pd, '--json'], o);
    assert.equal(verify.code, 0, verify.stderr);
    assert.equal(verify.json<Verification>().ok, true);
  });
});
