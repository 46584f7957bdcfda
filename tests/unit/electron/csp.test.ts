import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileFor, makeAppProtocolHandler, registerAppScheme } from '../../../electron/main/app-protocol.ts';
import { CONTENT_SECURITY_POLICY, setupContentSecurityPolicy } from '../../../electron/main/csp.ts';
import { setupPermissions } from '../../../electron/main/permissions.ts';
import type { ResponseHeaders, SessionLike } from '../../../electron/main/ports.ts';

test('the CSP allows scripts only from the app and no network at all', () => {
  const directives = new Map(CONTENT_SECURITY_POLICY.split(';').map((d) => { const [k, ...v] = d.trim().split(/\s+/); return [k!, v.join(' ')]; }));
  assert.equal(directives.get('default-src'), "'none'");
  assert.equal(directives.get('script-src'), "'self'");
  assert.equal(directives.get('connect-src'), "'none'");
  assert.equal(directives.get('object-src'), "'none'");
  assert.equal(directives.get('frame-ancestors'), "'none'");
  assert.equal(directives.get('style-src'), "'self'");
  assert.doesNotMatch(CONTENT_SECURITY_POLICY, /unsafe/);
});

test('the CSP header is set on every network response, replacing the one the server sent', () => {
  let listener: Parameters<SessionLike['webRequest']['onHeadersReceived']>[0] | undefined;
  setupContentSecurityPolicy({ webRequest: { onHeadersReceived: (l) => void (listener = l) } });
  assert.ok(listener);
  let out: ResponseHeaders | undefined;
  listener({ url: 'https://example.com/', responseHeaders: { 'content-security-policy': ['default-src *'], 'X-Other': ['1'] } }, (r) => void (out = r.responseHeaders));
  assert.deepEqual(out, { 'X-Other': ['1'], 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] });
  listener({ url: 'https://example.com/' }, (r) => void (out = r.responseHeaders));
  assert.deepEqual(out, { 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] });
});

test('app:// serves the renderer build with the CSP header on every answer, and nothing outside it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pitr-app-protocol-'));
  const root = join(dir, 'renderer-dist');
  mkdirSync(join(root, 'assets'), { recursive: true });
  writeFileSync(join(root, 'index.html'), '<!doctype html><script type="module" src="/assets/app.js"></script>');
  writeFileSync(join(root, 'assets', 'app.js'), 'console.log(1)');
  writeFileSync(join(dir, 'secret.txt'), 'do not serve');
  try {
    const handle = makeAppProtocolHandler(root);
    const get = (url: string, method = 'GET') => Promise.resolve(handle(new Request(url, { method })));
    const index = await get('app://pitr/index.html');
    assert.equal(index.status, 200);
    assert.match(index.headers.get('content-type') ?? '', /text\/html/);
    assert.match(await index.text(), /assets\/app\.js/);
    const root_ = await get('app://pitr/');
    assert.equal(root_.status, 200);
    const js = await get('app://pitr/assets/app.js');
    assert.equal(js.status, 200);
    assert.match(js.headers.get('content-type') ?? '', /javascript/);
    const answers = [index, root_, js];
    for (const url of ['app://pitr/../secret.txt', 'app://pitr/%2e%2e/secret.txt', 'app://pitr/assets/..%2f..%2fsecret.txt', 'app://pitr/missing.js', 'app://other/index.html']) {
      const r = await get(url);
      assert.notEqual(r.status, 200, url);
      assert.doesNotMatch(await r.text(), /do not serve/, url);
      answers.push(r);
    }
    answers.push(await get('app://pitr/index.html', 'POST'));
    assert.equal(answers.at(-1)!.status, 405);
    for (const r of answers) assert.equal(r.headers.get('content-security-policy'), CONTENT_SECURITY_POLICY);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('without a renderer build the window says to run npm run build', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pitr-app-protocol-'));
  try {
    const r = await makeAppProtocolHandler(join(dir, 'renderer-dist'))(new Request('app://pitr/index.html'));
    assert.equal(r.status, 503);
    assert.match(await r.text(), /npm run build/);
    assert.equal(r.headers.get('content-security-policy'), CONTENT_SECURITY_POLICY);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('fileFor keeps every request path inside the renderer folder', () => {
  assert.equal(fileFor('/r', '/'), '/r/index.html');
  assert.equal(fileFor('/r', '/a/b.js'), '/r/a/b.js');
  assert.equal(fileFor('/r', '/../etc/passwd'), undefined);
  assert.equal(fileFor('/r', '/%2e%2e%2fetc'), undefined);
  assert.equal(fileFor('/r', '/a%00.js'), undefined);
  assert.equal(fileFor('/r', '/%E0%A4%A'), undefined);
});

test('app:// is registered as a secure standard scheme', () => {
  const seen: unknown[] = [];
  registerAppScheme({ registerSchemesAsPrivileged: (s) => void seen.push(...s) });
  assert.deepEqual(seen, [{ scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } }]);
});

test('every permission request and check is denied', () => {
  let request: ((c: unknown, p: string, cb: (granted: boolean) => void) => void) | undefined;
  let check: ((c: unknown, p: string) => boolean) | undefined;
  setupPermissions({ setPermissionRequestHandler: (h) => void (request = h), setPermissionCheckHandler: (h) => void (check = h) });
  for (const permission of ['media', 'notifications', 'geolocation', 'clipboard-read', 'openExternal']) {
    let granted: boolean | undefined;
    request!({}, permission, (g) => void (granted = g));
    assert.equal(granted, false, permission);
    assert.equal(check!({}, permission), false, permission);
  }
});
