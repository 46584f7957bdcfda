/** What only the local folder backend promises, beyond the shared contract. */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { PitrError } from '../../../core/errors.ts';
import { LocalStorage, StorageErrorCode } from '../../../core/storage/index.ts';

let base = '';
beforeEach(() => {
  base = mkdtempSync(join(tmpdir(), 'pitr-local-'));
});
afterEach(() => rmSync(base, { recursive: true, force: true }));

async function code(promise: Promise<unknown>): Promise<string> {
  return promise.then(
    () => 'resolved',
    (err: unknown) => (err instanceof PitrError ? err.code : `not a PitrError: ${String(err)}`),
  );
}

describe('LocalStorage', () => {
  it('creates its folder on the first write only', async () => {
    const root = join(base, 'a', 'b', 'backups');
    const s = new LocalStorage(root);
    assert.deepEqual(await s.list(''), []);
    assert.equal(await s.exists('x'), false);
    assert.equal(await code(s.read('x')), StorageErrorCode.NotFound);
    await s.delete('x');
    assert.equal(existsSync(root), false, 'reads must not create the folder');
    await s.write('v1/x', Buffer.from('1'));
    assert.equal(readFileSync(join(root, 'v1', 'x'), 'utf8'), '1');
    assert.equal(s.url, `local://${root}`);
  });

  it('creates the folder again if it is removed between writes', async () => {
    const root = join(base, 'r');
    const s = new LocalStorage(root);
    await s.write('a', Buffer.from('1'));
    rmSync(root, { recursive: true });
    await s.write('b/c', Buffer.from('2'));
    assert.deepEqual(await s.list(''), [{ path: 'b/c', size: 1 }]);
  });

  it('leaves no temp file after writes and never lists one left by a crash', async () => {
    const s = new LocalStorage(base);
    await s.write('d/f', Buffer.from('one'));
    await s.write('d/f', Buffer.from('two'));
    assert.equal(await s.writeIfAbsent('d/g', Buffer.from('g')), true);
    assert.deepEqual(readdirSync(join(base, 'd')).sort(), ['f', 'g']);
    writeFileSync(join(base, 'd', '.f.0123456789abcdef.pitr-tmp'), 'half a file');
    writeFileSync(join(base, 'd', '.hidden'), 'a real file that starts with a dot');
    assert.deepEqual((await s.list('d/')).map((e) => e.path), ['d/.hidden', 'd/f', 'd/g']);
    assert.deepEqual(await s.listPaths('d/'), ['d/.hidden', 'd/f', 'd/g'], 'paths only: the same, without a temp file');
  });

  it('delete removes the folders it leaves empty, up to (not including) the root', async () => {
    const s = new LocalStorage(base);
    await s.write('v1/data/2024/01/a.log', Buffer.from('a'));
    await s.write('v1/data/keep.log', Buffer.from('k'));
    await s.delete('v1/data/2024/01/a.log');
    assert.equal(existsSync(join(base, 'v1', 'data', '2024')), false);
    assert.equal(existsSync(join(base, 'v1', 'data', 'keep.log')), true);
    await s.delete('v1/data/keep.log');
    assert.deepEqual(readdirSync(base), []);
    assert.equal(existsSync(base), true, 'the root itself stays');
  });

  it('a write racing with a delete that empties the same folder still succeeds', async () => {
    // delete removes folders it leaves empty; a write may have just created that folder.
    const s = new LocalStorage(base);
    for (let i = 0; i < 300; i++) {
      await Promise.all([
        s.write(`d/e/w${i}`, Buffer.from('1')),
        s.writeIfAbsent(`d/e/l${i}`, Buffer.from('1')),
        s.delete(`d/e/w${i - 1}`),
        s.delete(`d/e/l${i - 1}`),
      ]);
    }
    assert.deepEqual((await s.list('')).map((e) => e.path), ['d/e/l299', 'd/e/w299']);
  });

  it('refuses symlinks that lead outside the root, for every operation', async () => {
    const root = join(base, 'root');
    const outside = join(base, 'outside');
    mkdirSync(root);
    mkdirSync(outside);
    writeFileSync(join(outside, 'secret'), 'not yours');
    symlinkSync(outside, join(root, 'link'));
    symlinkSync(join(outside, 'secret'), join(root, 'file-link'));
    const s = new LocalStorage(root);
    assert.equal(await code(s.write('link/x', Buffer.from('evil'))), StorageErrorCode.PathEscape);
    assert.equal(await code(s.write('link/deeper/x', Buffer.from('evil'))), StorageErrorCode.PathEscape);
    assert.equal(await code(s.writeIfAbsent('link/x', Buffer.from('evil'))), StorageErrorCode.PathEscape);
    assert.equal(await code(s.read('link/secret')), StorageErrorCode.PathEscape);
    assert.equal(await code(s.read('file-link')), StorageErrorCode.PathEscape);
    assert.equal(await code(s.exists('link/secret')), StorageErrorCode.PathEscape);
    assert.equal(await code(s.delete('link/secret')), StorageErrorCode.PathEscape);
    assert.equal(await code(s.list('link/')), StorageErrorCode.PathEscape);
    assert.deepEqual(await s.list(''), [], 'symlinks are not listed or followed');
    assert.deepEqual(await s.listPaths(''), [], 'nor by paths only');
    assert.equal(await code(s.listPaths('link/')), StorageErrorCode.PathEscape);
    assert.deepEqual(readdirSync(outside), ['secret']);
    assert.equal(readFileSync(join(outside, 'secret'), 'utf8'), 'not yours');
  });

  it('follows a root that is itself a symlink', async () => {
    const real = join(base, 'real');
    mkdirSync(real);
    symlinkSync(real, join(base, 'alias'));
    const s = new LocalStorage(join(base, 'alias'));
    await s.write('a/b', Buffer.from('ok'));
    assert.equal((await s.read('a/b')).toString(), 'ok');
    assert.deepEqual(await s.list(''), [{ path: 'a/b', size: 2 }]);
    assert.equal(readFileSync(join(real, 'a', 'b'), 'utf8'), 'ok');
  });

  it('a folder in the way of a write is a clear error', async () => {
    const s = new LocalStorage(base);
    await s.write('a/b', Buffer.from('1'));
    const err = await s.write('a', Buffer.from('2')).then(
      () => assert.fail('writing over a folder must fail'),
      (e: unknown) => e as PitrError,
    );
    assert.equal(err.code, StorageErrorCode.Unavailable);
    assert.match(err.message, /a folder of that name is in the way/);
    assert.ok(err.message.includes(base));
  });

  it('a file in the way of a folder is a clear error for write and writeIfAbsent', async () => {
    const s = new LocalStorage(base);
    await s.write('a', Buffer.from('1'));
    for (const op of [() => s.write('a/b/c', Buffer.from('2')), () => s.writeIfAbsent('a/b', Buffer.from('2'))]) {
      const err = await op().then(
        () => assert.fail('writing under a file must fail'),
        (e: unknown) => e as PitrError,
      );
      assert.equal(err.code, StorageErrorCode.Unavailable);
      assert.match(err.message, /a part of that path is a file, not a folder; remove the stray file/);
    }
    assert.equal((await s.read('a')).toString(), '1');
  });
});
