/**
 * The clocks of a workload, all in real time (pacing is about the laptop's CPU, not cluster
 * time): a token bucket for the target rate, an interruptible sleep, and a sliding window that
 * turns commits into a rate.
 */

// A stall (a slow store, a GC pause) may be made up for by at most this much burst, so that
// the workload does not flood the cluster right after it.
export const DEFAULT_BURST_SECONDS = 0.2;
// Width of the committed_per_sec window, as Grafana's rate over [5s] would show it.
export const DEFAULT_RATE_WINDOW_MS = 5000;
// Granularity of that window: fine enough to follow a stop, coarse enough to stay tiny.
const RATE_SLOT_MS = 250;

/** Tokens refilled at `rate` per second, up to a small burst. */
export class TokenBucket {
  private tokens = 1;
  private last: number;
  private readonly capacity: number;

  constructor(
    private readonly rate: number,
    now: number,
    burstSeconds = DEFAULT_BURST_SECONDS,
  ) {
    this.capacity = Math.max(1, rate * burstSeconds);
    this.last = now;
  }

  /** Takes a token: 0 when one was available, else the ms until the next one. */
  take(now: number): number {
    this.tokens = Math.min(this.capacity, this.tokens + ((now - this.last) * this.rate) / 1000);
    this.last = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil(((1 - this.tokens) * 1000) / this.rate));
  }
}

/**
 * A sleep that another part of the workload can cut short (a finished transaction frees a slot,
 * a stop request). Timers are always cleared, so a stopped workload leaves nothing pending.
 */
export class Waker {
  private pending: { resolve: () => void; timer: NodeJS.Timeout | null } | null = null;

  /** Sleeps until wake() or, when given, ms have passed. */
  wait(ms?: number): Promise<void> {
    this.wake();
    return new Promise<void>((resolve) => {
      const timer = ms === undefined ? null : setTimeout(() => this.wake(), ms);
      this.pending = { resolve, timer };
    });
  }

  /** Ends the current sleep, if any. */
  wake(): void {
    const p = this.pending;
    if (!p) return;
    this.pending = null;
    if (p.timer) clearTimeout(p.timer);
    p.resolve();
  }
}

/** Events per second over a sliding window of real time. */
export class RateWindow {
  private readonly slots: Array<{ slot: number; count: number }>;

  constructor(private readonly windowMs = DEFAULT_RATE_WINDOW_MS) {
    this.slots = Array.from({ length: Math.ceil(windowMs / RATE_SLOT_MS) }, () => ({ slot: -1, count: 0 }));
  }

  /** Records n events at now. */
  add(now: number, n = 1): void {
    const slot = Math.floor(now / RATE_SLOT_MS);
    const s = this.slots[slot % this.slots.length]!;
    if (s.slot !== slot) {
      s.slot = slot;
      s.count = 0;
    }
    s.count += n;
  }

  /** The rate at now; a young window is divided by its real age so the first seconds are not understated. */
  perSecond(now: number, since: number): number {
    const current = Math.floor(now / RATE_SLOT_MS);
    let sum = 0;
    for (const s of this.slots) if (s.slot > current - this.slots.length && s.slot <= current) sum += s.count;
    const span = Math.min(this.windowMs, Math.max(RATE_SLOT_MS, now - since));
    return Math.round((sum * 10_000) / span) / 10;
  }
}
