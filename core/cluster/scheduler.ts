/**
 * The cluster's background work, as PD and TiDB's GC leader do it: store heartbeats with region
 * sizes, size-based region splits, leader balancing across stores, and GC every run interval
 * (advance the safepoint, resolve old locks, drop old versions, delete dropped tables' ranges).
 */
import type { Cluster } from './cluster.ts';
import type { LockInfo, RegionStat } from './store/protocol.ts';

/** Knobs of the background loops. */
export interface SchedulerOptions {
  enabled: boolean;
  /** Real ms between store heartbeats (TiKV sends them every 10 s; the lab is livelier). */
  heartbeatMs: number;
  /** Split a region above this many write records (TiKV: region-split-keys 960k; small here so splits show). */
  splitKeys: number;
  /** Split a region above this many bytes (TiKV: region-max-size 144 MiB; small here so splits show). */
  splitBytes: number;
  /** Split a region serving more requests/s than this (TiKV's split.qps-threshold, 3000). */
  splitQps: number;
  /** Move leaders when store leader counts differ by at least this much. */
  balanceTolerance: number;
  /** Move a hot region when store loads differ by at least this many requests/s. */
  hotBalanceMinQps: number;
  /**
   * Heartbeats in a row that must show that gap before a hot region moves (PD's
   * hot-region-cache-hits-threshold, 3): one busy second is not a hot spot.
   */
  hotCacheHitsThreshold: number;
  /**
   * Heartbeats after a move during which the region is not moved again: PD keeps a moved
   * region's influence pending until the stores' statistics show the move, so it does not send
   * the region back on figures taken before it arrived.
   */
  moveCooldownHeartbeats: number;
  /** Cluster ms between GC runs (TiDB's tidb_gc_run_interval, 10 min). */
  gcRunIntervalMs: number;
}

/** Defaults of the background loops; each value's reason is on SchedulerOptions. */
export const DEFAULT_SCHEDULER_OPTIONS: SchedulerOptions = {
  enabled: true,
  heartbeatMs: 1000,
  splitKeys: 40_000,
  splitBytes: 16 * 1024 * 1024,
  splitQps: 3000,
  balanceTolerance: 2,
  hotBalanceMinQps: 1500,
  hotCacheHitsThreshold: 3,
  moveCooldownHeartbeats: 10,
  gcRunIntervalMs: 10 * 60 * 1000,
};

// Keys per GC request, so one store is never blocked for long by GC.
const GC_BATCH_KEYS = 512;

/** The outcome of one GC run. */
export interface GcReport {
  safepoint: bigint;
  resolvedLocks: number;
  removedVersions: number;
  deletedRanges: number;
}

/** Background loops of one cluster. */
export class Scheduler {
  readonly opts: SchedulerOptions;
  private timer: NodeJS.Timeout | null = null;
  private busy = false;
  private lastGcAt: number;
  /** The last GC run, for status pages. */
  lastGc: (GcReport & { at: number }) | null = null;
  /** The last background error (shown on status, never thrown away silently). */
  lastError: string | null = null;
  private balancePauses = 0;
  /** Heartbeats in a row that showed a hot gap worth a move. */
  private hotHits = 0;
  /** When (real ms) each region was last moved by this scheduler. */
  private readonly movedAt = new Map<number, number>();

  constructor(
    private readonly cluster: Cluster,
    opts: Partial<SchedulerOptions>,
  ) {
    this.opts = { ...DEFAULT_SCHEDULER_OPTIONS, ...opts };
    this.lastGcAt = cluster.pd.clock.now();
  }

  /** Starts the loops (no-op when disabled). */
  start(): void {
    if (!this.opts.enabled || this.timer) return;
    const tick = () => {
      this.timer = setTimeout(() => {
        void this.tick().finally(() => {
          if (this.timer) tick();
        });
      }, this.opts.heartbeatMs);
      this.timer.unref();
    };
    tick();
  }

