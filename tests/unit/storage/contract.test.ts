/**
 * The storage contract: one suite, run against every backend (a local folder and S3 on a real
 * s3rver). Anything log backup, snapshot backup or restore relies on is asserted here, so a
 * backend that passes can be swapped for another.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { PitrError } from '../../../core/errors.ts';
import {
  closeStorage,
  listPaths,
  LocalStorage,
  openStorage,
  StorageErrorCode,
  testStorage,
  type BackupStorage,
} from '../../../core/storage/index.ts';
import { startS3rver, type TestS3 } from '../../helpers/s3.ts';


/** A fresh, empty storage, and a way to see whatever was written outside it. */
interface Opened {
  storage: BackupStorage;
  /** Files that exist beside the storage's root (must stay empty). */
  outside(): Promise<string[]>;
}

/** How a backend is brought up for the suite. */
interface Backend {
  name: string;
  setUp(): Promise<void>;
  tearDown(): Promise<void>;
  open(): Promise<Opened>;
}

const bytes = (s: string): Buffer => Buffer.from(s, 'utf8');

async function rejectsWith(promise: Promise<unknown>, code: string, includes?: string): Promise<PitrError> {
  const err = await promise.then(
    () => assert.fail(`expected ${code}, but the call succeeded`),
    (e: unknown) => e,
  );
  assert.ok(err instanceof PitrError, `expected a PitrError, got ${String(err)}`);
  assert.equal(err.code, code, err.message);
  if (includes !== undefined) assert.ok(err.message.includes(includes), `"${err.message}" should name ${includes}`);
  return err;
}

/** Writes many small files, a bounded number at a time. */
async function writeMany(storage: BackupStorage, paths: string[], concurrency = 32): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < paths.length) {
        const path = paths[next++] as string;
        await storage.write(path, bytes(path));
      }
    }),
  );
}

