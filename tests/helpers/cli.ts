/**
 * Drives the real `pitr` command line for the integration tests: a headless host started with
 * `pitr server` in a temp data dir, and one `pitr ...` child process per command (the bundled
 * dist/cli.js, so run `node scripts/build.mjs` first).
 *
 *   const dir = tempDir();
 *   const server = await startServer({ dataDir: dir });
 *   try {
 *     const r = await pitr(['cluster', 'create', '--name', 'demo', '--json'], { dataDir: dir });
 *   } finally {
 *     await server.stop();
 *     removeTempDirs();
 *   }
 */
import { execFile, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The project root (where bin/pitr.js lives). */
export const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** The `pitr` entry point. */
export const PITR_BIN = join(PROJECT_ROOT, 'bin', 'pitr.js');

const READY_DEADLINE_MS = 20_000;
const STOP_DEADLINE_MS = 15_000;
const COMMAND_TIMEOUT_MS = 60_000;

const tempDirs = new Set<string>();
const liveServers = new Set<ChildProcess>();

// A test process that dies (an uncaught error, a timeout) must not leave hosts running.
process.on('exit', () => {
  for (const p of liveServers) p.kill('SIGKILL');
});

/** A fresh temp folder, removed by removeTempDirs(). */
export function tempDir(prefix = 'pitr-it-'): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.add(d);
  return d;
}

/** Removes every temp folder made by tempDir() (and by startServer without a dataDir). */
export function removeTempDirs(): void {
  for (const d of tempDirs) rmSync(d, { recursive: true, force: true, maxRetries: 3 });
  tempDirs.clear();
}

/** The environment of a child: ours, minus what would confuse it. */
function childEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  // Set by `node --test` for its own children; pitr is not a test file.
  delete env.NODE_TEST_CONTEXT;
  delete env.PITR_DATA_DIR;
  for (const [k, v] of Object.entries(extra)) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return env;
}

function ensureBuilt(): void {
  if (!existsSync(join(PROJECT_ROOT, 'dist', 'cli.js'))) {
    throw new Error('dist/cli.js is missing: run `node scripts/build.mjs` before the integration tests');
  }
}

/** A running `pitr server`. */
export interface ServerHandle {
  /** The host API's base URL, from the ready line. */
  url: string;
  dataDir: string;
  proc: ChildProcess;
  /** Everything the server wrote to stderr so far. */
  stderr(): string;
  /** SIGTERM, then waits for the exit (SIGKILL and an error if it does not exit in time). */
  stop(): Promise<void>;
  /** SIGKILL (a crash), then waits for the exit. */
  kill(): Promise<void>;
}

function waitExit(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => proc.once('exit', () => resolve()));
}

/** Starts `pitr server --data-dir DIR` and waits for its ready line. */
export async function startServer(opts: { dataDir?: string } = {}): Promise<ServerHandle> {
  ensureBuilt();
  const dataDir = opts.dataDir ?? tempDir();
  const proc = spawn(process.execPath, [PITR_BIN, 'server', '--data-dir', dataDir], {
    cwd: PROJECT_ROOT,
    env: childEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  liveServers.add(proc);
  proc.once('exit', () => liveServers.delete(proc));
  let stdout = '';
  let stderr = '';
  proc.stdout.setEncoding('utf8');
  proc.stderr.setEncoding('utf8');
  proc.stderr.on('data', (c: string) => {
    stderr += c;
  });

  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      proc.kill('SIGKILL');
      reject(new Error(`pitr server did not print its ready line within ${READY_DEADLINE_MS} ms; stderr: ${stderr || '(empty)'}; stdout: ${stdout || '(empty)'}`));
    }, READY_DEADLINE_MS);
    const onData = (c: string) => {
      stdout += c;
      for (const line of stdout.split('\n').slice(0, -1)) {
        let msg: { event?: string; url?: string; data_dir?: string };
        try {
          msg = JSON.parse(line) as typeof msg;
        } catch {
          continue;
        }
        if (msg.event === 'ready' && typeof msg.url === 'string') {
          cleanup();
          if (msg.data_dir !== dataDir) {
            proc.kill('SIGKILL');
            reject(new Error(`pitr server reported data_dir ${String(msg.data_dir)}, expected ${dataDir}`));
          } else {
            resolve(msg.url);
          }
          return;
        }
      }
    };
    const onExit = (code: number | null, signal: NodeJS.Signals | null) => {
      cleanup();
      reject(new Error(`pitr server exited before it was ready (code ${code}, signal ${signal}): ${stderr.trim() || '(no stderr)'}`));
    };
    const cleanup = () => {
      clearTimeout(timer);
      proc.stdout.off('data', onData);
      proc.off('exit', onExit);
    };
    proc.stdout.on('data', onData);
    proc.once('exit', onExit);
  });
  // Keep draining stdout so the server never blocks on a full pipe.
  proc.stdout.resume();

  return {
    url,
    dataDir,
    proc,
    stderr: () => stderr,
    async stop() {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      const exited = waitExit(proc);
      proc.kill('SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      const timedOut = await Promise.race([
        exited.then(() => false),
        new Promise<boolean>((r) => {
          timer = setTimeout(() => r(true), STOP_DEADLINE_MS);
        }),
      ]);
      clearTimeout(timer);
      if (timedOut) {
        proc.kill('SIGKILL');
        await exited;
        throw new Error(`pitr server did not exit within ${STOP_DEADLINE_MS} ms of SIGTERM; stderr: ${stderr || '(empty)'}`);
      }
    },
    async kill() {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      const exited = waitExit(proc);
      proc.kill('SIGKILL');
      await exited;
    },
  };
}

