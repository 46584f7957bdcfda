/**
 * The parts of Electron's main-process API that electron/main uses, as structural types. Each
 * `setupX(deps)` takes these objects, so the modules run under node:test with fakes (Electron's
 * binary cannot be installed on the build machines) and only the entry file requires `electron`.
 */

/** A listener's event that can be cancelled (`will-navigate`, permission checks...). */
export interface PreventableEvent {
  preventDefault(): void;
}

/** What `setWindowOpenHandler` hands to its handler. */
export interface WindowOpenDetails {
  url: string;
}

/** A frame (the sender of an IPC message). */
export interface FrameLike {
  url: string;
  /** Null for a top-level frame. */
  parent: FrameLike | null;
}

/** The subset of Electron's WebContents used here. */
export interface WebContentsLike {
  readonly id: number;
  send(channel: string, ...args: unknown[]): void;
  getURL(): string;
  isDestroyed(): boolean;
  on(event: 'will-navigate' | 'will-redirect', listener: (event: PreventableEvent, url: string) => void): unknown;
  on(event: 'will-attach-webview', listener: (event: PreventableEvent) => void): unknown;
  setWindowOpenHandler(handler: (details: WindowOpenDetails) => { action: 'deny' | 'allow' }): void;
}

/** The event of an `ipcMain.handle` listener. */
export interface IpcMainInvokeEventLike {
  sender: WebContentsLike;
  senderFrame: FrameLike | null;
}

/** The subset of Electron's ipcMain used here. */
export interface IpcMainLike {
  handle(channel: string, listener: (event: IpcMainInvokeEventLike, ...args: unknown[]) => Promise<unknown> | unknown): void;
  removeHandler(channel: string): void;
}

/** The web preferences this app sets (Electron's names). */
export interface WebPreferencesLike {
  preload: string;
  contextIsolation: boolean;
  sandbox: boolean;
  nodeIntegration: boolean;
  nodeIntegrationInWorker: boolean;
  nodeIntegrationInSubFrames: boolean;
  webSecurity: boolean;
  allowRunningInsecureContent: boolean;
  webviewTag: boolean;
  experimentalFeatures: boolean;
  navigateOnDragDrop: boolean;
  spellcheck: boolean;
}

/** The options this app passes to `new BrowserWindow`. */
export interface BrowserWindowOptionsLike {
  width: number;
  height: number;
  minWidth: number;
  minHeight: number;
  title: string;
  show: boolean;
  backgroundColor: string;
  webPreferences: WebPreferencesLike;
}

/** The subset of a BrowserWindow used here. */
export interface BrowserWindowLike {
  readonly webContents: WebContentsLike;
  loadURL(url: string): Promise<void>;
  once(event: 'ready-to-show', listener: () => void): unknown;
  on(event: 'closed', listener: () => void): unknown;
  show(): void;
  focus(): void;
  isMinimized(): boolean;
  restore(): void;
}

/** `BrowserWindow`'s constructor. */
export type BrowserWindowCtor = new (options: BrowserWindowOptionsLike) => BrowserWindowLike;

/** What a `protocol.handle` handler receives and returns (the Fetch API's types). */
export type ProtocolHandler = (request: Request) => Response | Promise<Response>;

/** The subset of Electron's protocol module used here. */
export interface ProtocolLike {
  registerSchemesAsPrivileged(schemes: { scheme: string; privileges: Record<string, boolean> }[]): void;
  handle(scheme: string, handler: ProtocolHandler): void;
}

/** Headers of a response as `webRequest.onHeadersReceived` sees them. */
export type ResponseHeaders = Record<string, string[] | string>;

/** The subset of a Session used here. */
export interface SessionLike {
  webRequest: {
    onHeadersReceived(
      listener: (details: { url: string; responseHeaders?: ResponseHeaders }, callback: (response: { responseHeaders: ResponseHeaders }) => void) => void,
    ): void;
  };
  setPermissionRequestHandler(handler: (webContents: unknown, permission: string, callback: (granted: boolean) => void) => void): void;
  setPermissionCheckHandler(handler: (webContents: unknown, permission: string) => boolean): void;
}

/** The subset of Electron's app used here. */
export interface AppLike {
  whenReady(): Promise<void>;
  getAppPath(): string;
  requestSingleInstanceLock(): boolean;
  quit(): void;
  exit(code?: number): void;
  on(event: 'web-contents-created', listener: (event: unknown, contents: WebContentsLike) => void): unknown;
  on(event: 'window-all-closed' | 'second-instance' | 'activate', listener: () => void): unknown;
  on(event: 'before-quit', listener: (event: PreventableEvent) => void): unknown;
}

/** The subset of Electron's safeStorage used here. */
export interface SafeStorageLike {
  isEncryptionAvailable(): boolean;
  encryptString(plainText: string): Buffer;
  decryptString(encrypted: Buffer): string;
}

/** The subset of Electron's shell used here. */
export interface ShellLike {
  openExternal(url: string): Promise<void>;
}

/** The subset of Electron's dialog used here. */
export interface DialogLike {
  showErrorBox(title: string, content: string): void;
  showMessageBox(options: { type: 'info' | 'warning'; title: string; message: string; detail?: string }): Promise<unknown>;
}
