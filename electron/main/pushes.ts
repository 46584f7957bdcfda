/**
 * Host pushes (`ServerEvents`) forwarded to the app's own windows, and to nothing else, as the
 * same JSON the SSE stream carries in web mode.
 */
import type { ClusterHost } from '../../core/host/host.ts';
import { toJson } from '../../core/host/http-server.ts';
import { PUSH_CHANNEL } from '../common/ipc.ts';
import type { AppWindows } from './app-windows.ts';

/** Dependencies of setupPushes. */
export interface PushDeps {
  subscribe: ClusterHost['subscribe'];
  windows: Pick<AppWindows, 'live'>;
}

/** Starts forwarding; returns the function that stops it. */
export function setupPushes(deps: PushDeps): () => void {
  return deps.subscribe((channel, data) => {
    const payload: unknown = JSON.parse(toJson(data));
    for (const win of deps.windows.live()) win.webContents.send(PUSH_CHANNEL, channel, payload);
  });
}
