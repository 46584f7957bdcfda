/**
 * The snapshot slice (`br backup full` and schedules): the run in progress, its summary, the
 * schedules of the current cluster and the run history.
 */
import { create } from 'zustand';
import type { BackupRunInfo, FullBackupSummary, ScheduleInfo } from '../../core/contract/index.ts';
import { invoke } from '../client/index.ts';
import { currentCluster } from './cluster.ts';
import { failOp, runOp } from './ops.ts';

/** What the snapshot slice holds. */
export interface SnapshotsSlice {
  /** When the manual run started (ms since epoch), while it runs. */
  runningSince: number | null;
  last: FullBackupSummary | null;
  schedules: ScheduleInfo[];
  history: BackupRunInfo[];
}

/** The snapshot store. */
export const useSnapshotsStore = create<SnapshotsSlice>(() => ({ runningSince: null, last: null, schedules: [], history: [] }));

function cluster(): string | undefined {
  return currentCluster() ?? undefined;
}

/** Refreshes schedules and history. */
export async function refreshSnapshots(): Promise<void> {
  const c = cluster();
  if (c === undefined) return useSnapshotsStore.setState({ schedules: [], history: [] });
  try {
    const [schedules, history] = await Promise.all([invoke('backup:schedule-list', { cluster: c }), invoke('backup:history', { cluster: c, limit: 50 })]);
    useSnapshotsStore.setState({ schedules, history });
  } catch (err) {
    failOp('snapshots:refresh', err);
  }
}

/** `br backup full` now; the history shows the run while it goes. */
export async function runSnapshot(storage: string): Promise<void> {
  useSnapshotsStore.setState({ runningSince: Date.now(), last: null });
  void refreshSnapshots();
  const last = await runOp('snapshots:run', () => invoke('backup:full', { cluster: cluster(), storage }));
  useSnapshotsStore.setState({ runningSince: null, last: last ?? null });
  await refreshSnapshots();
}

/** Adds a cron schedule (cluster time). */
export async function addSchedule(cron: string, storage: string): Promise<boolean> {
  const s = await runOp('snapshots:schedule-add', () => invoke('backup:schedule-add', { cluster: cluster(), cron, storage }));
  await refreshSnapshots();
  return s !== undefined;
}

/** Removes a schedule. */
export async function removeSchedule(id: number): Promise<void> {
  await runOp('snapshots:schedule-remove', () => invoke('backup:schedule-remove', { cluster: cluster(), id }));
  await refreshSnapshots();
}
