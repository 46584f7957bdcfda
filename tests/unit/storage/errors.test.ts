/**
 * Failures a user meets (wrong credentials, a server that is down, a missing bucket, a folder
 * that cannot be created) give a clear error with the right code, and never show a secret.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { PitrError, toErrorObject } from '../../../core/errors.ts';
import { closeStorage, openStorage, StorageErrorCode, testStorage, type BackupStorage, type OpenStorageOptions } from '../../../core/storage/index.ts';
import { S3RVER_KEY, startS3rver, type TestS3 } from '../../helpers/s3.ts';


const SECRET = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYzS3cr3t';
const ENCODED_SECRET = encodeURIComponent(SECRET);

let s3: TestS3;
let base = '';
const opened: BackupStorage[] = [];
before(async () => {
  s3 = await startS3rver();
  base = mkdtempSync(join(tmpdir(), 'pitr-errors-'));
});
after(async () => {
  for (const s of opened) closeStorage(s);
  await s3.stop();
  rmSync(base, { recursive: true, force: true });
});

/** An s3:// URL of the test server with the given credentials (none when key is undefined). */
function url(opts: { key?: string; secret?: string; endpoint?: string; bucket?: string } = {}): string {
  const endpoint = encodeURIComponent(opts.endpoint ?? s3.endpoint);
  const creds = opts.key === undefined ? '' : `&access-key=${opts.key}&secret-access-key=${encodeURIComponent(opts.secret ?? '')}`;
  return `s3://${opts.bucket ?? s3.bucket}/errors?endpoint=${endpoint}&force-path-style=true${creds}`;
}

function open(u: string, opts?: OpenStorageOptions): BackupStorage {
  const s = openStorage(u, opts);
  opened.push(s);
  return s;
}

