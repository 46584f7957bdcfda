/**
 * The main window: the renderer in a sandboxed, context-isolated page with no Node, loaded from
 * `app://pitr/`, registered as one of the app's own windows before it loads anything.
 */
import type { AppWindows } from './app-windows.ts';
import { APP_INDEX_URL } from './origin.ts';
import type { BrowserWindowCtor, BrowserWindowLike, WebPreferencesLike } from './ports.ts';

/** The renderer's web preferences: every Node and web-platform escape hatch closed. */
export function lockedDownPreferences(preload: string): WebPreferencesLike {
  return {
    preload,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    experimentalFeatures: false,
    navigateOnDragDrop: false,
    spellcheck: false,
  };
}

/** Dependencies of createMainWindow. */
export interface WindowDeps {
  BrowserWindow: BrowserWindowCtor;
  windows: Pick<AppWindows, 'add'>;
  /** Absolute path of the bundled preload (dist/electron-preload.cjs). */
  preload: string;
  warn: (message: string) => void;
}

/** Opens the app's window on the renderer; it shows once painted, so no white flash. */
export function createMainWindow(deps: WindowDeps): BrowserWindowLike {
  const win = new deps.BrowserWindow({
    width: 1360,
    height: 880,
    minWidth: 960,
    minHeight: 600,
    title: 'PiTR Studio',
    show: false,
    backgroundColor: '#111318',
    webPreferences: lockedDownPreferences(deps.preload),
  });
  // Registered before loading: the page's first IPC call must already be recognised.
  deps.windows.add(win);
  win.once('ready-to-show', () => win.show());
  win.loadURL(APP_INDEX_URL).catch((err: unknown) => deps.warn(`could not load ${APP_INDEX_URL}: ${String(err)}`));
  return win;
}
