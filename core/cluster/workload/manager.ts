/** Placeholder replaced by the workload implementation. */
import type { Cluster } from '../cluster.ts';

/** Runs workloads against a cluster. */
export class WorkloadManager {
  constructor(readonly cluster: Cluster) {}

  /** Stops every workload. */
  async stopAll(): Promise<void> {}
}
