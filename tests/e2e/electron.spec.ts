/**
 * The Electron app end to end: the real main process (dist/electron-main.js) with its host, the
 * real preload and the built renderer. Runs wherever Electron's binary is installed; elsewhere
 * it is skipped with the reason, and tests/unit/electron covers the same code with fakes.
 */
import { _electron as electron, expect, test } from '@playwright/test';
import type { ElectronApplication } from '@playwright/test';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PitrBridge } from '../../core/contract/bridge.ts';
import { projectRoot } from '../../core/paths.ts';

const root = projectRoot();

/** The Electron binary's path, or undefined (the `electron` package exports it; it throws without one). */
function electronBinary(): string | undefined {
  try {
    const path: unknown = createRequire(import.meta.url)('electron');
    return typeof path === 'string' && existsSync(path) ? path : undefined;
  } catch {
    return undefined;
  }
}

/** Why this machine cannot run the test, or undefined when it can. */
function whyNot(binary: string | undefined): string | undefined {
  if (binary === undefined) {
    return "Electron's binary is not installed (the optional `electron` dependency could not download it here); tests/unit/electron covers main and preload with fake Electron objects";
  }
  if (!existsSync(join(root, 'dist', 'electron-main.js')) || !existsSync(join(root, 'renderer-dist', 'index.html'))) {
    return 'the app is not built: run `npm run build` first';
  }
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
    return 'no display: run under `xvfb-run -a npx playwright test tests/e2e/electron.spec.ts`';
  }
  return undefined;
}

const binary = electronBinary();
const skipReason = whyNot(binary);

type WithBridge = { pitrApi: PitrBridge };

test.describe('Electron app', () => {
  test.skip(skipReason !== undefined, skipReason ?? '');

  let app: ElectronApplication;
  let dataDir: string;
  const mainLog: string[] = [];

  test.beforeEach(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'pitr-e2e-electron-'));
    app = await electron.launch({
      executablePath: binary!,
      // Chromium's OS sandbox cannot start as root (containers); the page's own sandbox stays on.
      args: [...(process.getuid?.() === 0 ? ['--no-sandbox'] : []), root],
      cwd: root,
      env: { ...process.env, PITR_DATA_DIR: join(dataDir, 'data') } as Record<string, string>,
    });
    app.process().stderr?.on('data', (chunk: Buffer) => mainLog.push(chunk.toString('utf8')));
  });

  test.afterEach(async () => {
    await app.close();
    rmSync(dataDir, { recursive: true, force: true, maxRetries: 3 });
  });

  // eslint-disable-next-line no-empty-pattern -- Playwright reads fixtures from the pattern
  test('the window shows the renderer from app://, with only pitrApi and no Node, and the contract answers', async ({}, testInfo) => {
    const page = await app.firstWindow();
    await expect(page).toHaveURL(/^app:\/\/pitr\//);
    await expect(page.getByTestId('nav-cluster')).toBeVisible();
    await page.screenshot({ path: testInfo.outputPath('electron-window.png') });

    expect(await page.evaluate(() => [typeof (globalThis as Record<string, unknown>).require, typeof (globalThis as Record<string, unknown>).process])).toEqual(['undefined', 'undefined']);
    expect(await page.evaluate(() => Object.keys((window as unknown as WithBridge).pitrApi).sort())).toEqual(['invoke', 'subscribe']);

    const info = await page.evaluate(() => (window as unknown as WithBridge).pitrApi.invoke('host:info', {}));
    expect(info.ok).toBe(true);
    const created = await page.evaluate(() => (window as unknown as WithBridge).pitrApi.invoke('cluster:create', { name: 'e2e', stores: 1 }));
    expect(created).toMatchObject({ ok: true, result: { name: 'e2e' } });
    const malformed = await page.evaluate(() => (window as unknown as WithBridge).pitrApi.invoke('cluster:create', { stores: 'three' } as never));
    expect(malformed).toMatchObject({ ok: false, error: { code: 'BR:Common:ErrInvalidArgument' } });
  });

  test('navigation, new windows and network access are refused', async () => {
    const page = await app.firstWindow();
    await expect(page).toHaveURL(/^app:\/\/pitr\//);
    // The CSP allows no network at all (the renderer talks through IPC).
    expect(await page.evaluate(() => fetch('https://example.com/').then(() => 'fetched', () => 'blocked'))).toBe('blocked');
    // window.open is denied: no second window appears, and the page gets null.
    expect(await page.evaluate(() => window.open('app://pitr/index.html') === null)).toBe(true);
    expect(app.windows()).toHaveLength(1);
    // A navigation is stopped in main, which says so on its log; the page stays where it was.
    await page.evaluate(() => {
      window.location.href = 'https://example.com/';
    });
    await expect.poll(() => mainLog.join('').includes('navigation to https://example.com/ was blocked')).toBe(true);
    await expect(page).toHaveURL(/^app:\/\/pitr\//);
  });
});
