/** FaultyStorage: the fault-injection wrapper that log backup's fault tests are built on. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { PitrError } from '../../../core/errors.ts';
import { FaultyStorage, LocalStorage, StorageErrorCode, testStorage } from '../../../core/storage/index.ts';

let dir = '';
let inner: LocalStorage;
let s: FaultyStorage;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'pitr-faulty-'));
  inner = new LocalStorage(dir);
  s = new FaultyStorage(inner);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const data = Buffer.from('payload');

async function thrown(promise: Promise<unknown>): Promise<PitrError> {
  return promise.then(
    () => assert.fail('expected an injected fault'),
    (err: unknown) => {
      assert.ok(err instanceof PitrError, String(err));
      return err;
    },
  );
}

describe('FaultyStorage', () => {
  it('passes everything through while healthy', async () => {
    assert.equal(s.url, inner.url);
    assert.equal((await testStorage(s)).ok, true);
    await s.write('a', data);
    assert.ok((await s.read('a')).equals(data));
    assert.deepEqual(s.failures, { write: 0, read: 0, list: 0, delete: 0, exists: 0 });
    assert.equal(s.calls.write, 2);
  });

  it('fails the next N writes with the default error and writes nothing', async () => {
    s.fail('write', { times: 2 });
    for (let i = 0; i < 2; i++) {
      const err = await thrown(s.write('a', data));
      assert.equal(err.code, StorageErrorCode.Unavailable);
      assert.equal(err.message, 'injected fault: storage unavailable');
    }
    assert.deepEqual(await inner.list(''), []);
    await s.write('a', data);
    assert.ok((await inner.read('a')).equals(data));
    assert.equal(s.calls.write, 3);
    assert.equal(s.failures.write, 2);
    // Other operations were never affected.
    assert.ok((await s.read('a')).equals(data));
    assert.equal(s.failures.read, 0);
  });

  it('a list fault fails listing by paths too', async () => {
    await inner.write('p/a', data);
    s.fail('list', { times: 1 });
    assert.equal((await thrown(s.listPaths('p/'))).code, StorageErrorCode.Unavailable);
    assert.deepEqual(await s.listPaths('p/'), ['p/a']);
    assert.equal(s.failures.list, 1);
  });

  it('fails until heal() when no count is given', async () => {
    s.fail('read');
    await inner.write('a', data);
    for (let i = 0; i < 5; i++) await thrown(s.read('a'));
    s.heal();
    assert.ok((await s.read('a')).equals(data));
    assert.equal(s.failures.read, 5);
    assert.equal(s.calls.read, 6);
  });

  it('throws the error it is given', async () => {
    const denied = new PitrError(StorageErrorCode.AccessDenied, 'the S3 credentials were refused');
    s.fail('list', { times: 1, error: denied });
    assert.equal(await thrown(s.list('')), denied);
    assert.deepEqual(await s.list(''), []);
  });

  it("'*' fails every operation, and writeIfAbsent counts as a write", async () => {
    s.fail('*', { times: 6 });
    await thrown(s.write('a', data));
    await thrown(s.writeIfAbsent('a', data));
    await thrown(s.read('a'));
    await thrown(s.list(''));
    await thrown(s.delete('a'));
    await thrown(s.exists('a'));
    assert.deepEqual(s.failures, { write: 2, read: 1, list: 1, delete: 1, exists: 1 });
    assert.equal(await s.writeIfAbsent('a', data), true);
    s.resetCounters();
    assert.deepEqual(s.calls, { write: 0, read: 0, list: 0, delete: 0, exists: 0 });
  });

  it("an operation's own fault is used before '*'", async () => {
    const own = new PitrError(StorageErrorCode.NotFound, 'own');
    s.fail('*', { times: 1 });
    s.fail('exists', { times: 1, error: own });
    assert.equal(await thrown(s.exists('a')), own);
    assert.equal((await thrown(s.exists('a'))).message, 'injected fault: storage unavailable');
    assert.equal(await s.exists('a'), false);
  });

  it("when: 'after' lets the write land and then reports failure (a lost reply)", async () => {
    s.fail('write', { times: 1, when: 'after' });
    await thrown(s.write('meta/checkpoint', data));
    assert.ok((await inner.read('meta/checkpoint')).equals(data), 'the write reached the storage');
    await s.write('meta/checkpoint', Buffer.from('v2'));
    assert.equal((await inner.read('meta/checkpoint')).toString(), 'v2');
  });

  it('a retry loop gets through transient faults (the pattern log backup relies on)', async () => {
    s.fail('write', { times: 3 });
    let attempts = 0;
    for (;;) {
      attempts++;
      try {
        await s.write('log/1', data);
        break;
      } catch (err) {
        assert.ok(err instanceof PitrError && err.code === StorageErrorCode.Unavailable);
      }
    }
    assert.equal(attempts, 4);
    assert.ok(await inner.exists('log/1'));
  });

  it('refuses a negative count', () => {
    assert.throws(() => s.fail('write', { times: -1 }), RangeError);
  });
});
