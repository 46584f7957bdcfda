/** The handlers of the snapshot channels (`backup:*`), merged into the host's handler map. */
import type { Handlers } from '../contract/schemas.ts';
import type { SnapshotResponseTypes } from '../contract/snapshot.ts';
import { proposeLayout } from '../storage/layout.ts';
import { snapshotService } from '../snapshot/service.ts';
import type { ClusterSource } from '../snapshot/service.ts';
import { parseTs } from '../tso/index.ts';

// br's --ratelimit is in MiB/s.
const MIB = 1024 * 1024;

/** The snapshot handlers of a host. */
export function snapshotHandlers(host: ClusterSource): Pick<Handlers, keyof SnapshotResponseTypes> {
  const svc = () => snapshotService(host);
  return {
    'backup:full': async (i) => {
      const backupTs = i.backupts === undefined ? undefined : parseTs(i.backupts, '--backupts');
      const rateLimit = i.ratelimit === undefined ? undefined : i.ratelimit * MIB;
      const { meta: _meta, ...summary } = await svc().backupNow(i.cluster, i.storage, {
        ...(backupTs !== undefined ? { backupTs } : {}),
        ...(rateLimit !== undefined ? { rateLimit } : {}),
      });
      return summary;
    },
    'backup:schedule-add': async (i) => svc().addSchedule(i.cluster, i.cron, i.storage),
    'backup:schedule-list': async (i) => svc().listSchedules(i.cluster),
    'backup:schedule-remove': async (i) => svc().removeSchedule(i.cluster, i.id),
    'backup:history': async (i) => svc().history(i.cluster, i.limit),
    'backup:status': async (i) => svc().status(i.cluster),
    'backup:propose-layout': async (i) => {
      const c = host.cluster(i.cluster);
      return proposeLayout(i.base, c.pd.clusterId, c.pd.clock.now());
    },
  };
}
