/** Handlers of the metrics channels (`metrics:*`): history, alert states, panels and exports. */
import type { z } from 'zod';
import type { MetricsResponseTypes, metricsSchemas } from '../contract/metrics.ts';
import { exportFile, historyQuery, resolveRange, toMs } from '../metrics/exports.ts';
import { BACKUP_LOG_PANELS } from '../metrics/panels.ts';
import type { ClusterHost } from './host.ts';

type MetricsHandlers = {
  [K in keyof typeof metricsSchemas]: (input: z.output<(typeof metricsSchemas)[K]>) => Promise<MetricsResponseTypes[K]>;
};

/** Builds the metrics handlers of a host. */
export function metricsHandlers(host: ClusterHost): MetricsHandlers {
  return {
    'metrics:history': async (i) => {
      const c = host.cluster(i.cluster);
      return historyQuery(host.metrics.history, c.name, c.pd.clock.now(), i);
    },
    'metrics:alerts': async (i) => {
      const c = host.cluster(i.cluster);
      if (i.at === undefined) return host.metrics.alertsResult(c.name);
      const at = toMs(i.at, 'at');
      const tracker = host.metrics.replay(c.name, at);
      return { cluster: c.name, at_ms: tracker.evaluatedAt ?? at, alerts: tracker.states() };
    },
    'metrics:panels': async () => ({ panels: [...BACKUP_LOG_PANELS] }),
    'metrics:export': async (i) => {
      if (i.kind !== 'grafana-snapshot') return exportFile(i.kind);
      const c = host.cluster(i.cluster);
      return exportFile(i.kind, { h: host.metrics.history, cluster: c.name, ...resolveRange(c.pd.clock.now(), i) });
    },
  };
}
