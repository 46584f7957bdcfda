/** Handlers of the log backup channels (`log:*`) and the storage connection test. */
import type { LogBackupResponseTypes, logBackupSchemas } from '../contract/logbackup.ts';
import type { z } from 'zod';
import { ErrorCode, PitrError } from '../errors.ts';
import { logMetadata, truncateLog } from '../logbackup/storage-ops.ts';
import { openStorage, testStorage } from '../storage/index.ts';
import { parseTs } from '../tso/index.ts';
import type { ClusterHost } from './host.ts';

type LogHandlers = {
  [K in keyof typeof logBackupSchemas]: (input: z.output<(typeof logBackupSchemas)[K]>) => Promise<LogBackupResponseTypes[K]>;
};

/** Builds the log backup handlers of a host. */
export function logBackupHandlers(host: ClusterHost): LogHandlers {
  const svc = (cluster: string | undefined) => host.logBackup(host.cluster(cluster).name);
  return {
    'log:start': async (i) =>
      svc(i.cluster).start({
        name: i.task_name,
        storage: i.storage,
        ...(i.start_ts !== undefined ? { startTs: parseTs(i.start_ts, 'start-ts') } : {}),
        ...(i.flush_interval_ms !== undefined ? { flushIntervalMs: i.flush_interval_ms } : {}),
      }),
    'log:status': async (i) => {
      const s = svc(i.cluster);
      return { tasks: i.task_name !== undefined ? [s.status(i.task_name)] : s.statusAll() };
    },
    'log:pause': async (i) => svc(i.cluster).pause(i.task_name, i.gc_ttl, i.message),
    'log:resume': async (i) => svc(i.cluster).resume(i.task_name),
    'log:stop': async (i) => svc(i.cluster).stop(i.task_name),
    'log:truncate': async (i) => truncateLog(openStorage(i.storage), parseTs(i.until, 'until'), i.dry_run),
    'log:metadata': async (i) => logMetadata(openStorage(i.storage)),
    'log:flush': async (i) => {
      const s = svc(i.cluster);
      s.status(); // a clear error when there is no task
      const reports = await s.flushAll();
      return {
        checkpoint: s.globalCheckpoint.toString(),
        stores: reports.map((r) => ({ store_id: r.store_id, ok: r.ok, entries: r.entries, bytes: r.bytes, error: r.error?.message ?? null, store_checkpoint: r.store_checkpoint })),
      };
    },
    'log:storage-fault': async (i) => {
      const c = host.cluster(i.cluster);
      if (!c.stores().some((s) => s.storeId === i.store_id)) {
        throw new PitrError(ErrorCode.NotFound, `store ${i.store_id} does not exist in cluster "${c.name}"`);
      }
      await host.logBackup(c.name).storageFault(i.store_id, i.op, i.times);
      return { store_id: i.store_id, op: i.op, times: i.times };
    },
    'storage:test': async (i) => {
      const storage = openStorage(i.storage);
      const r = await testStorage(storage);
      return { ok: true, latency_ms: r.latency_ms, storage: storage.url };
    },
  };
}
