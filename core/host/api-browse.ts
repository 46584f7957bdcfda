/** Handlers of the backup browser and timeline channels (`storage:browse|inspect|verify`, `restore:timeline`). */
import type { z } from 'zod';
import type { BrowseResponseTypes, browseSchemas } from '../contract/browse.ts';
import { ErrorCode, PitrError } from '../errors.ts';
import type { ClusterHost } from './host.ts';

type BrowseHandlers = {
  [K in keyof typeof browseSchemas]: (input: z.output<(typeof browseSchemas)[K]>) => Promise<BrowseResponseTypes[K]>;
};

function notYet(what: string): never {
  throw new PitrError(ErrorCode.Internal, `${what} is not available in this build yet; update PiTR Studio`);
}

/** Builds the backup browser handlers of a host. */
export function browseHandlers(_host: ClusterHost): BrowseHandlers {
  return {
    'storage:browse': async () => notYet('browsing a storage'),
    'storage:inspect': async () => notYet('inspecting a file'),
    'storage:verify': async () => notYet('verifying a storage'),
    'restore:timeline': async () => notYet('the restore timeline'),
  };
}
