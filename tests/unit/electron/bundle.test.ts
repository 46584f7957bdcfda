import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { projectRoot } from '../../../core/paths.ts';

const root = projectRoot();
const mainBundle = join(root, 'dist', 'electron-main.js');

type Line = { step: string } & Record<string, unknown>;

/** Runs the built main process under Node with the fake `electron` of fixtures/node-path. */
function runMain(dataDir: string): Promise<{ code: number | null; lines: Line[]; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [mainBundle], {
      cwd: root,
      env: { ...process.env, NODE_PATH: join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'node-path'), PITR_DATA_DIR: dataDir, PITR_FAKE_APP_PATH: root },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr, lines: out.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Line) }));
  });
}

test('the built main bundle starts a real host, serves the page, answers IPC and quits cleanly', { skip: existsSync(mainBundle) ? false : 'dist/electron-main.js is not built: run `npm run build`' }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pitr-electron-bundle-'));
  try {
    const { code, lines, stderr } = await runMain(join(dir, 'data'));
    const step = (name: string) => lines.find((l) => l.step === name);
    assert.equal(code, 0, `main exited with ${code}: ${stderr}\n${JSON.stringify(lines)}`);
    assert.ok(step('schemes'));
    const prefs = step('window')?.webPreferences as Record<string, unknown>;
    assert.equal(prefs.sandbox, true);
    assert.equal(prefs.preload, join(root, 'dist', 'electron-preload.cjs'));
    const page = step('page')!;
    assert.equal(page.url, 'app://pitr/index.html');
    assert.equal(page.status, existsSync(join(root, 'renderer-dist', 'index.html')) ? 200 : 503);
    assert.match(String(page.csp), /default-src 'none'/);
    assert.equal(step('host:info')?.ok, true);
    assert.deepEqual((step('cluster:create') as unknown as { result: { name: string } }).result.name, 'smoke');
    assert.equal(((step('cluster:list') as unknown as { result: unknown[] }).result).length, 1);
    assert.equal((step('foreign') as unknown as { error: { code: string } }).error.code, 'PiTR:Host:ErrUnauthorized');
    assert.deepEqual(step('navigate'), { step: 'navigate', prevented: true });
    assert.deepEqual(step('window-open'), { step: 'window-open', action: 'deny' });
    assert.ok(step('quit'), 'the app quits once the host has closed');
    assert.equal(existsSync(join(dir, 'data', 'host.json')), false, 'the host removed its host file on close');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
