/**
 * The host's /metrics during a running log backup task: token required, values from the real
 * state, `promtool check metrics` finds only the lint findings the seed's TiKV names cause, the
 * PD endpoint and `pitr metrics --pd A` serve the cluster's own series, and a real Prometheus
 * (Debian's binary, on loopback) scrapes the host and answers the checkpoint series.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ClusterHost } from '../../../core/host/host.ts';
import { tokenPath } from '../../../core/host/data-dir.ts';
import { METRIC_DEFS } from '../../../core/metrics/definitions.ts';
import { pitr, waitFor } from '../../helpers/cli.ts';
import { promtool } from '../../unit/metrics/promtool.ts';

// promtool's lint findings that the seed's (TiKV's) names cause and that must therefore stay:
// counters without `_total`, the `_sec` abbreviation, and TiKV's counter tikv_stream_skip_kv_count
// whose name ends in `_count`. Anything else is a defect of ours.
const EXPECTED_FINDINGS = [/^\S+ counter metrics should have "_total" suffix$/, /^\S+ metric names should not contain abbreviated units$/, /^tikv_stream_skip_kv_count non-histogram and non-summary metrics should not have "_count" suffix$/];

const dir = mkdtempSync(join(tmpdir(), 'pitr-scrape-'));
const dataDir = join(dir, 'data');
let host: ClusterHost;
let pd: string;
let prom: ChildProcess | null = null;

const get = async (url: string, token?: string) => {
  const res = await fetch(url, token ? { headers: { authorization: `Bearer ${token}` } } : {});
  return { status: res.status, text: await res.text() };
};

function value(text: string, name: string, labels: Record<string, string>): number[] {
  return text.split('\n').filter((l) => l.startsWith(`${name}{`) && Object.entries(labels).every(([k, v]) => l.includes(`${k}="${v}"`))).map((l) => Number(l.slice(l.lastIndexOf(' ') + 1)));
}

before(async () => {
  host = await ClusterHost.start({ dataDir, metrics: { samplerTickMs: 100 } });
  const c = await host.createCluster('lb', 3);
  await host.createCluster('other', 1);
  pd = host.pdAddress('lb');
  await host.logBackup('lb').start({ name: 't1', storage: join(dir, 'log'), flushIntervalMs: 1000 });
  for (let i = 0; i < 40; i++) await c.txn.run(async (txn) => txn.put(Buffer.from(`u${i}`), Buffer.from(`v${i}`)));
  await host.logBackup('lb').flushAll();
  await c.txn.run(async (txn) => txn.put(Buffer.from('ux'), Buffer.from('x')));
  await host.logBackup('lb').flushAll();
});

after(async () => {
  if (prom && prom.exitCode === null) {
    const exited = new Promise((r) => prom!.once('exit', r));
    prom.kill('SIGTERM');
    await exited;
  }
  await host?.close();
  rmSync(dir, { recursive: true, force: true });
});

test('GET /metrics needs the token and shows every metric with the running state', async () => {
  assert.equal((await get(`${host.url}/metrics`)).status, 401);
  const { status, text } = await get(`${host.url}/metrics`, host.token);
  assert.equal(status, 200);
  for (const d of METRIC_DEFS) assert.match(text, new RegExp(`^# TYPE ${d.name} ${d.type}$`, 'm'), d.name);
  const st = host.logBackup('lb').status('t1');
  for (const s of st.stores) assert.deepEqual(value(text, 'tikv_stream_store_checkpoint_ts', { task: 't1', instance: `lb/store-${s.store_id}` }), [Number(s.checkpoint)]);
  assert.deepEqual(value(text, 'tidb_log_backup_last_checkpoint', { task: 't1' }), [Number(st.checkpoint)]);
  assert.deepEqual(value(text, 'tikv_log_backup_task_status', { task: 't1' }), [0, 0, 0]);
  const observed = value(text, 'tikv_stream_observed_region', { cluster: 'lb' }).reduce((a, b) => a + b, 0);
  assert.equal(observed, host.cluster('lb').pd.regions.all().length);
  assert.deepEqual(value(text, 'tikv_stream_enabled', { cluster: 'lb' }), [1, 1, 1]);
  assert.ok(value(text, 'tikv_stream_flush_duration_sec_count', { stage: 'save_files' }).reduce((a, b) => a + b, 0) >= 2);
  assert.ok(value(text, 'tikv_stream_handle_kv_batch_sum', { cluster: 'lb' }).reduce((a, b) => a + b, 0) >= 1);
  assert.deepEqual(value(text, 'tikv_gcworker_autogc_safe_point', { cluster: 'lb' }), [1, 2, 3].map(() => Number(host.cluster('lb').pd.gcSafePoint)));
  assert.match(text, /cluster="other"/);
});

test('promtool check metrics finds only what the seed’s TiKV names cause', async () => {
  const { text } = await get(`${host.url}/metrics`, host.token);
  const r = promtool(['check', 'metrics'], text);
  assert.equal(r.code, 3, r.out);
  const findings = r.out.split('\n').filter((l) => l.trim() !== '');
  assert.ok(findings.length > 0);
  for (const f of findings) assert.ok(EXPECTED_FINDINGS.some((re) => re.test(f)), `unexpected promtool finding: ${f}`);
  // A broken exposition is caught (exit 1): the check can fail.
  assert.equal(promtool(['check', 'metrics'], `${text}\nnot a metric line {\n`).code, 1);
});

test('the PD endpoint and `pitr metrics --pd A` serve that cluster only', async () => {
  const { status, text } = await get(`http://${pd}/metrics`, host.token);
  assert.equal(status, 200);
  assert.match(text, /tikv_stream_store_checkpoint_ts\{[^}]*task="t1"/);
  assert.doesNotMatch(text, /cluster="other"/);
  const r = await pitr(['metrics', '--pd', pd], { dataDir });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^# TYPE tikv_log_backup_task_status gauge$/m);
  assert.match(r.stdout, /tikv_log_backup_task_status\{[^}]*task="t1"[^}]*\} 0$/m);
  const alerts = await pitr(['metrics', 'alerts', '--pd', pd, '--json'], { dataDir });
  assert.equal(alerts.code, 0, alerts.stderr);
  assert.equal(alerts.json<{ alerts: unknown[] }>().alerts.length, 6);
});

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

test('a real Prometheus scrapes the host and answers the task’s checkpoint series', async () => {
  const port = await freePort();
  const hostPort = new URL(host.url).port;
  const config = join(dir, 'prometheus.yml');
  writeFileSync(
    config,
    [
      'global: { scrape_interval: 1s, evaluation_interval: 1s }',
      'scrape_configs:',
      '  - job_name: pitr',
      '    honor_labels: true',
      `    authorization: { credentials_file: ${JSON.stringify(tokenPath(dataDir))} }`,
      `    static_configs: [{ targets: ["127.0.0.1:${hostPort}"] }]`,
      '',
    ].join('\n'),
  );
  prom = spawn('prometheus', [`--config.file=${config}`, `--storage.tsdb.path=${join(dir, 'tsdb')}`, `--web.listen-address=127.0.0.1:${port}`], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  prom.stderr?.on('data', (c: Buffer) => (log = (log + c.toString()).slice(-4000)));
  const query = encodeURIComponent('tikv_stream_store_checkpoint_ts{task="t1"}');
  type Answer = { status: string; data: { result: Array<{ metric: Record<string, string>; value: [number, string] }> } };
  const answer = await waitFor(
    'Prometheus returns the checkpoint series',
    async () => {
      if (prom?.exitCode !== null) throw new Error(`prometheus exited: ${log}`);
      const res = await fetch(`http://127.0.0.1:${port}/api/v1/query?query=${query}`).catch(() => null);
      if (!res?.ok) return undefined;
      const body = (await res.json()) as Answer;
      return body.data.result.length === 3 ? body : undefined;
    },
    30_000,
    250,
  );
  const instances = answer.data.result.map((r) => r.metric.instance).sort();
  assert.deepEqual(instances, ['lb/store-1', 'lb/store-2', 'lb/store-3']);
  for (const r of answer.data.result) assert.ok(Number(r.value[1]) > 0, 'a checkpoint TSO');
  const up = await (await fetch(`http://127.0.0.1:${port}/api/v1/query?query=up`)).json() as Answer;
  assert.equal(up.data.result[0]?.value[1], '1', `the scrape of the host is up: ${log}`);
});
