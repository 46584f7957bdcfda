/** Storage URLs as a user types them (br's forms), what is refused, and how secrets are hidden. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PitrError } from '../../../core/errors.ts';
import {
  closeStorage,
  LocalStorage,
  openStorage,
  parseStorageUrl,
  redactUrl,
  resolveS3Credentials,
  S3Storage,
  StorageErrorCode,
  type S3StorageUrl,
} from '../../../core/storage/index.ts';


const SECRET = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYzS3cr3t';

function refused(url: string, code: string = StorageErrorCode.InvalidUrl): PitrError {
  let caught: unknown;
  try {
    parseStorageUrl(url, '/work');
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof PitrError, `${url} must be refused`);
  assert.equal(caught.code, code, caught.message);
  return caught;
}

function s3(url: string): S3StorageUrl {
  const parsed = parseStorageUrl(url);
  assert.equal(parsed.scheme, 's3');
  return parsed as S3StorageUrl;
}

describe('parseStorageUrl: local folders', () => {
  it('accepts local:///, file:///, absolute and relative plain paths', () => {
    assert.deepEqual(parseStorageUrl('local:///var/backups/pitr'), { scheme: 'local', root: '/var/backups/pitr' });
    assert.deepEqual(parseStorageUrl('LOCAL:///var/backups/pitr/'), { scheme: 'local', root: '/var/backups/pitr' });
    assert.deepEqual(parseStorageUrl('file:///var/backups/pitr'), { scheme: 'local', root: '/var/backups/pitr' });
    assert.deepEqual(parseStorageUrl('local:///tmp/my%20backups'), { scheme: 'local', root: '/tmp/my backups' });
    assert.deepEqual(parseStorageUrl('/srv/backup'), { scheme: 'local', root: '/srv/backup' });
    assert.deepEqual(parseStorageUrl('backups/bkt', '/home/dba'), { scheme: 'local', root: '/home/dba/backups/bkt' });
    assert.deepEqual(parseStorageUrl('./b', '/home/dba'), { scheme: 'local', root: '/home/dba/b' });
    assert.deepEqual(parseStorageUrl('rel'), { scheme: 'local', root: `${process.cwd()}/rel` });
  });

  it('refuses a local URL that is not an absolute folder', () => {
    assert.match(refused('local://relative/path').message, /three slashes.*local:\/\/\/var\/backups\/pitr/);
    refused('local:///x?a=1');
    refused('file://host/x');
    assert.match(refused('').message, /empty/);
    refused('   ');
  });
});

describe('parseStorageUrl: s3', () => {
  it("reads br's parameters", () => {
    const url =
      's3://my-bucket/cluster-1/log?endpoint=http://127.0.0.1:9000&region=eu-west-1&access-key=AK' +
      `&secret-access-key=${encodeURIComponent(SECRET)}&force-path-style=false&session-token=TOK`;
    assert.deepEqual(s3(url), {
      scheme: 's3',
      bucket: 'my-bucket',
      prefix: 'cluster-1/log',
      endpoint: 'http://127.0.0.1:9000',
      region: 'eu-west-1',
      forcePathStyle: false,
      accessKey: 'AK',
      secretAccessKey: SECRET,
      sessionToken: 'TOK',
    });
  });

  it('has defaults: AWS, us-east-1, path style, no prefix', () => {
    assert.deepEqual(s3('s3://bucket'), { scheme: 's3', bucket: 'bucket', prefix: '', region: 'us-east-1', forcePathStyle: true });
    assert.equal(s3('s3://bucket/').prefix, '');
    assert.equal(s3('s3://bucket//a/b//').prefix, 'a/b');
    assert.equal(s3('s3://bucket/a%20b/c').prefix, 'a b/c');
  });

  it('accepts the underscore spellings and a raw + in a secret', () => {
    const p = s3('s3://bucket/p?access_key=AK&secret_access_key=a+b/c&session_token=T&force_path_style=true');
    assert.equal(p.accessKey, 'AK');
    assert.equal(p.secretAccessKey, 'a+b/c');
    assert.equal(p.sessionToken, 'T');
    assert.equal(p.forcePathStyle, true);
  });

  it('refuses bad s3 URLs with a clear InvalidUrl', () => {
    assert.match(refused('s3://').message, /names no bucket/);
    assert.match(refused('s3:///prefix').message, /names no bucket/);
    assert.match(refused('s3://Bad_Bucket/x').message, /not a valid S3 bucket name/);
    assert.match(refused('s3://bkt/x?endpoint=ftp://host').message, /endpoint= must be an http:\/\/ or https:\/\/ URL/);
    assert.match(refused('s3://bkt/x?endpoint=not a url').message, /endpoint= is not a URL/);
    assert.match(refused('s3://bkt/x?endpoint=http://u:p@host').message, /must not hold credentials/);
    assert.match(refused('s3://bkt/x?endpoint=127.0.0.1:9000').message, /endpoint=/);
    assert.match(refused('s3://bkt/x?colour=blue').message, /"colour" is not a known s3:\/\/ parameter/);
    assert.match(refused('s3://bkt/x?sse=aws:kms').message, /"sse" is a br option PiTR Studio does not support/);
    assert.match(refused('s3://bkt/x?region=a&region=b').message, /given twice/);
    assert.match(refused('s3://bkt/x?access-key=AK').message, /only one of access-key and secret-access-key/);
    assert.match(refused('s3://bkt/x?force-path-style=maybe').message, /true or false/);
    assert.match(refused('s3://bkt/a/../b').message + refused('s3://bkt/a/%2E%2E/b').message, /not a valid prefix/);
    assert.match(refused('s3://bkt:9000/x').message, /has no port/);
  });

  it('never quotes a secret in its errors', () => {
    const enc = encodeURIComponent(SECRET);
    const urls = [
      `s3://bkt/x?secret-access-key=${enc}&access-key=AK&colour=blue`,
      `s3://bkt/x?secret-access-key=${enc}`,
      `s3://AK:${enc}@bkt/x`,
      `s3://bkt/x?secret-access-key=${enc}&access-key=AK&endpoint=bad`,
      `s3://bkt/x?${enc}=1`,
      `s3://bkt/x?secret-access-key=${enc}&secret-access-key=${enc}&access-key=AK`,
      `gcs://bkt/x?secret-access-key=${enc}`,
    ];
    for (const url of urls) {
      let caught: unknown;
      try {
        parseStorageUrl(url);
      } catch (err) {
        caught = err;
      }
      assert.ok(caught instanceof PitrError, url);
      for (const text of [String(caught), JSON.stringify(caught), caught.stack ?? '']) {
        assert.ok(!text.includes(SECRET) && !text.includes(enc), `secret leaked: ${text}`);
      }
    }
  });
});

describe('parseStorageUrl: other schemes', () => {
  for (const scheme of ['gcs', 'gs', 'azure', 'azblob', 'hdfs', 'noop', 'http', 'ftp', 's3a']) {
    it(`refuses ${scheme}:// naming it and what is supported`, () => {
      const err = refused(`${scheme}://bucket/prefix?access-key=AK`, StorageErrorCode.Unsupported);
      assert.equal(
        err.message,
        `${scheme}:// storage is not supported: PiTR Studio backs up to local:// folders or s3:// buckets ` +
          '(as TiDB PiTR supports S3 and shared file systems only)',
      );
    });
  }
});

describe('redactUrl', () => {
  it('hides every credential value, in both spellings and any case', () => {
    assert.equal(
      redactUrl(`s3://b/p?endpoint=http://h:9000&access-key=AK&secret-access-key=${SECRET}&session-token=T&region=r`),
      's3://b/p?endpoint=http://h:9000&access-key=***&secret-access-key=***&session-token=***&region=r',
    );
    assert.equal(redactUrl('s3://b/p?Secret_Access_Key=S&ACCESS_KEY=A#frag'), 's3://b/p?Secret_Access_Key=***&ACCESS_KEY=***#frag');
    assert.equal(redactUrl(`s3://AK:${SECRET}@b/p`), 's3://***@b/p');
    assert.equal(redactUrl('local:///var/backups?x'), 'local:///var/backups?x');
    assert.equal(redactUrl('s3://b/prefix@2024/x'), 's3://b/prefix@2024/x');
    const once = redactUrl(`s3://b/p?secret-access-key=${SECRET}`);
    assert.equal(redactUrl(once), once);
  });
});

describe('credentials', () => {
  const bare = s3('s3://bkt/p');
  const withUrl = s3('s3://bkt/p?access-key=UK&secret-access-key=US&session-token=UT');
  const env = { AWS_ACCESS_KEY_ID: 'EK', AWS_SECRET_ACCESS_KEY: 'ES', AWS_SESSION_TOKEN: 'ET' };
  const app = { accessKeyId: 'APK', secretAccessKey: 'APS' };

  it('come from the URL first, then the environment, then the app', () => {
    assert.deepEqual(resolveS3Credentials(withUrl, app, env), { accessKeyId: 'UK', secretAccessKey: 'US', sessionToken: 'UT', source: 'url' });
    assert.deepEqual(resolveS3Credentials(bare, app, env), { accessKeyId: 'EK', secretAccessKey: 'ES', sessionToken: 'ET', source: 'env' });
    assert.deepEqual(resolveS3Credentials(bare, app, {}), { accessKeyId: 'APK', secretAccessKey: 'APS', source: 'app' });
    assert.equal(resolveS3Credentials(bare, undefined, {}), undefined);
  });

  it('ignore a half-set environment', () => {
    assert.equal(resolveS3Credentials(bare, app, { AWS_ACCESS_KEY_ID: 'EK' })?.source, 'app');
    assert.equal(resolveS3Credentials(bare, undefined, { AWS_SECRET_ACCESS_KEY: 'ES', AWS_SESSION_TOKEN: 'ET' }), undefined);
  });

  it('read process.env by default', () => {
    const saved = { ...process.env };
    try {
      process.env['AWS_ACCESS_KEY_ID'] = 'PK';
      process.env['AWS_SECRET_ACCESS_KEY'] = 'PS';
      delete process.env['AWS_SESSION_TOKEN'];
      assert.deepEqual(resolveS3Credentials(bare), { accessKeyId: 'PK', secretAccessKey: 'PS', source: 'env' });
    } finally {
      process.env = saved;
    }
  });
});

describe('openStorage', () => {
  it('chooses the backend by scheme and keeps only the redacted URL', () => {
    const local = openStorage('backups', { cwd: '/srv' });
    assert.ok(local instanceof LocalStorage);
    assert.equal(local.url, 'local:///srv/backups');
    const url = `s3://bkt/p?endpoint=http://127.0.0.1:9&access-key=AK&secret-access-key=${encodeURIComponent(SECRET)}`;
    const remote = openStorage(url);
    assert.ok(remote instanceof S3Storage);
    assert.equal(remote.url, 's3://bkt/p?endpoint=http://127.0.0.1:9&access-key=***&secret-access-key=***');
    assert.ok(!JSON.stringify(remote).includes(SECRET.slice(0, 10)));
    closeStorage(remote);
    assert.throws(() => openStorage('gs://b/p'), (err: unknown) => err instanceof PitrError && err.code === StorageErrorCode.Unsupported);
  });
});
