/**
 * The web-mode session: the host's access token, obtained without ever being in the served HTML.
 * `npm start` prints `http://127.0.0.1:PORT/#code=ONE-TIME-CODE`; the page trades the code for
 * the token (`POST /api/session:exchange`, single use, short-lived) and keeps the token in
 * sessionStorage (this tab only). Tests may also open `#token=<token>` read from the data dir.
 */
import { ApiError, ClientErrorCode } from './api-error.ts';

const STORAGE_KEY = 'pitr.token';

/** The token of this tab, or null before sign-in. */
export function currentToken(): string | null {
  return sessionStorage.getItem(STORAGE_KEY);
}

/** Keeps a token for this tab. */
export function saveToken(token: string): void {
  sessionStorage.setItem(STORAGE_KEY, token.trim());
}

/** Forgets the token (after the host refused it). */
export function clearToken(): void {
  sessionStorage.removeItem(STORAGE_KEY);
}

/** Trades a one-time code for the token. */
export async function exchangeCode(code: string): Promise<string> {
  let res: Response;
  try {
    res = await fetch('/api/session:exchange', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code }) });
  } catch {
    throw new ApiError(ClientErrorCode.Offline, 'the host did not answer; check that `npm start` (or `pitr server --web`) is still running');
  }
  const body = (await res.json()) as { ok: boolean; result?: { token: string }; error?: { code: string; message: string } };
  if (!body.ok || !body.result) throw new ApiError(body.error?.code ?? 'PiTR:Client:ErrInternal', body.error?.message ?? 'the sign-in code was refused');
  return body.result.token;
}

/**
 * Reads `#code=` or `#token=` from the address (then removes it, so it is neither bookmarked nor
 * reused) and signs in; resolves true when this tab has a token afterwards.
 */
export async function signInFromLocation(): Promise<boolean> {
  const params = new URLSearchParams(location.hash.replace(/^#\/?/, ''));
  const code = params.get('code');
  const token = params.get('token');
  if (code !== null || token !== null) history.replaceState(null, '', location.pathname + location.search + '#/cluster');
  if (token !== null) saveToken(token);
  else if (code !== null) saveToken(await exchangeCode(code));
  return currentToken() !== null;
}
