/**
 * The snapshot slice (`br backup full` and schedules): the run in progress, its summary, the
 * schedules of the current cluster and the run history.
 */
import { create } from 'zustand';
import type { BackupRunInfo, FullBackupSummary, ScheduleInfo, SnapshotRunStatus } from '../../core/contract/index.ts';
import { invoke, onPush } from '../client/index.ts';
import { currentCluster } from './cluster.ts';
import { failOp, runOp } from './ops.ts';

/** What the snapshot slice holds. */
export interface SnapshotsSlice {
  /** When the manual run started (ms since epoch), while it runs. */
  runningSince: number | null;
  /** The current cluster's running (or last) snapshot run, manual or scheduled, as pushed. */
  run: SnapshotRunStatus | null;
  last: FullBackupSummary | null;
  schedules: ScheduleInfo[];
  history: BackupRunInfo[];
}

/** The snapshot store. */
export const useSnapshotsStore = create<SnapshotsSlice>(() => ({ runningSince: null, run: null, last: null, schedules: [], history: [] }));

function cluster(): string | undefined {
  return currentCluster() ?? undefined;
}

/** Takes a run's status if it is the current cluster's, and not older than the one held. */
function takeRun(s: SnapshotRunStatus | null): void {
  const held = useSnapshotsStore.getState().run;
  if (s === null) return useSnapshotsStore.setState({ run: null });
  if (s.cluster !== cluster()) return;
  if (held && held.cluster === s.cluster && held.run_id > s.run_id) return;
  if (held && held.run_id === s.run_id && held.state !== 'running' && s.state === 'running') return; // a late push
  useSnapshotsStore.setState({ run: s });
}

/** Follows `backup:progress` pushes (manual and scheduled runs) until the returned stop is called. */
export function followSnapshotRuns(): () => void {
  return onPush('backup:progress', (s) => {
    takeRun(s);
    if (s.state !== 'running' && s.cluster === cluster()) void refreshSnapshots();
  });
}

/** Refreshes schedules, history and the run in progress. */
export async function refreshSnapshots(): Promise<void> {
  const c = cluster();
  if (c === undefined) return useSnapshotsStore.setState({ schedules: [], history: [], run: null });
  try {
    const [schedules, history, run] = await Promise.all([invoke('backup:schedule-list', { cluster: c }), invoke('backup:history', { cluster: c, limit: 50 }), invoke('backup:status', { cluster: c })]);
    useSnapshotsStore.setState({ schedules, history });
    takeRun(run);
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
