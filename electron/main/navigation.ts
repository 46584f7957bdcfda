/**
 * Navigation and new windows are denied for every web contents the app ever creates (set on
 * `web-contents-created`, so no window can be missed). The renderer is a single page that
 * routes in-page; a navigation away from it would hand the preload's bridge to another page.
 */
import type { AppLike, ShellLike, WebContentsLike } from './ports.ts';

/** Dependencies of setupNavigationGuards. */
export interface NavigationDeps {
  app: Pick<AppLike, 'on'>;
  shell: ShellLike;
  /** Where refusals are reported (never with secrets: URLs are shown without their query). */
  warn: (message: string) => void;
}

/** True for links the user may open in the system browser: plain https pages. */
export function isExternalLink(url: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === 'https:' && u.username === '' && u.password === '';
  } catch {
    return false;
  }
}

/** A URL without query or fragment, which may hold credentials (s3 keys), for messages. */
export function withoutQuery(url: string): string {
  const cut = url.search(/[?#]/);
  return cut === -1 ? url : url.slice(0, cut);
}

/** Locks one web contents down: no navigation, no redirects, no webviews, no new windows. */
export function guardContents(contents: WebContentsLike, deps: Omit<NavigationDeps, 'app'>): void {
  contents.on('will-navigate', (event, url) => {
    event.preventDefault();
    deps.warn(`navigation to ${withoutQuery(url)} was blocked: the app never leaves its own page`);
  });
  contents.on('will-redirect', (event, url) => {
    event.preventDefault();
    deps.warn(`redirect to ${withoutQuery(url)} was blocked`);
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    // A link to documentation opens in the user's browser, outside the app's privileges;
    // anything else (http, file, javascript:, other schemes) is dropped.
    if (isExternalLink(url)) {
      deps.shell.openExternal(url).catch((err: unknown) => deps.warn(`could not open ${withoutQuery(url)} in the browser: ${String(err)}`));
    } else {
      deps.warn(`a new window for ${withoutQuery(url)} was blocked`);
    }
    return { action: 'deny' };
  });
}

/** Applies guardContents to every web contents created from now on. */
export function setupNavigationGuards(deps: NavigationDeps): void {
  deps.app.on('web-contents-created', (_event, contents) => guardContents(contents, deps));
}
