/**
 * The IPC channel names shared by the main process and the preload. One request channel carries
 * every contract channel (validated in main); one push channel carries every ServerEvent.
 */

/** `ipcRenderer.invoke(INVOKE_CHANNEL, channel, input)` → `ApiEnvelope`. */
export const INVOKE_CHANNEL = 'pitr:invoke';

/** `webContents.send(PUSH_CHANNEL, eventChannel, data)` for every host push. */
export const PUSH_CHANNEL = 'pitr:push';
