/**
 * Serves the built renderer (`renderer-dist/`) under `app://pitr/`. Why a custom scheme rather
 * than file://: every file:// page shares one opaque origin and may read any file the user can,
 * while `app://pitr` is a real, unique origin that the IPC sender check can compare against,
 * that can serve only the renderer's folder, and whose every response carries our CSP header
 * (file:// responses have no headers to put it in).
 */
import { readFile } from 'node:fs/promises';
import { extname, join, relative, resolve, sep, isAbsolute } from 'node:path';
import { CONTENT_SECURITY_POLICY } from './csp.ts';
import { APP_HOST, APP_SCHEME } from './origin.ts';
import type { ProtocolHandler, ProtocolLike } from './ports.ts';

const MIME_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.map': 'application/json; charset=utf-8',
};

/** Declares the scheme a secure, standard origin; Electron requires this before `ready`. */
export function registerAppScheme(protocol: Pick<ProtocolLike, 'registerSchemesAsPrivileged'>): void {
  protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }]);
}

function reply(status: number, body: string | Buffer, contentType: string): Response {
  // A Buffer is a valid body at run time; Node 20's typings want an ArrayBuffer-backed view.
  return new Response(body as string | Uint8Array<ArrayBuffer>, {
    status,
    headers: {
      'content-type': contentType,
      'content-security-policy': CONTENT_SECURITY_POLICY,
      'x-content-type-options': 'nosniff',
      'cache-control': 'no-cache',
    },
  });
}

/** The file under `root` that a request path names, or undefined when it would leave `root`. */
export function fileFor(root: string, pathname: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0')) return undefined;
  const rel = decoded === '/' || decoded === '' ? 'index.html' : decoded.replace(/^\/+/, '');
  const file = resolve(root, rel);
  const within = relative(resolve(root), file);
  if (within === '' || within.startsWith('..') || isAbsolute(within) || within.split(sep).includes('..')) return undefined;
  return file;
}

/** The handler of `app://`: files of `root` (the renderer build) with the CSP header, GET only. */
export function makeAppProtocolHandler(root: string): ProtocolHandler {
  return async (request) => {
    const url = new URL(request.url);
    if (url.host !== APP_HOST) return reply(404, 'not found', 'text/plain; charset=utf-8');
    if (request.method !== 'GET' && request.method !== 'HEAD') return reply(405, 'method not allowed', 'text/plain; charset=utf-8');
    const file = fileFor(root, url.pathname);
    if (file === undefined) return reply(403, 'forbidden', 'text/plain; charset=utf-8');
    try {
      const body = await readFile(file);
      return reply(200, body, MIME_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream');
    } catch (err) {
      if (url.pathname === '/' || url.pathname === '/index.html') {
        // Say what to do instead of showing a blank window.
        const page = `<!doctype html><meta charset="utf-8"><title>PiTR Studio</title><p>The app's pages are not built: ${join(root, 'index.html')} is missing (${(err as NodeJS.ErrnoException).code ?? 'unreadable'}). Run <code>npm run build</code>, then start the app again.</p>`;
        return reply(503, page, 'text/html; charset=utf-8');
      }
      return reply(404, 'not found', 'text/plain; charset=utf-8');
    }
  };
}

/** Serves `root` under `app://pitr/` (call after `app.whenReady()`). */
export function setupAppProtocol(protocol: Pick<ProtocolLike, 'handle'>, root: string): void {
  protocol.handle(APP_SCHEME, makeAppProtocolHandler(root));
}
