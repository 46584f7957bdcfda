/**
 * The restore domain of the API contract (`restore:*` channels, as br's `restore point`).
 * TSOs travel as decimal strings.
 */
import { z } from 'zod';
import { storageUrl, target, tsText } from './common.ts';
import type { U64String } from './types.ts';

/** Input schemas of the restore channels. */
export const restoreSchemas = {
  'restore:point': z
    .object({ ...target, storage: storageUrl, full_backup_storage: storageUrl, restored_ts: tsText.optional(), dry_run: z.boolean().default(false) })
    .strict(),
  'restore:status': z.object({ ...target, restore_id: z.string().regex(/^[0-9a-f]{16}$/).optional() }).strict(),
  'restore:verify': z.object({ ...target, restore_id: z.string().regex(/^[0-9a-f]{16}$/).optional() }).strict(),
} as const;

/** Progress of a running restore, by phase (br's Full Restore, Restore Meta Files, Restore KV Files). */
export interface RestoreProgress {
  phase: 'plan' | 'prepare' | 'snapshot' | 'meta' | 'kv' | 'verify' | 'done';
  done_bytes: number;
  total_bytes: number;
  done_files: number;
  total_files: number;
  kvs: number;
  rate_bytes_per_s: number;
  eta_s: number | null;
  elapsed_s: number;
}

/** The plan, as `--dry-run` prints it. */
export interface RestorePlanInfo {
  restore_id: string;
  cluster_id: U64String;
  snapshot_ts: U64String;
  restored_ts: U64String;
  log_min_ts: U64String;
  log_max_ts: U64String;
  snapshot_files: number;
  log_files: number;
  log_blocks: number;
  files: number;
  bytes: number;
  kvs: number;
  estimated_duration_s: number;
  skipped_tables: string[];
  resume: boolean;
}

/** A table's checksum check against the snapshot's backupmeta. */
export interface TableCheck {
  table: string;
  table_id: number;
  expected_kvs: number;
  kvs: number;
  expected_checksum: U64String;
  checksum: U64String;
  ok: boolean;
}

/** The verification report. */
export interface Verification {
  ok: boolean;
  files_verified: number;
  snapshot_kvs: number;
  log_kvs: number;
  /** Per-table checksums after the snapshot phase, against the snapshot's backupmeta. */
  tables: TableCheck[];
  /** The full comparison with the source cluster's MVCC snapshot at the restored ts. */
  source: { compared: boolean; reason: string | null; equal: boolean | null; keys: number; mismatches: Array<{ key: string; source: string | null; restored: string | null }> };
}

/** The result of a finished restore. */
export interface RestoreResult {
  restored_ts: U64String;
  snapshot_ts: U64String;
  kvs: number;
  bytes: number;
  files: number;
  duration_s: number;
  verification: Verification;
}

/** A restore's state. */
export interface RestoreStatus {
  restore_id: string;
  target: string;
  state: 'running' | 'succeeded' | 'failed';
  progress: RestoreProgress;
  plan: RestorePlanInfo;
  result: RestoreResult | null;
  error: { code: string; message: string } | null;
}

/** What each restore channel returns. */
export interface RestoreResponseTypes {
  'restore:point': { plan: RestorePlanInfo; started: boolean };
  'restore:status': RestoreStatus;
  'restore:verify': Verification;
}
