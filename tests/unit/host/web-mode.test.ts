/**
 * Web mode on the host: the renderer's files under a strict CSP and confined to their folder,
 * single-use sign-in codes (the token never in the HTML), and the push WebSocket that requires
 * the token and a loopback origin.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import WebSocket from 'ws';
import type { RestoreStatus } from '../../../core/contract/restore.ts';
import { ClusterHost } from '../../../core/host/host.ts';
import { resolveStatic } from '../../../core/host/web-page.ts';
import { SessionCodes } from '../../../core/host/web-session.ts';

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A raw request (fetch would normalise `..` away). */
function raw(url: string, path: string, init: { method?: string; body?: string; headers?: Record<string, string> } = {}): Promise<Reply> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, path, method: init.method ?? 'GET', headers: init.headers ?? {} }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end(init.body);
  });
}

/** Opens the push socket; resolves 'open' or the refusal message. */
function openSocket(url: string, protocols: string[], origin?: string): Promise<{ ws: WebSocket | null; outcome: string }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url.replace('http:', 'ws:') + '/api/ws', protocols, origin ? { origin } : {});
    ws.once('open', () => resolve({ ws, outcome: `open:${ws.protocol}` }));
    ws.once('error', (e) => resolve({ ws: null, outcome: e.message }));
  });
}

async function withWebHost(fn: (host: ClusterHost, dist: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'pitr-web-'));
  const dist = join(dir, 'dist');
  mkdirSync(join(dist, 'assets'), { recursive: true });
  writeFileSync(join(dist, 'index.html'), '<!doctype html><script type="module" src="./assets/app.js"></script>');
  writeFileSync(join(dist, 'assets', 'app.js'), 'console.log(1)');
  writeFileSync(join(dir, 'secret.txt'), 'outside');
  const host = await ClusterHost.start({ dataDir: join(dir, 'data'), web: true, rendererDir: dist });
  try {
    await fn(host, dist);
  } finally {
    await host.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

test('web mode serves the renderer under a strict CSP, without the token, and nothing outside its folder', async () => {
  await withWebHost(async (host) => {
    const index = await raw(host.url, '/', { headers: { host: new URL(host.url).host } });
    assert.equal(index.status, 200);
    const csp = String(index.headers['content-security-policy']);
    assert.match(csp, /script-src 'self'/);
    assert.match(csp, /connect-src 'self'/);
    assert.doesNotMatch(csp, /unsafe-inline/);
    assert.ok(!index.body.includes(host.token));
    const js = await raw(host.url, '/assets/app.js');
    assert.equal(js.status, 200);
    assert.match(String(js.headers['content-type']), /javascript/);
    for (const path of ['/../secret.txt', '/assets/../../secret.txt', '/%2e%2e/secret.txt', '/..%2fsecret.txt', '/assets%5c..%5c..%5csecret.txt']) {
      const r = await raw(host.url, path);
      assert.notEqual(r.status, 200, path);
      assert.ok(!r.body.includes('outside'), path);
    }
    // A foreign Host header (DNS rebinding) gets nothing.
    assert.equal((await raw(host.url, '/', { headers: { host: 'evil.example:80' } })).status, 403);
  });
});

test('a sign-in code is exchanged for the token once, and only from the app origin', async () => {
  await withWebHost(async (host) => {
    const code = host.issueSessionCode();
    const post = (c: string, origin?: string) =>
      raw(host.url, '/api/session:exchange', { method: 'POST', body: JSON.stringify({ code: c }), headers: { 'content-type': 'application/json', ...(origin ? { origin } : {}) } });
    assert.equal((await post(code, 'http://evil.example')).status, 403);
    const ok = await post(code, host.url);
    assert.equal(ok.status, 200);
    assert.equal((JSON.parse(ok.body) as { result: { token: string } }).result.token, host.token);
    const again = await post(code, host.url);
    assert.equal(again.status, 401);
    assert.match(again.body, /already used or expired/);
    assert.equal((await post('0'.repeat(32))).status, 401);
  });
});

test('sign-in codes expire', () => {
  const codes = new SessionCodes(1000);
  const c = codes.issue(0);
  assert.equal(codes.redeem(c, 1001), false);
  const d = codes.issue(0);
  assert.equal(codes.redeem(d, 999), true);
  assert.equal(codes.redeem(d, 999), false);
});

test('the push WebSocket needs the token and a loopback origin', async () => {
  await withWebHost(async (host) => {
    assert.match((await openSocket(host.url, ['pitr.v1'])).outcome, /401/);
    assert.match((await openSocket(host.url, ['pitr.v1', 'pitr.token.wrong'])).outcome, /401/);
    assert.match((await openSocket(host.url, ['pitr.v1', `pitr.token.${host.token}`], 'http://evil.example')).outcome, /403/);
    const { ws, outcome } = await openSocket(host.url, ['pitr.v1', `pitr.token.${host.token}`], host.url);
    // The server answers with pitr.v1 only: the token is never echoed in a response header.
    assert.equal(outcome, 'open:pitr.v1');
    // A push of the host arrives on the socket as {channel, data}.
    const got = new Promise<string>((resolve) => ws!.once('message', (m: Buffer) => resolve(m.toString('utf8'))));
    const status = { restore_id: '00000000000000ab', state: 'running' } as unknown as RestoreStatus;
    for (const l of host.restore.listeners) l(status);
    assert.deepEqual(JSON.parse(await got), { channel: 'restore:progress', data: status });
    ws?.close();
  });
});

test('resolveStatic confines paths to the folder', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pitr-static-'));
  try {
    writeFileSync(join(dir, 'index.html'), 'x');
    assert.equal(resolveStatic(dir, '/'), join(dir, 'index.html'));
    assert.equal(resolveStatic(dir, '/../etc/passwd'), null);
    assert.equal(resolveStatic(dir, '/%00'), null);
    assert.equal(resolveStatic(dir, '/%E0%A4%A'), null);
    assert.equal(resolveStatic(dir, '/missing.js'), null);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
