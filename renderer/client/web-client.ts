/**
 * The PitrBridge of web mode: requests as `POST /api/<channel>` with the host's token, pushes
 * from the WebSocket at `/api/ws` (the token rides in `Sec-WebSocket-Protocol`, since browsers
 * cannot set headers on a WebSocket). The socket reconnects by itself after the host restarts.
 */
import type { ApiEnvelope, Channel, EventChannel, PitrBridge, RequestInput, ResponseTypes, ServerEvents } from '../../core/contract/index.ts';
import { ClientErrorCode } from './api-error.ts';
import { clearToken, currentToken } from './session.ts';

/** The sub-protocol both sides agree on; the second offered protocol carries the token. */
export const WS_PROTOCOL = 'pitr.v1';
/** Prefix of the protocol entry carrying the token. */
export const WS_TOKEN_PREFIX = 'pitr.token.';

// Reconnect quickly at first (a host restart), then back off so a stopped host is not hammered.
const DEFAULT_RECONNECT_MIN_MS = 250;
const DEFAULT_RECONNECT_MAX_MS = 5000;

type Listener = <E extends EventChannel>(channel: E, data: ServerEvents[E]) => void;

/** Called when the host refuses the token (the app shows the sign-in screen). */
export const onUnauthorized = new Set<() => void>();

/** Builds the web-mode bridge. */
export function createWebBridge(): PitrBridge {
  const listeners = new Set<Listener>();
  let socket: WebSocket | null = null;
  let retryMs = DEFAULT_RECONNECT_MIN_MS;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const connect = () => {
    const token = currentToken();
    if (token === null || listeners.size === 0) return;
    const ws = new WebSocket(`ws://${location.host}/api/ws`, [WS_PROTOCOL, WS_TOKEN_PREFIX + token]);
    socket = ws;
    ws.onopen = () => {
      retryMs = DEFAULT_RECONNECT_MIN_MS;
    };
    ws.onmessage = (ev: MessageEvent<string>) => {
      const msg = JSON.parse(ev.data) as { channel: EventChannel; data: ServerEvents[EventChannel] };
      for (const l of listeners) l(msg.channel, msg.data);
    };
    ws.onclose = () => {
      if (socket !== ws || listeners.size === 0) return;
      socket = null;
      timer = setTimeout(connect, retryMs);
      retryMs = Math.min(retryMs * 2, DEFAULT_RECONNECT_MAX_MS);
    };
  };

  return {
    async invoke<K extends Channel>(channel: K, input: RequestInput<K>): Promise<ApiEnvelope<ResponseTypes[K]>> {
      const token = currentToken();
      if (token === null) return { ok: false, error: { code: ClientErrorCode.NoSession, message: 'not signed in: open the address that `npm start` printed, or paste the token from the data dir' } };
      let res: Response;
      try {
        res = await fetch(`/api/${channel}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify(input),
        });
      } catch {
        return { ok: false, error: { code: ClientErrorCode.Offline, message: 'the host did not answer; check that `npm start` (or `pitr server --web`) is still running, then retry' } };
      }
      if (res.status === 401) {
        clearToken();
        for (const f of onUnauthorized) f();
      }
      return (await res.json()) as ApiEnvelope<ResponseTypes[K]>;
    },
    subscribe(listener: Listener): () => void {
      listeners.add(listener);
      if (socket === null) connect();
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0) {
          clearTimeout(timer);
          const s = socket;
          socket = null;
          s?.close();
        }
      };
    },
  };
}
