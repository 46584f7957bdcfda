/**
 * The main process, wired: registers the app:// scheme, starts a ClusterHost (its stores run in
 * worker threads, so nothing heavy blocks this thread), then secures the session, serves the
 * renderer, bridges the contract over IPC and opens the window. Electron's objects come in as
 * arguments; index.ts is the only file that requires `electron`.
 */
import { join } from 'node:path';
import type { ClusterHost } from '../../core/host/host.ts';
import { toErrorObject } from '../../core/errors.ts';
import { AppWindows } from './app-windows.ts';
import { registerAppScheme, setupAppProtocol } from './app-protocol.ts';
import { setupContentSecurityPolicy } from './csp.ts';
import { setupIpc } from './ipc.ts';
import { setupNavigationGuards } from './navigation.ts';
import { setupPermissions } from './permissions.ts';
import type { AppLike, BrowserWindowCtor, DialogLike, IpcMainLike, ProtocolLike, SafeStorageLike, SessionLike, ShellLike } from './ports.ts';
import { setupPushes } from './pushes.ts';
import { fillSavedCredentials, rememberCredentials } from './saved-credentials.ts';
import { SecretStore } from './secrets.ts';
import { createMainWindow } from './window.ts';

/** The Electron objects and the host starter the main process uses. */
export interface MainDeps {
  app: AppLike;
  BrowserWindow: BrowserWindowCtor;
  ipcMain: IpcMainLike;
  protocol: ProtocolLike;
  /** Called after `ready` (Electron's session module is usable only then). */
  defaultSession: () => SessionLike;
  safeStorage: SafeStorageLike;
  shell: ShellLike;
  dialog: DialogLike;
  /** Starts the host on a data dir (ClusterHost.start in production). */
  startHost: (dataDir: string) => Promise<Pick<ClusterHost, 'dispatch' | 'subscribe' | 'close' | 'url'>>;
  dataDir: string;
  warn: (message: string) => void;
}

/** A started app: its windows and the function that shuts it down. */
export interface MainApp {
  windows: AppWindows;
  close(): Promise<void>;
}

/** Runs the main process; resolves once the window is open (or undefined when it quit). */
export async function startMain(deps: MainDeps): Promise<MainApp | undefined> {
  const { app } = deps;
  // A second instance would find the data dir taken by our host: focus our window instead.
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return undefined;
  }
  registerAppScheme(deps.protocol);
  setupNavigationGuards({ app, shell: deps.shell, warn: deps.warn });
  await app.whenReady();

  let host: Awaited<ReturnType<MainDeps['startHost']>>;
  try {
    host = await deps.startHost(deps.dataDir);
  } catch (err) {
    deps.dialog.showErrorBox('PiTR Studio could not start its cluster host', toErrorObject(err).message);
    app.exit(1);
    return undefined;
  }

  const session = deps.defaultSession();
  setupPermissions(session);
  setupContentSecurityPolicy(session);
  const appPath = app.getAppPath();
  setupAppProtocol(deps.protocol, join(appPath, 'renderer-dist'));

  const windows = new AppWindows();
  const secrets = new SecretStore(deps.safeStorage, join(deps.dataDir, 'secrets.json'));
  let told = false;
  const removeIpc = setupIpc({
    ipcMain: deps.ipcMain,
    windows,
    dispatch: (channel, input) => host.dispatch(channel, input),
    warn: deps.warn,
    credentials: {
      fill: (input) => fillSavedCredentials(input, secrets),
      remember: (channel, input) => {
        const notice = rememberCredentials(channel, input, secrets).find((r) => !r.persisted)?.notice;
        if (notice !== undefined && !told) {
          told = true;
          void deps.dialog.showMessageBox({ type: 'info', title: 'S3 keys not saved', message: 'Your S3 keys are kept for this session only.', detail: notice });
        }
      },
    },
  });
  const stopPushes = setupPushes({ subscribe: (send) => host.subscribe(send), windows });
  const openWindow = () => createMainWindow({ BrowserWindow: deps.BrowserWindow, windows, preload: join(appPath, 'dist', 'electron-preload.cjs'), warn: deps.warn });
  openWindow();

  app.on('second-instance', () => {
    const win = windows.all()[0];
    if (win === undefined) return void openWindow();
    if (win.isMinimized()) win.restore();
    win.focus();
  });
  // macOS keeps the app running with no window; the dock icon opens one again.
  app.on('activate', () => {
    if (windows.all().length === 0) openWindow();
  });
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      stopPushes();
      removeIpc();
      await host.close();
    })();
    return closing;
  };
  // Quitting waits for the host to stop its store workers and flush SQLite.
  app.on('before-quit', (event) => {
    if (closing !== undefined) return;
    event.preventDefault();
    close().then(
      () => app.quit(),
      (err: unknown) => {
        deps.warn(`the host did not stop cleanly: ${toErrorObject(err).message}`);
        app.exit(1);
      },
    );
  });
  return { windows, close };
}
