/**
 * Every permission request (camera, notifications, clipboard, geolocation...) is denied: the
 * app needs none, and a page that asks is not behaving like ours.
 */
import type { SessionLike } from './ports.ts';

/** Denies every permission request and check on the session. */
export function setupPermissions(session: Pick<SessionLike, 'setPermissionRequestHandler' | 'setPermissionCheckHandler'>): void {
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
}
