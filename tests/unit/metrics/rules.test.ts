/**
 * The six alert rules: the exported file passes `promtool check rules`; on one set of series
 * where every rule both holds and does not, the app's evaluator fires exactly what a hand-made
 * expectation says, and `promtool test rules` (Prometheus' own engine) agrees on each case.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { ALERT_RULES, alertRulesYaml } from '../../../core/metrics/alert-rules.ts';
import { appFiring, promtool, rulesTestYaml } from './promtool.ts';
import type { Expectation, GridSeries } from './promtool.ts';

const dir = mkdtempSync(join(tmpdir(), 'pitr-rules-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const MIN = 60_000;
const STEPS = 800;
const TSO_PER_MS = 262144;
const fill = (v: number) => new Array<number | null>(STEPS).fill(v);
// Every task's stores stopped at cluster time 60 s (TSO = ms << 18).
const CP = 60_000 * TSO_PER_MS;

// t1 running (status 0) with a stalled checkpoint on s1; t2 paused on s2; t3 failed on s3.
// GC on s1 passes the checkpoint after 10 minutes; s2 and s3 stay behind theirs.
const SERIES: GridSeries[] = [
  { name: 'tikv_stream_store_checkpoint_ts', labels: { task: 't1', instance: 's1' }, values: fill(CP) },
  { name: 'tikv_log_backup_task_status', labels: { task: 't1', instance: 's1' }, values: fill(0) },
  { name: 'tikv_stream_store_checkpoint_ts', labels: { task: 't2', instance: 's2' }, values: fill(CP) },
  { name: 'tikv_log_backup_task_status', labels: { task: 't2', instance: 's2' }, values: fill(1) },
  { name: 'tikv_stream_store_checkpoint_ts', labels: { task: 't3', instance: 's3' }, values: fill(CP) },
  { name: 'tikv_log_backup_task_status', labels: { task: 't3', instance: 's3' }, values: fill(2) },
  { name: 'tikv_gcworker_autogc_safe_point', labels: { instance: 's1' }, values: fill(CP + 1e9 * TSO_PER_MS).map((v, i) => (i < 10 ? 0 : v)) },
  { name: 'tikv_gcworker_autogc_safe_point', labels: { instance: 's2' }, values: fill(CP - TSO_PER_MS) },
  { name: 'tikv_gcworker_autogc_safe_point', labels: { instance: 's3' }, values: fill(0) },
];

const t = (task: string) => [{ task }];
// Lag = now - 60 s. 10m: holds from 12m (660 s > 600), fires at 13m after its 1m `for`.
const EXPECTED: Expectation[] = [
  { atMs: 12 * MIN, alert: 'LogBackupRunningRPOMoreThan10m', firing: [] },
  { atMs: 14 * MIN, alert: 'LogBackupRunningRPOMoreThan10m', firing: t('t1') },
  { atMs: 31 * MIN, alert: 'LogBackupRunningRPOMoreThan30m', firing: [] },
  { atMs: 35 * MIN, alert: 'LogBackupRunningRPOMoreThan30m', firing: t('t1') },
  // 2h: holds from 122m, 10m `for`: pending at 125m, firing at 135m.
  { atMs: 125 * MIN, alert: 'LogBackupPausingMoreThan2h', firing: [] },
  { atMs: 135 * MIN, alert: 'LogBackupPausingMoreThan2h', firing: t('t2') },
  { atMs: 700 * MIN, alert: 'LogBackupPausingMoreThan12h', firing: [] },
  { atMs: 725 * MIN, alert: 'LogBackupPausingMoreThan12h', firing: t('t2') },
  { atMs: 1 * MIN, alert: 'LogBackupFailed', firing: t('t3') },
  { atMs: 5 * MIN, alert: 'LogBackupGCSafePointExceedsCheckpoint', firing: [] },
  { atMs: 11 * MIN, alert: 'LogBackupGCSafePointExceedsCheckpoint', firing: [{ instance: 's1' }] },
];

test('the exported rules file passes promtool check rules, with the seed’s six rules', () => {
  const file = join(dir, 'rules.yml');
  writeFileSync(file, alertRulesYaml());
  const r = promtool(['check', 'rules', file]);
  assert.equal(r.code, 0, r.out);
  assert.match(r.out, /SUCCESS: 6 rules found/);
  assert.deepEqual(ALERT_RULES.map((x) => [x.name, x.severity]), [
    ['LogBackupRunningRPOMoreThan10m', 'warning'],
    ['LogBackupRunningRPOMoreThan30m', 'critical'],
    ['LogBackupPausingMoreThan2h', 'warning'],
    ['LogBackupPausingMoreThan12h', 'critical'],
    ['LogBackupFailed', 'critical'],
    ['LogBackupGCSafePointExceedsCheckpoint', 'critical'],
  ]);
});

test('every rule fires and stays quiet as expected, in the app and in promtool test rules', () => {
  const app = appFiring(SERIES, MIN, 726);
  for (const e of EXPECTED) {
    assert.deepEqual(app.get(e.atMs)?.get(e.alert), e.firing, `${e.alert} at ${e.atMs / MIN}m`);
  }
  // Each rule is covered both firing and not firing.
  for (const r of ALERT_RULES) {
    const cases = EXPECTED.filter((e) => e.alert === r.name);
    assert.ok(cases.some((e) => e.firing.length > 0), `${r.name} fires somewhere`);
  }
  for (const r of ALERT_RULES.filter((x) => x.name !== 'LogBackupFailed')) assert.ok(EXPECTED.some((e) => e.alert === r.name && e.firing.length === 0), `${r.name} quiet somewhere`);
  // LogBackupFailed stays quiet for the running and the paused task.
  assert.deepEqual(app.get(725 * MIN)?.get('LogBackupFailed'), t('t3'));
  writeFileSync(join(dir, 'rules.yml'), alertRulesYaml());
  writeFileSync(join(dir, 'rules.test.yml'), rulesTestYaml('rules.yml', MIN, SERIES, EXPECTED));
  const r = promtool(['test', 'rules', join(dir, 'rules.test.yml')]);
  assert.equal(r.code, 0, r.out);
});

test('promtool test rules fails on a wrong expectation (the check above can fail)', () => {
  writeFileSync(join(dir, 'rules.yml'), alertRulesYaml());
  const wrong: Expectation[] = [{ atMs: 12 * MIN, alert: 'LogBackupRunningRPOMoreThan10m', firing: t('t1') }];
  writeFileSync(join(dir, 'wrong.test.yml'), rulesTestYaml('rules.yml', MIN, SERIES, wrong));
  assert.notEqual(promtool(['test', 'rules', join(dir, 'wrong.test.yml')]).code, 0);
});
