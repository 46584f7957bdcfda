/**
 * Bad input gets a clear error on stderr and a non-zero exit code, and changes nothing: after
 * each refused command the clusters and every key (raw scan) are exactly as before.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ClusterInfo, WorkloadStatusInfo } from '../../core/contract/types.ts';
import { pitr, pitrJson, pitrOk, removeTempDirs, startServer, tempDir } from '../helpers/cli.ts';
import type { PitrResult, ServerHandle } from '../helpers/cli.ts';

/** A loopback port nobody listens on. */
async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as AddressInfo;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

/** A refused command: non-zero exit, nothing on stdout, a message on stderr matching every pattern. */
function assertRefused(r: PitrResult, ...patterns: RegExp[]): void {
  const where = `exit ${r.code}; stdout: ${r.stdout || '(empty)'}; stderr: ${r.stderr || '(empty)'}`;
  assert.notEqual(r.code, 0, `a non-zero exit code (${where})`);
  assert.equal(r.stdout, '', `nothing on stdout (${where})`);
  assert.match(r.stderr, /^pitr: |^\{"error"/, `the error is on stderr (${where})`);
  assert.ok(!/\n\s+at /.test(r.stderr), `no stack trace (${where})`);
  for (const p of patterns) assert.match(r.stderr, p, where);
}

describe('bad input', () => {
  let server: ServerHandle;
  let dataDir: string;
  let pd: string;
  let wlPd: string;
  let baseline: { clusters: string; raw: string };
  const o = () => ({ dataDir });

  /** The clusters (name, id, PD) and every key of the main cluster. */
  async function state(): Promise<{ clusters: string; raw: string }> {
    const list = await pitrJson<ClusterInfo[]>(['cluster', 'list'], o());
    const clusters = JSON.stringify(list.map((c) => [c.name, c.cluster_id, c.pd]).sort());
    const raw = (await pitrOk(['scan', '--pd', pd, '--raw', '--json'], o())).stdout;
    return { clusters, raw };
  }

  async function assertNothingChanged(): Promise<void> {
    assert.deepEqual(await state(), baseline, 'the refused command changed nothing');
  }

  before(async () => {
    dataDir = tempDir();
    server = await startServer({ dataDir });
    pd = (await pitrJson<ClusterInfo>(['cluster', 'create', '--name', 'main', '--stores', '2'], o())).pd;
    wlPd = (await pitrJson<ClusterInfo>(['cluster', 'create', '--name', 'wl', '--stores', '1'], o())).pd;
    await pitrOk(['txn', '--pd', pd, '--put', 'k1=v1', '--put', 'k2=v2'], o());
    baseline = await state();
    assert.match(baseline.raw, /"key":"uk1"/);
  });

  after(async () => {
    try {
      await server?.stop();
    } finally {
      removeTempDirs();
    }
  });

  test('an unknown flag', async () => {
    const r = await pitr(['get', '--pd', pd, 'k1', '--bogus'], o());
    assertRefused(r, /unknown option/i, /--bogus/, /pitr get --help/);
    assert.equal(r.code, 2, 'usage errors exit 2');
    await assertNothingChanged();
  });

  test('--json errors are one JSON object on stderr', async () => {
    const r = await pitr(['get', '--pd', pd, 'k1', '--bogus', '--json'], o());
    assertRefused(r);
    const e = JSON.parse(r.stderr) as { error: { code: string; message: string } };
    assert.match(e.error.message, /--bogus/);
    assert.match(e.error.code, /InvalidArgument/);
  });

  test('a malformed TSO', async () => {
    assertRefused(await pitr(['get', '--pd', pd, 'k1', '--ts', '12abc'], o()), /invalid ts/i, /12abc/, /TSO such as/);
    assertRefused(await pitr(['scan', '--pd', pd, '--ts', '12abc'], o()), /invalid ts/i, /12abc/);
    await assertNothingChanged();
  });

  test('a malformed datetime', async () => {
    const r = await pitr(['get', '--pd', pd, 'k1', '--ts', '2022-13-45 25:00:00'], o());
    assertRefused(r, /invalid ts/i, /2022-13-45 25:00:00/, /month 13|out of range/, /datetime such as/);
    await assertNothingChanged();
  });

  test('tso decode of something that is not a number', async () => {
    assertRefused(await pitr(['tso', 'decode', 'notanumber'], o()), /notanumber/, /not a TSO/, /whole number/);
    assertRefused(await pitr(['tso', 'encode', 'yesterday'], o()), /yesterday/, /datetime such as/);
  });

  test('a request without the token gets 401', async () => {
    for (const base of [`http://${pd}`, server.url]) {
      const res = await fetch(`${base}/api/cluster:list`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      assert.equal(res.status, 401, base);
      const body = (await res.json()) as { ok: boolean; error: { message: string } };
      assert.equal(body.ok, false);
      assert.match(body.error.message, /missing access token/);
      assert.match(body.error.message, /token/);
    }
    // A write without the token is refused too, and writes nothing.
    const res = await fetch(`http://${pd}/api/txn:commit`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ puts: [{ key: 'intruder', value: 'x' }] }),
    });
    assert.equal(res.status, 401);
    await assertNothingChanged();
  });

  test('the CLI with a data dir that has no token', async () => {
    const empty = tempDir();
    const r = await pitr(['get', '--pd', pd, 'k1'], { dataDir: empty });
    assertRefused(r, /token/, /pitr server/);
    assert.ok(!existsSync(join(empty, 'token')), 'the client does not invent a token');
    assertRefused(await pitr(['txn', '--pd', pd, '--put', 'intruder=x'], { dataDir: empty }), /token/);
    await assertNothingChanged();
  });

  test('a wrong token gets 401', async () => {
    const res = await fetch(`http://${pd}/api/cluster:status`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer 0123456789abcdef' },
      body: '{}',
    });
    assert.equal(res.status, 401);
    const body = (await res.json()) as { error: { message: string } };
    assert.match(body.error.message, /wrong access token/);
  });

  test('the CLI with a data dir holding another token', async () => {
    const other = tempDir();
    const real = readFileSync(join(dataDir, 'token'), 'utf8').trim();
    const fake = real.replace(/^./, (c) => (c === 'a' ? 'b' : 'a'));
    assert.notEqual(fake, real);
    writeFileSync(join(other, 'token'), fake + '\n', { mode: 0o600 });
    assertRefused(await pitr(['get', '--pd', pd, 'k1'], { dataDir: other }), /token/);
    assertRefused(await pitr(['txn', '--pd', pd, '--put', 'intruder=x'], { dataDir: other }), /wrong access token/);
    await assertNothingChanged();
  });

  test('an unreachable --pd', async () => {
    for (const addr of ['127.0.0.1:1', `127.0.0.1:${await closedPort()}`]) {
      const r = await pitr(['get', '--pd', addr, 'k1'], o());
      assertRefused(r, /cannot reach/, new RegExp(addr.replace(/\./g, '\\.')), /pitr server|npm start/, /pitr cluster list/);
      // The reason is the real one (ECONNREFUSED; port 1 is one fetch refuses to use), not fetch's generic one.
      assert.ok(!/\(fetch failed\)/.test(r.stderr), r.stderr);
    }
  });

  test('--put without =', async () => {
    assertRefused(await pitr(['txn', '--pd', pd, '--put', 'abc'], o()), /KEY=VALUE/, /abc/);
    // Checked before anything is sent: the valid part of the same command is not written either.
    assertRefused(await pitr(['txn', '--pd', pd, '--put', 'ok=1', '--put', 'abc'], o()), /KEY=VALUE/);
    assertRefused(await pitr(['txn', '--pd', pd, '--put', '=v'], o()), /KEY=VALUE/);
    const scan = (await pitrOk(['scan', '--pd', pd, '--json'], o())).lines<{ key: string }>();
    assert.deepEqual(
      scan.map((p) => p.key),
      ['k1', 'k2'],
    );
    await assertNothingChanged();
  });

  test('a non-loopback --pd is refused without any network traffic', async () => {
    // A preload that records every fetch, HTTP request and socket the CLI opens.
    const dir = tempDir();
    const trap = join(dir, 'trap.mjs');
    const log = join(dir, 'net.log');
    writeFileSync(
      trap,
      [
        "import { appendFileSync } from 'node:fs';",
        "import net from 'node:net';",
        'const log = process.env.PITR_TEST_NET_LOG;',
        'const fetch0 = globalThis.fetch;',
        "globalThis.fetch = (input, init) => { appendFileSync(log, 'fetch ' + String(input) + '\\n'); return fetch0(input, init); };",
        'const connect0 = net.connect;',
        "net.connect = net.createConnection = function (...a) { appendFileSync(log, 'connect\\n'); return connect0.apply(this, a); };",
        "import http from 'node:http';",
        "import { syncBuiltinESMExports } from 'node:module';",
        'const request0 = http.request;',
        "http.request = function (...a) { appendFileSync(log, 'http ' + String(a[0]) + '\\n'); return request0.apply(this, a); };",
        // Named ESM imports of builtins see the patch only after a sync.
        'syncBuiltinESMExports();',
      ].join('\n'),
    );
    const env = { NODE_OPTIONS: `--import ${pathToFileURL(trap).href}`, PITR_TEST_NET_LOG: log };
    // The trap works: a loopback address is tried.
    const control = await pitr(['get', '--pd', `127.0.0.1:${await closedPort()}`, 'k1'], { dataDir, env });
    assertRefused(control, /cannot reach/);
    assert.match(readFileSync(log, 'utf8'), /(fetch|http) http:\/\/127\.0\.0\.1:/);
    writeFileSync(log, '');
    for (const addr of ['10.0.0.1:2379', 'example.com:2379', 'http://192.168.1.10:2379']) {
      const r = await pitr(['get', '--pd', addr, 'k1'], { dataDir, env });
      assertRefused(r, /loopback/, /127\.0\.0\.1/);
      assert.ok(!/cannot reach/.test(r.stderr), 'refused before any attempt');
    }
    assertRefused(await pitr(['txn', '--pd', '10.0.0.1:2379', '--put', 'a=b'], { dataDir, env }), /loopback/);
    assert.equal(readFileSync(log, 'utf8'), '', 'no request and no socket');
  });

  test('cluster create --name Bad_Name', async () => {
    assertRefused(await pitr(['cluster', 'create', '--name', 'Bad_Name'], o()), /cluster name/, /lower-case/);
    assert.ok(!existsSync(join(dataDir, 'clusters', 'Bad_Name')));
    assertRefused(await pitr(['cluster', 'create', '--name', '../escape'], o()), /cluster name/);
    assert.ok(!existsSync(join(dataDir, 'escape')));
    await assertNothingChanged();
  });

  test('cluster create --stores 0', async () => {
    assertRefused(await pitr(['cluster', 'create', '--name', 'zero', '--stores', '0'], o()), /--stores/, /at least 1/);
    assertRefused(await pitr(['cluster', 'create', '--name', 'many', '--stores', '17'], o()), /stores/);
    assert.ok(!existsSync(join(dataDir, 'clusters', 'zero')));
    assert.ok(!existsSync(join(dataDir, 'clusters', 'many')));
    await assertNothingChanged();
  });

  test('a second bank workload is refused while one runs', async () => {
    const first = await pitrJson<WorkloadStatusInfo>(['workload', 'start', '--pd', wlPd, '--kind', 'bank', '--rate', '20', '--accounts', '20'], o());
    try {
      assert.equal(first.state, 'running');
      const r = await pitr(['workload', 'start', '--pd', wlPd, '--kind', 'bank', '--rate', '500', '--accounts', '50'], o());
      assertRefused(r, /bank/, /already running/, /workload stop/);
      const list = await pitrJson<WorkloadStatusInfo[]>(['workload', 'status', '--pd', wlPd], o());
      assert.equal(list.length, 1);
      const w = list[0]!;
      assert.equal(w.kind, 'bank');
      assert.equal(w.state, 'running');
      assert.equal(w.started_at, first.started_at, 'still the first workload');
      assert.equal(w.target_rate, 20, 'with its own settings');
      assert.deepEqual(w.detail?.accounts, 20);
    } finally {
      await pitrOk(['workload', 'stop', '--pd', wlPd], o());
    }
    // The other cluster was not touched.
    await assertNothingChanged();
  });

  test('cluster destroy without -y', async () => {
    assertRefused(await pitr(['cluster', 'destroy', '--name', 'main'], o()), /-y/, /delete/);
    assertRefused(await pitr(['cluster', 'destroy', '--pd', pd], o()), /-y/);
    assert.ok(existsSync(join(dataDir, 'clusters', 'main', 'pd.db')));
    assert.equal((await pitrJson<{ value: string | null }>(['get', '--pd', pd, 'k1'], o())).value, 'v1');
    await assertNothingChanged();
  });
});
