/**
 * The alert rules against real failures, with the cluster clock sped up so that hours of
 * cluster time pass in a second: a task paused for over 2 h, a storage that refuses writes, a
 * task that fails, GC passing the checkpoint. The app's evaluator (over the SQLite history)
 * must fire each rule, and promtool must agree with it on the recorded series.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { AlertInfo } from '../../../core/contract/metrics.ts';
import { ClusterHost } from '../../../core/host/host.ts';
import { alertRulesYaml } from '../../../core/metrics/alert-rules.ts';
import { waitFor } from '../../helpers/cli.ts';
import { appFiring, promtool, rulesTestYaml } from '../../unit/metrics/promtool.ts';
import type { Expectation, GridSeries } from '../../unit/metrics/promtool.ts';

const dir = mkdtempSync(join(tmpdir(), 'pitr-alert-scenarios-'));
let host: ClusterHost;

before(async () => {
  host = await ClusterHost.start({ dataDir: join(dir, 'data'), metrics: { samplerTickMs: 50 } });
});
after(async () => {
  await host?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function startTask(name: string, flushIntervalMs: number): Promise<void> {
  const c = await host.createCluster(name, 1);
  await host.logBackup(name).start({ name: `${name}-task`, storage: join(dir, name), flushIntervalMs });
  await c.txn.run(async (txn) => txn.put(Buffer.from('ua'), Buffer.from('1')));
  await host.logBackup(name).flushAll();
  host.metrics.sample(name);
}

function alert(cluster: string, name: string): AlertInfo {
  return host.metrics.alertsResult(cluster).alerts.find((a) => a.name === name)!;
}

const firing = (cluster: string, name: string) =>
  waitFor(`${name} fires on ${cluster}`, async () => (alert(cluster, name).state === 'firing' ? alert(cluster, name) : undefined), 30_000, 20);

test('a task paused for more than 2 h of cluster time fires LogBackupPausingMoreThan2h', async () => {
  await startTask('paused', 1000);
  await host.dispatch('log:pause', { cluster: 'paused' });
  const pausedAt = host.cluster('paused').pd.clock.now();
  host.metrics.sample('paused');
  assert.equal(alert('paused', 'LogBackupPausingMoreThan2h').state, 'inactive');
  host.cluster('paused').pd.setClockSpeed(20_000);
  const a = await firing('paused', 'LogBackupPausingMoreThan2h');
  host.cluster('paused').pd.setClockSpeed(1);
  assert.deepEqual([a.instances[0]!.labels.task, a.severity], ['paused-task', 'warning']);
  // It held once the lag passed 2 h, and fired only after its 10 min `for`.
  assert.ok(a.active_since_ms! - pausedAt >= 2 * 3600_000, `active since ${a.active_since}`);
  assert.ok(host.metrics.alertsResult('paused').at_ms - a.active_since_ms! >= 600_000);
  assert.equal(alert('paused', 'LogBackupRunningRPOMoreThan10m').state, 'inactive');
  assert.equal(alert('paused', 'LogBackupFailed').state, 'inactive');
  agreeWithPromtool('paused', pausedAt - 60_000);
});

test('a storage refusing writes long enough fires both RPO rules while the task still runs', async () => {
  await startTask('nostore', 120_000);
  await host.dispatch('log:storage-fault', { cluster: 'nostore', store_id: 1, op: 'write', times: 1_000_000 });
  host.cluster('nostore').pd.setClockSpeed(2000);
  const warn = await firing('nostore', 'LogBackupRunningRPOMoreThan10m');
  const crit = await firing('nostore', 'LogBackupRunningRPOMoreThan30m');
  host.cluster('nostore').pd.setClockSpeed(1);
  assert.equal(warn.severity, 'warning');
  assert.equal(crit.severity, 'critical');
  assert.ok(crit.active_since_ms! > warn.active_since_ms!);
  assert.equal(host.logBackup('nostore').status().status, 'NORMAL', 'still running: the RPO rules are about a running task');
  await host.dispatch('log:storage-fault', { cluster: 'nostore', store_id: 1, op: '*', times: 0 });
});

test('a task failed by repeated flush errors fires LogBackupFailed', async () => {
  await startTask('failing', 1000);
  await host.dispatch('log:storage-fault', { cluster: 'failing', store_id: 1, op: 'write', times: 1_000_000 });
  await waitFor('the task fails', async () => {
    await host.logBackup('failing').flushAll();
    return host.logBackup('failing').status().status === 'ERROR' ? true : undefined;
  }, 30_000, 1);
  host.cluster('failing').pd.setClockSpeed(100);
  const a = await firing('failing', 'LogBackupFailed');
  host.cluster('failing').pd.setClockSpeed(1);
  assert.equal(a.instances[0]!.labels.task, 'failing-task');
});

test('GC passing the checkpoint of a paused task fires LogBackupGCSafePointExceedsCheckpoint', async () => {
  await startTask('gc', 1000);
  await host.dispatch('log:pause', { cluster: 'gc', gc_ttl: 60 });
  const c = host.cluster('gc');
  c.pd.setClockSpeed(100_000);
  // Past every service safepoint of the task (the coordinator's lives 24 h) and the GC life time.
  await waitFor('a day of cluster time passes', async () => (c.pd.clock.now() - physical(host.logBackup('gc').globalCheckpoint) > 25 * 3600_000 ? true : undefined), 30_000, 10);
  await host.dispatch('cluster:gc', { cluster: 'gc' });
  assert.ok(c.pd.gcSafePoint > host.logBackup('gc').globalCheckpoint, 'GC passed the checkpoint');
  const a = await firing('gc', 'LogBackupGCSafePointExceedsCheckpoint');
  c.pd.setClockSpeed(1);
  assert.equal(a.instances[0]!.labels.instance, 'gc/store-1');
  assert.ok(a.value! < 0);
});

function physical(ts: bigint): number {
  return Number(ts >> 18n);
}

/**
 * Replays a cluster's recorded alert series as a promtool test input (on a regular grid, with
 * time moved to 0 as promtool's tests start there) and checks that promtool fires exactly what
 * the app fires on that same input, for every rule at the last step.
 */
