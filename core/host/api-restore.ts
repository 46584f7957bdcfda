/** Handlers of the restore channels (`restore:*`). */
import type { z } from 'zod';
import type { RestoreResponseTypes, restoreSchemas } from '../contract/restore.ts';
import { parseTs } from '../tso/index.ts';
import type { ClusterHost } from './host.ts';

type RestoreHandlers = {
  [K in keyof typeof restoreSchemas]: (input: z.output<(typeof restoreSchemas)[K]>) => Promise<RestoreResponseTypes[K]>;
};

/** Builds the restore handlers of a host. */
export function restoreHandlers(host: ClusterHost): RestoreHandlers {
  return {
    'restore:point': async (i) =>
      host.restore.point(
        i.cluster,
        {
          logStorage: i.storage,
          snapStorage: i.full_backup_storage,
          ...(i.restored_ts !== undefined ? { restoredTs: parseTs(i.restored_ts, 'restored-ts') } : {}),
        },
        i.dry_run,
      ),
    'restore:status': async (i) => host.restore.status(i.cluster, i.restore_id),
    'restore:verify': async (i) => host.restore.verify(i.cluster, i.restore_id),
  };
}
