/**
 * Where the renderer is served from: the `app://pitr/` origin of a privileged custom scheme
 * (see app-protocol.ts for why not file://). Every trust decision compares against it.
 */

/** The custom scheme of the app's own pages. */
export const APP_SCHEME = 'app';

/** The host name of the renderer under that scheme. */
export const APP_HOST = 'pitr';

/** The origin of the app's own pages. */
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;

/** The URL the main window loads. */
export const APP_INDEX_URL = `${APP_ORIGIN}/index.html`;

/** True when `url` is a page of the app itself (same scheme and host, any path). */
export function isAppUrl(url: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === `${APP_SCHEME}:` && u.host === APP_HOST && u.username === '' && u.password === '';
  } catch {
    return false;
  }
}
