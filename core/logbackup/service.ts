/**
 * The br side of log backup for one cluster: `log start|status|pause|resume|stop` on the task
 * kept in PD, the ticker that asks every store to flush, and the central advancer that moves
 * the global checkpoint to the minimum over every region's durable checkpoint.
 */
import type { Cluster } from '../cluster/cluster.ts';
import type { Region } from '../cluster/pd/regions.ts';
import { ErrorCode, PitrError } from '../errors.ts';
import { closeStorage, openStorage, redactUrl } from '../storage/index.ts';
import { formatTsIso } from '../tso/index.ts';
import type { FlushReport, LogTaskConfig } from './executor.ts';
import { CENTRAL_CHECKPOINT_PATH, encodeTsFile } from './format.ts';
import { SafePointIds, TaskKeys } from './meta-keys.ts';
import type { LastError, PauseInfo, TaskInfo } from './meta-keys.ts';
import { claimLogStorage, LogErrorCode, readStorageCheckpoint } from './storage-ops.ts';
import { TaskStatusView } from './status.ts';
import type { LogTaskStatus } from './status.ts';

// TiKV's flush interval in the simulator (DESIGN.md §4): 10 s of cluster time; at least 1 s.
export const DEFAULT_FLUSH_INTERVAL_MS = 10_000;
export const MIN_FLUSH_INTERVAL_MS = 1000;
// Real-time floor between flushes, so a sped-up clock does not turn flushes into a busy loop.
const MIN_REAL_FLUSH_GAP_MS = 200;
// TTLs of br's service safepoints: 30 min at start (br), 24 h while paused (`--gc-ttl` default).
const START_SAFEPOINT_TTL_S = 30 * 60;
export const DEFAULT_PAUSE_GC_TTL_S = 24 * 3600;
const COORDINATOR_TTL_S = 24 * 3600;
const MAX_U64 = '18446744073709551615';

/** Options of `log start`. */
export interface StartOptions {
  name: string;
  storage: string;
  startTs?: bigint;
  flushIntervalMs?: number;
}

/** The log backup of one cluster. */
export class LogBackupService {
  private task: TaskInfo | null = null;
  private global = 0n;
  private readonly regionCps = new Map<number, bigint>();
  private readonly inFlight = new Set<number>();
  /** Stores asked to flush while flushing: they flush again right after. */
  private readonly again = new Set<number>();
  private timer: NodeJS.Timeout | null = null;
  private closed = false;
  private readonly view: TaskStatusView;
  private readonly unlisten: () => void;
  /** Called with every store's flush report (the metrics hub reads the piggybacked metrics). */
  readonly reportListeners = new Set<(r: FlushReport) => void>();

  constructor(private readonly cluster: Cluster) {
    this.view = new TaskStatusView(cluster);
    const onRestart = (id: number) => void this.sendTask(id);
    const onPush = (id: number, event: string) => {
      if (event === 'logbackup:flush-needed') void this.flushStore(id);
    };
    // A split's new region has the parent's checkpoint (its store carries the parent's state
    // over too); without this the advancer would wait a whole flush for the new region.
    const onSplit = (left: Region, right: Region) => {
      const cp = this.regionCps.get(left.id);
      if (this.task && cp !== undefined && !this.regionCps.has(right.id)) {
        this.regionCps.set(right.id, cp);
        this.pd.metaPut(TaskKeys.regionCheckpoint(this.task.name, right.id), cp.toString());
      }
    };
    // A region that moved keeps its old checkpoint until its new leader flushes: have that
    // leader scan and flush right after the move (once the store knows the region) instead of
    // at its next tick, so the global checkpoint does not stall for an interval.
    const onLeader = (region: Region) => {
      if (this.task) setTimeout(() => void this.flushStore(region.leader), 50).unref();
    };
    cluster.storeRestartListeners.add(onRestart);
    cluster.storePushListeners.add(onPush);
    cluster.pd.splitListeners.add(onSplit);
    cluster.pd.leaderListeners.add(onLeader);
    this.unlisten = () => {
      cluster.storeRestartListeners.delete(onRestart);
      cluster.storePushListeners.delete(onPush);
      cluster.pd.splitListeners.delete(onSplit);
      cluster.pd.leaderListeners.delete(onLeader);
    };
  }

