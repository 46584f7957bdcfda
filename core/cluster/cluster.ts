/**
 * One simulated TiDB cluster: PD on the host's thread, one worker thread per TiKV store, the
 * transactional client, the schema catalog, workloads and the background schedulers. Its files
 * live under one folder: `pd.db` and `store-<id>/data.db`.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCode, PitrError } from '../errors.ts';
import type { ClusterClock } from '../tso/index.ts';
import { Catalog } from './catalog/catalog.ts';
import { tablePrefix } from './catalog/keys.ts';
import { Pd } from './pd/pd.ts';
import type { Region } from './pd/regions.ts';
import type { RegionMeta } from './store/protocol.ts';
import { StoreClient } from './store/store-client.ts';
import { TxnClient } from './txn/txn-client.ts';
import { Scheduler } from './scheduler.ts';
import type { SchedulerOptions } from './scheduler.ts';
import { WorkloadManager } from './workload/manager.ts';

/** Options to create or open a cluster. */
export interface ClusterOptions {
  /** Injected clock (tests use a ManualClock). */
  clock?: ClusterClock;
  /** Background scheduler settings; `false` turns every loop off (tests drive them by hand). */
  scheduler?: Partial<SchedulerOptions> | false;
}

/** Converts a PD region to what a store is told about it. */
function regionMeta(r: Region): RegionMeta {
  return { id: r.id, start: r.start, end: r.end, epoch: { version: r.epoch.version, confVer: r.epoch.confVer } };
}

/** A running cluster. */
export class Cluster {
  readonly txn: TxnClient;
  readonly catalog: Catalog;
  readonly scheduler: Scheduler;
  readonly workloads: WorkloadManager;
  private readonly storeClients = new Map<number, StoreClient>();
  private adminChain: Promise<unknown> = Promise.resolve();
  /** Listeners of store restarts (a replacement worker is up and knows its regions again). */
  readonly storeRestartListeners = new Set<(storeId: number) => void>();
  /** Listeners of pushes from store workers. */
  readonly storePushListeners = new Set<(storeId: number, event: string, data: unknown) => void>();
  private closed = false;

  private constructor(
    readonly name: string,
    readonly dir: string,
    readonly pd: Pd,
    opts: ClusterOptions,
  ) {
    for (const s of pd.stores()) this.storeClients.set(s.id, new StoreClient(s.id, join(dir, `store-${s.id}`, 'data.db')));
    this.txn = new TxnClient(pd, (id) => this.store(id));
    this.catalog = new Catalog(this.txn);
    this.catalog.onTableCreated = async (tableId) => {
      await this.splitAt(tablePrefix(tableId));
    };
    this.scheduler = new Scheduler(this, opts.scheduler === false ? { enabled: false } : opts.scheduler ?? {});
    this.workloads = new WorkloadManager(this);
  }

  /** Creates a new cluster with `stores` stores in dir, bootstraps it, and starts it. */
  static async create(name: string, dir: string, stores: number, opts: ClusterOptions = {}): Promise<Cluster> {
    if (!Number.isInteger(stores) || stores < 1 || stores > 16) {
      throw new PitrError(ErrorCode.InvalidArgument, `--stores must be a whole number from 1 to 16, got ${stores}`);
    }
    if (existsSync(join(dir, 'pd.db'))) throw new PitrError(ErrorCode.ClusterExists, `a cluster already lives in ${dir}`);
    mkdirSync(dir, { recursive: true });
    const pd = new Pd(join(dir, 'pd.db'), opts.clock ? { clock: opts.clock } : {});
    const ids: number[] = [];
    for (let i = 0; i < stores; i++) ids.push(pd.addStore());
    pd.bootstrapRegion(ids[0]!);
    const c = new Cluster(name, dir, pd, opts);
    await c.start();
    await c.catalog.bootstrap();
    await c.scatter();
    pd.setSetting('bootstrapped', 'true');
    return c;
  }

  /** Opens an existing cluster from dir and starts it (data, regions and TSO come back). */
  static async open(name: string, dir: string, opts: ClusterOptions = {}): Promise<Cluster> {
    if (!existsSync(join(dir, 'pd.db'))) throw new PitrError(ErrorCode.ClusterNotFound, `no cluster in ${dir}`);
    const pd = new Pd(join(dir, 'pd.db'), opts.clock ? { clock: opts.clock } : {});
    const c = new Cluster(name, dir, pd, opts);
    await c.start();
    return c;
  }

