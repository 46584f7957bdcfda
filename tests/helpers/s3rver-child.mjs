// Runs s3rver for tests, in its own process because s3rver encrypts ListObjects continuation
// tokens with DES, which Node's default OpenSSL 3 provider refuses (paginated listings then
// fail with HTTP 500): the parent starts this script with `node --openssl-legacy-provider`.
//   node --openssl-legacy-provider s3rver-child.mjs '{"directory": "...", "bucket": "..."}'
// Prints {"port": N} on stdout once listening; exits when stdin closes (the parent is gone),
// removing its data folder (the parent may have been killed before it could).
import { rmSync } from 'node:fs';
import S3rver from 's3rver';

const { directory, bucket } = JSON.parse(process.argv[2] ?? '{}');
const server = new S3rver({
  address: '127.0.0.1',
  port: 0,
  directory,
  silent: true,
  configureBuckets: [{ name: bucket }],
});
const { port } = await server.run();
process.stdout.write(`${JSON.stringify({ port })}\n`);

const exit = () => {
  rmSync(directory, { recursive: true, force: true });
  process.exit(0);
};
const stop = () => {
  server.close(exit);
  // Keep-alive sockets can hold close() open: do not wait for them.
  setTimeout(exit, 500).unref();
};
process.stdin.on('end', stop);
process.stdin.on('error', stop);
process.stdin.resume();
process.on('SIGTERM', stop);
