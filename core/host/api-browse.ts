/** Handlers of the backup browser and timeline channels (`storage:browse|inspect|verify`, `restore:timeline`). */
import type { z } from 'zod';
import { browseFolder } from '../browse/list.ts';
import { inspectFile } from '../browse/inspect.ts';
import { parentStorageUrl } from '../browse/snapshots.ts';
import { buildTimeline } from '../browse/timeline.ts';
import { verifyStorage } from '../browse/verify.ts';
import type { BrowseResponseTypes, browseSchemas } from '../contract/browse.ts';
import { snapshotService } from '../snapshot/service.ts';
import { closeStorage, openStorage } from '../storage/index.ts';
import type { BackupStorage } from '../storage/storage.ts';
import type { ClusterHost } from './host.ts';

type BrowseHandlers = {
  [K in keyof typeof browseSchemas]: (input: z.output<(typeof browseSchemas)[K]>) => Promise<BrowseResponseTypes[K]>;
};

async function withStorage<T>(url: string, fn: (s: BackupStorage) => Promise<T>): Promise<T> {
  const storage = openStorage(url);
  try {
    return await fn(storage);
  } finally {
    closeStorage(storage);
  }
}

/**
 * Where to look for snapshots when none is named: beside the log backup in the recommended
 * layout (`backup-<id>/log-backup` → `backup-<id>/`), and the storages of the cluster's
 * successful snapshot runs (`backup:history`).
 */
function snapshotSources(host: ClusterHost, logUrl: string, cluster: string | undefined): string[] {
  const out: string[] = [];
  const q = logUrl.indexOf('?');
  const parent = parentStorageUrl(logUrl);
  if (parent !== null && /\/log-backup\/*$/.test(q < 0 ? logUrl : logUrl.slice(0, q))) out.push(parent);
  if (cluster !== undefined) {
    const runs = snapshotService(host).history(cluster, 10_000);
    for (const r of runs) if (r.state === 'succeeded' && !out.includes(r.storage)) out.push(r.storage);
  }
  return out;
}

/** Builds the backup browser handlers of a host. */
export function browseHandlers(host: ClusterHost): BrowseHandlers {
  return {
    'storage:browse': async (i) => withStorage(i.storage, (s) => browseFolder(s, i.prefix, i.limit, i.after)),
    'storage:inspect': async (i) => withStorage(i.storage, (s) => inspectFile(s, i.path)),
    'storage:verify': async (i) => withStorage(i.storage, (s) => verifyStorage(s, i.prefix)),
    'restore:timeline': async (i) => {
      if (i.cluster !== undefined) host.cluster(i.cluster); // a clear error for an unknown cluster
      return buildTimeline(i.storage, {
        ...(i.full_backup_storage === undefined ? {} : { fullBackupStorage: i.full_backup_storage }),
        more: i.full_backup_storage === undefined ? snapshotSources(host, i.storage, i.cluster) : [],
      });
    },
  };
}
