/**
 * The renderer's client of the contract. `invoke(channel, input)` resolves with the channel's
 * typed result or throws an ApiError (code + message); `onPush(channel, fn)` receives pushes.
 * In Electron the preload's `window.pitrApi` carries the calls; in a browser, the web client.
 */
import type { Channel, EventChannel, PitrBridge, RequestInput, ResponseTypes, ServerEvents } from '../../core/contract/index.ts';
import { ApiError } from './api-error.ts';
import { createWebBridge } from './web-client.ts';

export { ApiError, asApiError, ClientErrorCode } from './api-error.ts';

declare global {
  interface Window {
    /** Defined by Electron's preload (contextBridge); absent in web mode. */
    pitrApi?: PitrBridge;
  }
}

/** True inside the Electron app (the preload exposed the bridge). */
export const inElectron = typeof window !== 'undefined' && window.pitrApi !== undefined;

let bridge: PitrBridge | null = null;

/** The bridge in use: the preload's in Electron, else the web client. */
export function getBridge(): PitrBridge {
  bridge ??= window.pitrApi ?? createWebBridge();
  return bridge;
}

/** Calls one channel; resolves with its result or throws an ApiError. */
export async function invoke<K extends Channel>(channel: K, input: RequestInput<K>): Promise<ResponseTypes[K]> {
  const env = await getBridge().invoke(channel, input);
  if (!env.ok) throw new ApiError(env.error.code, env.error.message, env.error.details);
  return env.result;
}

type PushHandler<E extends EventChannel> = (data: ServerEvents[E]) => void;
const handlers = new Map<EventChannel, Set<PushHandler<EventChannel>>>();
let unsubscribe: (() => void) | null = null;

/** Listens to one push channel; returns the function that stops listening. */
export function onPush<E extends EventChannel>(channel: E, fn: PushHandler<E>): () => void {
  let set = handlers.get(channel);
  if (!set) handlers.set(channel, (set = new Set()));
  set.add(fn as PushHandler<EventChannel>);
  // One subscription to the bridge, shared by every handler.
  unsubscribe ??= getBridge().subscribe((ch, data) => {
    for (const h of handlers.get(ch) ?? []) h(data);
  });
  return () => {
    set.delete(fn as PushHandler<EventChannel>);
    if ([...handlers.values()].every((s) => s.size === 0)) {
      unsubscribe?.();
      unsubscribe = null;
    }
  };
}
