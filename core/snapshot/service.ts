/**
 * The host's snapshot service: manual `backup full` runs and cron schedules, one run at a time
 * per cluster, every run recorded in the history. Cron runs in CLUSTER time: a ticker (every
 * second of real time) asks each cluster's clock whether a run is due, so a sped-up cluster
 * takes its daily snapshot every few real seconds. Each scheduled run goes to the seed's
 * recommended folder `<base>/backup-<cluster-id>/snapshot-YYYYMMDDhhmmss`.
 */
import type { Cluster } from '../cluster/cluster.ts';
import { performance } from 'node:perf_hooks';
import type { BackupRunInfo, ScheduleInfo, SnapshotProgress, SnapshotRunStatus } from '../contract/snapshot.ts';
import { ErrorCode, PitrError, toErrorObject } from '../errors.ts';
import type { BackupStorage } from '../storage/index.ts';
import { proposeLayout } from '../storage/layout.ts';
import { parseStorageUrl, redactUrl } from '../storage/url.ts';
import { runFullBackup } from './backup.ts';
import type { BackupProgress, FullBackupResult } from './backup.ts';
import { describeCron, nextRun, parseCron } from './cron.ts';
import { BackupErrorCode } from './errors.ts';
import { ScheduleDb } from './schedule-db.ts';
import type { ScheduleRow } from './schedule-db.ts';

// How often the ticker looks for due runs (real time). Cron has minute resolution in cluster
// time; at high clock speeds a cluster minute is shorter than this, and runs due in between are
// coalesced into one.
const DEFAULT_TICK_MS = 1_000;
// Least real time between two progress pushes of one run (the first and the last always go).
const DEFAULT_PROGRESS_PUSH_MS = 250;

/** What the service needs from its host (the ClusterHost provides it). */
export interface ClusterSource {
  readonly dataDir: string;
  clusters(): Cluster[];
  cluster(name: string | undefined): Cluster;
}

/** Options of the service. */
export interface SnapshotServiceOptions {
  /** Opens storage on the host side (tests inject faults). */
  openStorage?: (url: string) => BackupStorage;
}

const iso = (ms: number): string => new Date(ms).toISOString();

/** Snapshot runs and schedules of one host. */
export class SnapshotService {
  private readonly db: ScheduleDb;
  /** The run in progress per cluster name. */
  private readonly running = new Map<string, AbortController>();
  private readonly inFlight = new Set<Promise<unknown>>();
  /** Next due time (cluster ms) per schedule id, computed when first seen. */
  private readonly nextDue = new Map<number, number>();
  private timer: NodeJS.Timeout | null = null;
  private closed = false;
  /** The running or last run per cluster name, since the host started. */
  private readonly statuses = new Map<string, SnapshotRunStatus>();
  /** Called with a copy of a run's status as it goes and once at its end (`backup:progress`). */
  readonly listeners = new Set<(s: SnapshotRunStatus) => void>();

  constructor(
    private readonly source: ClusterSource,
    private readonly opts: SnapshotServiceOptions = {},
  ) {
    this.db = new ScheduleDb(source.dataDir);
  }

  /** Starts the ticker. */
  start(): void {
    if (this.timer || this.closed) return;
    this.timer = setInterval(() => void this.tick().catch(() => undefined), DEFAULT_TICK_MS);
    this.timer.unref();
  }

  /** Stops the ticker, cancels running backups (recorded as failed) and closes the database. */
  async stop(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    for (const a of this.running.values()) a.abort();
    await Promise.allSettled([...this.inFlight]);
    this.db.close();
  }

  /** Runs `backup full` now (a manual run, recorded in the history). */
  backupNow(clusterName: string | undefined, storage: string, opts: { backupTs?: bigint; rateLimit?: number } = {}): Promise<FullBackupResult> {
    const cluster = this.source.cluster(clusterName);
    if (this.running.has(cluster.name)) {
      throw new PitrError(BackupErrorCode.InProgress, `a snapshot backup of cluster "${cluster.name}" is already running; wait for it to finish (see \`pitr backup history\`)`);
    }
    return this.execute(cluster, null, storage, opts);
  }

