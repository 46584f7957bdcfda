/**
 * The exports as a user takes them away: `pitr export alert-rules|grafana-dashboard|
 * grafana-snapshot --out FILE`. The rules pass promtool; the dashboard and the snapshot are JSON
 * whose panels reference only metrics the host exports, with a Prometheus data source variable,
 * and the snapshot embeds the recorded data; `metrics:history` answers the panels; the history
 * stays bounded as it ages.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ClusterHost } from '../../../core/host/host.ts';
import { exposedNames, METRIC_DEFS } from '../../../core/metrics/definitions.ts';
import { MetricsHistory } from '../../../core/metrics/history.ts';
import { pitr, waitFor } from '../../helpers/cli.ts';
import { promtool } from '../../unit/metrics/promtool.ts';

const dir = mkdtempSync(join(tmpdir(), 'pitr-exports-'));
const dataDir = join(dir, 'data');
let host: ClusterHost;
let pd: string;

before(async () => {
  host = await ClusterHost.start({ dataDir, metrics: { samplerTickMs: 50 } });
  const c = await host.createCluster('ex', 2);
  pd = host.pdAddress('ex');
  await host.logBackup('ex').start({ name: 'ex-task', storage: join(dir, 'log'), flushIntervalMs: 1000 });
  c.pd.setClockSpeed(200);
  for (let i = 0; i < 20; i++) await c.txn.run(async (txn) => txn.put(Buffer.from(`u${i}`), Buffer.from('v')));
  await waitFor('an hour of history', async () => (host.metrics.history.sampleTimes('ex', 0, Number.MAX_SAFE_INTEGER).length > 40 ? true : undefined), 30_000, 50);
  c.pd.setClockSpeed(1);
});
after(async () => {
  await host?.close();
  rmSync(dir, { recursive: true, force: true });
});

// Every metric family the host really serves (its TYPE lines; a histogram as its three series).
async function servedNames(): Promise<Set<string>> {
  const text = await (await fetch(`${host.url}/metrics`, { headers: { authorization: `Bearer ${host.token}` } })).text();
  const out = new Set<string>();
  for (const m of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) for (const n of m[2] === 'histogram' ? [`${m[1]}_bucket`, `${m[1]}_sum`, `${m[1]}_count`] : [m[1]!]) out.add(n);
  return out;
}
const namesIn = (expr: string) => (expr.match(/\b(tikv|tidb)_[a-z_]+/g) ?? []);

test('pitr export alert-rules writes a rules file promtool accepts', async () => {
  const out = join(dir, 'rules.yml');
  const r = await pitr(['export', 'alert-rules', '--out', out], { dataDir });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(promtool(['check', 'rules', out]).code, 0);
  assert.match(readFileSync(out, 'utf8'), /# for 10m: a reminder/);
});

test('the dashboard is importable JSON with a data source variable and only served metrics', async () => {
  const out = join(dir, 'dashboard.json');
  const r = await pitr(['export', 'grafana-dashboard', '--out', out], { dataDir });
  assert.equal(r.code, 0, r.stderr);
  const d = JSON.parse(readFileSync(out, 'utf8')) as { templating: { list: Array<{ name: string; type: string; query: string }> }; panels: Array<{ type: string; title: string; datasource?: { uid: string }; targets?: Array<{ expr: string }> }> };
  assert.deepEqual(d.templating.list.map((v) => [v.name, v.type, v.query]), [['datasource', 'datasource', 'prometheus']]);
  assert.equal(d.panels[0]!.title, 'Backup Log');
  const served = await servedNames();
  const panels = d.panels.filter((p) => p.type !== 'row');
  assert.ok(panels.length >= 20);
  const read = new Set<string>();
  for (const p of panels) {
    assert.equal(p.datasource?.uid, '${datasource}');
    for (const t of p.targets ?? []) for (const n of namesIn(t.expr)) read.add(n);
  }
  for (const n of read) assert.ok(served.has(n), `${n} is served by the host`);
  // Every metric of the seed is drawn by some panel.
  for (const def of METRIC_DEFS) assert.ok(exposedNames(def).some((n) => read.has(n)), `${def.name} has a panel`);
});

test('the snapshot embeds the recorded series of the chosen window', async () => {
  const out = join(dir, 'snapshot.json');
  const now = host.cluster('ex').pd.clock.now();
  const from = new Date(now - 3600_000).toISOString();
  const r = await pitr(['export', 'grafana-snapshot', '--pd', pd, '--from', from, '--out', out], { dataDir });
  assert.equal(r.code, 0, r.stderr);
  type Frame = { refId: string; fields: Array<{ name: string; values: number[] }> };
  const s = JSON.parse(readFileSync(out, 'utf8')) as { expires: number; dashboard: { time: { from: string }; panels: Array<{ id: number; title: string; snapshotData?: Frame[]; targets?: Array<{ expr: string }> }> } };
  assert.equal(s.expires, 0);
  assert.equal(s.dashboard.time.from, new Date(Date.parse(from)).toISOString());
  const served = await servedNames();
  for (const p of s.dashboard.panels) for (const t of p.targets ?? []) for (const n of namesIn(t.expr)) assert.ok(served.has(n), n);
  const status = s.dashboard.panels.find((p) => p.title === 'Task Status')!;
  const frame = status.snapshotData![0]!;
  assert.ok(frame.fields[0]!.values.length > 5, 'points recorded over the window');
  assert.ok(frame.fields[1]!.values.every((v) => v === 0), 'the task ran the whole time');
  const lag = s.dashboard.panels.find((p) => p.title === 'Checkpoint Lag (RPO)')!.snapshotData![0]!;
  assert.ok(lag.fields[1]!.values.every((v) => v >= 0 && v < 3600));
  const h = await host.dispatch('metrics:history', { cluster: 'ex', panels: ['observed-regions'], metrics: ['tikv_stream_store_checkpoint_ts'] }) as { series: Array<{ panel_id?: string; points: unknown[] }> };
  assert.ok(h.series.some((x) => x.panel_id === 'observed-regions' && x.points.length > 0));
  assert.ok(h.series.some((x) => x.panel_id === undefined && x.points.length > 0));
});

test('the history keeps raw samples for hours, then coarser tiers, then nothing', () => {
  const h = new MetricsHistory(join(dir, 'tiers.db'), [
    { resolutionMs: 0, retentionMs: 60_000 },
    { resolutionMs: 10_000, retentionMs: 600_000 },
  ]);
  try {
    const v = (x: number) => [{ metricName: 'm', labels: { a: '1' }, value: x }];
    for (let t = 0; t <= 1_200_000; t += 1000) h.record('c', t, v(t));
    const pts = h.series('c', 'm', 0, 1_200_000)[0]!.points;
    // Raw from the last whole 10 s bucket boundary before now - 1 min.
    const raw = pts.filter((p) => p[0] >= 1_140_000);
    const coarse = pts.filter((p) => p[0] < 1_140_000);
    assert.equal(raw.length, 61, 'the last minute at 1 s');
    assert.ok(coarse.every((p, i) => i === 0 || p[0] - coarse[i - 1]![0] === 10_000), '10 s buckets before it');
    assert.ok(coarse[0]![0] >= 1_200_000 - 60_000 - 600_000, 'nothing older than both retentions');
    assert.ok(coarse.every((p) => p[1] === p[0]), "each bucket keeps its last sample's value");
  } finally {
    h.close();
  }
});
