/**
 * PD: the cluster's brain. It hands out TSOs, keeps the region directory and the stores, holds
 * the metadata store that log backup tasks live in, and computes the GC safepoint from service
 * safepoints and the GC life time. It runs on the host's thread and does only light work.
 */
import { randomBytes } from 'node:crypto';
import { ErrorCode, PitrError } from '../../errors.ts';
import { ScaledClock, TsoAllocator, composeTs } from '../../tso/index.ts';
import type { ClusterClock } from '../../tso/index.ts';
import { PdDb } from './pd-db.ts';
import type { ServiceSafePoint } from './pd-db.ts';
import { RegionDirectory } from './regions.ts';
import type { Region } from './regions.ts';

// TiDB's tidb_gc_life_time default: versions younger than this are never collected.
export const DEFAULT_GC_LIFE_TIME_MS = 10 * 60 * 1000;
// A store that has not sent a heartbeat for this long (real time) is Down, as PD's
// max-store-down-time marks it (PD waits 30 min before moving replicas; state flips sooner).
export const DEFAULT_STORE_DOWN_AFTER_MS = 20_000;

/** A store as PD sees it. */
export interface StoreInfo {
  id: number;
  state: 'Up' | 'Down' | 'Tombstone';
  lastHeartbeatMs: number;
}

/** A change in the metadata store, delivered to watchers. */
export interface MetaEvent {
  type: 'put' | 'delete';
  key: string;
  value: Buffer | null;
}

/** Options to open PD. */
export interface PdOptions {
  /** Injected clock (tests); otherwise a ScaledClock persisted in the PD database. */
  clock?: ClusterClock;
}

/** PD of one cluster. */
export class Pd {
  readonly clusterId: bigint;
  readonly clock: ClusterClock;
  readonly regions: RegionDirectory;
  private readonly db: PdDb;
  private readonly tsoAlloc: TsoAllocator;
  private readonly storeMap = new Map<number, StoreInfo>();
  private readonly watchers = new Set<{ prefix: string; fn: (e: MetaEvent) => void }>();
  private gcSafe: bigint;
  /** Listeners of region splits (log backup carries the parent's checkpoint to the new region). */
  readonly splitListeners = new Set<(left: Region, right: Region) => void>();
  /** Listeners of leader changes (log backup has the new leader scan and flush at once). */
  readonly leaderListeners = new Set<(region: Region) => void>();

  constructor(path: string, opts: PdOptions = {}) {
    this.db = new PdDb(path);
    const db = this.db;
    let id = db.getMeta('cluster_id');
    if (id === null) {
      // A random 64-bit cluster id, as PD generates one at bootstrap.
      id = randomBytes(8).readBigUInt64BE().toString();
      db.setMeta('cluster_id', id);
    }
    this.clusterId = BigInt(id);
    if (opts.clock) this.clock = opts.clock;
    else {
      const saved = db.getMeta('clock');
      this.clock = saved ? ScaledClock.fromState(JSON.parse(saved)) : new ScaledClock();
      if (!saved) db.setMeta('clock', JSON.stringify((this.clock as ScaledClock).state()));
    }
    this.tsoAlloc = new TsoAllocator({
      clock: this.clock,
      loadHighWater: () => Number(db.getMeta('tso_high_water') ?? '0'),
      saveHighWater: (ms) => db.setMeta('tso_high_water', String(ms)),
    });
    this.regions = new RegionDirectory(db.regions());
    for (const s of db.stores()) this.storeMap.set(s.id, { id: s.id, state: s.state === 'Tombstone' ? 'Tombstone' : 'Up', lastHeartbeatMs: Date.now() });
    this.gcSafe = BigInt(db.getMeta('gc_safepoint') ?? '0');
  }

  /** Closes the PD database. */
  close(): void {
    this.db.close();
  }

