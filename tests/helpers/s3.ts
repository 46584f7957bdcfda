/**
 * A real S3 server (s3rver) on loopback for tests, in a child process (see s3rver-child.mjs for
 * why), with one bucket, its data in a temp folder, credentials S3RVER / S3RVER.
 *
 *   const s3 = await startS3rver();
 *   try { const storage = openStorage(s3.url('my-test')); ... } finally { await s3.stop(); }
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** s3rver's built-in access key and secret. */
export const S3RVER_KEY = 'S3RVER';

// s3rver starts in well under a second; a loaded CI machine may take several.
/** How long startS3rver waits for the server's port. */
export const DEFAULT_S3RVER_START_TIMEOUT_MS = 20_000;

const CHILD_SCRIPT = join(dirname(fileURLToPath(import.meta.url)), 's3rver-child.mjs');

/** A running s3rver. */
export interface TestS3 {
  /** `http://127.0.0.1:PORT`. */
  endpoint: string;
  /** The pre-created bucket. */
  bucket: string;
  /** A full s3:// URL of `prefix` in the bucket, with the server's credentials. */
  url(prefix: string): string;
  /** Stops the server and removes its folder. */
  stop(): Promise<void>;
}

/** Starts s3rver on 127.0.0.1 with a free port and one bucket (default "pitr-test"). */
export async function startS3rver(bucket = 'pitr-test'): Promise<TestS3> {
  const directory = mkdtempSync(join(tmpdir(), 'pitr-s3rver-'));
  const child = spawn(process.execPath, ['--openssl-legacy-provider', CHILD_SCRIPT, JSON.stringify({ directory, bucket })], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const running = (): boolean => child.exitCode === null && child.signalCode === null;
  const cleanup = (): void => {
    if (running()) child.kill('SIGKILL');
    rmSync(directory, { recursive: true, force: true });
  };
  // The child must not outlive the test process, however the test ends.
  process.once('exit', cleanup);

  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  let port: number;
  try {
    port = await new Promise<number>((resolvePort, reject) => {
      const timer = setTimeout(() => reject(new Error(`s3rver did not start within ${DEFAULT_S3RVER_START_TIMEOUT_MS} ms: ${stderr}`)), DEFAULT_S3RVER_START_TIMEOUT_MS);
      let stdout = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        stdout += chunk;
        const line = stdout.split('\n').find((l) => l.startsWith('{'));
        if (line === undefined) return;
        clearTimeout(timer);
        resolvePort((JSON.parse(line) as { port: number }).port);
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`s3rver exited before listening (code ${code}, signal ${signal}): ${stderr}`));
      });
    });
  } catch (err) {
    cleanup();
    process.removeListener('exit', cleanup);
    throw err;
  }
  // Let the test process exit even if a test forgets stop(): the exit hook kills the child.
  child.unref();
  for (const stream of [child.stdin, child.stdout, child.stderr]) (stream as unknown as { unref?: () => void }).unref?.();

  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    bucket,
    url: (prefix: string) =>
      `s3://${bucket}/${prefix}?endpoint=${encodeURIComponent(endpoint)}&region=us-east-1&force-path-style=true` +
      `&access-key=${S3RVER_KEY}&secret-access-key=${S3RVER_KEY}`,
    async stop() {
      if (running()) {
        // A graceful stop first (stdin closed), then no more waiting.
        let timer: NodeJS.Timeout | undefined;
        const exited = new Promise<void>((done) => child.once('exit', () => done()));
        child.stdin.end();
        await Promise.race([exited, new Promise<void>((done) => (timer = setTimeout(done, 2_000)))]);
        clearTimeout(timer);
      }
      cleanup();
      process.removeListener('exit', cleanup);
    },
  };
}
