/** Shared helpers of the workload tests: a throwaway cluster and polling with a deadline. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Cluster } from '../../../core/cluster/cluster.ts';
import type { WorkloadKind, WorkloadStatus } from '../../../core/cluster/workload/manager.ts';

/** Runs fn against a fresh 3-store cluster (no background schedulers), then closes and removes it. */
export async function withCluster(fn: (c: Cluster) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'wl-'));
  const c = await Cluster.create('t', dir, 3, { scheduler: false });
  try {
    await fn(c);
  } finally {
    await c.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Polls cond every few ms until it holds; fails with `what` after timeoutMs. */
export async function waitFor(what: string, cond: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The status of one kind, or a failure naming what is there instead. */
export function statusOf(c: Cluster, kind: WorkloadKind): WorkloadStatus {
  const s = c.workloads.status().find((x) => x.kind === kind);
  if (!s) throw new Error(`no ${kind} workload in status(): ${JSON.stringify(c.workloads.status())}`);
  return s;
}