function contractSuite(backend: Backend): void {
  describe(`storage contract: ${backend.name}`, () => {
    const opened: Opened[] = [];
    const open = async (): Promise<BackupStorage> => {
      const o = await backend.open();
      opened.push(o);
      return o.storage;
    };
    before(() => backend.setUp());
    after(async () => {
      for (const o of opened) closeStorage(o.storage);
      await backend.tearDown();
    });

    it('round-trips binary data, an empty file and a 9 MiB file', async () => {
      const s = await open();
      const binary = Buffer.from(Array.from({ length: 512 }, (_, i) => i % 256));
      const big = randomBytes(9 * 1024 * 1024);
      await s.write('bin', binary);
      await s.write('empty', new Uint8Array(0));
      await s.write('dir/big.zst', big);
      assert.ok((await s.read('bin')).equals(binary));
      assert.equal((await s.read('empty')).length, 0);
      const back = await s.read('dir/big.zst');
      assert.equal(back.length, big.length);
      assert.ok(back.equals(big), 'the 9 MiB body differs after the round trip');
      assert.deepEqual(await s.list(''), [
        { path: 'bin', size: 512 },
        { path: 'dir/big.zst', size: big.length },
        { path: 'empty', size: 0 },
      ]);
    });

    it('write replaces an existing file (also with a shorter body)', async () => {
      const s = await open();
      await s.write('meta/checkpoint', bytes('a much longer first version'));
      await s.write('meta/checkpoint', bytes('v2'));
      assert.equal((await s.read('meta/checkpoint')).toString(), 'v2');
      assert.deepEqual(await s.list('meta/'), [{ path: 'meta/checkpoint', size: 2 }]);
    });

    it('reads byte ranges, clipped at the end of the file', async () => {
      const s = await open();
      const data = Buffer.from(Array.from({ length: 1000 }, (_, i) => (i * 7) % 251));
      await s.write('log/1.log', data);
      assert.ok((await s.read('log/1.log', { offset: 0, length: 10 })).equals(data.subarray(0, 10)));
      assert.ok((await s.read('log/1.log', { offset: 123, length: 456 })).equals(data.subarray(123, 579)));
      assert.ok((await s.read('log/1.log', { offset: 990, length: 100 })).equals(data.subarray(990)));
      assert.equal((await s.read('log/1.log', { offset: 500, length: 0 })).length, 0);
      assert.equal((await s.read('log/1.log', { offset: 1000, length: 5 })).length, 0);
      await rejectsWith(s.read('log/1.log', { offset: -1, length: 5 }), 'BR:Common:ErrInvalidArgument');
    });

    it('lists by prefix: recursive, sorted, prefixes that end mid-name', async () => {
      const s = await open();
      const paths = [
        'v1/backupmeta/1800-b.meta',
        'v1/backupmeta/1700-a.meta',
        'v1/backupmeta/1701-c.meta',
        'v1/backupmeta-old/1700.meta',
        'v1/data/2024/01/x.log',
        'v1/data/2024/02/y.log',
        'v10/other',
        'z',
      ];
      for (const p of paths) await s.write(p, bytes(p));
      const names = async (prefix: string): Promise<string[]> => (await s.list(prefix)).map((e) => e.path);
      assert.deepEqual(await names(''), [...paths].sort());
      assert.deepEqual(await names('v1/backupmeta/17'), ['v1/backupmeta/1700-a.meta', 'v1/backupmeta/1701-c.meta']);
      assert.deepEqual(await names('v1/backupmeta/'), ['v1/backupmeta/1700-a.meta', 'v1/backupmeta/1701-c.meta', 'v1/backupmeta/1800-b.meta']);
      assert.deepEqual(await names('v1/backupmeta'), [
        'v1/backupmeta-old/1700.meta',
        'v1/backupmeta/1700-a.meta',
        'v1/backupmeta/1701-c.meta',
        'v1/backupmeta/1800-b.meta',
      ]);
      assert.deepEqual(await names('v1/data/'), ['v1/data/2024/01/x.log', 'v1/data/2024/02/y.log']);
      assert.deepEqual(await names('v1/'), paths.filter((p) => p.startsWith('v1/')).sort());
      assert.deepEqual(await names('nothing/here'), []);
      assert.deepEqual((await s.list('z')).map((e) => e.size), [1]);
      // Paths only: the same files in the same order, for every prefix.
      for (const prefix of ['', 'v1/backupmeta/17', 'v1/backupmeta/', 'v1/backupmeta', 'v1/data/', 'v1/', 'nothing/here', 'z']) {
        assert.deepEqual(await listPaths(s, prefix), await names(prefix), `listPaths('${prefix}')`);
      }
    });

    it('lists more than 1000 files (S3 pages) completely and in order', async () => {
      const s = await open();
      const paths = Array.from({ length: 1050 }, (_, i) => `many/f${String(i).padStart(4, '0')}`);
      await writeMany(s, [...paths].reverse());
      await s.write('manyother', bytes('x'));
      const listed = await s.list('many/');
      assert.equal(listed.length, 1050);
      assert.deepEqual(listed.map((e) => e.path), paths);
      assert.deepEqual((await s.list('many/f10')).map((e) => e.path), paths.slice(1000));
    });

    it('deletes files; deleting a missing file is not an error', async () => {
      const s = await open();
      await s.write('a/b/c', bytes('1'));
      await s.write('a/d', bytes('2'));
      await s.delete('a/b/c');
      assert.equal(await s.exists('a/b/c'), false);
      await rejectsWith(s.read('a/b/c'), StorageErrorCode.NotFound);
      await s.delete('a/b/c');
      await s.delete('never/was');
      assert.deepEqual(await s.list(''), [{ path: 'a/d', size: 1 }]);
    });

    it('exists is true only for a file', async () => {
      const s = await open();
      assert.equal(await s.exists('x/y'), false);
      await s.write('x/y', bytes('1'));
      assert.equal(await s.exists('x/y'), true);
      assert.equal(await s.exists('x'), false, 'a folder is not a file');
      assert.equal(await s.exists('x/y/z'), false);
    });

    it('writeIfAbsent creates a file once and never replaces it', async () => {
      const s = await open();
      assert.equal(await s.writeIfAbsent('lock/owner', bytes('first')), true);
      assert.equal(await s.writeIfAbsent('lock/owner', bytes('second')), false);
      assert.equal((await s.read('lock/owner')).toString(), 'first');
      await s.delete('lock/owner');
      assert.equal(await s.writeIfAbsent('lock/owner', bytes('third')), true);
      assert.equal((await s.read('lock/owner')).toString(), 'third');
    });

    it('reading a missing file fails with NotFound naming the path', async () => {
      const s = await open();
      await rejectsWith(s.read('v1/backupmeta/missing.meta'), StorageErrorCode.NotFound, 'v1/backupmeta/missing.meta');
      await rejectsWith(s.read('nothing', { offset: 0, length: 4 }), StorageErrorCode.NotFound, 'nothing');
      await rejectsWith(s.read('nothing', { offset: 0, length: 0 }), StorageErrorCode.NotFound, 'nothing');
    });

    it('refuses paths that leave the root, and writes nothing', async () => {
      const o = await backend.open();
      opened.push(o);
      const s = o.storage;
      for (const bad of ['../x', '/etc/passwd', 'a/../../b', 'a\\b', '', 'a//b', './a', 'a/\0']) {
        await rejectsWith(s.write(bad, bytes('evil')), StorageErrorCode.PathEscape);
        await rejectsWith(s.writeIfAbsent(bad, bytes('evil')), StorageErrorCode.PathEscape);
        await rejectsWith(s.read(bad), StorageErrorCode.PathEscape);
        await rejectsWith(s.exists(bad), StorageErrorCode.PathEscape);
        await rejectsWith(s.delete(bad), StorageErrorCode.PathEscape);
      }
      for (const bad of ['../', '/', '../x', 'a/../../b']) await rejectsWith(s.list(bad), StorageErrorCode.PathEscape);
      assert.deepEqual(await s.list(''), []);
      assert.deepEqual(await o.outside(), []);
    });

    it('passes the connection test and leaves no probe behind', async () => {
      const s = await open();
      const result = await testStorage(s);
      assert.equal(result.ok, true);
      assert.ok(result.latency_ms >= 0 && result.latency_ms < 10_000);
      assert.deepEqual(await s.list(''), []);
    });
  });
}

