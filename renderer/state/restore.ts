/**
 * The restore slice: the storages, the timeline (`restore:timeline`), the picked point (judged
 * and clamped here, as the picker refuses what br would refuse), the plan (`restore:point` with
 * dry_run), the run into a new target cluster with its progress (`restore:progress` pushes and
 * `restore:status`), and the verification report.
 */
import { create } from 'zustand';
import type { RestorePlanInfo, RestoreStatus, RestoreTimeline, Verification } from '../../core/contract/index.ts';
import { ApiError, invoke, onPush } from '../client/index.ts';
import { modelFromTimeline, type TimelineModel } from '../timeline/model.ts';
import { judgePoint, type TimelineSnapshot } from '../timeline/restorable.ts';
import { currentCluster, loadClusters, useClusterStore } from './cluster.ts';
import { runOp } from './ops.ts';
import { isRedacted, parentUrl, targetClusterName, withCredentials } from './restore-urls.ts';

/** What the restore slice holds. */
export interface RestoreSlice {
  logStorage: string;
  snapshotStorage: string;
  timeline: RestoreTimeline | null;
  model: TimelineModel | null;
  /** The picked point after clamping; null until a timeline is loaded. */
  picked: bigint | null;
  /** Why the point the user asked for was refused (the picked point is then the nearest usable one). */
  refusal: string | null;
  /** The snapshot a restore at `picked` starts from. */
  snapshot: TimelineSnapshot | null;
  target: string;
  plan: RestorePlanInfo | null;
  status: RestoreStatus | null;
  verification: Verification | null;
}

/** The restore store. */
export const useRestoreStore = create<RestoreSlice>(() => ({
  logStorage: '',
  snapshotStorage: '',
  timeline: null,
  model: null,
  picked: null,
  refusal: null,
  snapshot: null,
  target: targetClusterName(),
  plan: null,
  status: null,
  verification: null,
}));

const set = useRestoreStore.setState;
const get = useRestoreStore.getState;

/** Sets a storage field or the target name; a changed input forgets the plan made from the old one. */
export function setRestoreField(field: 'logStorage' | 'snapshotStorage' | 'target', value: string): void {
  set({ [field]: value, plan: null } as Partial<RestoreSlice>);
}

/** Fills the storages from the current cluster: its log backup task and its latest snapshot run. */
export async function suggestStorages(): Promise<void> {
  const cluster = currentCluster();
  if (cluster === null) return;
  await runOp('restore:suggest', async () => {
    const [log, runs, schedules] = await Promise.all([
      invoke('log:status', { cluster }),
      invoke('backup:history', { cluster, limit: 50 }),
      invoke('backup:schedule-list', { cluster }),
    ]);
    const task = log.tasks[0];
    const lastSnap = runs.find((r) => r.state === 'succeeded');
    // The snapshots' parent folder holds every snapshot of the cluster: the timeline shows them all.
    // Without a finished run, a schedule's base folder is where its snapshots will be.
    const snapBase = lastSnap ? (parentUrl(lastSnap.storage) ?? lastSnap.storage) : schedules[0]?.storage;
    if (!task && snapBase === undefined) {
      throw new ApiError('PiTR:Restore:NoBackups', `cluster "${cluster}" has no log backup task and no snapshot yet: start a log backup and take a snapshot first, or type the storage URLs`);
    }
    const { logStorage, snapshotStorage } = get();
    const typed = [logStorage, snapshotStorage];
    const logUrl = task ? (withCredentials(task.storage, typed) ?? task.storage) : logStorage;
    const snapUrl = snapBase !== undefined ? (withCredentials(snapBase, typed) ?? snapBase) : snapshotStorage;
    set({ logStorage: logUrl, snapshotStorage: snapUrl, plan: null });
    if (isRedacted(logUrl) || isRedacted(snapUrl)) {
      throw new ApiError('PiTR:Restore:NeedCredentials', 'the backups are on S3 and the host never sends keys back: replace the *** in the storage URLs with the access-key and secret-access-key');
    }
  });
}

/** Loads the timeline of the storages and picks the latest restorable point (br's default). */
export async function loadTimeline(): Promise<void> {
  const { logStorage, snapshotStorage } = get();
  const cluster = currentCluster() ?? undefined;
  const timeline = await runOp('restore:timeline', () =>
    invoke('restore:timeline', { cluster, storage: logStorage.trim(), ...(snapshotStorage.trim() ? { full_backup_storage: snapshotStorage.trim() } : {}) }),
  );
  if (!timeline) return;
  const model = modelFromTimeline(timeline);
  set({ timeline, model, plan: null, status: null, verification: null, picked: null, refusal: null, snapshot: null });
  if (model.window.logMaxTs !== null) pickPoint(model.window.logMaxTs);
}

