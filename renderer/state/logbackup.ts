/**
 * The log backup slice (`br log ...`): the tasks of the current cluster with per-store
 * checkpoints, the restorable window of the task's storage, the wizard's connection test, and
 * the truncate preview (dry run first, then the real truncate).
 */
import { create } from 'zustand';
import type { LogTaskStatus, LogWindow, TruncateResult } from '../../core/contract/index.ts';
import { invoke } from '../client/index.ts';
import { currentCluster } from './cluster.ts';
import { failOp, runOp } from './ops.ts';

/** What the log backup slice holds. */
export interface LogBackupSlice {
  tasks: LogTaskStatus[];
  /** Loaded once per refresh from the first task's storage (`br log metadata`). */
  window: LogWindow | null;
  /** The last connection test of the wizard, for the URL it tested. */
  test: { storage: string; latency_ms: number } | null;
  /** The dry run the user is looking at; the confirm button truncates exactly this. */
  preview: { storage: string; until: string; result: TruncateResult } | null;
  /** The last real truncate. */
  truncated: TruncateResult | null;
}

/** The log backup store. */
export const useLogBackupStore = create<LogBackupSlice>(() => ({ tasks: [], window: null, test: null, preview: null, truncated: null }));

function cluster(): string | undefined {
  return currentCluster() ?? undefined;
}

/** Refreshes the tasks (and the window of the first task's storage). */
export async function refreshLogStatus(): Promise<void> {
  const c = cluster();
  if (c === undefined) return useLogBackupStore.setState({ tasks: [], window: null });
  try {
    const { tasks } = await invoke('log:status', { cluster: c });
    useLogBackupStore.setState({ tasks });
  } catch (err) {
    failOp('logbackup:status', err);
  }
}

/** Loads the restorable window of a storage. */
export async function loadWindow(storage: string): Promise<void> {
  const window = await runOp('logbackup:window', () => invoke('log:metadata', { cluster: cluster(), storage }));
  useLogBackupStore.setState({ window: window ?? null });
}

/** The wizard's "Test connection": writes, reads and deletes a probe object. */
export async function testStorage(storage: string): Promise<boolean> {
  useLogBackupStore.setState({ test: null });
  const r = await runOp('logbackup:test', () => invoke('storage:test', { cluster: cluster(), storage }));
  if (r) useLogBackupStore.setState({ test: { storage, latency_ms: r.latency_ms } });
  return r !== undefined;
}

/** Forgets the last connection test (the URL changed). */
export function resetStorageTest(): void {
  useLogBackupStore.setState({ test: null });
}

/** `br log start`. */
export async function startLogBackup(taskName: string, storage: string, startTs: string | undefined): Promise<boolean> {
  const r = await runOp('logbackup:start', () =>
    invoke('log:start', { cluster: cluster(), task_name: taskName, storage, ...(startTs ? { start_ts: startTs } : {}) }),
  );
  await refreshLogStatus();
  return r !== undefined;
}

/** `br log pause`, `resume` or `stop` of one task. */
export async function controlTask(verb: 'pause' | 'resume' | 'stop', taskName: string): Promise<void> {
  const input = { cluster: cluster(), task_name: taskName };
  await runOp(`logbackup:${verb}`, () => (verb === 'pause' ? invoke('log:pause', input) : verb === 'resume' ? invoke('log:resume', input) : invoke('log:stop', input)));
  await refreshLogStatus();
}

/** `br log truncate --dry-run`: what would go. */
export async function previewTruncate(storage: string, until: string): Promise<void> {
  useLogBackupStore.setState({ preview: null, truncated: null });
  const result = await runOp('logbackup:truncate', () => invoke('log:truncate', { cluster: cluster(), storage, until, dry_run: true }));
  if (result) useLogBackupStore.setState({ preview: { storage, until, result } });
}

/** Truncates exactly what the preview showed. */
export async function confirmTruncate(): Promise<void> {
  const p = useLogBackupStore.getState().preview;
  if (!p) return;
  const result = await runOp('logbackup:truncate', () => invoke('log:truncate', { cluster: cluster(), storage: p.storage, until: p.until, dry_run: false }));
  if (result) useLogBackupStore.setState({ preview: null, truncated: result });
}

/** Drops the preview (the inputs changed). */
export function cancelTruncate(): void {
  useLogBackupStore.setState({ preview: null });
}
