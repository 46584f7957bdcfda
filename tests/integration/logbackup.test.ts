/**
 * `pitr log ...` through a real host and the CLI, as a DBA types it: start a task on a local
 * folder and on S3 (s3rver), watch its status, pause/resume/stop it, read the restorable window,
 * dry-run a truncate; and the CLI's refusals of bad input.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { ClusterInfo } from '../../core/contract/types.ts';
import type { LogTaskStatus, LogWindow, TruncateResult } from '../../core/contract/logbackup.ts';
import { pitr, pitrJson, pitrOk, removeTempDirs, startServer, tempDir, waitFor } from '../helpers/cli.ts';
import type { ServerHandle } from '../helpers/cli.ts';
import { S3RVER_KEY, startS3rver } from '../helpers/s3.ts';
import type { TestS3 } from '../helpers/s3.ts';

const DECIMAL = /^\d+$/;
const MAX_U64 = '18446744073709551615';
const STATUS_FIELDS = ['name', 'status', 'start_ts', 'end_ts', 'storage', 'checkpoint', 'checkpoint_time', 'gap_seconds', 'speed_est', 'stores', 'last_errors'];

/** Every file under dir (relative path and size): a "nothing changed" witness. */
function files(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name));
      else out.push(relative(dir, join(d, e.name)));
    }
  };
  walk(dir);
  return out.sort();
}