  private get pd() {
    return this.cluster.pd;
  }

  /** Loads the task from PD (after a host restart) and resumes backing up. */
  async init(): Promise<void> {
    const infos = this.pd.metaScan(TaskKeys.infoPrefix);
    if (infos.length === 0) return;
    this.task = JSON.parse(infos[0]!.value.toString('utf8')) as TaskInfo;
    this.global = BigInt(this.pd.metaGet(TaskKeys.globalCheckpoint(this.task.name))?.toString() ?? this.task.start_ts);
    for (const { key, value } of this.pd.metaScan(TaskKeys.regionCheckpointPrefix(this.task.name))) {
      this.regionCps.set(Number(key.slice(key.lastIndexOf('/') + 1)), BigInt(value.toString()));
    }
    await this.sendTaskToAll();
    this.schedule();
  }

  private requireTask(name: string | undefined): TaskInfo {
    if (!this.task || (name !== undefined && name !== this.task.name)) {
      throw new PitrError(LogErrorCode.TaskNotFound, name ? `log backup task "${name}" does not exist on this cluster; see \`pitr log status\`` : 'this cluster has no log backup task; start one with `pitr log start`');
    }
    return this.task;
  }

  private paused(): PauseInfo | null {
    if (!this.task) return null;
    const raw = this.pd.metaGet(TaskKeys.pause(this.task.name));
    return raw ? (JSON.parse(raw.toString('utf8')) as PauseInfo) : null;
  }

