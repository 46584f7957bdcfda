/**
 * A test cluster builder, in the spirit of TiKV's test suite builder: a fresh cluster in a temp
 * folder with the background scheduler off (tests drive splits, moves and GC by hand).
 *
 *   const t = await testCluster({ stores: 3, clock: new ManualClock() });
 *   try { ... t.cluster.txn ... } finally { await t.close(); }
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Cluster } from '../../core/cluster/cluster.ts';
import type { LockInfo } from '../../core/cluster/store/protocol.ts';
import type { ClusterClock } from '../../core/tso/index.ts';

/** Options of testCluster. */
export interface TestClusterOptions {
  /** Number of stores (default 3). */
  stores?: number;
  /** Injected cluster clock (a ManualClock to control lock TTLs and GC). */
  clock?: ClusterClock;
  /** Cluster name (default "test"). */
  name?: string;
}

/** A running test cluster and the folder it lives in. */
export interface TestCluster {
  cluster: Cluster;
  dir: string;
  /** Closes the current cluster (reopened ones too, when reassigned) and removes the folder. */
  close(): Promise<void>;
  /** Closes the cluster and opens it again from the same folder (same clock unless given). */
  reopen(clock?: ClusterClock): Promise<Cluster>;
}

/** A temp folder under os.tmpdir() for one test. */
export function tempDir(prefix = 'pitr-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Creates a cluster in a fresh temp folder; scheduler disabled. */
export async function testCluster(opts: TestClusterOptions = {}): Promise<TestCluster> {
  const dir = tempDir();
  const clock = opts.clock;
  const name = opts.name ?? 'test';
  let cluster: Cluster;
  try {
    cluster = await Cluster.create(name, dir, opts.stores ?? 3, {
      scheduler: false,
      ...(clock ? { clock } : {}),
    });
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  const t: TestCluster = {
    cluster,
    dir,
    async close() {
      try {
        await t.cluster.close();
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
    async reopen(next?: ClusterClock) {
      await t.cluster.close();
      const c = next ?? clock;
      t.cluster = await Cluster.open(name, dir, { scheduler: false, ...(c ? { clock: c } : {}) });
      return t.cluster;
    },
  };
  return t;
}

/** Polls fn until it returns a truthy value or the deadline passes (then throws). */
export async function waitFor<T>(what: string, fn: () => T | Promise<T>, timeoutMs = 10_000, everyMs = 20): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastErr: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      lastErr = err;
    }
    if (Date.now() >= deadline) {
      const why = lastErr instanceof Error ? `: ${lastErr.message}` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${why}`);
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** A Buffer from a string (test keys and values). */
export function b(s: string): Buffer {
  return Buffer.from(s);
}

/**
 * Splits the user key space at 'ua', 'uh' and 'uq' and scatters the regions, so that keys
 * starting 'ub', 'ui' and 'ur' live in three regions led by three different stores (with 3+).
 */
export async function spreadUserKeys(cluster: Cluster): Promise<void> {
  for (const k of ['ua', 'uh', 'uq']) await cluster.splitAt(b(k));
  await cluster.scatter();
}

/** Every lock on every store (start ts ≤ maxTs), read directly from the stores. */
export async function allLocks(cluster: Cluster, maxTs = (1n << 63n) - 1n): Promise<LockInfo[]> {
  const out: LockInfo[] = [];
  for (const s of cluster.stores()) {
    out.push(...(await s.direct<LockInfo[]>('kvScanLock', { start: Buffer.alloc(0), end: Buffer.alloc(0), maxTs, limit: 1 << 20 })));
  }
  return out;
}
