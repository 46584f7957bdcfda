/**
 * The regions a store leads, and the check TiKV makes on every request: the region is led here,
 * its epoch matches the client's, and every key lies inside it. Also keeps each region's
 * approximate size, updated as commits land, for PD's split decisions.
 */
import { ErrorCode, PitrError } from '../../errors.ts';
import type { MvccStore } from './mvcc.ts';
import type { RegionCtx, RegionMeta, RegionStat } from './protocol.ts';
import { buf } from './protocol.ts';

interface Led {
  meta: RegionMeta;
  start: Buffer;
  end: Buffer;
  keys: number;
  bytes: number;
  requests: number;
}

/** The regions this store leads, with their approximate sizes. */
export class RegionGuard {
  private readonly led = new Map<number, Led>();
  /** Called after the set of led regions changed (log backup re-plans what it observes). */
  onChange: (() => void) | null = null;

  constructor(
    readonly storeId: number,
    private readonly mvcc: MvccStore,
  ) {}

  /** Replaces the set of led regions; sizes of newly led regions are measured once. */
  setRegions(regions: RegionMeta[]): void {
    const next = new Map<number, Led>();
    for (const meta of regions) {
      const start = buf(meta.start);
      const end = buf(meta.end);
      const old = this.led.get(meta.id);
      const same = old && old.start.equals(start) && old.end.equals(end);
      const size = same ? { keys: old.keys, bytes: old.bytes } : this.mvcc.rangeSize(start, end);
      next.set(meta.id, { meta, start, end, ...size, requests: old?.requests ?? 0 });
    }
    this.led.clear();
    for (const [id, r] of next) this.led.set(id, r);
    this.onChange?.();
  }

  /** The led regions in key order. */
  ledRegions(): Array<{ id: number; start: Buffer; end: Buffer }> {
    return [...this.led.values()]
      .map((r) => ({ id: r.meta.id, start: r.start, end: r.end }))
      .sort((a, b) => Buffer.compare(a.start, b.start));
  }

  /** The region a request addresses, after TiKV's leader, epoch and key-range checks. */
  check(ctx: RegionCtx, keys: Iterable<Uint8Array>): Led {
    const r = this.led.get(ctx.regionId);
    if (!r) {
      throw new PitrError(ErrorCode.NotLeader, `store ${this.storeId} is not the leader of region ${ctx.regionId}; refresh the region cache and retry`, { regionId: ctx.regionId });
    }
    const e = r.meta.epoch;
    if (e.version !== ctx.epoch.version || e.confVer !== ctx.epoch.confVer) {
      throw new PitrError(ErrorCode.EpochNotMatch, `region ${ctx.regionId} epoch changed (now version ${e.version}, conf_ver ${e.confVer}); refresh the region cache and retry`, { regionId: ctx.regionId });
    }
    for (const key of keys) {
      const k = buf(key);
      if (Buffer.compare(k, r.start) < 0 || (r.end.length > 0 && Buffer.compare(k, r.end) >= 0)) {
        throw new PitrError(ErrorCode.KeyNotInRegion, `a key is outside region ${ctx.regionId}; refresh the region cache and retry`, { regionId: ctx.regionId });
      }
    }
    r.requests++;
    return r;
  }

  /** Accounts committed data to a region's approximate size. */
  addSize(r: Led, keys: number, bytes: number): void {
    r.keys += keys;
    r.bytes += bytes;
  }

  /** Approximate sizes and requests since the last call of every led region (the heartbeat). */
  stats(): RegionStat[] {
    return [...this.led.values()].map((r) => {
      const requests = r.requests;
      r.requests = 0;
      return { regionId: r.meta.id, keys: r.keys, bytes: r.bytes, requests };
    });
  }

  /** The led region with this id, or undefined. */
  get(regionId: number): Led | undefined {
    return this.led.get(regionId);
  }
}
