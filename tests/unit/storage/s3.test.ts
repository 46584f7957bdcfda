/**
 * What only the S3 backend promises: the requests it sends, seen through a recording proxy in
 * front of s3rver (multipart above the threshold, plain bodies without aws-chunked framing,
 * Range headers, conditional PUTs and what it does with a server that honours them).
 */
import assert from 'node:assert/strict';
import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, it } from 'node:test';
import { PitrError } from '../../../core/errors.ts';
import { closeStorage, DEFAULT_MULTIPART_THRESHOLD, openStorage, StorageErrorCode, type BackupStorage } from '../../../core/storage/index.ts';
import { startS3rver, type TestS3 } from '../../helpers/s3.ts';


interface Seen {
  method: string;
  /** Path and query, e.g. `/pitr-test/p/key?uploads`. */
  url: string;
  headers: IncomingHttpHeaders;
}

let s3: TestS3;
let proxy: Server;
let proxyEndpoint = '';
let seen: Seen[] = [];
/** When set, answers a request itself (status code, optional S3 error code) instead of forwarding it. */
let intercept: ((r: Seen) => number | [number, string] | undefined) | undefined;

before(async () => {
  s3 = await startS3rver();
  const target = new URL(s3.endpoint);
  proxy = createServer((req, res) => {
    const r: Seen = { method: req.method ?? '', url: req.url ?? '', headers: req.headers };
    seen.push(r);
    const answer = intercept?.(r);
    if (answer !== undefined) {
      const [status, code] = typeof answer === 'number' ? [answer, undefined] : answer;
      req.resume();
      const body = code === undefined ? '' : `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>m</Message></Error>`;
      res.writeHead(status, { 'content-type': 'application/xml' }).end(r.method === 'HEAD' ? undefined : body);
      return;
    }
    const upstream = request(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((done) => proxy.listen(0, '127.0.0.1', done));
  proxyEndpoint = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
});
after(async () => {
  proxy.closeAllConnections();
  await new Promise((done) => proxy.close(done));
  await s3.stop();
});

let storage: BackupStorage;
let n = 0;
beforeEach(() => {
  if (storage !== undefined) closeStorage(storage);
  // The same URL as s3.url(), pointed at the proxy.
  storage = openStorage(s3.url(`s3-test-${++n}`).replace(encodeURIComponent(s3.endpoint), encodeURIComponent(proxyEndpoint)));
  seen = [];
  intercept = undefined;
});

/** `METHOD /key?query` of each request, without the SDK's x-id and with upload ids as U. */
const ops = (): string[] =>
  seen.map((r) => {
    const u = new URL(r.url, 'http://x');
    const query = [...u.searchParams]
      .filter(([k]) => k !== 'x-id')
      .map(([k, v]) => (k === 'uploadId' ? 'uploadId=U' : v === '' ? k : `${k}=${v}`));
    const key = u.pathname.replace(/^\/pitr-test\/s3-test-\d+/, '');
    return `${r.method} ${key}${query.length > 0 ? `?${query.join('&')}` : ''}`;
  });

describe('S3Storage requests', () => {
  it('sends a body up to the threshold as one plain PUT (no aws-chunked framing, no checksum trailer)', async () => {
    await storage.write('small', Buffer.from('hello'));
    await storage.write('edge', Buffer.alloc(DEFAULT_MULTIPART_THRESHOLD, 1));
    assert.deepEqual(ops(), ['PUT /small', 'PUT /edge']);
    for (const r of seen) {
      assert.ok(!String(r.headers['content-encoding'] ?? '').includes('aws-chunked'), 'body must not be aws-chunked');
      assert.equal(r.headers['x-amz-trailer'], undefined);
      assert.equal(r.headers['x-amz-sdk-checksum-algorithm'], undefined);
      assert.deepEqual(Object.keys(r.headers).filter((h) => h.startsWith('x-amz-checksum-')), []);
    }
    assert.equal(seen[0]?.headers['content-length'], '5');
    assert.equal((await storage.read('small')).toString(), 'hello');
  });

  it('uploads a 9 MiB body in parts', async () => {
    const big = Buffer.alloc(9 * 1024 * 1024, 7);
    await storage.write('big', big);
    assert.deepEqual(ops().sort(), [
      'POST /big?uploadId=U',
      'POST /big?uploads',
      'PUT /big?partNumber=1&uploadId=U',
      'PUT /big?partNumber=2&uploadId=U',
    ]);
    assert.ok((await storage.read('big')).equals(big));
  });

  it('reads a byte range with a Range header, not the whole object', async () => {
    await storage.write('f', Buffer.from('0123456789'));
    seen = [];
    assert.equal((await storage.read('f', { offset: 3, length: 4 })).toString(), '3456');
    assert.equal(seen.length, 1);
    assert.equal(seen[0]?.headers['range'], 'bytes=3-6');
  });

  it('writeIfAbsent sends If-None-Match: * after a HEAD', async () => {
    assert.equal(await storage.writeIfAbsent('lock', Buffer.from('me')), true);
    assert.deepEqual(ops(), ['HEAD /lock', 'PUT /lock']);
    assert.equal(seen[1]?.headers['if-none-match'], '*');
  });

  it('writeIfAbsent is false when a server that honours If-None-Match answers 412', async () => {
    // The race s3rver cannot show: the HEAD says absent, another writer wins before our PUT.
    intercept = (r) => (r.method === 'PUT' && r.headers['if-none-match'] === '*' ? 412 : undefined);
    assert.equal(await storage.writeIfAbsent('lock', Buffer.from('me')), false);
    assert.equal(await storage.exists('lock'), false, 'the 412 PUT must not have reached the bucket');
  });

  it('writeIfAbsent falls back to a plain PUT when the server answers 501 to If-None-Match', async () => {
    intercept = (r) => (r.method === 'PUT' && r.headers['if-none-match'] !== undefined ? 501 : undefined);
    assert.equal(await storage.writeIfAbsent('lock', Buffer.from('me')), true);
    assert.equal((await storage.read('lock')).toString(), 'me');
    assert.equal(await storage.writeIfAbsent('lock2', Buffer.from('me')), true);
    const puts = seen.filter((r) => r.method === 'PUT');
    assert.deepEqual(puts.map((r) => r.headers['if-none-match']), ['*', undefined, undefined]);
  });

  it('follows ListObjectsV2 continuation tokens', async () => {
    const paths = Array.from({ length: 1001 }, (_, i) => `p/${String(i).padStart(4, '0')}`);
    for (let i = 0; i < paths.length; i += 50) {
      await Promise.all(paths.slice(i, i + 50).map((p) => storage.write(p, Buffer.from('x'))));
    }
    seen = [];
    assert.equal((await storage.list('p/')).length, 1001);
    const lists = seen.filter((r) => r.method === 'GET' && r.url.includes('list-type=2'));
    assert.equal(lists.length, 2);
    assert.match(lists[1]?.url ?? '', /continuation-token=/);
  });

  it('maps SignatureDoesNotMatch (a wrong secret) to AccessDenied', async () => {
    intercept = () => [403, 'SignatureDoesNotMatch'];
    const err = await storage.write('x', Buffer.from('1')).then(() => assert.fail('must fail'), (e: unknown) => e as PitrError);
    assert.equal(err.code, StorageErrorCode.AccessDenied);
    assert.match(err.message, /^the S3 credentials were refused by http:\/\/127\.0\.0\.1:\d+ \(SignatureDoesNotMatch on write of x/);
    assert.ok(!err.message.includes('S3RVER'), 'no credential in the message');
  });

  it('retries a server error a few times, then reports Unavailable', async () => {
    intercept = () => [500, 'InternalError'];
    const err = await storage.read('x').then(() => assert.fail('must fail'), (e: unknown) => e as PitrError);
    assert.equal(err.code, StorageErrorCode.Unavailable);
    assert.match(err.message, /failed to read x \(InternalError, HTTP 500\)/);
    assert.equal(seen.length, 3, 'DEFAULT_MAX_ATTEMPTS requests, then give up');
  });
});
