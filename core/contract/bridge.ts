/**
 * The renderer's door to the host, the same in Electron and in web mode. In Electron the preload
 * exposes it as `window.pitrApi` (contextBridge; main validates every call with the zod schemas
 * of `requestSchemas`); in web mode the renderer builds it over HTTP (`POST /api/<channel>` with
 * the host's token) and a push stream from the host.
 */
import type { ApiEnvelope, Channel, RequestInput, ResponseTypes } from './schemas.ts';
import type { EventChannel, ServerEvents } from './events.ts';

/** What the preload exposes on `window.pitrApi` (and what the web-mode client implements). */
export interface PitrBridge {
  /** Calls one channel; never throws for API errors: they come back as `{ ok: false, error }`. */
  invoke<K extends Channel>(channel: K, input: RequestInput<K>): Promise<ApiEnvelope<ResponseTypes[K]>>;
  /** Listens to every push of the host; returns the function that stops listening. */
  subscribe(listener: <E extends EventChannel>(channel: E, data: ServerEvents[E]) => void): () => void;
}

/** The name of the global the preload defines. */
export const BRIDGE_GLOBAL = 'pitrApi';
