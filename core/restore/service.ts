/**
 * `br restore point` on the host: plans (refusing before anything is written), then runs the
 * restore in the background while callers poll its phased progress, and ends with the
 * verification report. The same arguments resume a killed restore from its checkpoint.
 */
import { SYSTEM_DB } from '../cluster/catalog/catalog.ts';
import { tablePrefix } from '../cluster/catalog/keys.ts';
import type { Cluster } from '../cluster/cluster.ts';
import type { RestorePlanInfo, RestoreProgress, RestoreStatus, TableCheck, Verification } from '../contract/restore.ts';
import { ErrorCode, PitrError, toErrorObject } from '../errors.ts';
import { applyPlan } from './apply.ts';
import { RestoreCheckpoint } from './checkpoint.ts';
import { planRestore, RestoreErrorCode } from './plan.ts';
import type { RestoreArgs, RestorePlan } from './plan.ts';
import { checkTables, compareWithSource } from './verify.ts';
import { GcHold } from '../snapshot/gc-hold.ts';

/** What the restore service needs from the host. */
export interface ClusterSource {
  cluster(name: string | undefined): Cluster;
  clusters(): Cluster[];
}

interface Run {
  status: RestoreStatus;
  done: Promise<void>;
}

function planInfo(p: RestorePlan, resume: boolean): RestorePlanInfo {
  return {
    restore_id: p.id,
    cluster_id: p.clusterId,
    snapshot_ts: p.snapshotTs.toString(),
    restored_ts: p.restoredTs.toString(),
    log_min_ts: p.window.log_min_ts,
    log_max_ts: p.window.log_max_ts,
    snapshot_files: p.snapshotFiles.length,
    log_files: new Set(p.logBlocks.map((b) => b.path)).size,
    log_blocks: p.logBlocks.length,
    files: p.totals.files,
    bytes: p.totals.bytes,
    kvs: p.totals.kvs,
    estimated_duration_s: Math.round(p.estimatedSeconds * 10) / 10,
    skipped_tables: ['mysql.user', 'mysql.db', 'mysql.tables_priv'],
    resume,
  };
}

/** True when the cluster holds nothing but its own bootstrap (the mysql system tables). */
async function isFresh(c: Cluster): Promise<boolean> {
  const ts = c.pd.tso();
  const dbs = await c.catalog.databases(ts);
  if (dbs.some((d) => d.name !== SYSTEM_DB)) return false;
  const sys = dbs.length > 0 ? await c.catalog.tables(ts, dbs[0]!.id) : [];
  const firstUser = tablePrefix(Math.max(0, ...sys.map((t) => t.id)) + 1);
  return (await c.txn.scan(firstUser, Buffer.alloc(0), ts, 1, true)).length === 0;
}

const idle = (phase: RestoreProgress['phase']): RestoreProgress => ({ phase, done_bytes: 0, total_bytes: 0, done_files: 0, total_files: 0, kvs: 0, rate_bytes_per_s: 0, eta_s: null, elapsed_s: 0 });

// At most one progress push per restore in this many ms (the last one always goes out).
const PUSH_INTERVAL_MS = 250;

/** Runs restores into the host's clusters. */
export class RestoreService {
  /** Runs by `<target>/<restore id>`: the id names the arguments, the same ones may go to several targets. */
  private readonly runs = new Map<string, Run>();
  /** Receives `restore:progress` pushes. */
  readonly listeners = new Set<(status: RestoreStatus) => void>();

  constructor(private readonly host: ClusterSource) {}

  /** Plans a restore into `target`; unless dryRun, starts it (or resumes it). */
  async point(targetName: string | undefined, args: RestoreArgs, dryRun: boolean): Promise<{ plan: RestorePlanInfo; started: boolean }> {
    const target = this.host.cluster(targetName);
    // The same command without --restored-ts resumes an interrupted restore at its restored ts.
    const plan = await planRestore(args, (logUrl, snapUrl) => {
      const open = RestoreCheckpoint.all(target.pd).filter((i) => !i.finished_at && i.log_storage === logUrl && i.snapshot_storage === snapUrl);
      const last = open.sort((a, b) => a.started_at.localeCompare(b.started_at))[open.length - 1];
      return last ? BigInt(last.restored_ts) : null;
    });
    if (target.pd.clusterId.toString() === plan.clusterId) {
      throw new PitrError(RestoreErrorCode.NotEmpty, `cluster "${target.name}" is the backup's own source cluster: PiTR restores only into a new, empty cluster; create one with \`pitr cluster create\``);
    }
    const key = `${target.name}/${plan.id}`;
    const running = this.runs.get(key);
    if (running && running.status.state === 'running') return { plan: running.status.plan, started: false };
    const cp = new RestoreCheckpoint(target.pd, plan.id);
    const info = cp.info();
    if (info?.finished_at) {
      throw new PitrError(RestoreErrorCode.NotEmpty, `cluster "${target.name}" was already restored to ${info.restored_ts} from this backup; a restore never applies the same log range twice: create a new cluster to restore again`);
    }
    const resume = info !== null;
    if (!resume && !(await isFresh(target))) {
      throw new PitrError(RestoreErrorCode.NotEmpty, `cluster "${target.name}" is not empty: PiTR restores only into a new, empty cluster; create one with \`pitr cluster create\``);
    }
    const pi = planInfo(plan, resume);
    if (dryRun) return { plan: pi, started: false };
    const status: RestoreStatus = { restore_id: plan.id, target: target.name, state: 'running', progress: idle('plan'), plan: pi, result: null, error: null };
    let lastPush = 0;
    const push = (force: boolean) => {
      if (!force && Date.now() - lastPush < PUSH_INTERVAL_MS) return;
      lastPush = Date.now();
      for (const l of this.listeners) l(status);
    };
    const timer = setInterval(() => push(false), PUSH_INTERVAL_MS);
    timer.unref();
    const done = this.run(target, plan, cp, status)
      .catch((err: unknown) => {
        const e = toErrorObject(err);
        status.state = 'failed';
        status.error = { code: e.code, message: e.message };
      })
      .finally(() => {
        clearInterval(timer);
        push(true);
      });
    this.runs.delete(key); // re-inserted last, so status() finds the newest run of a target last
    this.runs.set(key, { status, done });
    return { plan: pi, started: true };
  }