  private async start(): Promise<void> {
    for (const s of this.storeClients.values()) {
      mkdirSync(join(this.dir, `store-${s.storeId}`), { recursive: true });
      s.onRestart = () =>
        void this.pushRegions(s.storeId)
          .then(() => {
            for (const l of this.storeRestartListeners) l(s.storeId);
          })
          .catch(() => undefined);
      s.onPush = (event, data) => {
        for (const l of this.storePushListeners) l(s.storeId, event, data);
      };
      await s.start();
      await this.pushRegions(s.storeId);
    }
    this.scheduler.start();
  }

  /** Stops workloads and schedulers, then every store (the data stays on disk). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.workloads.stopAll();
    this.scheduler.stop();
    await this.adminChain.catch(() => undefined);
    await Promise.all([...this.storeClients.values()].map((s) => s.close()));
    this.pd.close();
  }

  /** The client of a store; an unknown id is a region error so callers refresh and retry. */
  store(id: number): StoreClient {
    const s = this.storeClients.get(id);
    if (!s) throw new PitrError(ErrorCode.StoreUnavailable, `store ${id} does not exist`);
    return s;
  }

  /** Every store client. */
  stores(): StoreClient[] {
    return [...this.storeClients.values()];
  }

  /** Tells a store which regions it leads now. */
  async pushRegions(storeId: number): Promise<void> {
    const regions = this.pd.regions.ledBy(storeId).map(regionMeta);
    await this.store(storeId).direct('setRegions', { regions });
  }

  /** Runs admin operations (split, move) one at a time, so they never interleave. */
  admin<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.adminChain.then(fn, fn);
    this.adminChain = run.catch(() => undefined);
    return run;
  }

  /** Splits the region containing key at key (no-op when key is already a boundary). */
  splitAt(key: Buffer): Promise<Region[]> {
    return this.admin(async () => {
      const r = this.pd.regions.locate(key);
      if (r.start.equals(key)) return [r];
      const halves = this.pd.splitRegion(r.id, key);
      await this.pushRegions(r.leader);
      return halves;
    });
  }

  /**
   * Moves a region to another store: the source stops serving it, its rows (all CFs, locks
   * included) are copied, PD switches the leader (conf_ver + 1), and the source drops its copy.
   * With one replica per region this is both PD's move-peer and transfer-leader.
   */
  moveRegion(regionId: number, toStore: number): Promise<Region> {
    return this.admin(async () => {
      const r = this.pd.regions.get(regionId);
      if (!r) throw new PitrError(ErrorCode.NotFound, `region ${regionId} does not exist`);
      const from = this.store(r.leader);
      const to = this.store(toStore);
      if (r.leader === toStore) return r;
      const others = this.pd.regions.ledBy(r.leader).filter((x) => x.id !== r.id).map(regionMeta);
      await from.direct('setRegions', { regions: others });
      try {
        const rows = await from.direct<unknown[]>('exportRange', { start: r.start, end: r.end });
        // Clear leftovers of an earlier move interrupted by a crash before importing.
        await to.direct('deleteRange', { start: r.start, end: r.end });
        await to.direct('importRows', { rows });
      } catch (err) {
        // The move failed before PD switched the leader: the source serves the region again.
        await this.pushRegions(r.leader).catch(() => undefined);
        throw err;
      }
      this.pd.setRegionLeader(r.id, toStore);
      await this.pushRegions(toStore);
      await from.direct('deleteRange', { start: r.start, end: r.end });
      return r;
    });
  }

  /** Spreads region leaders evenly over the stores (PD's scatter). */
  async scatter(): Promise<number> {
    const ids = this.stores().map((s) => s.storeId);
    let moved = 0;
    const regions = [...this.pd.regions.all()];
    for (let i = 0; i < regions.length; i++) {
      const target = ids[i % ids.length]!;
      const r = regions[i]!;
      if (r.leader !== target) {
        await this.moveRegion(r.id, target);
        moved++;
      }
    }
    return moved;
  }
}