  /** A fresh TSO, strictly greater than every one handed out before (also across restarts). */
  tso(): bigint {
    return this.tsoAlloc.next();
  }

  /** Makes every later TSO greater than ts (after a restore). */
  fastForwardTso(ts: bigint): void {
    this.tsoAlloc.fastForward(ts);
    this.tsoAlloc.next(); // persists the high-water mark past ts now
  }

  /** Sets the cluster clock's speed factor (a ScaledClock only) and persists it. */
  setClockSpeed(speed: number): void {
    if (!(this.clock instanceof ScaledClock)) {
      throw new PitrError(ErrorCode.InvalidArgument, 'this cluster runs on an injected clock whose speed cannot be changed');
    }
    this.clock.setSpeed(speed);
    this.db.setMeta('clock', JSON.stringify(this.clock.state()));
  }

  /** A new unique id for stores and regions. */
  allocId(): number {
    const next = Number(this.db.getMeta('next_id') ?? '1');
    this.db.setMeta('next_id', String(next + 1));
    return next;
  }

  /** Reads a cluster-level setting. */
  getSetting(name: string): string | null {
    return this.db.getMeta(`setting:${name}`);
  }

  /** Writes a cluster-level setting. */
  setSetting(name: string, value: string): void {
    this.db.setMeta(`setting:${name}`, value);
  }

  // ---- stores ----

  /** Registers a new store and returns its id. */
  addStore(): number {
    const id = this.allocId();
    this.db.putStore(id, 'Up');
    this.storeMap.set(id, { id, state: 'Up', lastHeartbeatMs: Date.now() });
    return id;
  }

  /** Every store. */
  stores(): StoreInfo[] {
    const now = Date.now();
    return [...this.storeMap.values()].map((s) => ({
      ...s,
      state: s.state === 'Up' && now - s.lastHeartbeatMs > DEFAULT_STORE_DOWN_AFTER_MS ? 'Down' : s.state,
    }));
  }

  /** Records a store heartbeat: approximate sizes and request counts of the regions it leads. */
  storeHeartbeat(storeId: number, stats: Array<{ regionId: number; keys: number; bytes: number; requests: number }>): void {
    const s = this.storeMap.get(storeId);
    if (!s) throw new PitrError(ErrorCode.NotFound, `store ${storeId} is not registered in PD`);
    const now = Date.now();
    const seconds = Math.max(0.001, (now - s.lastHeartbeatMs) / 1000);
    s.lastHeartbeatMs = now;
    for (const st of stats) {
      const r = this.regions.get(st.regionId);
      if (r && r.leader === storeId) {
        r.approxKeys = st.keys;
        r.approxBytes = st.bytes;
        r.qps = st.requests / seconds;
      }
    }
  }

  // ---- regions ----

  /** Creates the first region, covering the whole key space, led by storeId. */
  bootstrapRegion(storeId: number): Region {
    if (this.regions.all().length > 0) throw new PitrError(ErrorCode.Internal, 'the cluster is already bootstrapped');
    const r: Region = { id: this.allocId(), start: Buffer.alloc(0), end: Buffer.alloc(0), epoch: { version: 1, confVer: 1 }, leader: storeId, approxKeys: 0, approxBytes: 0, qps: 0 };
    this.db.putRegions([r]);
    this.regions.add(r);
    return r;
  }

  /** Splits a region at key and persists both halves. */
  splitRegion(regionId: number, key: Buffer): [Region, Region] {
    const halves = this.regions.split(regionId, key, this.allocId());
    this.db.putRegions(halves);
    for (const l of this.splitListeners) l(halves[0], halves[1]);
    return halves;
  }

  /** Moves a region's leadership to storeId and persists it. */
  setRegionLeader(regionId: number, storeId: number): Region {
    const r = this.regions.setLeader(regionId, storeId);
    this.db.putRegions([r]);
    for (const l of this.leaderListeners) l(r);
    return r;
  }

