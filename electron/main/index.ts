/**
 * Entry of Electron's main process (bundled to dist/electron-main.js, package.json "main").
 * The only main-process file that loads `electron`; everything else takes its objects as
 * arguments so that it is tested under Node without Electron's binary.
 */
import { createRequire } from 'node:module';
import { ClusterHost } from '../../core/host/host.ts';
import { resolveDataDir } from '../../core/host/data-dir.ts';
import { toErrorObject } from '../../core/errors.ts';
import { startMain } from './app.ts';
import type { MainDeps } from './app.ts';

type ElectronMain = Pick<MainDeps, 'app' | 'BrowserWindow' | 'ipcMain' | 'protocol' | 'safeStorage' | 'shell' | 'dialog'> & {
  session: { defaultSession: ReturnType<MainDeps['defaultSession']> };
};

// `require`, not `import`: the `electron` package (binary and typings) is an optional download
// that is absent on the build machines; MainDeps checks the objects structurally instead.
const electron = createRequire(import.meta.url)('electron') as ElectronMain;

// No top-level await: Electron emits `ready` only after the ESM entry has finished evaluating,
// so awaiting whenReady() here would hang the app.
startMain({
  app: electron.app,
  BrowserWindow: electron.BrowserWindow,
  ipcMain: electron.ipcMain,
  protocol: electron.protocol,
  defaultSession: () => electron.session.defaultSession,
  safeStorage: electron.safeStorage,
  shell: electron.shell,
  dialog: electron.dialog,
  // The same data dir as `pitr` (PITR_DATA_DIR or the per-user folder): the CLI can drive the
  // app's host, and a `pitr server` already serving it is reported instead of overwritten.
  dataDir: resolveDataDir(),
  startHost: (dataDir) => ClusterHost.start({ dataDir }),
  warn: (message) => console.warn(`[pitr] ${message}`),
}).catch((err: unknown) => {
  electron.dialog.showErrorBox('PiTR Studio failed to start', toErrorObject(err).message);
  electron.app.exit(1);
});
