/**
 * The renderer's bridge (`PitrBridge` of core/contract/bridge.ts) built on ipcRenderer. Exactly
 * two functions cross into the page; ipcRenderer itself, its events and their `sender` never do.
 */
import type { PitrBridge } from '../../core/contract/bridge.ts';
import { BRIDGE_GLOBAL } from '../../core/contract/bridge.ts';
import type { ApiEnvelope } from '../../core/contract/schemas.ts';
import type { EventChannel, ServerEvents } from '../../core/contract/events.ts';
import { ErrorCode } from '../../core/errors.ts';
import { INVOKE_CHANNEL, PUSH_CHANNEL } from '../common/ipc.ts';

/** The subset of Electron's ipcRenderer the bridge uses. */
export interface IpcRendererLike {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
  removeListener(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
}

/** The subset of Electron's contextBridge used here. */
export interface ContextBridgeLike {
  exposeInMainWorld(key: string, api: unknown): void;
}

/** Builds the bridge over an ipcRenderer. */
export function makeBridge(ipcRenderer: IpcRendererLike): PitrBridge {
  // Main validates channel and input; an IPC failure (e.g. main gone) still answers with the
  // envelope, since the bridge's callers never expect a throw for an API error.
  const invoke = (channel: string, input: unknown): Promise<ApiEnvelope<unknown>> =>
    (ipcRenderer.invoke(INVOKE_CHANNEL, channel, input) as Promise<ApiEnvelope<unknown>>).catch((err: unknown) => ({
      ok: false as const,
      error: { code: ErrorCode.Unreachable, message: `the app's host did not answer (${err instanceof Error ? err.message : String(err)}); restart PiTR Studio` },
    }));
  return {
    invoke: invoke as PitrBridge['invoke'],
    subscribe(listener) {
      const onPush = (_event: unknown, channel: unknown, data: unknown) => {
        if (typeof channel === 'string') listener(channel as EventChannel, data as ServerEvents[EventChannel]);
      };
      ipcRenderer.on(PUSH_CHANNEL, onPush);
      return () => void ipcRenderer.removeListener(PUSH_CHANNEL, onPush);
    },
  };
}

/** Exposes the bridge as `window.pitrApi` in the page's world. */
export function exposeBridge(contextBridge: ContextBridgeLike, ipcRenderer: IpcRendererLike): void {
  contextBridge.exposeInMainWorld(BRIDGE_GLOBAL, makeBridge(ipcRenderer));
}