  private execute(cluster: Cluster, scheduleId: number | null, storage: string, opts: { backupTs?: bigint; rateLimit?: number } = {}): Promise<FullBackupResult> {
    if (this.closed) throw new PitrError(BackupErrorCode.Cancelled, 'the host is shutting down; run the backup again once it is back');
    const abort = new AbortController();
    this.running.set(cluster.name, abort);
    const startedAt = iso(cluster.pd.clock.now());
    const runId = this.db.startRun({ schedule_id: scheduleId, cluster: cluster.name, started_at: startedAt, storage: redactUrl(storage), state: 'running' });
    const t0 = performance.now();
    const status: SnapshotRunStatus = {
      run_id: runId,
      cluster: cluster.name,
      schedule_id: scheduleId,
      storage: redactUrl(storage),
      state: 'running',
      started_at: startedAt,
      backup_ts: null,
      progress: { round: 0, regions_done: 0, regions_total: cluster.pd.regions.all().length, kvs: 0, bytes: 0, size: 0, files: 0, fraction: 0, elapsed_s: 0, eta_s: null },
      result: null,
      error: null,
    };
    this.statuses.set(cluster.name, status);
    let lastPush = -Infinity;
    const publish = (always: boolean) => {
      const now = performance.now();
      status.progress.elapsed_s = Math.round(now - t0) / 1000;
      if (!always && now - lastPush < DEFAULT_PROGRESS_PUSH_MS) return;
      lastPush = now;
      const copy = structuredClone(status);
      for (const l of this.listeners) l(copy);
    };
    publish(true);
    const run = (async () => {
      try {
        const r = await runFullBackup(cluster, {
          storage,
          signal: abort.signal,
          onProgress: (p) => {
            status.backup_ts = p.backup_ts;
            status.progress = progressOf(p, (performance.now() - t0) / 1000);
            publish(false);
          },
          ...(opts.backupTs !== undefined ? { backupTs: opts.backupTs } : {}),
          ...(opts.rateLimit !== undefined ? { rateLimit: opts.rateLimit } : {}),
          ...(this.opts.openStorage ? { openStorage: this.opts.openStorage } : {}),
        });
        this.db.finishRun(runId, { finished_at: iso(cluster.pd.clock.now()), state: 'succeeded', backup_ts: r.backup_ts, kvs: r.kvs, bytes: r.bytes, error: null });
        const { meta: _meta, ...summary } = r;
        Object.assign(status, { state: 'succeeded', backup_ts: r.backup_ts, result: summary });
        Object.assign(status.progress, { fraction: 1, eta_s: 0, regions_total: status.progress.regions_done });
        publish(true);
        return r;
      } catch (err) {
        this.db.finishRun(runId, { finished_at: iso(cluster.pd.clock.now()), state: 'failed', backup_ts: null, kvs: null, bytes: null, error: (err as Error).message });
        const e = toErrorObject(err);
        Object.assign(status, { state: 'failed', error: { code: e.code, message: e.message } });
        status.progress.eta_s = null;
        publish(true);
        throw err;
      } finally {
        this.running.delete(cluster.name);
      }
    })();
    this.inFlight.add(run);
    void run.finally(() => this.inFlight.delete(run)).catch(() => undefined);
    return run;
  }

  /** Adds a schedule: cron in cluster time (UTC), runs into `<base>/backup-<id>/snapshot-...`. */
  addSchedule(clusterName: string | undefined, cron: string, base: string): ScheduleInfo {
    const cluster = this.source.cluster(clusterName);
    const expr = parseCron(cron);
    parseStorageUrl(base);
    const now = cluster.pd.clock.now();
    const row = this.db.addSchedule(cluster.name, expr, base, iso(now));
    this.nextDue.set(row.id, nextRun(expr, now));
    return this.info(row);
  }

  /** A cluster's schedules. */
  listSchedules(clusterName: string | undefined): ScheduleInfo[] {
    const cluster = this.source.cluster(clusterName);
    return this.db.schedules(cluster.name).map((r) => this.info(r));
  }

  /** Removes a schedule of a cluster. */
  removeSchedule(clusterName: string | undefined, id: number): { id: number } {
    const cluster = this.source.cluster(clusterName);
    if (!this.db.removeSchedule(cluster.name, id)) {
      throw new PitrError(ErrorCode.NotFound, `cluster "${cluster.name}" has no snapshot schedule ${id}; see \`pitr backup schedule list\``);
    }
    this.nextDue.delete(id);
    return { id };
  }