/** Picks a point: kept if restorable, else clamped to the nearest restorable point with the reason. */
export function pickPoint(ts: bigint): void {
  const { model, picked } = get();
  if (!model) return;
  const j = judgePoint(model.window, ts);
  if (j.ok) {
    if (picked !== j.ts) set({ picked: j.ts, refusal: null, snapshot: j.snapshot, plan: null });
    else set({ refusal: null });
    return;
  }
  const near = j.nearest === null ? null : judgePoint(model.window, j.nearest);
  set({ picked: j.nearest, refusal: j.reason, snapshot: near?.ok ? near.snapshot : null, plan: null });
}

/** The snapshot storage URL to restore from (credentials from what the user typed). */
function snapshotUrl(): string {
  const { snapshot, snapshotStorage, logStorage } = get();
  if (!snapshot) throw new ApiError('PiTR:Restore:NoPoint', 'pick a restorable point on the timeline first');
  const url = withCredentials(snapshot.storage, [snapshotStorage, logStorage]);
  if (url === null) {
    throw new ApiError('PiTR:Restore:NeedCredentials', `the snapshot ${snapshot.storage} needs credentials: type the snapshot storage URL with its access-key and secret-access-key`);
  }
  return url;
}

/** Creates the target cluster unless it exists (a restore goes only into a new, empty cluster). */
async function ensureTarget(name: string): Promise<void> {
  const clusters = await invoke('cluster:list', {});
  if (clusters.some((c) => c.name === name)) return;
  const source = useClusterStore.getState().status;
  await invoke('cluster:create', { name, stores: source?.stores.length || 3 });
  await loadClusters();
}

/** `restore point --dry-run` into the target (created first when new): the plan, nothing written. */
export async function planRestore(): Promise<void> {
  const { picked, target, logStorage } = get();
  const plan = await runOp('restore:plan', async () => {
    if (picked === null) throw new ApiError('PiTR:Restore:NoPoint', 'pick a restorable point on the timeline first');
    const full = snapshotUrl();
    await ensureTarget(target);
    const r = await invoke('restore:point', { cluster: target, storage: logStorage.trim(), full_backup_storage: full, restored_ts: picked.toString(), dry_run: true });
    return r.plan;
  });
  if (plan) set({ plan, status: null, verification: null });
}

let stopPushes: (() => void) | null = null;

function follow(status: RestoreStatus): void {
  const { status: cur, target } = get();
  if (status.target !== target || (cur && cur.restore_id !== status.restore_id)) return;
  set({ status, verification: status.result?.verification ?? get().verification });
  if (status.state !== 'running') {
    stopPushes?.();
    stopPushes = null;
  }
}

/** Starts the restore into the target; progress arrives as pushes (and by polling as a fallback). */
export async function startRestore(): Promise<void> {
  const { picked, target, logStorage } = get();
  const r = await runOp('restore:start', async () => {
    if (picked === null) throw new ApiError('PiTR:Restore:NoPoint', 'pick a restorable point on the timeline first');
    const full = snapshotUrl();
    await ensureTarget(target);
    stopPushes ??= onPush('restore:progress', follow);
    return invoke('restore:point', { cluster: target, storage: logStorage.trim(), full_backup_storage: full, restored_ts: picked.toString(), dry_run: false });
  });
  if (!r) return;
  set({ plan: r.plan, verification: null });
  await refreshRestoreStatus(r.plan.restore_id);
}

/** Polls `restore:status` (the pushes can be missed across a reconnect). */
export async function refreshRestoreStatus(id?: string): Promise<void> {
  const { target, status } = get();
  const restoreId = id ?? status?.restore_id;
  try {
    const s = await invoke('restore:status', { cluster: target, ...(restoreId ? { restore_id: restoreId } : {}) });
    if (id !== undefined) set({ status: s });
    follow(s);
  } catch (_err) {
    // No restore yet into this target (or the host is away): the page keeps what it had.
  }
}

/** `restore verify`: compares the target with the source at the restored ts again. */
export async function verifyAgain(): Promise<void> {
  const { target, status } = get();
  const v = await runOp('restore:verify', () => invoke('restore:verify', { cluster: target, ...(status ? { restore_id: status.restore_id } : {}) }));
  if (v) set({ verification: v });
}

/** Starts over with a fresh target name (a restore never goes twice into one cluster). */
export function newTarget(): void {
  set({ target: targetClusterName(), plan: null, status: null, verification: null });
}
