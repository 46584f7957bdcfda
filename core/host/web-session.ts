/**
 * One-time sign-in codes of web mode. The served HTML never holds the host's token: `npm start`
 * prints `http://127.0.0.1:PORT/#code=CODE`, and the page trades the code (once, within the TTL)
 * for the token at `POST /api/session:exchange`.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';

// Long enough to open the printed address, short enough that a leaked terminal log goes stale.
/** How long a sign-in code stays valid. */
export const DEFAULT_SESSION_CODE_TTL_MS = 10 * 60 * 1000;

/** The host's outstanding codes. */
export class SessionCodes {
  private readonly codes = new Map<string, number>();

  constructor(private readonly ttlMs = DEFAULT_SESSION_CODE_TTL_MS) {}

  /** A fresh single-use code. */
  issue(now = Date.now()): string {
    const code = randomBytes(16).toString('hex');
    this.codes.set(code, now + this.ttlMs);
    return code;
  }

  /** True (and the code is spent) when `code` is outstanding and not expired. */
  redeem(code: string, now = Date.now()): boolean {
    for (const [c, expires] of this.codes) {
      if (expires < now) this.codes.delete(c);
    }
    for (const [c] of this.codes) {
      if (c.length === code.length && timingSafeEqual(Buffer.from(c), Buffer.from(code))) {
        this.codes.delete(c);
        return true;
      }
    }
    return false;
  }
}
