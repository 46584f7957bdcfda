import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { INVOKE_CHANNEL } from '../../../electron/common/ipc.ts';
import { startMain } from '../../../electron/main/app.ts';
import type { MainDeps } from '../../../electron/main/app.ts';
import type { PreventableEvent, SessionLike } from '../../../electron/main/ports.ts';
import { FakeBrowserWindow, FakeIpcMain, topFrame } from './fakes.ts';

/** Fakes for every Electron object startMain takes; `order` logs the calls that must be ordered. */
function fakeElectron(startHost: MainDeps['startHost']) {
  const order: string[] = [];
  const appListeners = new Map<string, ((...a: never[]) => void)[]>();
  let ready!: () => void;
  const readyPromise = new Promise<void>((r) => (ready = r));
  const exits: number[] = [];
  const errors: string[] = [];
  const session: SessionLike & { denied: boolean; csp: boolean } = {
    denied: false,
    csp: false,
    webRequest: { onHeadersReceived: () => void (session.csp = true) },
    setPermissionRequestHandler: () => void (session.denied = true),
    setPermissionCheckHandler: () => {},
  };
  const dir = mkdtempSync(join(tmpdir(), 'pitr-electron-app-'));
  const ipcMain = new FakeIpcMain();
  FakeBrowserWindow.created.length = 0;
  const deps: MainDeps = {
    app: {
      whenReady: () => readyPromise,
      getAppPath: () => '/opt/pitr',
      requestSingleInstanceLock: () => true,
      quit: () => void order.push('quit'),
      exit: (code = 0) => void exits.push(code),
      on: ((event: string, l: (...a: never[]) => void) => void appListeners.set(event, [...(appListeners.get(event) ?? []), l])) as never,
    },
    BrowserWindow: FakeBrowserWindow,
    ipcMain,
    protocol: {
      registerSchemesAsPrivileged: () => void order.push('register-scheme'),
      handle: (scheme) => void order.push(`handle-${scheme}`),
    },
    defaultSession: () => session,
    safeStorage: { isEncryptionAvailable: () => false, encryptString: () => Buffer.alloc(0), decryptString: () => '' },
    shell: { openExternal: async () => {} },
    dialog: { showErrorBox: (title, text) => void errors.push(`${title}: ${text}`), showMessageBox: async () => ({}) },
    startHost: (dataDir) => {
      order.push('start-host');
      return startHost(dataDir);
    },
    dataDir: join(dir, 'data'),
    warn: () => {},
  };
  const emit = (event: string, ...args: unknown[]) => {
    for (const l of appListeners.get(event) ?? []) (l as (...a: unknown[]) => void)(...args);
  };
  return { deps, order, ready: () => (order.push('ready'), ready()), exits, errors, session, ipcMain, emit, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

test('startMain registers app:// before ready, then starts the host, secures the session and opens one window', async () => {
  let closed = 0;
  const f = fakeElectron(async () => ({ url: 'http://127.0.0.1:1', dispatch: async () => ['ok'], subscribe: () => () => {}, close: async () => void closed++ }));
  try {
    const started = startMain(f.deps);
    await Promise.resolve();
    assert.deepEqual(f.order, ['register-scheme'], 'the scheme is registered before ready');
    f.ready();
    const main = await started;
    assert.ok(main);
    assert.deepEqual(f.order, ['register-scheme', 'ready', 'start-host', 'handle-app']);
    assert.equal(f.session.denied, true);
    assert.equal(f.session.csp, true);
    assert.equal(FakeBrowserWindow.created.length, 1);
    const win = FakeBrowserWindow.created[0]!;
    assert.equal(win.options.webPreferences.preload, join('/opt/pitr', 'dist', 'electron-preload.cjs'));
    const answer = await f.ipcMain.invoke(win.webContents, topFrame('app://pitr/index.html'), INVOKE_CHANNEL, 'cluster:list', {});
    assert.deepEqual(answer, { ok: true, result: ['ok'] });

    // Quitting waits for the host to close, then quits for real.
    const quit: PreventableEvent & { prevented?: boolean } = { preventDefault: () => void (quit.prevented = true) };
    f.emit('before-quit', quit);
    assert.equal(quit.prevented, true);
    await main.close();
    assert.equal(closed, 1);
    assert.ok(f.order.includes('quit'));
  } finally {
    f.cleanup();
  }
});

test('when the host cannot start (its data dir is taken), the user is told why and the app exits', async () => {
  const f = fakeElectron(async () => {
    throw new Error('another host (pid 42) already serves /x; stop it first');
  });
  try {
    f.ready();
    assert.equal(await startMain(f.deps), undefined);
    assert.deepEqual(f.exits, [1]);
    assert.match(f.errors[0] ?? '', /another host \(pid 42\)/);
    assert.equal(FakeBrowserWindow.created.length, 0);
  } finally {
    f.cleanup();
  }
});
