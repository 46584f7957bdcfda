import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setupNavigationGuards } from '../../../electron/main/navigation.ts';
import type { WebContentsLike } from '../../../electron/main/ports.ts';
import { FakeWebContents, preventable } from './fakes.ts';

/** Guards installed through `web-contents-created`, as in the app; returns the guarded contents. */
function guarded() {
  let created: ((event: unknown, contents: WebContentsLike) => void) | undefined;
  const opened: string[] = [];
  const warnings: string[] = [];
  setupNavigationGuards({
    app: { on: (event: string, listener: never) => void (event === 'web-contents-created' && (created = listener)) } as never,
    shell: { openExternal: async (url) => void opened.push(url) },
    warn: (m) => warnings.push(m),
  });
  assert.ok(created, 'the guards listen to web-contents-created');
  const contents = new FakeWebContents();
  created({}, contents);
  return { contents, opened, warnings };
}

test('navigation is denied, to any URL, including the app origin and redirects', () => {
  const { contents, warnings } = guarded();
  for (const url of ['https://example.com/', 'file:///etc/passwd', 'app://pitr/other.html', 'javascript:alert(1)']) {
    assert.equal(contents.navigate('will-navigate', url), true, url);
  }
  assert.equal(contents.navigate('will-redirect', 'https://example.com/'), true);
  assert.equal(warnings.length, 5);
});

test('a refused navigation is reported without its query (it may carry S3 keys)', () => {
  const { contents, warnings } = guarded();
  contents.navigate('will-navigate', 'https://example.com/x?secret-access-key=SeCrEt#frag');
  assert.equal(warnings.length, 1);
  assert.doesNotMatch(warnings[0]!, /SeCrEt/);
  assert.match(warnings[0]!, /https:\/\/example\.com\/x/);
});

test('new windows are denied; only plain https links go to the system browser', async () => {
  const { contents, opened } = guarded();
  assert.ok(contents.openHandler, 'a window open handler is set');
  for (const url of ['https://docs.pingcap.com/tidb/stable/br-pitr-guide', 'http://example.com/', 'file:///etc/passwd', 'app://pitr/index.html', 'javascript:alert(1)', 'https://user:pw@example.com/', 'not a url']) {
    assert.deepEqual(contents.openHandler({ url }), { action: 'deny' }, url);
  }
  await Promise.resolve();
  assert.deepEqual(opened, ['https://docs.pingcap.com/tidb/stable/br-pitr-guide']);
});

test('webviews cannot be attached', () => {
  const { contents } = guarded();
  const e = preventable();
  contents.emit('will-attach-webview', e);
  assert.equal(e.prevented, true);
});
