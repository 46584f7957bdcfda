/**
 * The contract over IPC: one `pitr:invoke` handler for every channel. A call is accepted only
 * from a top-level frame of one of the app's own windows showing an app:// page; its channel
 * must be a contract channel and its input must parse with that channel's zod schema. Answers
 * are the same `ApiEnvelope` (and the same JSON shapes) as the HTTP API, so the renderer sees
 * one contract in Electron and in web mode.
 */
import { describeZodError, requestSchemas } from '../../core/contract/schemas.ts';
import type { ApiEnvelope, Channel } from '../../core/contract/schemas.ts';
import { ErrorCode, PitrError, toErrorObject } from '../../core/errors.ts';
import { toJson } from '../../core/host/http-server.ts';
import { INVOKE_CHANNEL } from '../common/ipc.ts';
import type { AppWindows } from './app-windows.ts';
import { isAppUrl } from './origin.ts';
import type { IpcMainInvokeEventLike, IpcMainLike } from './ports.ts';

/** Dependencies of setupIpc. */
export interface IpcDeps {
  ipcMain: Pick<IpcMainLike, 'handle'>;
  windows: Pick<AppWindows, 'owns'>;
  /** The host's dispatch (ClusterHost.dispatch): validates again and runs the handler. */
  dispatch: (channel: string, input: unknown) => Promise<unknown>;
  warn: (message: string) => void;
  /** Saved S3 keys (saved-credentials.ts): filled into calls, kept after a passing test. */
  credentials?: {
    fill(input: unknown): unknown;
    remember(channel: string, input: unknown): void;
  };
}

/** Why a sender is refused, or undefined when it is one of the app's own pages. */
export function refuseSender(event: IpcMainInvokeEventLike, windows: Pick<AppWindows, 'owns'>): string | undefined {
  const frame = event.senderFrame;
  if (frame === null) return 'the sending frame is gone';
  if (frame.parent !== null) return 'it comes from a sub-frame';
  if (!isAppUrl(frame.url)) return 'it comes from a page that is not the app';
  if (!windows.owns(event.sender)) return 'it comes from a window the app did not create';
  return undefined;
}

function fail(err: unknown): ApiEnvelope<never> {
  return { ok: false, error: toErrorObject(err) };
}

/** Handles one invoke: checks sender, channel and input, then runs it on the host. */
export async function handleInvoke(deps: IpcDeps, event: IpcMainInvokeEventLike, channel: unknown, input: unknown): Promise<ApiEnvelope<unknown>> {
  const why = refuseSender(event, deps.windows);
  if (why !== undefined) {
    // No payload in the message: it may hold storage credentials.
    deps.warn(`IPC call refused (web contents ${event.sender.id}): ${why}`);
    return fail(new PitrError(ErrorCode.Unauthorized, `this call was refused because ${why}; only the PiTR Studio window may call the host`));
  }
  if (typeof channel !== 'string' || !Object.hasOwn(requestSchemas, channel)) {
    const shown = typeof channel === 'string' ? `"${channel.slice(0, 64)}"` : typeof channel;
    return fail(new PitrError(ErrorCode.NotFound, `unknown API channel ${shown}; the channels are ${Object.keys(requestSchemas).join(', ')}`));
  }
  const parsed = requestSchemas[channel as Channel].safeParse(input ?? {});
  if (!parsed.success) {
    return fail(new PitrError(ErrorCode.InvalidArgument, `invalid ${channel} request: ${describeZodError(parsed.error)}`));
  }
  try {
    // The raw input goes on: the host parses it again with the same schema (it is the one
    // boundary every client shares), and zod's output is not guaranteed to re-parse.
    const result = await deps.dispatch(channel, deps.credentials ? deps.credentials.fill(input ?? {}) : (input ?? {}));
    deps.credentials?.remember(channel, input);
    // The same JSON as over HTTP (TSOs as decimal strings, no undefined, no class instances).
    const json = toJson(result);
    return { ok: true, result: json === undefined ? null : (JSON.parse(json) as unknown) };
  } catch (err) {
    return fail(err);
  }
}

/** Registers the `pitr:invoke` handler; returns the function that removes it. */
export function setupIpc(deps: IpcDeps & { ipcMain: IpcMainLike }): () => void {
  deps.ipcMain.handle(INVOKE_CHANNEL, (event, channel, input) => handleInvoke(deps, event, channel, input));
  return () => deps.ipcMain.removeHandler(INVOKE_CHANNEL);
}
