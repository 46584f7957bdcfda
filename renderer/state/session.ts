/** Whether this tab is signed in to the host (web mode), and the sign-in actions. */
import { create } from 'zustand';
import { ApiError, asApiError, inElectron, invoke } from '../client/index.ts';
import { currentToken, saveToken, signInFromLocation } from '../client/session.ts';
import { onUnauthorized } from '../client/web-client.ts';

/** The session slice. */
export interface SessionSlice {
  phase: 'starting' | 'signed-out' | 'ready';
  error: ApiError | null;
  /** The host's data dir, to tell the user where the token file is. */
  dataDir: string | null;
}

/** The session store. */
export const useSession = create<SessionSlice>(() => ({ phase: 'starting', error: null, dataDir: null }));

async function check(): Promise<void> {
  try {
    const info = await invoke('host:info', {});
    useSession.setState({ phase: 'ready', error: null, dataDir: info.data_dir });
  } catch (err) {
    useSession.setState({ phase: 'signed-out', error: asApiError(err) });
  }
}

/** Signs in from the address (`#code=` / `#token=`) or the tab's saved token. */
export async function startSession(): Promise<void> {
  onUnauthorized.add(() => useSession.setState({ phase: 'signed-out' }));
  if (inElectron) return check();
  try {
    const has = await signInFromLocation();
    if (!has) return useSession.setState({ phase: 'signed-out', error: null });
  } catch (err) {
    return useSession.setState({ phase: 'signed-out', error: asApiError(err) });
  }
  await check();
}

/** Signs in with a pasted token. */
export async function signInWithToken(token: string): Promise<void> {
  saveToken(token);
  await check();
}

/** True when this tab has a token (web mode). */
export function hasToken(): boolean {
  return currentToken() !== null;
}
