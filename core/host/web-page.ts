/**
 * Web mode's static files: the built renderer (renderer-dist/) at /, under a strict CSP (scripts
 * and styles only from this origin, no inline script, connections only back to the host). Paths
 * are confined to the folder; anything else is a 404.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { dirname, extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The CSP of every served file. `'self'` covers the same-origin ws:// socket in CSP 3. */
export const WEB_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; " +
  "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
};

/** Where the built renderer is: beside dist/ (the bundled CLI) or at the root (running from source). */
export function defaultRendererDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [join(here, '..', 'renderer-dist'), join(here, '..', '..', 'renderer-dist')];
  return candidates.find((d) => existsSync(join(d, 'index.html'))) ?? candidates[candidates.length - 1]!;
}

/** The file under `root` that a URL path names, or null when it escapes or does not exist. */
export function resolveStatic(root: string, urlPath: string): string | null {
  let path: string;
  try {
    path = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (path.includes('\0') || path.includes('\\')) return null;
  if (path === '/' || path === '') path = '/index.html';
  const base = resolve(root);
  const file = resolve(base, '.' + path);
  if (!file.startsWith(base + sep)) return null;
  try {
    return statSync(file).isFile() ? file : null;
  } catch {
    return null;
  }
}

function headers(type: string, cache: string): Record<string, string> {
  return {
    'content-type': type,
    'content-security-policy': WEB_CSP,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'cross-origin-opener-policy': 'same-origin',
    'cache-control': cache,
  };
}

/** Serves a GET of the renderer; false when the path is not one of its files. */
export function serveRenderer(root: string, urlPath: string, res: ServerResponse): boolean {
  if (urlPath.startsWith('/api/') || urlPath === '/metrics') return false;
  if (!existsSync(join(root, 'index.html'))) {
    if (urlPath !== '/' && urlPath !== '/index.html') return false;
    res.writeHead(503, headers('text/plain; charset=utf-8', 'no-store'));
    res.end(`The app's pages are not built (no ${join(root, 'index.html')}): run \`npm run build\`, then reload.\n`);
    return true;
  }
  const file = resolveStatic(root, urlPath);
  if (file === null) return false;
  const ext = extname(file);
  // Hashed asset names never change content; index.html must be re-read after a rebuild.
  const cache = urlPath.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-store';
  res.writeHead(200, headers(TYPES[ext] ?? 'application/octet-stream', cache));
  res.end(readFileSync(file));
  return true;
}
