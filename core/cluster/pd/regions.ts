/**
 * PD's region directory: the sorted, gap-free set of regions covering the whole key space,
 * each with its epoch and leader store. Splits bump the epoch version of both halves; moves
 * bump conf_ver, as in TiKV.
 */
import { ErrorCode, PitrError } from '../../errors.ts';
import type { RegionEpoch } from '../store/protocol.ts';

/** A region as PD knows it. */
export interface Region {
  id: number;
  start: Buffer;
  end: Buffer; // empty = +infinity
  epoch: RegionEpoch;
  leader: number; // store id
  approxKeys: number;
  approxBytes: number;
  /** Requests per second (real time) in the last heartbeat: what load-based split reads. */
  qps: number;
}

/** The regions of one cluster, sorted by start key. */
export class RegionDirectory {
  private sorted: Region[] = [];
  private readonly byId = new Map<number, Region>();

  constructor(regions: Region[]) {
    for (const r of regions) this.byId.set(r.id, r);
    this.resort();
  }

  private resort(): void {
    this.sorted = [...this.byId.values()].sort((a, b) => Buffer.compare(a.start, b.start));
  }

  /** Adds a region (bootstrap only: later regions come from splits). */
  add(r: Region): void {
    this.byId.set(r.id, r);
    this.resort();
  }

  /** Every region, in key order. */
  all(): readonly Region[] {
    return this.sorted;
  }

  /** The region with this id. */
  get(id: number): Region | undefined {
    return this.byId.get(id);
  }

  /** The region containing key (binary search over start keys). */
  locate(key: Buffer): Region {
    let lo = 0;
    let hi = this.sorted.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (Buffer.compare(this.sorted[mid]!.start, key) <= 0) lo = mid;
      else hi = mid - 1;
    }
    const r = this.sorted[lo];
    if (!r) throw new PitrError(ErrorCode.Internal, 'the region directory is empty');
    return r;
  }

  /** The regions overlapping [start, end) in key order; empty end = +infinity. */
  overlapping(start: Buffer, end: Buffer): Region[] {
    const out: Region[] = [];
    for (const r of this.sorted) {
      const beforeEnd = end.length === 0 || Buffer.compare(r.start, end) < 0;
      const afterStart = r.end.length === 0 || Buffer.compare(r.end, start) > 0;
      if (beforeEnd && afterStart) out.push(r);
    }
    return out;
  }

  /** Splits a region at splitKey; the left half keeps the id, the right half gets newId. */
  split(regionId: number, splitKey: Buffer, newId: number): [Region, Region] {
    const r = this.byId.get(regionId);
    if (!r) throw new PitrError(ErrorCode.NotFound, `region ${regionId} does not exist`);
    const inside = Buffer.compare(splitKey, r.start) > 0 && (r.end.length === 0 || Buffer.compare(splitKey, r.end) < 0);
    if (!inside) throw new PitrError(ErrorCode.InvalidArgument, `split key is not strictly inside region ${regionId}`);
    const version = r.epoch.version + 1;
    const right: Region = {
      id: newId,
      start: splitKey,
      end: r.end,
      epoch: { version, confVer: r.epoch.confVer },
      leader: r.leader,
      approxKeys: Math.floor(r.approxKeys / 2),
      approxBytes: Math.floor(r.approxBytes / 2),
      qps: r.qps / 2,
    };
    r.qps -= right.qps;
    r.end = splitKey;
    r.epoch = { version, confVer: r.epoch.confVer };
    r.approxKeys -= right.approxKeys;
    r.approxBytes -= right.approxBytes;
    this.byId.set(newId, right);
    this.resort();
    return [r, right];
  }

  /** Moves a region's leader (and, with one replica, its data) to another store. */
  setLeader(regionId: number, storeId: number): Region {
    const r = this.byId.get(regionId);
    if (!r) throw new PitrError(ErrorCode.NotFound, `region ${regionId} does not exist`);
    r.leader = storeId;
    r.epoch = { version: r.epoch.version, confVer: r.epoch.confVer + 1 };
    return r;
  }

  /** The regions a store leads. */
  ledBy(storeId: number): Region[] {
    return this.sorted.filter((r) => r.leader === storeId);
  }
}
