/**
 * Entry of the preload (bundled as CommonJS to dist/electron-preload.cjs: a sandboxed preload
 * cannot be an ES module, and may require only `electron` and a few built-ins).
 */
import { exposeBridge } from './bridge.ts';
import type { ContextBridgeLike, IpcRendererLike } from './bridge.ts';

// `require`, not `import`: Electron's typings are absent where its binary is (see main/index.ts),
// and a sandboxed preload has no `node:module` to build one with.
// eslint-disable-next-line @typescript-eslint/no-require-imports -- the preload is CommonJS
const { contextBridge, ipcRenderer } = require('electron') as { contextBridge: ContextBridgeLike; ipcRenderer: IpcRendererLike };

exposeBridge(contextBridge, ipcRenderer);
