// `npm start` (after the build): opens the Electron app when Electron's binary is installed,
// otherwise serves the same UI from a headless host in web mode (DESIGN.md §2, "Web mode").
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { constants } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The Electron binary's path, or undefined when the optional dependency or its download is missing. */
function electronBinary() {
  try {
    // The `electron` package exports the path of the binary it downloaded; it throws without one.
    const path = createRequire(import.meta.url)('electron');
    return typeof path === 'string' && existsSync(path) ? path : undefined;
  } catch {
    return undefined;
  }
}

/** Forwards SIGINT/SIGTERM to `child` and exits with its code once it ends. */
function followChild(child) {
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.on(signal, () => child.kill(signal));
  }
  child.on('error', (error) => {
    process.stderr.write(`start: could not run ${child.spawnfile}: ${error.message}\n`);
    process.exit(1);
  });
  // 'close' rather than 'exit': it waits until the child's output has been read to the end.
  child.on('close', (code, signal) => {
    process.exit(code ?? 128 + (constants.signals[signal] ?? 1));
  });
}

const electron = electronBinary();
if (electron !== undefined && existsSync(join(root, 'dist', 'electron-main.js'))) {
  followChild(spawn(electron, [root], { cwd: root, stdio: 'inherit' }));
} else {
  const cli = join(root, 'dist', 'cli.js');
  if (!existsSync(cli)) {
    process.stderr.write('start: dist/cli.js is missing; run `npm run build` first.\n');
    process.exit(1);
  }
  const server = spawn(process.execPath, [cli, 'server', '--web'], {
    cwd: root,
    stdio: ['inherit', 'pipe', 'inherit'],
  });
  createInterface({ input: server.stdout, crlfDelay: Infinity }).on('line', (line) => {
    const url = readyUrl(line);
    if (url !== undefined) {
      process.stdout.write(`PiTR Studio is running in web mode (Electron's binary is not installed): open ${url}\n`);
    } else {
      process.stdout.write(`${line}\n`);
    }
  });
  followChild(server);
}

/** The `url` of the server's `{"event":"ready",...}` line, or undefined for any other line. */
function readyUrl(line) {
  if (!line.startsWith('{')) return undefined;
  try {
    const message = JSON.parse(line);
    if (message?.event !== 'ready') return undefined;
    // app_url carries a one-time sign-in code (the served page never holds the token).
    if (typeof message.app_url === 'string') return message.app_url;
    return typeof message.url === 'string' ? message.url : undefined;
  } catch {
    return undefined;
  }
}
