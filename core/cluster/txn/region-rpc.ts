/**
 * Sends requests to the leader of the region that holds each key, and retries on region errors
 * (not leader, epoch changed, key outside the region, store restarting) with a fresh route from
 * PD, as TiKV's client does with its region cache and backoffer.
 */
import { ErrorCode, PitrError, isRegionError } from '../../errors.ts';
import type { Pd } from '../pd/pd.ts';
import type { Region } from '../pd/regions.ts';
import type { RegionCtx } from '../store/protocol.ts';
import type { StoreClient } from '../store/store-client.ts';

// How long a request keeps retrying region errors before giving up (real time). A region move
// or a store restart takes well under this; longer means the store is really gone.
export const DEFAULT_REGION_RETRY_DEADLINE_MS = 20_000;
// Backoff between retries, doubling from the first to the max (TiKV's regionMiss backoff is 2 ms).
const BACKOFF_FIRST_MS = 2;
const BACKOFF_MAX_MS = 200;

/** Sleeps ms of real time. */
export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** A backoffer: exponential sleeps until a deadline, then a clear error. */
export class Backoffer {
  private next = BACKOFF_FIRST_MS;
  private readonly deadline: number;

  constructor(
    private readonly what: string,
    budgetMs = DEFAULT_REGION_RETRY_DEADLINE_MS,
  ) {
    this.deadline = Date.now() + budgetMs;
  }

  /** Waits before the next try, or throws the last error when the budget is spent. */
  async backoff(lastErr: unknown): Promise<void> {
    if (Date.now() >= this.deadline) {
      const msg = lastErr instanceof Error ? lastErr.message : String(lastErr);
      // Keep the last error's code (a lock that never went away stays KeyIsLocked).
      const code = lastErr instanceof PitrError ? lastErr.code : ErrorCode.StoreUnavailable;
      throw new PitrError(code, `${this.what} kept failing until it gave up: ${msg}`);
    }
    await sleep(this.next);
    this.next = Math.min(this.next * 2, BACKOFF_MAX_MS);
  }
}

/** The request context naming a region and its epoch. */
export function ctxOf(r: Region): RegionCtx {
  return { regionId: r.id, epoch: { version: r.epoch.version, confVer: r.epoch.confVer } };
}

/** Routes requests to region leaders. */
export class RegionRpc {
  constructor(
    readonly pd: Pd,
    private readonly storeOf: (storeId: number) => StoreClient,
  ) {}

  /** The store client of a region's leader. */
  leaderOf(r: Region): StoreClient {
    return this.storeOf(r.leader);
  }

  /** Groups items by the region holding their key, in key order of the regions. */
  group<T>(items: T[], keyOf: (t: T) => Buffer): Array<{ region: Region; items: T[] }> {
    const groups = new Map<number, { region: Region; items: T[] }>();
    for (const it of items) {
      const r = this.pd.regions.locate(keyOf(it));
      let g = groups.get(r.id);
      if (!g) {
        g = { region: r, items: [] };
        groups.set(r.id, g);
      }
      g.items.push(it);
    }
    return [...groups.values()];
  }

  /**
   * Calls fn once per region group of items, in parallel; a group that hits a region error is
   * regrouped with a fresh route and retried. Returns the results of every final call.
   */
  async perRegion<T, R>(
    what: string,
    items: T[],
    keyOf: (t: T) => Buffer,
    fn: (ctx: RegionCtx, store: StoreClient, items: T[]) => Promise<R>,
    bo = new Backoffer(what),
  ): Promise<R[]> {
    const results = await Promise.all(
      this.group(items, keyOf).map(async (g): Promise<R[]> => {
        try {
          return [await fn(ctxOf(g.region), this.leaderOf(g.region), g.items)];
        } catch (err) {
          if (!isRegionError(err)) throw err;
          await bo.backoff(err);
          return this.perRegion(what, g.items, keyOf, fn, bo);
        }
      }),
    );
    return results.flat();
  }

  /** Calls fn on the region holding one key, retrying region errors. */
  async onKey<R>(what: string, key: Buffer, fn: (ctx: RegionCtx, store: StoreClient) => Promise<R>): Promise<R> {
    const [r] = await this.perRegion(what, [key], (k) => k, (ctx, store) => fn(ctx, store));
    return r as R;
  }
}
