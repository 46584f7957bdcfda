/**
 * The windows this app created. IPC is accepted from, and pushes are sent to, these windows
 * only (electron/fiddle's habit): a devtools page, a webview or any other web contents that
 * might exist in the process is a stranger.
 */
import type { BrowserWindowLike, WebContentsLike } from './ports.ts';
import { isAppUrl } from './origin.ts';

/** The registry of the app's own windows, keyed by their web contents id. */
export class AppWindows {
  private readonly byId = new Map<number, BrowserWindowLike>();

  /** Records a window; it is forgotten when it closes. */
  add(win: BrowserWindowLike): void {
    const id = win.webContents.id;
    this.byId.set(id, win);
    win.on('closed', () => this.byId.delete(id));
  }

  /** True when these web contents belong to one of the app's windows. */
  owns(contents: WebContentsLike): boolean {
    return this.byId.get(contents.id)?.webContents === contents;
  }

  /** The app's windows whose page is still one of the app's pages (live ones only). */
  live(): BrowserWindowLike[] {
    return [...this.byId.values()].filter((w) => !w.webContents.isDestroyed() && isAppUrl(w.webContents.getURL()));
  }

  /** Every window, for focusing the first one. */
  all(): BrowserWindowLike[] {
    return [...this.byId.values()];
  }
}
