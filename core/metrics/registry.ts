/**
 * The Prometheus exposition of one or several clusters, through prom-client's Registry: one
 * registered metric per definition whose values are collected from the clusters at scrape
 * time (so a scrape always shows the running state, never a cached copy).
 */
import { Registry } from 'prom-client';
import type { Metric } from 'prom-client';
import { METRIC_DEFS } from './definitions.ts';
import type { MetricDef } from './definitions.ts';
import type { ClusterMetrics } from './cluster-metrics.ts';

/** The content type of the text format. */
export const METRICS_CONTENT_TYPE = Registry.PROMETHEUS_CONTENT_TYPE;

// prom-client's registry takes any object with a name and an async get() returning the
// metric's values in its own shape; histograms carry their _bucket/_sum/_count series as
// `metricName`, exactly as prom-client's Histogram does.
function collected(def: MetricDef, sources: () => ClusterMetrics[]): Metric {
  const metric = {
    name: def.name,
    help: def.help,
    type: def.type,
    aggregator: 'sum',
    get: async () => ({
      name: def.name,
      help: def.help,
      type: def.type,
      aggregator: 'sum',
      values: sources().flatMap((c) => c.values(def).map((v) => ({ metricName: v.metricName, labels: v.labels, value: v.value }))),
    }),
  };
  return metric as unknown as Metric;
}

/** A registry that exposes every metric of the clusters `sources` returns. */
export function metricsRegistry(sources: () => ClusterMetrics[]): Registry {
  const registry = new Registry();
  for (const def of METRIC_DEFS) registry.registerMetric(collected(def, sources));
  return registry;
}