  /** The cluster's running snapshot run, else its last one since the host started, else null. */
  status(clusterName: string | undefined): SnapshotRunStatus | null {
    const cluster = this.source.cluster(clusterName);
    const s = this.statuses.get(cluster.name);
    return s ? structuredClone(s) : null;
  }

  /** A cluster's runs, newest first. */
  history(clusterName: string | undefined, limit: number): BackupRunInfo[] {
    const cluster = this.source.cluster(clusterName);
    return this.db.runs(cluster.name, limit);
  }

  private live(name: string): Cluster | undefined {
    return this.source.clusters().find((c) => c.name === name);
  }

  private dueOf(row: ScheduleRow, now: number): number {
    let due = this.nextDue.get(row.id);
    if (due === undefined) {
      // First seen since the host started: runs missed while it was down are not made up.
      due = nextRun(row.cron, now);
      this.nextDue.set(row.id, due);
    }
    return due;
  }

  private info(row: ScheduleRow): ScheduleInfo {
    const c = this.live(row.cluster);
    return {
      id: row.id,
      cluster: row.cluster,
      cron: row.cron,
      description: describeCron(row.cron),
      storage: redactUrl(row.storage),
      enabled: row.enabled === 1,
      created_at: row.created_at,
      next_run: c ? iso(this.dueOf(row, c.pd.clock.now())) : null,
    };
  }

  /**
   * Starts every due scheduled run (one per cluster; a due run that finds its cluster busy is
   * recorded as skipped) and resolves when the runs it started have finished.
   */
  async tick(): Promise<void> {
    if (this.closed) return;
    const started: Array<Promise<unknown>> = [];
    for (const row of this.db.enabledSchedules()) {
      const cluster = this.live(row.cluster);
      if (!cluster) continue;
      const now = cluster.pd.clock.now();
      if (now < this.dueOf(row, now)) continue;
      this.nextDue.set(row.id, nextRun(row.cron, now));
      const target = proposeLayout(row.storage, cluster.pd.clusterId, now).snapshot;
      if (this.running.has(cluster.name)) {
        this.db.startRun({ schedule_id: row.id, cluster: cluster.name, started_at: iso(now), storage: redactUrl(target), state: 'skipped', error: 'skipped: the previous snapshot backup of this cluster was still running' });
        continue;
      }
      // A failed run is in the history with its error; the ticker carries on.
      started.push(this.execute(cluster, row.id, target).catch(() => undefined));
    }
    await Promise.all(started);
  }
}

/** A run's progress by regions; the ETA assumes the speed so far. */
function progressOf(p: BackupProgress, elapsedS: number): SnapshotProgress {
  const total = p.regions_done + p.regions_left;
  const fraction = total > 0 ? p.regions_done / total : 0;
  return {
    round: p.round,
    regions_done: p.regions_done,
    regions_total: total,
    kvs: p.kvs,
    bytes: p.bytes,
    size: p.size,
    files: p.files,
    // Not 1 before the backupmeta is written: that is the run's last step.
    fraction: Math.min(fraction, 0.99),
    elapsed_s: Math.round(elapsedS * 1000) / 1000,
    eta_s: fraction > 0 ? Math.round(((elapsedS * (1 - fraction)) / fraction) * 10) / 10 : null,
  };
}

const services = new WeakMap<ClusterSource, SnapshotService>();
const stopped = new WeakSet<ClusterSource>();

/** The snapshot service of a host (created on first use; refused once the host closes). */
export function snapshotService(source: ClusterSource): SnapshotService {
  if (stopped.has(source)) throw new PitrError(BackupErrorCode.Cancelled, 'the host is shutting down; try again once it is back');
  let s = services.get(source);
  if (!s) services.set(source, (s = new SnapshotService(source)));
  return s;
}

/** Starts a host's snapshot scheduler (called once when the host starts). */
export function startSnapshotScheduler(source: ClusterSource): void {
  snapshotService(source).start();
}

/** Stops a host's snapshot scheduler, cancelling running backups (called when the host closes). */
export async function stopSnapshotScheduler(source: ClusterSource): Promise<void> {
  stopped.add(source);
  const s = services.get(source);
  if (!s) return;
  services.delete(source);
  await s.stop();
}