  /** `br log start`. */
  async start(opts: StartOptions): Promise<LogTaskStatus> {
    const storage = openStorage(opts.storage); // a bad URL is refused before anything else
    if (this.task) {
      throw new PitrError(LogErrorCode.TaskExists, `a log backup task "${this.task.name}" already exists on this cluster (one task per cluster); stop it first with \`pitr log stop --task-name ${this.task.name}\``);
    }
    if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/.test(opts.name)) {
      throw new PitrError(ErrorCode.InvalidArgument, `--task-name "${opts.name}" must be 1-64 letters, digits, '_', '.' or '-'`);
    }
    const interval = opts.flushIntervalMs ?? DEFAULT_FLUSH_INTERVAL_MS;
    if (!Number.isFinite(interval) || interval < MIN_FLUSH_INTERVAL_MS) {
      throw new PitrError(ErrorCode.InvalidArgument, `the flush interval must be at least ${MIN_FLUSH_INTERVAL_MS / 1000}s`);
    }
    const clusterId = this.pd.clusterId.toString();
    const now = this.pd.tso();
    let startTs = opts.startTs ?? now;
    if (startTs > now) throw new PitrError(ErrorCode.InvalidArgument, `--start-ts ${startTs} is in the future (now is ${now}); omit it to start now`);
    // Continue an existing log backup of this cluster from its last checkpoint: no gap.
    const { meta, existing } = await claimLogStorage(storage, clusterId, opts.name, startTs);
    if (existing) {
      const cp = await readStorageCheckpoint(storage);
      const last = cp > BigInt(meta.start_ts) ? cp : BigInt(meta.start_ts);
      if (opts.startTs !== undefined && opts.startTs > last) {
        throw new PitrError(ErrorCode.InvalidArgument, `${storage.url} already holds this cluster's log backup up to ${last}; a --start-ts after it would leave a gap: omit --start-ts to continue from ${last}`);
      }
      startTs = last;
    }
    if (startTs < this.pd.gcSafePoint) {
      throw new PitrError(LogErrorCode.GcSafepointExceeded, `the start ts ${startTs} is older than the GC safepoint ${this.pd.gcSafePoint}: the changes since then were garbage-collected; start from a later ts${existing ? ' on a new --storage, after a fresh snapshot backup' : ''}`);
    }
    const info: TaskInfo = { name: opts.name, storage: opts.storage, start_ts: startTs.toString(), end_ts: MAX_U64, cluster_id: clusterId, created_at: new Date(this.pd.clock.now()).toISOString(), flush_interval_ms: interval };
    this.pd.updateServiceSafePoint(SafePointIds.start(opts.name), startTs, START_SAFEPOINT_TTL_S);
    this.pd.updateServiceSafePoint(SafePointIds.coordinator(opts.name), startTs, COORDINATOR_TTL_S);
    this.pd.metaPut(TaskKeys.info(opts.name), JSON.stringify(info));
    this.pd.metaPut(TaskKeys.globalCheckpoint(opts.name), startTs.toString());
    this.task = info;
    this.global = startTs;
    this.regionCps.clear();
    await this.sendTaskToAll();
    this.schedule();
    return this.status(opts.name);
  }

  /** `br log status`. */
  status(name?: string): LogTaskStatus {
    const t = this.requireTask(name);
    const errors = this.pd.metaScan(TaskKeys.lastErrorPrefix(t.name)).map((e) => JSON.parse(e.value.toString('utf8')) as LastError);
    const stores = this.pd.metaScan(TaskKeys.storeCheckpointPrefix(t.name)).map((e) => ({ store_id: Number(e.key.slice(e.key.lastIndexOf('/') + 1)), checkpoint: e.value.toString() }));
    return this.view.render(t, { global: this.global, paused: this.paused(), errors, stores, storageUrl: redactUrl(t.storage) });
  }

  /** Every task's status (zero or one: one task per cluster). */
  statusAll(): LogTaskStatus[] {
    return this.task ? [this.status()] : [];
  }

  /** `br log pause`: stores stop; GC is held at the checkpoint for gcTtl seconds. */
  async pause(name: string | undefined, gcTtlSeconds = DEFAULT_PAUSE_GC_TTL_S, message = ''): Promise<LogTaskStatus> {
    const t = this.requireTask(name);
    if (!this.paused()) {
      this.pd.metaPut(TaskKeys.pause(t.name), JSON.stringify({ message, by_error: false, at: new Date(this.pd.clock.now()).toISOString() } satisfies PauseInfo));
    }
    this.pd.updateServiceSafePoint(SafePointIds.pauseGuard(t.name), this.global, gcTtlSeconds);
    await this.sendTaskToAll();
    return this.status(t.name);
  }

  /** `br log resume`: refused when GC already passed the checkpoint (those changes are lost). */
  async resume(name: string | undefined): Promise<LogTaskStatus> {
    const t = this.requireTask(name);
    if (this.pd.gcSafePoint > this.global) {
      throw new PitrError(LogErrorCode.GcSafepointExceeded, `cannot resume "${t.name}": the GC safepoint ${this.pd.gcSafePoint} (${formatTsIso(this.pd.gcSafePoint)}) has passed the checkpoint ${this.global} (${formatTsIso(this.global)}), so changes in between are lost; stop the task, take a snapshot backup, and start a new log backup`);
    }
    this.pd.metaDelete(TaskKeys.pause(t.name));
    for (const e of this.pd.metaScan(TaskKeys.lastErrorPrefix(t.name))) this.pd.metaDelete(e.key);
    this.pd.updateServiceSafePoint(SafePointIds.pauseGuard(t.name), 0n, 0);
    this.pd.updateServiceSafePoint(SafePointIds.coordinator(t.name), this.global, COORDINATOR_TTL_S);
    await this.sendTaskToAll();
    return this.status(t.name);
  }

  /** `br log stop`: deletes the task and its safepoints; the storage keeps what was written. */
  async stop(name: string | undefined): Promise<{ name: string; checkpoint: string }> {
    const t = this.requireTask(name);
    // Detach first: a flush report arriving while the checkpoint is written must not advance
    // it past what storage records (the stopped task's window ends exactly there).
    this.task = null;
    this.regionCps.clear();
    const checkpoint = this.global;
    await this.persistCheckpoint(t, checkpoint);
    for (const prefix of TaskKeys.taskPrefixes(t.name)) for (const e of this.pd.metaScan(prefix)) this.pd.metaDelete(e.key);
    for (const id of Object.values(SafePointIds)) this.pd.updateServiceSafePoint(id(t.name), 0n, 0);
    await this.sendTaskToAll();
    return { name: t.name, checkpoint: checkpoint.toString() };
  }

  /**
   * Records the global checkpoint in storage (the stores' checkpoint files lag one flush behind
   * it), so that a later start on this storage continues exactly where this task stopped. Best
   * effort: a task must stop even when its storage is gone; a later start then continues from
   * the older stored checkpoint, which repeats some changes but never leaves a gap.
   */
  private async persistCheckpoint(t: TaskInfo, checkpoint: bigint): Promise<void> {
    let storage;
    try {
      storage = openStorage(t.storage);
      await storage.write(CENTRAL_CHECKPOINT_PATH, encodeTsFile(checkpoint));
    } catch {
      // see above
    } finally {
      if (storage) closeStorage(storage);
    }
  }

  private config(): { task: LogTaskConfig | null; regionCheckpoints: Record<string, string>; globalCheckpoint: bigint } {
    const t = this.task && !this.paused() ? this.task : null;
    return {
      task: t ? { name: t.name, storageUrl: t.storage, startTs: t.start_ts, clusterId: t.cluster_id } : null,
      regionCheckpoints: Object.fromEntries([...this.regionCps].map(([id, ts]) => [String(id), ts.toString()])),
      globalCheckpoint: this.global,
    };
  }

  private async sendTask(storeId: number): Promise<void> {
    const s = this.cluster.store(storeId);
    if (s.up) await s.direct('lbSetTask', this.config()).catch(() => undefined);
  }

  private async sendTaskToAll(): Promise<void> {
    await Promise.all(this.cluster.stores().map((s) => this.sendTask(s.storeId)));
  }

  private schedule(): void {
    if (this.timer || this.closed) return;
    // A fixed rate, as TiKV's flush ticker: the time a flush takes comes out of the next wait,
    // so the checkpoint lags at most about one interval behind, not one interval plus a flush.
    const loop = (delay: number) => {
      this.timer = setTimeout(() => {
        const t0 = Date.now();
        // A failed round (the cluster is closing) is dropped: the next tick, if any, tries again.
        void this.flushAll()
          .catch(() => undefined)
          .finally(() => {
            const t = this.task;
            const gap = t ? Math.max(MIN_REAL_FLUSH_GAP_MS, t.flush_interval_ms / Math.max(0.01, this.pd.clock.speed)) : 1000;
            if (this.timer) loop(Math.max(MIN_REAL_FLUSH_GAP_MS, gap - (Date.now() - t0)));
          });
      }, delay);
      this.timer.unref();
    };
    const t = this.task;
    loop(t ? Math.max(MIN_REAL_FLUSH_GAP_MS, t.flush_interval_ms / Math.max(0.01, this.pd.clock.speed)) : 1000);
  }

  /** Asks every live store to flush now; resolves with their reports (tests, `--flush` drills). */
  async flushAll(): Promise<FlushReport[]> {
    if (!this.task || this.paused()) return [];
    const reports = await Promise.all(this.cluster.stores().map((s) => this.flushStore(s.storeId)));
    return reports.filter((r): r is FlushReport => r !== null);
  }

  /** One store's flush; never rejects (it runs from timers and pushes, nobody awaits it). */
  private async flushStore(storeId: number): Promise<FlushReport | null> {
    if (this.closed) return null;
    let s;
    try {
      s = this.cluster.store(storeId);
      if (!this.task || this.paused() || !s.up) return null;
    } catch {
      return null; // the cluster is closing (PD's database is gone) or the store is unknown
    }
    if (this.inFlight.has(storeId)) {
      // Asked while a flush runs (a region just moved here, or the buffer is full): the
      // running flush may predate the reason, so another follows it at once instead of
      // leaving the region's checkpoint behind until the next tick.
      this.again.add(storeId);
      return null;
    }
    this.inFlight.add(storeId);
    const task = this.task;
    try {
      const cfg = this.config();
      const report = await s.direct<FlushReport>('lbFlush', { tso: this.pd.tso(), globalCheckpoint: this.global, regionCheckpoints: cfg.regionCheckpoints });
      for (const l of this.reportListeners) l(report);
      // A flush sent before the task was stopped (and maybe started again, on another storage
      // or from another ts) wrote for the old task: its checkpoints say nothing about this one.
      if (this.task !== task) return null;
      this.onReport(report);
      return report;
    } catch {
      return null; // the store is down: its regions' checkpoints stay where they were
    } finally {
      this.inFlight.delete(storeId);
      if (this.again.delete(storeId) && !this.closed) void this.flushStore(storeId);
    }
  }

  private onReport(r: FlushReport): void {
    const t = this.task;
    if (!t || r.skipped) return;
    this.view.record(r);
    if (r.ok) {
      for (const [id, ts] of Object.entries(r.region_checkpoints)) {
        const region = this.pd.regions.get(Number(id));
        const cp = BigInt(ts);
        // Only the region's current leader speaks for it (a report from before a move is stale).
        if (!region || region.leader !== r.store_id || cp <= (this.regionCps.get(region.id) ?? 0n)) continue;
        this.regionCps.set(region.id, cp);
        this.pd.metaPut(TaskKeys.regionCheckpoint(t.name, region.id), ts);
      }
      this.pd.metaPut(TaskKeys.storeCheckpoint(t.name, r.store_id), r.store_checkpoint);
      this.advance();
    } else if (r.fatal && r.error) {
      void this.fatal(r.store_id, r.error);
    }
  }

  /** The central advancer: global checkpoint = min over every region's checkpoint, never back. */
  private advance(): void {
    const t = this.task;
    if (!t) return;
    let min: bigint | null = null;
    for (const region of this.pd.regions.all()) {
      const cp = this.regionCps.get(region.id) ?? this.global;
      if (min === null || cp < min) min = cp;
    }
    if (min === null || min <= this.global) return;
    this.global = min;
    this.pd.metaPut(TaskKeys.globalCheckpoint(t.name), min.toString());
    this.pd.updateServiceSafePoint(SafePointIds.coordinator(t.name), min, COORDINATOR_TTL_S);
  }

  /** A store gave up after repeated flush failures: the task pauses as ERROR, GC held. */
  private async fatal(storeId: number, error: { code: string; message: string }): Promise<void> {
    const t = this.task;
    if (!t) return;
    const at = new Date(this.pd.clock.now()).toISOString();
    this.pd.metaPut(TaskKeys.lastError(t.name, storeId), JSON.stringify({ store_id: storeId, code: error.code, message: error.message, happen_at: at } satisfies LastError));
    this.pd.metaPut(TaskKeys.pause(t.name), JSON.stringify({ message: error.message, by_error: true, at } satisfies PauseInfo));
    this.pd.updateServiceSafePoint(SafePointIds.pauseGuard(t.name), this.global > 0n ? this.global - 1n : 0n, DEFAULT_PAUSE_GC_TTL_S);
    await this.sendTaskToAll();
  }

  /** Injects storage faults into one store's log backup (fault drills and tests). */
  async storageFault(storeId: number, op: 'write' | 'read' | 'list' | 'delete' | 'exists' | '*', times: number): Promise<void> {
    await this.cluster.store(storeId).direct('lbStorageFault', { op, times });
  }

  /** The global checkpoint. */
  get globalCheckpoint(): bigint {
    return this.global;
  }

  /** Stops the ticker (the task stays in PD and resumes when the host starts again). */
  close(): void {
    this.closed = true;
    this.unlisten();
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
