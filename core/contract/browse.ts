/**
 * The backup browser's domain of the API contract: a storage's folders one at a time
 * (`storage:browse`), the decoded metadata of any file (`storage:inspect`), checksum
 * verification (`storage:verify`) and everything the restore timeline draws (`restore:timeline`).
 * TSOs travel as decimal strings; storage URLs in answers never carry credentials.
 */
import { z } from 'zod';
import { storageUrl, target } from './common.ts';
import type { LogWindow } from './logbackup.ts';
import type { U64String } from './types.ts';

/** A folder inside a storage: '' is the root; segments separated by '/', a trailing '/' is allowed. */
const folderPath = z.string().max(4096);

/** Input schemas of the backup browser and timeline channels. */
export const browseSchemas = {
  'storage:browse': z
    .object({
      ...target,
      storage: storageUrl,
      prefix: folderPath.default(''),
      /** Most children returned (folders first, then files); the rest is paged with `after`. */
      limit: z.number().int().positive().max(10_000).default(1000),
      /** Return only children whose name sorts after this one (the `next_after` of a previous page). */
      after: z.string().max(1024).optional(),
    })
    .strict(),
  'storage:inspect': z.object({ ...target, storage: storageUrl, path: z.string().min(1).max(4096) }).strict(),
  'storage:verify': z.object({ ...target, storage: storageUrl, prefix: folderPath.default('') }).strict(),
  'restore:timeline': z.object({ ...target, storage: storageUrl, full_backup_storage: storageUrl.optional() }).strict(),
} as const;

/** What a file is, from its place in the layout of docs/format.md. */
export const BROWSE_FILE_KINDS = [
  'log-backupmeta', // a log backup's identity (backupmeta, kind "log")
  'log-meta', // v1/backupmeta/*.meta: one store flush
  'log-data', // v1/<date>/<hour>/<store>/*.log: zstd blocks
  'log-checkpoint', // v1/global_checkpoint/*.ts
  'log-truncate-safepoint', // v1_stream_truncate_safepoint.txt
  'lock', // backup.lock (the claim), truncating.lock
  'snapshot-backupmeta', // a snapshot's backupmeta (kind "snapshot")
  'snapshot-data', // store<N>/*.sst
  'other', // anything else (probe files, foreign files)
] as const;
/** What a file is. */
export type BrowseFileKind = (typeof BROWSE_FILE_KINDS)[number];

/** What a folder is, from its name in the recommended layout (`backup:propose-layout`). */
export type BrowseFolderKind = 'cluster-backups' | 'log-backup' | 'snapshot' | 'folder';

/** A child folder. */
export interface BrowseFolder {
  name: string;
  /** Path from the storage root, ending with '/': pass it as `prefix` to open it. */
  path: string;
  kind: BrowseFolderKind;
}

/** A child file. */
export interface BrowseFile {
  name: string;
  /** Path from the storage root: pass it to `storage:inspect`. */
  path: string;
  size: number;
  kind: BrowseFileKind;
}

/** One folder of a storage. */
export interface BrowseResult {
  storage: string; // credentials removed
  prefix: string; // normalised: '' or ending with '/'
  folders: BrowseFolder[];
  files: BrowseFile[];
  /** True when more children exist than were returned; page on with `after: next_after`. */
  truncated: boolean;
  next_after: string | null;
}

/** The checksum of a data file: what metadata records against what the file's bytes give. */
export interface ChecksumCheck {
  algorithm: 'sha256';
  /** 'file': sha256 of the stored (compressed) bytes; 'plaintext': of the decompressed bytes. */
  covers: 'file' | 'plaintext';
  expected: string | null; // null: no metadata lists the file
  actual: string;
  ok: boolean | null; // null when nothing was recorded
}

/** One zstd block of a data file, decoded. */
export interface BlockSummary {
  offset: number;
  length: number;
  length_plain: number;
  cf: 'write' | 'default' | null;
  region_id: number | null;
  entries: number;
  recorded_entries: number | null;
  min_key: string | null; // hex
  max_key: string | null;
  min_ts: U64String | null;
  max_ts: U64String | null;
  checksum: ChecksumCheck;
  error: string | null;
}