  // ---- metadata store (what etcd holds for TiDB, e.g. /tidb/br-stream/...) ----

  /** A metadata value, or null. */
  metaGet(key: string): Buffer | null {
    return this.db.kvGet(key);
  }

  /** Writes a metadata value and notifies watchers. */
  metaPut(key: string, value: Buffer | string): void {
    const v = typeof value === 'string' ? Buffer.from(value) : value;
    this.db.kvPut(key, v);
    this.emit({ type: 'put', key, value: v });
  }

  /** Deletes a metadata value and notifies watchers. */
  metaDelete(key: string): void {
    this.db.kvDelete(key);
    this.emit({ type: 'delete', key, value: null });
  }

  /** Metadata entries under a prefix. */
  metaScan(prefix: string): Array<{ key: string; value: Buffer }> {
    return this.db.kvScan(prefix);
  }

  /** Watches the metadata store under a prefix; returns the unwatch function. */
  metaWatch(prefix: string, fn: (e: MetaEvent) => void): () => void {
    const w = { prefix, fn };
    this.watchers.add(w);
    return () => this.watchers.delete(w);
  }

  private emit(e: MetaEvent): void {
    for (const w of this.watchers) if (e.key.startsWith(w.prefix)) w.fn(e);
  }

  // ---- GC safepoints ----

  /** The GC life time in ms (tidb_gc_life_time). */
  get gcLifeTimeMs(): number {
    return Number(this.getSetting('gc_life_time_ms') ?? DEFAULT_GC_LIFE_TIME_MS);
  }

  /**
   * UpdateServiceGCSafePoint: sets (ttl > 0) or removes (ttl ≤ 0) a service's safepoint. A
   * safepoint below the current GC safepoint is not accepted (that history is gone); the caller
   * sees it from `accepted` and the returned minimum, as br does.
   */
  updateServiceSafePoint(serviceId: string, safepoint: bigint, ttlSeconds: number): { accepted: boolean; minSafePoint: bigint } {
    if (ttlSeconds <= 0) {
      this.db.deleteServiceSafePoint(serviceId);
      return { accepted: true, minSafePoint: this.minServiceSafePoint() ?? this.gcSafe };
    }
    if (safepoint < this.gcSafe) return { accepted: false, minSafePoint: this.gcSafe };
    this.db.putServiceSafePoint({ serviceId, safepoint, expireAtMs: this.clock.now() + ttlSeconds * 1000 });
    return { accepted: true, minSafePoint: this.minServiceSafePoint() ?? safepoint };
  }

  /** Live service safepoints (expired ones are dropped, by cluster time). */
  serviceSafePoints(): ServiceSafePoint[] {
    const now = this.clock.now();
    const all = this.db.serviceSafePoints();
    for (const sp of all) if (sp.expireAtMs <= now) this.db.deleteServiceSafePoint(sp.serviceId);
    return all.filter((sp) => sp.expireAtMs > now);
  }

  private minServiceSafePoint(): bigint | null {
    let min: bigint | null = null;
    for (const sp of this.serviceSafePoints()) if (min === null || sp.safepoint < min) min = sp.safepoint;
    return min;
  }

  /** The current GC safepoint (never moves backwards). */
  get gcSafePoint(): bigint {
    return this.gcSafe;
  }

  /**
   * Advances the GC safepoint to min(service safepoints, now − gc life time), never backwards,
   * and returns it. This is the decision TiDB's GC leader makes every gc run interval.
   */
  advanceGcSafePoint(): bigint {
    const lifeBound = composeTs(Math.max(0, this.clock.now() - this.gcLifeTimeMs), 0);
    const svc = this.minServiceSafePoint();
    const target = svc !== null && svc < lifeBound ? svc : lifeBound;
    if (target > this.gcSafe) {
      this.gcSafe = target;
      this.db.setMeta('gc_safepoint', target.toString());
    }
    return this.gcSafe;
  }
}
