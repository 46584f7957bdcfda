/**
 * Input schemas of every API channel (`domain:verb`), parsed with zod at every boundary: HTTP,
 * Electron IPC and CLI flags. The handler map type is derived from them and from types.ts.
 */
import { z } from 'zod';
import { clusterName, target, tsText } from './common.ts';
import { WORKLOAD_KINDS } from './types.ts';
import { snapshotSchemas, type SnapshotResponseTypes } from './snapshot.ts';
import { logBackupSchemas, type LogBackupResponseTypes } from './logbackup.ts';
import { restoreSchemas, type RestoreResponseTypes } from './restore.ts';
import { metricsSchemas, type MetricsResponseTypes } from './metrics.ts';
import { browseSchemas, type BrowseResponseTypes } from './browse.ts';
import type {
  ClusterInfo,
  ClusterStatus,
  GcResult,
  HostInfo,
  KvResult,
  ScanResult,
  TsoResult,
  TxnResult,
  WorkloadStatusInfo,
} from './types.ts';

/** Every request channel's input schema. */
export const requestSchemas = {
  'host:info': z.object({}).strict(),
  'cluster:create': z.object({ name: clusterName.optional(), stores: z.number().int().min(1).max(16).default(3) }).strict(),
  'cluster:list': z.object({}).strict(),
  'cluster:status': z.object(target).strict(),
  'cluster:destroy': z.object(target).strict(),
  'cluster:set-clock': z.object({ ...target, speed: z.number().finite().min(0.01).max(100000) }).strict(),
  'cluster:gc': z.object(target).strict(),
  'region:split': z.object({ ...target, key: z.string().min(1).max(4096), raw: z.boolean().default(false) }).strict(),
  'region:transfer-leader': z.object({ ...target, region_id: z.number().int().positive(), store_id: z.number().int().positive() }).strict(),
  'store:kill': z.object({ ...target, store_id: z.number().int().positive() }).strict(),
  'txn:commit': z
    .object({
      ...target,
      puts: z.array(z.object({ key: z.string().min(1).max(4096), value: z.string().max(1 << 20) }).strict()).max(10000).default([]),
      deletes: z.array(z.string().min(1).max(4096)).max(10000).default([]),
      crash_after: z.enum(['prewrite', 'primary']).optional(),
    })
    .strict(),
  'kv:get': z.object({ ...target, key: z.string().min(1).max(4096), ts: tsText.optional(), raw: z.boolean().default(false) }).strict(),
  'kv:scan': z
    .object({
      ...target,
      start: z.string().max(4096).optional(),
      end: z.string().max(4096).optional(),
      ts: tsText.optional(),
      limit: z.number().int().positive().max(1_000_000).default(10_000),
      raw: z.boolean().default(false),
    })
    .strict(),
  'tso:get': z.object(target).strict(),
  'workload:start': z
    .object({
      ...target,
      kind: z.enum(WORKLOAD_KINDS),
      rate: z.number().finite().min(0).max(1_000_000).optional(),
      concurrency: z.number().int().min(1).max(1024).optional(),
      accounts: z.number().int().min(2).max(1_000_000).optional(),
      keys: z.number().int().min(1).max(1_000_000).optional(),
      duration_ms: z.number().int().min(1).max(7 * 24 * 3600 * 1000).optional(),
    })
    .strict(),
  'workload:stop': z.object({ ...target, kind: z.enum(WORKLOAD_KINDS).optional() }).strict(),
  'workload:status': z.object(target).strict(),
  ...snapshotSchemas,
  ...logBackupSchemas,
  ...restoreSchemas,
  ...metricsSchemas,
  ...browseSchemas,
} as const;

/** The channel names. */
export type Channel = keyof typeof requestSchemas;

/** What each channel returns. */
export interface ResponseTypes extends SnapshotResponseTypes, LogBackupResponseTypes, RestoreResponseTypes, MetricsResponseTypes, BrowseResponseTypes {
  'host:info': HostInfo;
  'cluster:create': ClusterInfo;
  'cluster:list': ClusterInfo[];
  'cluster:status': ClusterStatus;
  'cluster:destroy': { name: string };
  'cluster:set-clock': ClusterStatus;
  'cluster:gc': GcResult;
  'region:split': { region_ids: number[] };
  'region:transfer-leader': { region_id: number; store_id: number };
  'store:kill': { store_id: number };
  'txn:commit': TxnResult;
  'kv:get': KvResult;
  'kv:scan': ScanResult;
  'tso:get': TsoResult;
  'workload:start': WorkloadStatusInfo;
  'workload:stop': WorkloadStatusInfo[];
  'workload:status': WorkloadStatusInfo[];
}

/** The typed handler map: channel → (parsed input) → result. */
export type Handlers = {
  [K in Channel]: (input: z.output<(typeof requestSchemas)[K]>) => Promise<ResponseTypes[K]>;
};

/** The input a caller sends on a channel (before defaults are applied). */
export type RequestInput<K extends Channel> = z.input<(typeof requestSchemas)[K]>;

/** The HTTP envelope of every answer. */
export type ApiEnvelope<T> = { ok: true; result: T } | { ok: false; error: { code: string; message: string; details?: Record<string, unknown> } };

/** Formats a zod error as one line a user can act on. */
export function describeZodError(err: z.ZodError): string {
  return err.issues
    .map((i) => {
      const where = i.path.length > 0 ? `${i.path.join('.')}: ` : '';
      return `${where}${i.message}`;
    })
    .join('; ');
}
