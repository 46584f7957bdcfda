/**
 * Result types of the API, shared by the CLI, the HTTP API, Electron IPC and the renderer.
 * TSOs and cluster ids are 64-bit and exceed JavaScript's safe integers, so they travel as
 * decimal strings (as protobuf's JSON mapping carries uint64).
 */

/** A decimal string holding a 64-bit unsigned integer (a TSO or a cluster id). */
export type U64String = string;

/** A cluster as listed. */
export interface ClusterInfo {
  name: string;
  cluster_id: U64String;
  pd: string; // 127.0.0.1:PORT
  stores: StoreSummary[];
}

/** A store as listed. */
export interface StoreSummary {
  store_id: number;
  state: 'Up' | 'Down' | 'Tombstone';
  leader_count: number;
  approximate_keys: number;
  approximate_size: number;
}

/** A region as shown on the Cluster page. */
export interface RegionSummary {
  region_id: number;
  start_key: string; // escaped
  end_key: string; // escaped, '' = +inf
  epoch: { version: number; conf_ver: number };
  leader_store_id: number;
  approximate_keys: number;
  approximate_size: number;
}

/** A service GC safepoint. */
export interface ServiceSafePointInfo {
  service_id: string;
  safe_point: U64String;
  expire_at: string; // ISO, cluster time
}

/** Everything the Cluster page shows. */
export interface ClusterStatus extends ClusterInfo {
  tso: U64String;
  cluster_time: string; // ISO
  clock_speed: number;
  gc_safe_point: U64String;
  gc_life_time_s: number;
  service_safe_points: ServiceSafePointInfo[];
  regions: RegionSummary[];
  last_gc: { at: string; safe_point: U64String; removed_versions: number; resolved_locks: number } | null;
  scheduler_error: string | null;
}

/** The outcome of `pitr txn`. */
export interface TxnResult {
  start_ts: U64String;
  commit_ts: U64String;
}

/** A key and its value (null when absent). */
export interface KvResult {
  key: string;
  value: string | null;
}

/** The outcome of a scan. */
export interface ScanResult {
  ts: U64String;
  pairs: Array<{ key: string; value: string }>;
}

/** A freshly allocated TSO, decoded. */
export interface TsoResult {
  tso: U64String;
  physical: number;
  logical: number;
  time: string; // ISO
}

/** Workload kinds, as in DESIGN.md §3. */
export const WORKLOAD_KINDS = ['bank', 'insert', 'update', 'delete', 'mixed', 'ddl', 'large-txn'] as const;
/** A workload kind. */
export type WorkloadKindName = (typeof WORKLOAD_KINDS)[number];

/** A workload's live figures. */
export interface WorkloadStatusInfo {
  kind: WorkloadKindName;
  state: 'running' | 'stopping' | 'stopped' | 'done' | 'failed';
  target_rate: number;
  concurrency: number;
  committed: number;
  aborted: number;
  errors: number;
  committed_per_sec: number;
  started_at: string;
  last_error: string | null;
  detail?: Record<string, unknown>;
}

/** The outcome of one GC run. */
export interface GcResult {
  safe_point: U64String;
  resolved_locks: number;
  removed_versions: number;
  deleted_ranges: number;
}

/** Facts about the host. */
export interface HostInfo {
  version: string;
  data_dir: string;
  url: string;
  clusters: number;
}