/** The outcome of one `pitr` command. */
export interface PitrResult {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout parsed as one JSON document. */
  json<T = unknown>(): T;
  /** stdout parsed as one JSON document per non-empty line (scan --json). */
  lines<T = unknown>(): T[];
}

/** Options of pitr(). */
export interface PitrOptions {
  /** PITR_DATA_DIR of the command. */
  dataDir: string;
  /** Extra environment variables (undefined removes one). */
  env?: Record<string, string | undefined>;
}

/** Runs `node bin/pitr.js ...args` with PITR_DATA_DIR set; never rejects on a non-zero exit. */
export function pitr(args: string[], opts: PitrOptions): Promise<PitrResult> {
  ensureBuilt();
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [PITR_BIN, ...args],
      {
        cwd: PROJECT_ROOT,
        env: childEnv({ ...opts.env, PITR_DATA_DIR: opts.dataDir }),
        timeout: COMMAND_TIMEOUT_MS,
        killSignal: 'SIGKILL',
        maxBuffer: 256 * 1024 * 1024,
        encoding: 'utf8',
      },
      (err, stdout, stderr) => {
        const where = `\`pitr ${args.join(' ')}\``;
        let code = 0;
        if (err) {
          const e = err as NodeJS.ErrnoException & { code?: number | string; killed?: boolean; signal?: NodeJS.Signals | null };
          if (e.killed || e.signal) {
            reject(new Error(`${where} was killed (${e.signal ?? 'timeout'}) after ${COMMAND_TIMEOUT_MS} ms at most; stderr: ${stderr}`));
            return;
          }
          if (typeof e.code !== 'number') {
            reject(new Error(`${where} could not run: ${e.message}`));
            return;
          }
          code = e.code;
        }
        const describe = () => `${where} (exit ${code})\nstdout: ${stdout || '(empty)'}\nstderr: ${stderr || '(empty)'}`;
        resolve({
          code,
          stdout,
          stderr,
          json<T>(): T {
            try {
              return JSON.parse(stdout) as T;
            } catch {
              throw new Error(`stdout is not one JSON document: ${describe()}`);
            }
          },
          lines<T>(): T[] {
            return stdout
              .split('\n')
              .filter((l) => l.trim() !== '')
              .map((l) => {
                try {
                  return JSON.parse(l) as T;
                } catch {
                  throw new Error(`stdout line ${JSON.stringify(l)} is not JSON: ${describe()}`);
                }
              });
          },
        });
      },
    );
  });
}

/** Runs a command that must succeed; throws with its output otherwise. */
export async function pitrOk(args: string[], opts: PitrOptions): Promise<PitrResult> {
  const r = await pitr(args, opts);
  if (r.code !== 0) {
    throw new Error(`\`pitr ${args.join(' ')}\` failed with exit ${r.code}\nstdout: ${r.stdout || '(empty)'}\nstderr: ${r.stderr || '(empty)'}`);
  }
  return r;
}

/** Runs a --json command that must succeed and returns its parsed output. */
export async function pitrJson<T>(args: string[], opts: PitrOptions): Promise<T> {
  return (await pitrOk([...args, '--json'], opts)).json<T>();
}

/** Polls `probe` until it returns a value other than undefined, or fails after `ms`. */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, ms = 20_000, everyMs = 200): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${ms} ms waiting for ${what}${last ? `; last error: ${(last as Error).message}` : ''}`);
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** The inverse of the CLI's key escaping (\\, \", \xHH) as bytes, to compare raw keys in byte order. */
export function unescapeKey(s: string): Buffer {
  const out: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c !== 0x5c) {
      out.push(c);
      continue;
    }
    const next = s[i + 1];
    if (next === '\\' || next === '"') {
      out.push(s.charCodeAt(i + 1));
      i++;
    } else if (next === 'x') {
      out.push(parseInt(s.slice(i + 2, i + 4), 16));
      i += 3;
    } else {
      throw new Error(`malformed escape in ${JSON.stringify(s)}`);
    }
  }
  return Buffer.from(out);
}
