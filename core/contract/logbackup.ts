/**
 * The log backup domain of the API contract (`log:*` channels, as br's `log` family) and the
 * storage connection test. TSOs travel as decimal strings.
 */
import { z } from 'zod';
import { storageUrl, target, tsText } from './common.ts';
import type { U64String } from './types.ts';

const taskName = z.string().min(1).max(64);

/** Input schemas of the log backup channels. */
export const logBackupSchemas = {
  'log:start': z
    .object({ ...target, task_name: taskName, storage: storageUrl, start_ts: tsText.optional(), flush_interval_ms: z.number().int().min(1000).max(3_600_000).optional() })
    .strict(),
  'log:status': z.object({ ...target, task_name: taskName.optional() }).strict(),
  'log:pause': z.object({ ...target, task_name: taskName.optional(), gc_ttl: z.number().int().positive().max(365 * 86400).optional(), message: z.string().max(1024).optional() }).strict(),
  'log:resume': z.object({ ...target, task_name: taskName.optional() }).strict(),
  'log:stop': z.object({ ...target, task_name: taskName.optional() }).strict(),
  'log:truncate': z.object({ ...target, storage: storageUrl, until: tsText, dry_run: z.boolean().default(false) }).strict(),
  'log:metadata': z.object({ ...target, storage: storageUrl }).strict(),
  'log:flush': z.object(target).strict(),
  'log:storage-fault': z
    .object({ ...target, store_id: z.number().int().positive(), op: z.enum(['write', 'read', 'list', 'delete', 'exists', '*']), times: z.number().int().min(0).max(1_000_000) })
    .strict(),
  'storage:test': z.object({ ...target, storage: storageUrl }).strict(),
} as const;

/** A store's last error, as `br log status` shows it. */
export interface LogLastError {
  store_id: number;
  code: string;
  message: string;
  happen_at: string;
}

/** One task as `pitr log status --json` prints it. */
export interface LogTaskStatus {
  name: string;
  status: 'NORMAL' | 'PAUSE' | 'ERROR';
  start_ts: U64String;
  end_ts: U64String;
  storage: string;
  checkpoint: U64String;
  checkpoint_time: string;
  gap_seconds: number;
  speed_est: number;
  flush_interval_ms: number;
  pause_message: string | null;
  stores: Array<{ store_id: number; checkpoint: U64String; last_flush_at: string | null; consecutive_failures: number; last_flush_error: string | null }>;
  last_errors: LogLastError[];
}

/** The restorable window of a log backup (`br log metadata`). */
export interface LogWindow {
  log_min_ts: U64String;
  log_max_ts: U64String;
  log_min_date: string;
  log_max_date: string;
  cluster_id: U64String;
  truncate_safepoint: U64String | null;
}

/** What a truncate removes (or would, with --dry-run). */
export interface TruncateResult {
  until: U64String;
  dry_run: boolean;
  removed_files: Array<{ path: string; size: number; max_ts: U64String }>;
  removed_bytes: number;
  kept_files: number;
  log_min_ts: U64String;
}

/** What one store's flush did (from `log:flush`). */
export interface FlushSummary {
  store_id: number;
  ok: boolean;
  entries: number;
  bytes: number;
  error: string | null;
  store_checkpoint: U64String;
}

/** What each log backup channel returns. */
export interface LogBackupResponseTypes {
  'log:start': LogTaskStatus;
  'log:status': { tasks: LogTaskStatus[] };
  'log:pause': LogTaskStatus;
  'log:resume': LogTaskStatus;
  'log:stop': { name: string; checkpoint: U64String };
  'log:truncate': TruncateResult;
  'log:metadata': LogWindow;
  'log:flush': { checkpoint: U64String; stores: FlushSummary[] };
  'log:storage-fault': { store_id: number; op: string; times: number };
  'storage:test': { ok: true; latency_ms: number; storage: string };
}