function agreeWithPromtool(cluster: string, from: number): void {
  const to = host.metrics.alertsResult(cluster).at_ms;
  const times = host.metrics.history.sampleTimes(cluster, from, to);
  const gap = Math.max(1000, Math.round((times[times.length - 1]! - times[0]!) / (times.length - 1) / 1000) * 1000);
  const steps = Math.floor((to - from) / gap) + 1;
  const shift = from; // cluster ms that become promtool's 0
  const series: GridSeries[] = [];
  for (const name of ['tikv_stream_store_checkpoint_ts', 'tikv_log_backup_task_status', 'tikv_gcworker_autogc_safe_point']) {
    for (const s of host.metrics.history.series(cluster, name, from - 3600_000, to)) {
      const values = Array.from({ length: steps }, (_, i) => {
        const at = from + i * gap;
        const p = [...s.points].reverse().find((x) => x[0] <= at && x[0] > at - 1.5 * gap);
        if (!p) return null;
        // TSOs shift with the clock: ms << 18 per ms.
        return name === 'tikv_log_backup_task_status' ? p[1] : p[1] - shift * 262144;
      });
      series.push({ name, labels: s.labels, values });
    }
  }
  const last = (steps - 1) * gap;
  const app = appFiring(series, gap, steps).get(last)!;
  const exps: Expectation[] = [...app].map(([alertName, labels]) => ({ atMs: last, alert: alertName, firing: labels }));
  assert.ok(exps.some((e) => e.alert === 'LogBackupPausingMoreThan2h' && e.firing.length === 1), 'the replayed series fire the pause rule in the app too');
  writeFileSync(join(dir, 'rules.yml'), alertRulesYaml());
  writeFileSync(join(dir, `${cluster}.test.yml`), rulesTestYaml('rules.yml', gap, series, exps));
  const r = promtool(['test', 'rules', join(dir, `${cluster}.test.yml`)]);
  assert.equal(r.code, 0, r.out);
}