  /** Stops the loops. */
  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** One round of every loop. */
  async tick(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      await this.heartbeat();
      await this.checkSplits();
      if (this.balancePauses === 0 && !(await this.balanceHot())) await this.balance();
      if (this.cluster.pd.clock.now() - this.lastGcAt >= this.opts.gcRunIntervalMs) await this.runGc();
    } catch (err) {
      this.lastError = err instanceof Error ? err.message : String(err);
    } finally {
      this.busy = false;
    }
  }

  /**
   * Pauses region balancing (moves) until the returned function is called, as br pauses PD's
   * balance schedulers while it restores; splits go on.
   */
  pauseBalance(): () => void {
    this.balancePauses++;
    let resumed = false;
    return () => {
      if (!resumed) this.balancePauses--;
      resumed = true;
    };
  }

  /** Collects region sizes from every live store. */
  async heartbeat(): Promise<void> {
    for (const s of this.cluster.stores()) {
      if (!s.up) continue;
      const stats = await s.direct<RegionStat[]>('regionStats', null);
      this.cluster.pd.storeHeartbeat(s.storeId, stats);
    }
  }

  /**
   * Splits regions that grew past the size or key limits, or that serve more requests than one
   * region should (TiKV's load-based split), at their middle key.
   */
  async checkSplits(): Promise<number> {
    let n = 0;
    for (const r of [...this.cluster.pd.regions.all()]) {
      const big = r.approxKeys >= this.opts.splitKeys || r.approxBytes >= this.opts.splitBytes;
      if (!big && r.qps < this.opts.splitQps) continue;
      const store = this.cluster.store(r.leader);
      if (!store.up) continue;
      const mid = await store.direct<Uint8Array | null>('middleKey', { regionId: r.id });
      if (!mid) continue;
      await this.cluster.splitAt(Buffer.from(mid));
      n++;
    }
    return n;
  }

  /** Moves one region from the store leading most to the one leading fewest, if unbalanced. */
  async balance(): Promise<boolean> {
    const live = this.cluster.stores().filter((s) => s.up);
    if (live.length < 2) return false;
    const counts = live.map((s) => ({ id: s.storeId, regions: this.cluster.pd.regions.ledBy(s.storeId) }));
    counts.sort((a, b) => a.regions.length - b.regions.length);
    const min = counts[0]!;
    const max = counts[counts.length - 1]!;
    if (max.regions.length - min.regions.length < this.opts.balanceTolerance) return false;
    const movable = max.regions.filter((r) => !this.coolingDown(r.id));
    if (movable.length === 0) return false;
    const smallest = movable.sort((a, b) => a.approxKeys - b.approxKeys)[0]!;
    await this.move(smallest.id, min.id);
    return true;
  }

  private coolingDown(regionId: number): boolean {
    const at = this.movedAt.get(regionId);
    return at !== undefined && Date.now() - at < this.opts.moveCooldownHeartbeats * this.opts.heartbeatMs;
  }

  private async move(regionId: number, toStore: number): Promise<void> {
    this.movedAt.set(regionId, Date.now());
    await this.cluster.moveRegion(regionId, toStore);
  }

  /**
   * PD's hot-region scheduling: when one store serves far more requests than another, move the
   * region that best evens them out. A region is only moved if that lowers the hottest load.
   */
  async balanceHot(): Promise<boolean> {
    const live = this.cluster.stores().filter((s) => s.up);
    if (live.length < 2) return false;
    const loads = live
      .map((s) => {
        const regions = this.cluster.pd.regions.ledBy(s.storeId);
        return { id: s.storeId, regions, qps: regions.reduce((n, r) => n + r.qps, 0) };
      })
      .sort((a, b) => a.qps - b.qps);
    const cool = loads[0]!;
    const hot = loads[loads.length - 1]!;
    const gap = hot.qps - cool.qps;
    if (gap < this.opts.hotBalanceMinQps) {
      this.hotHits = 0;
      return false;
    }
    if (++this.hotHits < this.opts.hotCacheHitsThreshold) return false;
    const movable = hot.regions.filter((r) => r.qps > 0 && cool.qps + r.qps < hot.qps && !this.coolingDown(r.id));
    if (movable.length === 0) return false;
    const best = movable.sort((a, b) => Math.abs(a.qps - gap / 2) - Math.abs(b.qps - gap / 2))[0]!;
    await this.move(best.id, cool.id);
    best.qps = 0; // measured again at the next heartbeat, on its new store
    this.hotHits = 0;
    return true;
  }

  /** One GC run, as TiDB's GC worker does it. */
  async runGc(): Promise<GcReport> {
    const { pd, txn, catalog } = this.cluster;
    this.lastGcAt = pd.clock.now();
    const safepoint = pd.advanceGcSafePoint();
    let resolvedLocks = 0;
    let removedVersions = 0;
    for (const s of this.cluster.stores()) {
      if (!s.up) continue;
      const locks = await s.direct<LockInfo[]>('kvScanLock', { start: Buffer.alloc(0), end: Buffer.alloc(0), maxTs: safepoint, limit: 4096 });
      for (const l of locks) if (await txn.resolver.resolve(l)) resolvedLocks++;
      let from: Uint8Array | null = Buffer.alloc(0);
      while (from) {
        const r: { next: Uint8Array | null; removed: number } = await s.direct('gc', { safepoint, from, limit: GC_BATCH_KEYS });
        removedVersions += r.removed;
        from = r.next;
      }
    }
    let deletedRanges = 0;
    for (const d of await catalog.deleteRangesBefore(safepoint)) {
      const start = Buffer.from(d.start, 'hex');
      const end = Buffer.from(d.end, 'hex');
      for (const s of this.cluster.stores()) if (s.up) await s.direct('deleteRange', { start, end });
      await catalog.finishDeleteRange(d.tableId);
      deletedRanges++;
    }
    const report = { safepoint, resolvedLocks, removedVersions, deletedRanges };
    this.lastGc = { ...report, at: pd.clock.now() };
    return report;
  }
}
