/**
 * What crosses between the host and a store worker during a snapshot backup. The store runs
 * the backup as a job (started by `snapshotBackup`, drained by `snapshotBackupPoll`) because
 * store requests are synchronous inside the worker while writing to storage is not; polling
 * also gives the host per-region progress as TiKV's streamed BackupResponses do.
 */
import type { ErrorObject } from '../errors.ts';
import type { LockInfo } from '../cluster/store/protocol.ts';

/** A range of a region to back up: the host clamps regions to what is still missing. */
export interface RegionTask {
  regionId: number;
  start: Uint8Array;
  /** Empty = +infinity. */
  end: Uint8Array;
}

/** Arguments of `snapshotBackup`. */
export interface SnapshotBackupArgs {
  /** Where the files go (the worker opens it itself; S3 works from a worker too). */
  storageUrl: string;
  backupTs: bigint;
  regions: RegionTask[];
  /** Path prefix inside the storage ('' for its root). */
  prefix: string;
  /** Plaintext bytes per second this store may back up (br's --ratelimit); unlimited when absent. */
  rateLimit?: number;
}

/** One data file written by a store, as recorded in the backupmeta. */
export interface SnapshotFileInfo {
  /** Path relative to the storage root: `store<N>/<region>_<epoch>_<hash>_<ts>_<cf>.sst`. */
  name: string;
  store_id: number;
  region_id: number;
  cf: 'default' | 'write';
  /** Hex of the range backed up; end '' = +infinity. */
  start_key: string;
  end_key: string;
  /** Stored (compressed) bytes. */
  size: number;
  /** sha256 of the plaintext (what openBlock checks). */
  sha256: string;
  /** Entries in the file. */
  kvs: number;
  /** Plaintext bytes. */
  bytes: number;
  /** ts range of the entries (commit ts in `write`, start ts in `default`), decimal strings. */
  min_ts: string;
  max_ts: string;
  /** Tables whose keys the file holds. */
  table_ids: number[];
}

/** Per-table figures of the visible KVs: count, key+value bytes and the kvChecksum XOR. */
export interface TableStat {
  table_id: number;
  kvs: number;
  bytes: number;
  checksum: bigint;
}

/** The outcome of one region on a store. */
export type RegionOutcome =
  | {
      kind: 'done';
      regionId: number;
      epochVersion: number;
      start: Uint8Array;
      end: Uint8Array;
      files: SnapshotFileInfo[];
      tables: TableStat[];
      /** Visible KVs, their key+value bytes and checksum (table keys or not). */
      kvs: number;
      bytes: number;
      checksum: bigint;
    }
  /** Locks of transactions at or before the backup ts: the host resolves them and retries. */
  | { kind: 'locked'; regionId: number; locks: LockInfo[] }
  /** Not led here (moved, split, or the store restarted): the host retries with a fresh route. */
  | { kind: 'skipped'; regionId: number; reason: string };

/** What `snapshotBackupPoll` returns: outcomes since the previous poll, and the job's state. */
export interface SnapshotPoll {
  state: 'running' | 'done' | 'failed';
  outcomes: RegionOutcome[];
  error?: ErrorObject;
}
