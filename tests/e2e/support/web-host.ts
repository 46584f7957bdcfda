/**
 * A real host in web mode for the e2e tests: `pitr server --web` as a child process on its own
 * temp data dir, with the ready line's addresses and the token from the data dir.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PITR_BIN, PROJECT_ROOT } from '../../helpers/cli.ts';

// A cold start on a loaded machine loads Node, SQLite and the bundle: allow a while.
const READY_DEADLINE_MS = 30_000;
const STOP_DEADLINE_MS = 15_000;

/** A running web-mode host. */
export interface WebHost {
  /** The host API's base URL. */
  url: string;
  /** The app's address with a one-time sign-in code (as `npm start` prints it). */
  appUrl: string;
  dataDir: string;
  /** The host's access token (file `token` in the data dir). */
  token: string;
  /** What the host wrote to stderr. */
  stderr(): string;
  stop(): Promise<void>;
}

/** Starts a web-mode host on a fresh temp data dir. */
export async function startWebHost(): Promise<WebHost> {
  if (!existsSync(join(PROJECT_ROOT, 'dist', 'cli.js')) || !existsSync(join(PROJECT_ROOT, 'renderer-dist', 'index.html'))) {
    throw new Error('dist/cli.js or renderer-dist/ is missing: run `node scripts/build.mjs` before the e2e tests');
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'pitr-e2e-'));
  const env = { ...process.env };
  delete env.PITR_DATA_DIR;
  const proc = spawn(process.execPath, [PITR_BIN, 'server', '--web', '--data-dir', dataDir], { cwd: PROJECT_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  proc.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  const ready = await new Promise<{ url: string; app_url: string }>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`pitr server --web was not ready within ${READY_DEADLINE_MS} ms; stderr: ${stderr}`));
    }, READY_DEADLINE_MS);
    proc.stdout.setEncoding('utf8').on('data', (c: string) => {
      out += c;
      for (const line of out.split('\n')) {
        if (!line.startsWith('{')) continue;
        const m = JSON.parse(line) as { event?: string; url?: string; app_url?: string };
        if (m.event === 'ready' && m.url && m.app_url) {
          clearTimeout(timer);
          resolve({ url: m.url, app_url: m.app_url });
          return;
        }
      }
    });
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`pitr server --web exited (code ${code}) before it was ready: ${stderr}`));
    });
  });
  proc.stdout.resume();
  return {
    url: ready.url,
    appUrl: ready.app_url,
    dataDir,
    token: readFileSync(join(dataDir, 'token'), 'utf8').trim(),
    stderr: () => stderr,
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) {
        const exited = new Promise<void>((r) => proc.once('exit', () => r()));
        proc.kill('SIGTERM');
        let timer: NodeJS.Timeout | undefined;
        const late = await Promise.race([exited.then(() => false), new Promise<boolean>((r) => (timer = setTimeout(() => r(true), STOP_DEADLINE_MS)))]);
        clearTimeout(timer);
        if (late) {
          proc.kill('SIGKILL');
          await exited;
        }
      }
      rmSync(dataDir, { recursive: true, force: true, maxRetries: 3 });
    },
  };
}