describe('pitr log', () => {
  let server: ServerHandle;
  let dataDir: string;
  let pd: string;
  let backupDir: string;
  let task: LogTaskStatus;
  let s3: TestS3 | undefined;
  const o = () => ({ dataDir });
  const status = async (name?: string) => (await pitrJson<{ tasks: LogTaskStatus[] }>(['log', 'status', '--pd', pd, ...(name ? ['--task-name', name] : [])], o())).tasks;
  /** Polls status until the global checkpoint passes ts. */
  const checkpointPast = (ts: bigint, name: string) =>
    waitFor(`the checkpoint of ${name} passes ${ts}`, async () => {
      const [t] = await status(name);
      return t && BigInt(t.checkpoint) > ts ? t : undefined;
    }, 30_000, 250);

  before(async () => {
    dataDir = tempDir();
    backupDir = join(tempDir(), 'backup-demo', 'log-backup');
    server = await startServer({ dataDir });
    pd = (await pitrJson<ClusterInfo>(['cluster', 'create', '--name', 'lb', '--stores', '3'], o())).pd;
    await pitrOk(['workload', 'start', '--pd', pd, '--kind', 'bank', '--rate', '200', '--concurrency', '4', '--accounts', '50'], o());
  });

  after(async () => {
    try {
      await s3?.stop();
      await server?.stop();
    } finally {
      removeTempDirs();
    }
  });

  test('log status with no task says so', async () => {
    assert.deepEqual(await status(), []);
    const human = await pitrOk(['log', 'status', '--pd', pd], o());
    assert.match(human.stdout, /No Task Yet/);
  });

  test('log start --flush-interval 1s starts a task', async () => {
    task = await pitrJson<LogTaskStatus>(['log', 'start', '--pd', pd, '--task-name', 't', '-s', backupDir, '--flush-interval', '1s'], o());
    assert.equal(task.name, 't');
    assert.equal(task.status, 'NORMAL');
    assert.match(task.start_ts, DECIMAL);
    assert.equal(task.storage, backupDir, 'the storage as given');
    assert.equal(task.flush_interval_ms, 1000);
    assert.ok(files(backupDir).includes('backupmeta') && files(backupDir).includes('backup.lock'));
  });

  test('log status --json has the documented fields, and the checkpoint advances', async () => {
    const t = await checkpointPast(BigInt(task.start_ts), 't');
    for (const f of STATUS_FIELDS) assert.ok(f in t, `status has ${f}`);
    assert.equal(t.status, 'NORMAL');
    assert.equal(t.start_ts, task.start_ts);
    assert.equal(t.end_ts, MAX_U64);
    assert.equal(t.storage, backupDir);
    assert.match(t.checkpoint, DECIMAL);
    assert.ok(!Number.isNaN(Date.parse(t.checkpoint_time)), `checkpoint_time is a date: ${t.checkpoint_time}`);
    assert.equal(typeof t.gap_seconds, 'number');
    assert.ok(t.gap_seconds >= 0 && t.gap_seconds < 60, `a small gap (${t.gap_seconds} s)`);
    assert.equal(typeof t.speed_est, 'number');
    assert.deepEqual(t.stores.map((s) => s.store_id), [1, 2, 3]);
    for (const s of t.stores) assert.match(s.checkpoint, DECIMAL);
    assert.deepEqual(t.last_errors, []);
    const busy = await waitFor('speed(est.) shows the flushed events', async () => {
      const [x] = await status('t');
      return x && x.speed_est > 0 ? x : undefined;
    }, 20_000, 250);
    assert.ok(busy.speed_est > 0);
    const human = await pitrOk(['log', 'status', '--pd', pd, '--task-name', 't'], o());
    assert.match(human.stdout, /name: t/);
    assert.match(human.stdout, /status: ● NORMAL/);
    assert.match(human.stdout, /checkpoint\[global\]: .*; gap=/);
    assert.match(human.stdout, /checkpoint\[store=3\]/);
  });

  test('log pause / resume', async () => {
    const p = await pitrJson<LogTaskStatus>(['log', 'pause', '--pd', pd, '--task-name', 't', '--message', 'maintenance'], o());
    assert.equal(p.status, 'PAUSE');
    const [paused] = await status('t');
    assert.equal(paused?.status, 'PAUSE');
    assert.equal(paused?.pause_message, 'maintenance');
    await new Promise((r) => setTimeout(r, 1500));
    const [still] = await status('t');
    assert.equal(still?.checkpoint, paused?.checkpoint, 'a paused task does not advance');
    const r = await pitrJson<LogTaskStatus>(['log', 'resume', '--pd', pd, '--task-name', 't'], o());
    assert.equal(r.status, 'NORMAL');
    await checkpointPast(BigInt(paused!.checkpoint), 't');
  });

  test('log metadata -s URL --json gives the restorable window', async () => {
    const w = await pitrJson<LogWindow>(['log', 'metadata', '-s', backupDir], o());
    for (const f of ['log_min_ts', 'log_max_ts', 'log_min_date', 'log_max_date']) assert.ok(f in w, `metadata has ${f}`);
    assert.equal(w.log_min_ts, task.start_ts);
    assert.ok(BigInt(w.log_max_ts) > BigInt(w.log_min_ts));
    assert.ok(Date.parse(w.log_max_date) >= Date.parse(w.log_min_date));
    const human = await pitrOk(['log', 'metadata', '-s', `local://${backupDir}`], o());
    assert.match(human.stdout, new RegExp(`\\[log-min-ts=${w.log_min_ts}\\]`));
  });

  test('log truncate --dry-run lists and deletes nothing; without -y it is refused', async () => {
    const w = await pitrJson<LogWindow>(['log', 'metadata', '-s', backupDir], o());
    const before = files(backupDir).filter((f) => f.endsWith('.log'));
    const r = await pitrJson<TruncateResult>(['log', 'truncate', '-s', backupDir, '--until', w.log_max_ts, '--dry-run'], o());
    assert.equal(r.dry_run, true);
    assert.ok(r.removed_files.length > 0, 'some files lie wholly before the checkpoint');
    for (const f of r.removed_files) {
      assert.ok(BigInt(f.max_ts) < BigInt(w.log_max_ts));
      assert.ok(before.includes(f.path), `${f.path} exists`);
    }
    for (const f of before) assert.ok(files(backupDir).includes(f), `${f} is still there`);
    const human = await pitrOk(['log', 'truncate', '-s', backupDir, '--until', w.log_max_ts, '--dry-run'], o());
    assert.match(human.stdout, /would remove \d+ files/);

    const refused = await pitr(['log', 'truncate', '-s', backupDir, '--until', w.log_max_ts], o());
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /add -y to confirm/);
    assert.equal((await pitrJson<LogWindow>(['log', 'metadata', '-s', backupDir], o())).log_min_ts, w.log_min_ts, 'nothing truncated');
  });

  test('log stop; metadata then ends at the stopped checkpoint', async () => {
    const r = await pitrJson<{ name: string; checkpoint: string }>(['log', 'stop', '--pd', pd, '--task-name', 't'], o());
    assert.equal(r.name, 't');
    assert.deepEqual(await status(), []);
    const w = await pitrJson<LogWindow>(['log', 'metadata', '-s', backupDir], o());
    assert.equal(w.log_max_ts, r.checkpoint);
    // A real truncate (-y) up to there.
    const t = await pitrJson<TruncateResult>(['log', 'truncate', '-s', backupDir, '--until', w.log_max_ts, '-y'], o());
    assert.equal(t.dry_run, false);
    assert.equal((await pitrJson<LogWindow>(['log', 'metadata', '-s', backupDir], o())).log_min_ts, w.log_max_ts);
    for (const f of t.removed_files) assert.ok(!files(backupDir).includes(f.path));
  });

  test('the same against S3 (s3rver): start, status, metadata, stop', async () => {
    s3 = await startS3rver();
    const url = s3.url('backup-demo/log-backup');
    const started = await pitrJson<LogTaskStatus>(['log', 'start', '--pd', pd, '--task-name', 's3t', '-s', url, '--flush-interval', '1s'], o());
    assert.equal(started.status, 'NORMAL');
    assert.ok(!started.storage.includes(`secret-access-key=${S3RVER_KEY}`), `the secret is not shown: ${started.storage}`);
    assert.match(started.storage, /^s3:\/\/pitr-test\/backup-demo\/log-backup\?/);
    const t = await checkpointPast(BigInt(started.start_ts), 's3t');
    assert.equal(t.last_errors.length, 0);
    assert.ok(!JSON.stringify(t).includes(`secret-access-key=${S3RVER_KEY}`));
    const w = await waitFor('the S3 log backup records a checkpoint', async () => {
      const x = await pitrJson<LogWindow>(['log', 'metadata', '-s', url], o());
      return BigInt(x.log_max_ts) > BigInt(x.log_min_ts) ? x : undefined;
    }, 20_000, 250);
    assert.equal(w.log_min_ts, started.start_ts);
    const stopped = await pitrJson<{ checkpoint: string }>(['log', 'stop', '--pd', pd, '--task-name', 's3t'], o());
    assert.equal((await pitrJson<LogWindow>(['log', 'metadata', '-s', url], o())).log_max_ts, stopped.checkpoint);
  });

  test('bad input: unsupported scheme, missing --task-name, unknown task', async () => {
    const gcs = await pitr(['log', 'start', '--pd', pd, '--task-name', 'x', '-s', 'gcs://bucket/prefix'], o());
    assert.notEqual(gcs.code, 0);
    assert.match(gcs.stderr, /gcs:\/\/ storage is not supported/);
    const azure = await pitr(['log', 'metadata', '-s', 'azure://container/p'], o());
    assert.notEqual(azure.code, 0);
    assert.match(azure.stderr, /not supported/);
    const noName = await pitr(['log', 'start', '--pd', pd, '-s', backupDir], o());
    assert.equal(noName.code, 2);
    assert.match(noName.stderr, /--task-name/);
    const unknown = await pitr(['log', 'pause', '--pd', pd, '--task-name', 'nope', '--json'], o());
    assert.notEqual(unknown.code, 0);
    assert.match(unknown.stderr, /ErrStreamLogTaskNotFound/);
    assert.deepEqual(await status(), [], 'no task was created');
  });
});
