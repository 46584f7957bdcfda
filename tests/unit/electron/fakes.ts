/**
 * Stand-ins for Electron's objects (its binary cannot be installed here): just enough
 * behaviour for the main-process modules, recording what they were asked to do.
 */
import type {
  BrowserWindowLike,
  BrowserWindowOptionsLike,
  FrameLike,
  IpcMainInvokeEventLike,
  IpcMainLike,
  PreventableEvent,
  WebContentsLike,
  WindowOpenDetails,
} from '../../../electron/main/ports.ts';

type Listener = (...args: never[]) => unknown;

/** A tiny event emitter with `emit` returning nothing. */
class Emitter {
  private readonly listeners = new Map<string, Listener[]>();
  on(event: string, listener: Listener): this {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener]);
    return this;
  }
  once(event: string, listener: Listener): this {
    return this.on(event, listener);
  }
  emit(event: string, ...args: unknown[]): void {
    for (const l of this.listeners.get(event) ?? []) (l as (...a: unknown[]) => unknown)(...args);
  }
  count(event: string): number {
    return this.listeners.get(event)?.length ?? 0;
  }
}

let nextId = 1;

/** A preventable event that remembers whether it was prevented. */
export function preventable(): PreventableEvent & { prevented: boolean } {
  const e = { prevented: false, preventDefault: () => void (e.prevented = true) };
  return e;
}

/** Fake web contents: records sends; emits navigation events on demand. */
export class FakeWebContents extends Emitter implements WebContentsLike {
  readonly id = nextId++;
  readonly sent: { channel: string; args: unknown[] }[] = [];
  url = '';
  destroyed = false;
  openHandler: ((d: WindowOpenDetails) => { action: 'deny' | 'allow' }) | undefined;
  send(channel: string, ...args: unknown[]): void {
    this.sent.push({ channel, args });
  }
  getURL(): string {
    return this.url;
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  setWindowOpenHandler(handler: (d: WindowOpenDetails) => { action: 'deny' | 'allow' }): void {
    this.openHandler = handler;
  }
  /** Fires `will-navigate` like a link click would; true when the navigation was prevented. */
  navigate(event: 'will-navigate' | 'will-redirect', url: string): boolean {
    const e = preventable();
    this.emit(event, e, url);
    return e.prevented;
  }
}

/** Fake BrowserWindow: keeps its options; loadURL sets the page URL. */
export class FakeBrowserWindow extends Emitter implements BrowserWindowLike {
  static created: FakeBrowserWindow[] = [];
  readonly webContents = new FakeWebContents();
  shown = false;
  focused = false;
  constructor(readonly options: BrowserWindowOptionsLike) {
    super();
    FakeBrowserWindow.created.push(this);
  }
  loadURL(url: string): Promise<void> {
    this.webContents.url = url;
    return Promise.resolve();
  }
  show(): void {
    this.shown = true;
  }
  focus(): void {
    this.focused = true;
  }
  isMinimized(): boolean {
    return false;
  }
  restore(): void {}
  /** Closes the window as the user would. */
  close(): void {
    this.webContents.destroyed = true;
    this.emit('closed');
  }
}

/** Fake ipcMain: keeps handlers; `invoke` calls one as a renderer would. */
export class FakeIpcMain implements IpcMainLike {
  readonly handlers = new Map<string, (event: IpcMainInvokeEventLike, ...args: unknown[]) => unknown>();
  handle(channel: string, listener: (event: IpcMainInvokeEventLike, ...args: unknown[]) => unknown): void {
    if (this.handlers.has(channel)) throw new Error(`second handler for ${channel}`);
    this.handlers.set(channel, listener);
  }
  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  }
  async invoke(sender: WebContentsLike, frame: FrameLike | null, channel: string, ...args: unknown[]): Promise<unknown> {
    const h = this.handlers.get(channel);
    if (!h) throw new Error(`No handler registered for '${channel}'`);
    return h({ sender, senderFrame: frame }, ...args);
  }
}

/** A top-level frame showing `url`. */
export function topFrame(url: string): FrameLike {
  return { url, parent: null };
}
