/**
 * The cluster slice: the clusters of the host, the one the pages act on (`current`), its status
 * (stores, regions, TSO clock, GC safepoint) and its workloads. Actions live at module level.
 */
import { create } from 'zustand';
import type { ClusterInfo, ClusterStatus, WorkloadKindName, WorkloadStatusInfo } from '../../core/contract/index.ts';
import { invoke } from '../client/index.ts';
import { failOp, runOp } from './ops.ts';

/** What the cluster slice holds. */
export interface ClusterSlice {
  clusters: ClusterInfo[];
  /** The cluster the pages act on; null when the host has none. */
  current: string | null;
  status: ClusterStatus | null;
  workloads: WorkloadStatusInfo[];
}

const CURRENT_KEY = 'pitr.currentCluster';

/** The cluster store. */
export const useClusterStore = create<ClusterSlice>(() => ({
  clusters: [],
  current: localStorage.getItem(CURRENT_KEY),
  status: null,
  workloads: [],
}));

/** The current cluster's name (for other slices' requests). */
export function currentCluster(): string | null {
  return useClusterStore.getState().current;
}

/** Picks the cluster the pages act on. */
export function selectCluster(name: string | null): void {
  if (name === null) localStorage.removeItem(CURRENT_KEY);
  else localStorage.setItem(CURRENT_KEY, name);
  useClusterStore.setState({ current: name, status: null, workloads: [] });
}

/** Reloads the list; keeps the current cluster when it still exists, else picks the first. */
export async function loadClusters(): Promise<void> {
  try {
    const clusters = await invoke('cluster:list', {});
    const { current } = useClusterStore.getState();
    useClusterStore.setState({ clusters });
    if (current === null || !clusters.some((c) => c.name === current)) selectCluster(clusters[0]?.name ?? null);
  } catch (err) {
    failOp('cluster:list', err);
  }
}

/** Refreshes the current cluster's status and workloads. */
export async function refreshStatus(): Promise<void> {
  const name = currentCluster();
  if (name === null) return;
  try {
    const [status, workloads] = await Promise.all([invoke('cluster:status', { cluster: name }), invoke('workload:status', { cluster: name })]);
    if (currentCluster() === name) useClusterStore.setState({ status, workloads });
  } catch (err) {
    failOp('cluster:status', err);
  }
}

/** Creates a cluster and makes it current. */
export async function createCluster(name: string | undefined, stores: number): Promise<ClusterInfo | undefined> {
  const c = await runOp('cluster:create', () => invoke('cluster:create', { ...(name ? { name } : {}), stores }));
  if (c) {
    await loadClusters();
    selectCluster(c.name);
    await refreshStatus();
  }
  return c;
}

/** Destroys a cluster (its files too). */
export async function destroyCluster(name: string): Promise<void> {
  await runOp('cluster:destroy', () => invoke('cluster:destroy', { cluster: name }));
  await loadClusters();
}

/** Sets the speed of the current cluster's TSO clock (1 = real time). */
export async function setClockSpeed(speed: number): Promise<void> {
  const cluster = currentCluster() ?? undefined;
  const status = await runOp('cluster:set-clock', () => invoke('cluster:set-clock', { cluster, speed }));
  if (status) useClusterStore.setState({ status });
}

/** Runs one GC round now. */
export async function runGc(): Promise<void> {
  const cluster = currentCluster() ?? undefined;
  await runOp('cluster:gc', () => invoke('cluster:gc', { cluster }));
  await refreshStatus();
}

/** Starts a workload on the current cluster. */
export async function startWorkload(kind: WorkloadKindName, rate: number | undefined): Promise<void> {
  const cluster = currentCluster() ?? undefined;
  await runOp('workload:start', () => invoke('workload:start', { cluster, kind, ...(rate !== undefined ? { rate } : {}) }));
  await refreshStatus();
}

/** Stops one workload (or all of them). */
export async function stopWorkload(kind?: WorkloadKindName): Promise<void> {
  const cluster = currentCluster() ?? undefined;
  await runOp('workload:stop', () => invoke('workload:stop', { cluster, ...(kind ? { kind } : {}) }));
  await refreshStatus();
}