/** A data file decoded from its own bytes and compared with its metadata. */
export interface DataFileSummary {
  format: 'log' | 'snapshot' | 'unknown';
  compression: 'zstd';
  /** The metadata file that lists this file (a .meta or the snapshot's backupmeta), or null. */
  listed_by: string | null;
  size: number;
  recorded_size: number | null;
  entries: number;
  recorded_entries: number | null;
  min_key: string | null;
  max_key: string | null;
  min_ts: U64String | null;
  max_ts: U64String | null;
  cfs: Array<'write' | 'default'>;
  checksums: ChecksumCheck[];
  blocks: BlockSummary[];
  blocks_omitted: number;
  ok: boolean;
  error: string | null;
}

/** A file's decoded content, bounded in size. */
export interface InspectResult {
  storage: string;
  path: string;
  size: number;
  kind: BrowseFileKind;
  /** Decoded metadata (JSON files, checkpoints, the safepoint), arrays and strings shortened. */
  decoded: unknown;
  /** For data files: a summary decoded from the file itself. */
  data: DataFileSummary | null;
  /** True when `decoded` or `data.blocks` was shortened to keep the answer small. */
  truncated: boolean;
  /** Why the file could not be decoded (damaged JSON, not zstd, ...), or null. */
  error: string | null;
}

/** One file that failed verification. */
export interface VerifyFailure {
  path: string;
  reason: string;
  code: string;
}

/** The outcome of a checksum verification. */
export interface VerifyResult {
  storage: string;
  prefix: string;
  /** The backup roots found (folders holding a backupmeta) and their kind. */
  backups: Array<{ path: string; kind: 'log' | 'snapshot' | 'incomplete-snapshot' }>;
  checked_files: number;
  checked_bytes: number;
  ok: number;
  failed: number;
  /** At most 1000 failures are listed; `failed` counts them all. */
  failures: VerifyFailure[];
  /** Data files no metadata lists (garbage of failed flushes or truncates): not verified. */
  unreferenced: number;
  duration_ms: number;
  /** True when every checked file matched and none is missing. */
  passed: boolean;
}

/** A snapshot on the timeline. */
export interface TimelineSnapshot {
  backup_ts: U64String;
  backup_ms: number;
  storage: string; // credentials removed
  cluster_id: U64String;
  size: number;
  kvs: number;
  files: number;
  finished_at: string;
  /** True when a restore can start from it with this log backup. */
  usable: boolean;
  /** Why it cannot be used (another cluster, before the log's start, ...), or null. */
  reason: string | null;
}

/** A ts interval, both ends inclusive. */
export interface TsInterval {
  from_ts: U64String;
  to_ts: U64String;
}

/** A part of the time axis where no restore is possible, and why. null ends are open (±∞). */
export interface TimelineRefusal {
  from_ts: U64String | null;
  to_ts: U64String | null;
  reason: string;
}

/** Everything the restore timeline draws. */
export interface RestoreTimeline {
  storage: string;
  full_backup_storage: string | null;
  /** As `log:metadata` computes it. */
  window: LogWindow;
  log_min_ts: U64String;
  log_max_ts: U64String;
  truncate_safepoint: U64String | null;
  snapshots: TimelineSnapshot[];
  /** Log coverage: intervals where the log is complete; a restore needs snapshot and target in one band. */
  bands: TsInterval[];
  /** Holes between bands (a data file listed by metadata is missing), with the reason. */
  gaps: Array<TsInterval & { reason: string }>;
  /** Points that can be restored: [usable snapshot ts, band end] per band. */
  restorable: Array<TsInterval & { snapshot_ts: U64String }>;
  earliest_restorable_ts: U64String | null;
  latest_restorable_ts: U64String | null;
  /** The rest of the axis, with why a point there is refused. */
  refusals: TimelineRefusal[];
  /**
   * Every .log file's commit-ts range in physical ms, flat and relative to `base_ms`:
   * [min0, max0, min1, max1, ...], sorted by min. 50,000 files stay well under a megabyte.
   */
  log_files: { count: number; bytes: number; base_ms: number; ranges: number[] };
  /** Damaged or unreadable metadata, incomplete snapshots: what the user should look at. */
  problems: string[];
}

/** What each browse channel returns. */
export interface BrowseResponseTypes {
  'storage:browse': BrowseResult;
  'storage:inspect': InspectResult;
  'storage:verify': VerifyResult;
  'restore:timeline': RestoreTimeline;
}
