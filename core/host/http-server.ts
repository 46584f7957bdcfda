/**
 * The HTTP side of the host: `POST /api/<domain>:<verb>` with a JSON body, on 127.0.0.1 only,
 * every call carrying the host's token. Used for the host's own endpoint and for each cluster's
 * PD endpoint (so that `--pd 127.0.0.1:PORT` addresses a cluster as `br --pd` does).
 */
import { timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ErrorCode, PitrError, toErrorObject } from '../errors.ts';
import { attachPushSocket, loopbackOrigin } from './ws-push.ts';

// Requests larger than this are refused before parsing (the largest legitimate one is a txn).
const MAX_BODY_BYTES = 32 * 1024 * 1024;

/** HTTP status for an error code. */
export function httpStatusOf(code: string): number {
  if (code === ErrorCode.Unauthorized) return 401;
  if (code === ErrorCode.NotFound || code === ErrorCode.ClusterNotFound) return 404;
  if (code === ErrorCode.ClusterExists) return 409;
  if (code === ErrorCode.StoreUnavailable) return 503;
  if (code === ErrorCode.Internal) return 500;
  return 400;
}

/** Serializes API results; bigints (TSOs) become decimal strings. */
export function toJson(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x));
}

/** Options of an API server. */
export interface ApiServerOptions {
  token: string;
  port?: number;
  /** Runs a channel with its raw (unvalidated) body. */
  dispatch: (channel: string, body: unknown) => Promise<unknown>;
  /** Unauthenticated GET routes (the web-mode page); return true when handled. */
  publicGet?: (path: string, res: ServerResponse) => boolean;
  /** Token-protected GET routes other than the API (e.g. `/metrics`); return true when handled. */
  authedGet?: (path: string, res: ServerResponse, query: URLSearchParams) => boolean | Promise<boolean>;
  /** Subscribes to pushes for `GET /api/events`; returns the unsubscribe function. */
  subscribe?: (send: (channel: string, data: unknown) => void) => () => void;
  /** Web mode's sign-in: trades a one-time code for the token (null when the code is refused). */
  exchangeCode?: (code: string) => string | null;
  /** Also serve pushes over a WebSocket at `/api/ws` (web mode). */
  webSocket?: boolean;
}

/** A listening API server. */
export interface ApiServer {
  port: number;
  close(): Promise<void>;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = toJson(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(text);
}

function sendError(res: ServerResponse, err: unknown): void {
  const e = toErrorObject(err);
  send(res, httpStatusOf(e.code), { ok: false, error: e });
}

function readBody(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        reject(new PitrError(ErrorCode.InvalidArgument, `the request body is larger than ${MAX_BODY_BYTES} bytes; send smaller batches`));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      if (text.trim() === '') return resolve({});
      try {
        resolve(JSON.parse(text));
      } catch {
        reject(new PitrError(ErrorCode.InvalidArgument, 'the request body is not valid JSON'));
      }
    });
    req.on('error', reject);
  });
}

function tokenOk(req: IncomingMessage, token: string): boolean {
  const auth = req.headers.authorization ?? '';
  const given = Buffer.from(auth.startsWith('Bearer ') ? auth.slice(7).trim() : '');
  const want = Buffer.from(token);
  return given.length === want.length && timingSafeEqual(given, want);
}

/** Only loopback Host headers: a web page elsewhere cannot reach us by DNS rebinding. */
function hostOk(req: IncomingMessage, port: number): boolean {
  const h = req.headers.host ?? '';
  return h === `127.0.0.1:${port}` || h === `localhost:${port}` || h === `[::1]:${port}`;
}

/** `POST /api/session:exchange {code}`: unauthenticated, but each code works once (web-session.ts). */
async function exchange(req: IncomingMessage, res: ServerResponse, port: number, redeem: (code: string) => string | null): Promise<void> {
  // A page of another origin must not trade codes, even on loopback.
  if (!loopbackOrigin(req.headers.origin, port)) return send(res, 403, { ok: false, error: { code: ErrorCode.Unauthorized, message: 'sign-in is accepted only from the app itself' } });
  try {
    const body = (await readBody(req)) as { code?: unknown };
    const token = typeof body.code === 'string' ? redeem(body.code) : null;
    if (token === null) {
      const message = 'this sign-in code is unknown, already used or expired: open the address that a fresh `npm start` (or `pitr server --web`) prints, or paste the token from the host data dir (file `token`)';
      return send(res, 401, { ok: false, error: { code: ErrorCode.Unauthorized, message } });
    }
    send(res, 200, { ok: true, result: { token } });
  } catch (err) {
    sendError(res, err);
  }
}

/** Starts an API server on 127.0.0.1. */
export function startApiServer(opts: ApiServerOptions): Promise<ApiServer> {
  let port = 0;
  const server: Server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      if (!hostOk(req, port)) return send(res, 403, { ok: false, error: { code: ErrorCode.Unauthorized, message: 'only loopback host names are served' } });
      if (req.method === 'GET' && opts.publicGet?.(url.pathname, res)) return;
      if (req.method === 'POST' && url.pathname === '/api/session:exchange' && opts.exchangeCode) return exchange(req, res, port, opts.exchangeCode);
      if (!tokenOk(req, opts.token)) {
        const message = req.headers.authorization
          ? 'wrong access token: use the token in the host data dir (file `token`); the pitr CLI reads it from --data-dir / PITR_DATA_DIR'
          : "missing access token: send 'Authorization: Bearer <token>' with the token from the host data dir (file `token`); the pitr CLI does this for you";
        return send(res, 401, { ok: false, error: { code: ErrorCode.Unauthorized, message } });
      }
      if (req.method === 'GET' && url.pathname === '/api/events' && opts.subscribe) {
        // Server-sent events: one `event: <channel>` / `data: <json>` pair per push.
        res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
        res.write(': connected\n\n');
        const off = opts.subscribe((channel, data) => res.write(`event: ${channel}\ndata: ${toJson(data)}\n\n`));
        req.on('close', off);
        return;
      }
      if (req.method === 'GET' && opts.authedGet) {
        try {
          if (await opts.authedGet(url.pathname, res, url.searchParams)) return;
        } catch (err) {
          return sendError(res, err);
        }
      }
      const m = /^\/api\/([a-z-]+:[a-z-]+)$/.exec(url.pathname);
      if (!m || req.method !== 'POST') {
        return send(res, 404, { ok: false, error: { code: ErrorCode.NotFound, message: `no such API route: ${req.method} ${url.pathname}; use POST /api/<domain>:<verb>` } });
      }
      try {
        const body = await readBody(req);
        const result = await opts.dispatch(m[1]!, body);
        send(res, 200, { ok: true, result });
      } catch (err) {
        sendError(res, err);
      }
    })();
  });
  server.keepAliveTimeout = 5000;
  const closeSockets = opts.webSocket && opts.subscribe ? attachPushSocket(server, { token: opts.token, port: () => port, subscribe: opts.subscribe, serialize: toJson }) : () => {};
  return new Promise((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      reject(err.code === 'EADDRINUSE' ? new PitrError(ErrorCode.InvalidArgument, `port ${opts.port} is already in use on 127.0.0.1; choose another with --port`) : err);
    });
    server.listen(opts.port ?? 0, '127.0.0.1', () => {
      port = (server.address() as AddressInfo).port;
      resolve({
        port,
        close: () =>
          new Promise<void>((r) => {
            closeSockets();
            server.close(() => r());
            server.closeAllConnections();
          }),
      });
    });
  });
}