async function failure(promise: Promise<unknown>): Promise<PitrError> {
  const err = await promise.then(
    () => assert.fail('expected a failure'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof PitrError, `expected a PitrError, got ${inspect(err)}`);
  return err;
}

/** Every way an error is shown, logged or sent: none may hold the secret. */
function assertNoSecret(err: unknown, ...more: string[]): void {
  const shown = [
    String(err),
    (err as Error).message,
    (err as Error).stack ?? '',
    JSON.stringify(err),
    JSON.stringify(toErrorObject(err)),
    inspect(err, { depth: 10, showHidden: true }),
    ...more,
  ];
  for (const text of shown) {
    assert.ok(!text.includes(SECRET) && !text.includes(ENCODED_SECRET), `the secret leaked into: ${text}`);
  }
}

describe('S3 errors', () => {
  // s3rver checks access key ids but not SigV4 signatures: a wrong secret alone is accepted
  // there, so wrong credentials here are a wrong key id (SignatureDoesNotMatch is in s3.test.ts).
  it('wrong credentials are AccessDenied, name the endpoint and hide the secret', async () => {
    const s = open(url({ key: 'AKIAWRONGKEY', secret: SECRET }));
    const err = await failure(s.write('x', Buffer.from('1')));
    assert.equal(err.code, StorageErrorCode.AccessDenied);
    assert.match(err.message, /the S3 credentials were refused by http:\/\/127\.0\.0\.1:\d+/);
    assert.match(err.message, /check access-key \/ secret-access-key/);
    assertNoSecret(err, s.url);
    assert.ok(s.url.includes('secret-access-key=***'));
    const ops = [() => s.read('x'), () => s.list(''), () => s.exists('x'), () => s.delete('x'), () => s.writeIfAbsent('x', Buffer.from('1')), () => testStorage(s)];
    for (const op of ops) {
      const e = await failure(op());
      assert.equal(e.code, StorageErrorCode.AccessDenied, e.message);
      assertNoSecret(e);
    }
  });

  it('the secret from the environment or the app is hidden as well', async () => {
    const env = { AWS_ACCESS_KEY_ID: 'AKIAWRONGKEY', AWS_SECRET_ACCESS_KEY: SECRET, AWS_SESSION_TOKEN: `token-${SECRET}` };
    const s = open(url(), { env });
    const err = await failure(s.list(''));
    assert.equal(err.code, StorageErrorCode.AccessDenied);
    assert.equal(err.details?.['s3Code'], 'InvalidAccessKeyId');
    assertNoSecret(err, s.url);
    const fromApp = open(url(), { env: {}, credentials: { accessKeyId: 'AKIAWRONGKEY', secretAccessKey: SECRET } });
    assertNoSecret(await failure(fromApp.read('x')), fromApp.url);
  });

  it('an unreachable endpoint is Unavailable within seconds, with what to check', async () => {
    const s = open(url({ key: S3RVER_KEY, secret: SECRET, endpoint: 'http://127.0.0.1:1' }));
    const started = Date.now();
    const err = await failure(s.write('x', Buffer.from('1')));
    assert.ok(Date.now() - started < 10_000, `took ${Date.now() - started} ms`);
    assert.equal(err.code, StorageErrorCode.Unavailable);
    assert.equal(err.message, 'cannot reach S3 endpoint http://127.0.0.1:1 (ECONNREFUSED): check endpoint= and that the server is running');
    assertNoSecret(err);
    assertNoSecret(await failure(testStorage(s)));
  });

  it('a missing bucket is NotFound naming the bucket and the endpoint', async () => {
    const s = open(url({ key: S3RVER_KEY, secret: S3RVER_KEY, bucket: 'no-such-bucket' }));
    const err = await failure(s.write('x', Buffer.from('1')));
    assert.equal(err.code, StorageErrorCode.NotFound);
    assert.equal(err.message, `bucket no-such-bucket does not exist at ${s3.endpoint}: create it, or fix the bucket name in the URL`);
    assert.equal((await failure(s.list(''))).code, StorageErrorCode.NotFound);
  });

  it('credentials come from the URL, then the environment, then the app', async () => {
    const good = { AWS_ACCESS_KEY_ID: S3RVER_KEY, AWS_SECRET_ACCESS_KEY: S3RVER_KEY };
    const bad = { AWS_ACCESS_KEY_ID: 'AKIAWRONGKEY', AWS_SECRET_ACCESS_KEY: SECRET };
    const app = { accessKeyId: S3RVER_KEY, secretAccessKey: S3RVER_KEY };
    // From the environment alone.
    assert.equal((await testStorage(open(url(), { env: good }))).ok, true);
    // From the app alone.
    assert.equal((await testStorage(open(url(), { env: {}, credentials: app }))).ok, true);
    // The environment wins over the app: bad env credentials fail though the app's are good.
    const err = await failure(open(url(), { env: bad, credentials: app }).list(''));
    assert.equal(err.code, StorageErrorCode.AccessDenied);
    assertNoSecret(err);
    // The URL wins over both.
    assert.equal((await testStorage(open(url({ key: S3RVER_KEY, secret: S3RVER_KEY }), { env: bad }))).ok, true);
  });
});

describe('local folder errors', () => {
  it('a folder that cannot be created (its parent is a file) is a clear error', async () => {
    const file = join(base, 'not-a-folder');
    writeFileSync(file, 'x');
    const root = join(file, 'backups');
    const s = open(root);
    for (const op of [() => s.write('a', Buffer.from('1')), () => s.writeIfAbsent('a', Buffer.from('1')), () => testStorage(s)]) {
      const err = await failure(op());
      assert.equal(err.code, StorageErrorCode.Unavailable);
      assert.equal(err.message, `cannot create the backup folder ${root}: a part of that path is a file, not a folder; check the path or choose another --storage`);
    }
    // Reading from a folder that cannot exist is just "not there".
    assert.equal((await failure(s.read('a'))).code, StorageErrorCode.NotFound);
    assert.deepEqual(await s.list(''), []);
  });

  it('a root that is a file is the same clear error', async () => {
    const file = join(base, 'a-file');
    writeFileSync(file, 'x');
    const err = await failure(open(file).write('a', Buffer.from('1')));
    assert.equal(err.code, StorageErrorCode.Unavailable);
    assert.match(err.message, /^cannot create the backup folder .*a-file: a part of that path is a file/);
  });
});
