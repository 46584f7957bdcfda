/**
 * Where a log backup task lives in PD's metadata store: under `/tidb/br-stream/`, as TiDB
 * keeps it in PD's etcd. Values are JSON or decimal TSOs.
 */

const ROOT = '/tidb/br-stream';

/** Metadata-store keys of a task. */
export const TaskKeys = {
  infoPrefix: `${ROOT}/info/`,
  info: (task: string) => `${ROOT}/info/${task}`,
  pause: (task: string) => `${ROOT}/pause/${task}`,
  lastErrorPrefix: (task: string) => `${ROOT}/last-error/${task}/`,
  lastError: (task: string, store: number) => `${ROOT}/last-error/${task}/${store}`,
  storeCheckpointPrefix: (task: string) => `${ROOT}/checkpoint/${task}/store/`,
  storeCheckpoint: (task: string, store: number) => `${ROOT}/checkpoint/${task}/store/${store}`,
  regionCheckpointPrefix: (task: string) => `${ROOT}/checkpoint/${task}/region/`,
  regionCheckpoint: (task: string, region: number) => `${ROOT}/checkpoint/${task}/region/${region}`,
  globalCheckpoint: (task: string) => `${ROOT}/checkpoint/${task}/central_global`,
  taskPrefixes: (task: string) => [`${ROOT}/info/${task}`, `${ROOT}/pause/${task}`, `${ROOT}/last-error/${task}/`, `${ROOT}/checkpoint/${task}/`],
};

/** Service GC safepoint ids of a task. */
export const SafePointIds = {
  /** Held at the global checkpoint while the task runs (TiDB's log-backup-coordinator). */
  coordinator: (task: string) => `log-backup-coordinator-${task}`,
  /** Held at start ts until the stores take over (br registers it at start, TTL 30 min). */
  start: (task: string) => `br-log-start-${task}`,
  /** Held while the task is paused (by `log pause` or a fatal error). */
  pauseGuard: (task: string) => `log-pause-guard-${task}`,
};

/** A task's info as stored in PD (its storage URL may hold credentials: never shown as is). */
export interface TaskInfo {
  name: string;
  storage: string;
  start_ts: string;
  end_ts: string;
  cluster_id: string;
  created_at: string;
  flush_interval_ms: number;
}

/** A store's last error, as `br log status` shows it. */
export interface LastError {
  store_id: number;
  code: string;
  message: string;
  happen_at: string;
}

/** The pause record. */
export interface PauseInfo {
  message: string;
  by_error: boolean;
  at: string;
}
