/** Handlers of the metrics channels (`metrics:*`): history, alert states, panels and exports. */
import type { z } from 'zod';
import type { MetricsResponseTypes, metricsSchemas } from '../contract/metrics.ts';
import { ErrorCode, PitrError } from '../errors.ts';
import { BACKUP_LOG_PANELS } from '../metrics/panels.ts';
import type { ClusterHost } from './host.ts';

type MetricsHandlers = {
  [K in keyof typeof metricsSchemas]: (input: z.output<(typeof metricsSchemas)[K]>) => Promise<MetricsResponseTypes[K]>;
};

function notYet(what: string): never {
  throw new PitrError(ErrorCode.Internal, `${what} is not available in this build yet; update PiTR Studio`);
}

/** Builds the metrics handlers of a host. */
export function metricsHandlers(host: ClusterHost): MetricsHandlers {
  return {
    'metrics:history': async (i) => {
      host.cluster(i.cluster);
      return notYet('metrics history');
    },
    'metrics:alerts': async (i) => {
      host.cluster(i.cluster);
      return notYet('alert evaluation');
    },
    'metrics:panels': async () => ({ panels: [...BACKUP_LOG_PANELS] }),
    'metrics:export': async () => notYet('export'),
  };
}
