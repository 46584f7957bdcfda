/**
 * The snapshot domain of the API contract (`backup:*` channels): `br backup full`, schedules of
 * snapshots (cron in cluster time), the history of runs, and the recommended storage layout.
 * TSOs travel as decimal strings, times as ISO 8601 strings in cluster time.
 */
import { z } from 'zod';
import { storageUrl, target } from './common.ts';
import type { U64String } from './types.ts';

/** Input schemas of the snapshot channels. */
export const snapshotSchemas = {
  'backup:full': z
    .object({
      ...target,
      storage: storageUrl,
      backupts: z.string().min(1).max(64).optional(),
      /** MiB/s per store, as br's --ratelimit. */
      ratelimit: z.number().positive().max(1_000_000).optional(),
    })
    .strict(),
  'backup:schedule-add': z.object({ ...target, cron: z.string().min(1).max(256), storage: storageUrl }).strict(),
  'backup:schedule-list': z.object(target).strict(),
  'backup:schedule-remove': z.object({ ...target, id: z.number().int().positive() }).strict(),
  'backup:history': z.object({ ...target, limit: z.number().int().positive().max(10_000).default(50) }).strict(),
  'backup:propose-layout': z.object({ ...target, base: storageUrl }).strict(),
  'backup:status': z.object(target).strict(),
} as const;

/** The outcome of a snapshot backup, as br's "Full Backup success summary" reports it. */
export interface FullBackupSummary {
  backup_ts: U64String;
  /** Visible KVs backed up (a long value counts once, though it has a write and a default entry). */
  kvs: number;
  /** Bytes of the visible KVs (keys + values), br's total-kv-size. */
  bytes: number;
  /** Bytes stored (zstd-compressed data files). */
  size: number;
  /** Data files written. */
  files: number;
  duration_s: number;
  /** The storage URL, credentials removed. */
  storage: string;
}

/** A snapshot schedule. */
export interface ScheduleInfo {
  id: number;
  cluster: string;
  cron: string;
  /** The cron expression in words ("every day at 00:00"). */
  description: string;
  /** The base storage URL (credentials removed); each run goes to `<base>/backup-<id>/snapshot-...`. */
  storage: string;
  enabled: boolean;
  created_at: string;
  /** Next run in cluster time (ISO), or null when the cluster is not running. */
  next_run: string | null;
}

/** States of a snapshot run; `skipped` is a due run that found another run of its cluster going. */
export type BackupRunState = 'running' | 'succeeded' | 'failed' | 'skipped';

/** One run in the history (scheduled or manual). */
export interface BackupRunInfo {
  id: number;
  /** The schedule that started it; null for a manual `backup full`. */
  schedule_id: number | null;
  cluster: string;
  started_at: string;
  finished_at: string | null;
  state: BackupRunState;
  backup_ts: U64String | null;
  storage: string;
  kvs: number | null;
  bytes: number | null;
  error: string | null;
}

/** How far a snapshot run is (regions, as br's progress bar counts them). */
export interface SnapshotProgress {
  /** Attempt round: ranges left by a round (regions that moved, locks resolved) are retried. */
  round: number;
  regions_done: number;
  /** Regions done plus the regions still to back up (grows when a region splits). */
  regions_total: number;
  kvs: number;
  bytes: number;
  size: number;
  files: number;
  /** regions_done / regions_total (1 once the backupmeta is written). */
  fraction: number;
  elapsed_s: number;
  /** Seconds left at the speed so far; null until a region is done. */
  eta_s: number | null;
}

/** A snapshot run as it goes: pushed as `backup:progress`, read with `backup:status`. */
export interface SnapshotRunStatus {
  /** The run's id in the history. */
  run_id: number;
  cluster: string;
  /** The schedule that started it; null for a manual run. */
  schedule_id: number | null;
  /** The storage URL, credentials removed. */
  storage: string;
  state: 'running' | 'succeeded' | 'failed';
  started_at: string;
  backup_ts: U64String | null;
  progress: SnapshotProgress;
  result: FullBackupSummary | null;
  error: { code: string; message: string } | null;
}

/** The recommended storage URLs of a cluster's backups. */
export interface LayoutProposal {
  log: string;
  snapshot: string;
}

/** What each snapshot channel returns. */
export interface SnapshotResponseTypes {
  'backup:full': FullBackupSummary;
  'backup:schedule-add': ScheduleInfo;
  'backup:schedule-list': ScheduleInfo[];
  'backup:schedule-remove': { id: number };
  'backup:history': BackupRunInfo[];
  'backup:propose-layout': LayoutProposal;
  /** The cluster's running snapshot run, else its last run since the host started, else null. */
  'backup:status': SnapshotRunStatus | null;
}