let localBase = '';
contractSuite({
  name: 'local folder',
  async setUp() {
    localBase = mkdtempSync(join(tmpdir(), 'pitr-storage-'));
  },
  async tearDown() {
    rmSync(localBase, { recursive: true, force: true });
  },
  async open() {
    // Each storage gets a sandbox; its root is sandbox/root, so a file escaping by `..` would
    // land in the sandbox beside it.
    const sandbox = mkdtempSync(join(localBase, 'case-'));
    const storage = new LocalStorage(join(sandbox, 'root'));
    return { storage, outside: async () => readdirSync(sandbox).filter((n) => n !== 'root') };
  },
});

let s3: TestS3 | undefined;
let s3Case = 0;
contractSuite({
  name: 's3 (s3rver)',
  async setUp() {
    s3 = await startS3rver();
  },
  async tearDown() {
    await s3?.stop();
  },
  async open() {
    if (s3 === undefined) throw new Error('s3rver is not running');
    const server = s3;
    const prefix = `contract-${++s3Case}`;
    const storage = openStorage(server.url(`sandbox/${prefix}`));
    const bucket = openStorage(server.url(''));
    return {
      storage,
      outside: async () => {
        const all = await bucket.list('');
        closeStorage(bucket);
        return all.map((e) => e.path).filter((p) => !p.startsWith('sandbox/contract-'));
      },
    };
  },
});
