/**
 * Pushes over a WebSocket at `/api/ws` (web mode: the renderer's status, progress and metrics
 * pushes). Browsers cannot set headers on a WebSocket, so the token rides in the
 * `Sec-WebSocket-Protocol` list as `pitr.token.<token>` next to `pitr.v1` (a non-browser client
 * may send `Authorization: Bearer` instead). Loopback Host and Origin only.
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { WebSocket } from 'ws';

/** The sub-protocol of the push socket. */
export const WS_PROTOCOL = 'pitr.v1';
/** Prefix of the offered protocol that carries the token. */
export const WS_TOKEN_PREFIX = 'pitr.token.';

// Pings keep idle sockets open through proxies and reveal dead peers; 30 s is the usual choice.
const DEFAULT_PING_INTERVAL_MS = 30_000;

/** Options of the push socket. */
export interface PushSocketOptions {
  token: string;
  port: () => number;
  subscribe: (send: (channel: string, data: unknown) => void) => () => void;
  serialize: (v: unknown) => string;
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function offeredToken(req: IncomingMessage): string {
  const auth = req.headers.authorization ?? '';
  if (auth.startsWith('Bearer ')) return auth.slice(7).trim();
  const offered = (req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
  return offered.find((p) => p.startsWith(WS_TOKEN_PREFIX))?.slice(WS_TOKEN_PREFIX.length) ?? '';
}

/** True for the loopback origins of this port (or no Origin: a non-browser client). */
export function loopbackOrigin(origin: string | undefined, port: number): boolean {
  if (origin === undefined) return true;
  return origin === `http://127.0.0.1:${port}` || origin === `http://localhost:${port}` || origin === `http://[::1]:${port}`;
}

function refuse(socket: Duplex, status: string): void {
  socket.end(`HTTP/1.1 ${status}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
}

/** Serves `/api/ws` on `server`; returns the function that closes every socket. */
export function attachPushSocket(server: Server, opts: PushSocketOptions): () => void {
  const wss = new WebSocketServer({
    noServer: true,
    // Answer with pitr.v1 only: echoing the token protocol back would put it in a response header.
    handleProtocols: (protocols) => (protocols.has(WS_PROTOCOL) ? WS_PROTOCOL : false),
  });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const port = opts.port();
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    const host = req.headers.host ?? '';
    if (path !== '/api/ws') return refuse(socket, '404 Not Found');
    if (!(host === `127.0.0.1:${port}` || host === `localhost:${port}` || host === `[::1]:${port}`) || !loopbackOrigin(req.headers.origin, port)) {
      return refuse(socket, '403 Forbidden');
    }
    if (!same(offeredToken(req), opts.token)) return refuse(socket, '401 Unauthorized');
    wss.handleUpgrade(req, socket, head, (ws: WebSocket) => {
      const off = opts.subscribe((channel, data) => {
        if (ws.readyState === ws.OPEN) ws.send(opts.serialize({ channel, data }));
      });
      let alive = true;
      ws.on('pong', () => (alive = true));
      const ping = setInterval(() => {
        if (!alive) return ws.terminate();
        alive = false;
        ws.ping();
      }, DEFAULT_PING_INTERVAL_MS);
      ping.unref();
      ws.on('close', () => {
        clearInterval(ping);
        off();
      });
      ws.on('error', () => ws.terminate());
    });
  });
  return () => {
    for (const ws of wss.clients) ws.terminate();
    wss.close();
  };
}