  private async run(target: Cluster, plan: RestorePlan, cp: RestoreCheckpoint, status: RestoreStatus): Promise<void> {
    const t0 = Date.now();
    const info = cp.info() ?? {
      id: plan.id,
      log_storage: plan.log.url,
      snapshot_storage: plan.snap.url,
      restored_ts: plan.restoredTs.toString(),
      snapshot_ts: plan.snapshotTs.toString(),
      cluster_id: plan.clusterId,
      started_at: new Date().toISOString(),
      finished_at: null,
      snapshot_verification: null,
    };
    cp.saveInfo(info);
    let tables = info.snapshot_verification as TableCheck[] | null;
    // GC is paused on the target while the restore writes (as br does): the log phase applies
    // files in parallel, and GC between an older put and a newer delete could revive a key.
    const gcHold = new GcHold(target.pd, target.pd.gcSafePoint, 'br-restore');
    gcHold.start();
    // Balancing moves whole regions (their rows in memory on both sides): paused while writing.
    const resumeBalance = target.scheduler.pauseBalance();
    let applied;
    try {
      applied = await applyPlan(target, plan, cp, (p) => (status.progress = p), async () => {
        // Checked between the phases, when the target holds exactly the snapshot.
        if (!tables) {
          tables = await checkTables(target, plan.snapshot, plan.skipTableIds);
          cp.saveInfo({ ...info, snapshot_verification: tables });
        }
      });
    } finally {
      gcHold.stop();
      resumeBalance();
    }
    status.progress = { ...status.progress, phase: 'verify' };
    const source = this.host.clusters().find((c) => c !== target && c.pd.clusterId.toString() === plan.clusterId) ?? null;
    const cmp = await compareWithSource(source, target, plan.restoredTs, plan.skipTableIds);
    const checks = tables ?? [];
    const verification: Verification = {
      ok: checks.every((t) => t.ok) && cmp.equal !== false,
      files_verified: applied.filesVerified,
      snapshot_kvs: applied.snapshotKvs,
      log_kvs: applied.logKvs,
      tables: checks,
      source: cmp,
    };
    cp.saveInfo({ ...info, snapshot_verification: checks, finished_at: new Date().toISOString() });
    status.result = {
      restored_ts: plan.restoredTs.toString(),
      snapshot_ts: plan.snapshotTs.toString(),
      kvs: applied.snapshotKvs + applied.logKvs,
      bytes: applied.bytes,
      files: plan.totals.files,
      duration_s: (Date.now() - t0) / 1000,
      verification,
    };
    status.progress = { ...status.progress, phase: 'done', eta_s: 0 };
    status.state = 'succeeded';
  }

  /** The status of a restore (the latest into that target when no id is given). */
  status(targetName: string | undefined, id?: string): RestoreStatus {
    const target = this.host.cluster(targetName);
    const runs = [...this.runs.values()].filter((r) => r.status.target === target.name && (id === undefined || r.status.restore_id === id));
    const run = runs[runs.length - 1];
    if (!run) throw new PitrError(ErrorCode.NotFound, `no restore into cluster "${target.name}" has run since the host started; start one with \`pitr restore point\``);
    return run.status;
  }

  /** Waits for a restore (into `targetName`, else its newest run anywhere) to end (tests, shutdown). */
  async wait(id: string, targetName?: string): Promise<RestoreStatus | null> {
    const runs = [...this.runs.values()].filter((r) => r.status.restore_id === id && (targetName === undefined || r.status.target === targetName));
    const run = runs[runs.length - 1];
    if (!run) return null;
    await run.done;
    return run.status;
  }

  /** `pitr restore verify`: compares the target with the source again. */
  async verify(targetName: string | undefined, id?: string): Promise<Verification> {
    const target = this.host.cluster(targetName);
    const infos = RestoreCheckpoint.all(target.pd).filter((i) => i.finished_at && (id === undefined || i.id === id));
    const info = infos[infos.length - 1];
    if (!info) throw new PitrError(ErrorCode.NotFound, `cluster "${target.name}" holds no finished restore to verify`);
    const tables = (info.snapshot_verification as TableCheck[] | null) ?? [];
    const source = this.host.clusters().find((c) => c !== target && c.pd.clusterId.toString() === info.cluster_id) ?? null;
    const skip = await this.privilegeTableIds(target);
    const cmp = await compareWithSource(source, target, BigInt(info.restored_ts), skip);
    return { ok: tables.every((t) => t.ok) && cmp.equal !== false, files_verified: 0, snapshot_kvs: 0, log_kvs: 0, tables, source: cmp };
  }

  private async privilegeTableIds(c: Cluster): Promise<number[]> {
    const ts = c.pd.tso();
    const db = await c.catalog.database(ts, SYSTEM_DB);
    if (!db) return [];
    return (await c.catalog.tables(ts, db.id)).filter((t) => ['user', 'db', 'tables_priv'].includes(t.name)).map((t) => t.id);
  }
}
