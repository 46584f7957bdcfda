/**
 * The Content-Security-Policy of the app. Scripts come only from the app's own bundle; the
 * renderer talks to the host through the preload, so it needs no network at all.
 */
import type { ResponseHeaders, SessionLike } from './ports.ts';

/** The policy sent with every response. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  // As in web mode (core/host/web-page.ts): the Vite build has no inline styles, and React sets
  // style props through the CSSOM, which style-src does not govern.
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  // The renderer reaches the host through IPC only (no fetch, no WebSocket, no SSE).
  "connect-src 'none'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-src 'none'",
  "frame-ancestors 'none'",
  "worker-src 'none'",
].join('; ');

/** The headers with the app's CSP replacing any the response carried (in any letter case). */
export function withCsp(headers: ResponseHeaders | undefined): ResponseHeaders {
  const out: ResponseHeaders = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (name.toLowerCase() !== 'content-security-policy') out[name] = value;
  }
  out['Content-Security-Policy'] = [CONTENT_SECURITY_POLICY];
  return out;
}

/** Adds the CSP to every response the session receives over the network (http, https). */
export function setupContentSecurityPolicy(session: Pick<SessionLike, 'webRequest'>): void {
  session.webRequest.onHeadersReceived((details, callback) => callback({ responseHeaders: withCsp(details.responseHeaders) }));
}
