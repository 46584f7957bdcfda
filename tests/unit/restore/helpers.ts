/**
 * Helpers of the restore tests: an in-process ClusterHost in a temp folder (reopenable, as a
 * host restart), a seeded PRNG, the raw MVCC snapshot of a cluster minus the privilege tables
 * (read independently of core/restore/verify.ts), and a restore run into a fresh target.
 *
 *   const env = await hostEnv();
 *   try { const src = await env.host.createCluster('src', 2); ... } finally { await env.close(); }
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PRIVILEGE_TABLES, SYSTEM_DB } from '../../../core/cluster/catalog/catalog.ts';
import { rowKey, tableRange } from '../../../core/cluster/catalog/keys.ts';
import type { Cluster } from '../../../core/cluster/cluster.ts';
import type { RestorePlanInfo, RestoreStatus } from '../../../core/contract/restore.ts';
import { ClusterHost } from '../../../core/host/host.ts';
import type { LogBackupService } from '../../../core/logbackup/service.ts';
import { logMetadata } from '../../../core/logbackup/storage-ops.ts';
import type { RestoreArgs } from '../../../core/restore/plan.ts';
import { closeStorage, openStorage } from '../../../core/storage/index.ts';

/** The log backup's flush interval in these tests (the minimum; flushAll forces more). */
export const FLUSH_INTERVAL_MS = 1000;

/** A deterministic PRNG (mulberry32), so that a failing run can be replayed from its seed. */
export interface Rng {
  readonly seed: number;
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [min, max]. */
  int(min: number, max: number): number;
  /** True with probability p. */
  chance(p: number): boolean;
  /** One element of a non-empty list. */
  pick<T>(xs: readonly T[]): T;
  /** A bigint in [min, max]. */
  between(min: bigint, max: bigint): bigint;
}

/** A PRNG from a 32-bit seed. */
export function prng(seed: number): Rng {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    seed,
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    chance: (p) => next() < p,
    pick: (xs) => xs[Math.floor(next() * xs.length)]!,
    between: (min, max) => min + BigInt(Math.floor(next() * (Number(max - min) + 1))),
  };
}

/** The seed of a run: RESTORE_SEED when given (to replay a failure), else a fresh one. */
export function seedFromEnv(): number {
  const s = process.env.RESTORE_SEED;
  if (s !== undefined && s !== '') {
    const n = Number(s);
    assert.ok(Number.isInteger(n) && n >= 0 && n < 2 ** 32, `RESTORE_SEED must be an integer in [0, 2^32), got ${s}`);
    return n;
  }
  return Math.floor(Math.random() * 2 ** 32);
}

/** Runs fn; a failure's message starts with the seed and how to replay it. */
export async function withSeed<T>(seed: number, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    const prefix = `[seed ${seed}: replay with RESTORE_SEED=${seed}] `;
    if (err instanceof Error) {
      err.message = prefix + err.message;
      throw err;
    }
    throw new Error(prefix + String(err));
  }
}

/** An in-process host in a temp folder. */
export interface HostEnv {
  host: ClusterHost;
  /** The temp folder (the host's data dir is `<dir>/host`). */
  dir: string;
  /** A path inside the temp folder (backup storages). */
  path(name: string): string;
  /** Closes the host (clusters stop; data stays) and starts it again on the same data dir. */
  reopen(): Promise<ClusterHost>;
  /** Closes the host (if open) and removes the folder. */
  close(): Promise<void>;
}

/** Starts a host in a fresh temp folder. */
export async function hostEnv(): Promise<HostEnv> {
  const dir = mkdtempSync(join(tmpdir(), 'pitr-restore-'));
  const dataDir = join(dir, 'host');
  let open: ClusterHost | null = null;
  try {
    open = await ClusterHost.start({ dataDir });
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  const env: HostEnv = {
    host: open,
    dir,
    path: (name) => join(dir, name),
    async reopen() {
      if (open) await open.close();
      open = null;
      open = await ClusterHost.start({ dataDir });
      env.host = open;
      return open;
    },
    async close() {
      try {
        if (open) await open.close();
        open = null;
      } finally {
        rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
      }
    },
  };
  return env;
}

/** Ids of mysql.user, mysql.db and mysql.tables_priv in a cluster's catalog now. */
export async function privilegeTableIds(c: Cluster): Promise<number[]> {
  const ts = c.pd.tso();
  const db = await c.catalog.database(ts, SYSTEM_DB);
  assert.ok(db, `cluster ${c.name} has a ${SYSTEM_DB} database`);
  const ids = (await c.catalog.tables(ts, db.id)).filter((t) => (PRIVILEGE_TABLES as readonly string[]).includes(t.name)).map((t) => t.id);
  assert.equal(ids.length, PRIVILEGE_TABLES.length, `cluster ${c.name} has every privilege table`);
  return ids.sort((a, b) => a - b);
}

/** Every raw key (hex) and value of a cluster at ts, minus the keys of the given tables. */
export async function rawState(c: Cluster, ts: bigint, skipTableIds: number[]): Promise<Map<string, Buffer>> {
  const skips = skipTableIds.map((id) => tableRange(id));
  const rows = await c.txn.scan(Buffer.alloc(0), Buffer.alloc(0), ts);
  const out = new Map<string, Buffer>();
  for (const r of rows) {
    if (skips.some((s) => Buffer.compare(r.key, s.start) >= 0 && Buffer.compare(r.key, s.end) < 0)) continue;
    out.set(r.key.toString('hex'), r.value);
  }
  return out;
}

/** Asserts two raw states are equal, naming the first few differences. */
export function assertSameState(actual: Map<string, Buffer>, expected: Map<string, Buffer>, what: string): void {
  const diffs: string[] = [];
  for (const [k, v] of expected) {
    const got = actual.get(k);
    if (!got) diffs.push(`${k} missing`);
    else if (!got.equals(v)) diffs.push(`${k} has another value`);
  }
  for (const k of actual.keys()) if (!expected.has(k)) diffs.push(`${k} should not be there`);
  assert.deepEqual(diffs.slice(0, 10), [], `${what}: ${diffs.length} difference(s) (expected ${expected.size} keys, got ${actual.size})`);
}

/** The raw state of a fresh cluster's stores, every CF, read directly (a "nothing written" witness). */
export async function storeRows(c: Cluster): Promise<string[]> {
  const out: string[] = [];
  for (const s of c.stores()) {
    const rows = await s.direct<Array<{ cf: string; key: Uint8Array; ts: bigint }>>('exportRange', { start: Buffer.alloc(0), end: Buffer.alloc(0) });
    for (const r of rows) out.push(`${s.storeId}:${r.cf}:${Buffer.from(r.key).toString('hex')}@${r.ts}`);
  }
  return out.sort();
}

/** Starts a restore into target and waits for its end. */
export async function restoreInto(host: ClusterHost, target: string, args: RestoreArgs): Promise<{ plan: RestorePlanInfo; status: RestoreStatus }> {
  const { plan, started } = await host.restore.point(target, args, false);
  assert.ok(started, `the restore into ${target} started`);
  const status = await host.restore.wait(plan.restore_id, target);
  assert.ok(status, `the restore ${plan.restore_id} is known to the host`);
  return { plan, status };
}

/** Asserts a restore succeeded with a verification that compared with the source and found it equal. */
export function assertVerified(status: RestoreStatus, what: string): void {
  assert.equal(status.state, 'succeeded', `${what}: ${status.error?.code ?? ''} ${status.error?.message ?? ''}`);
  const v = status.result?.verification;
  assert.ok(v, `${what}: a result with a verification`);
  assert.ok(v.source.compared, `${what}: compared with the source (${v.source.reason})`);
  const cut = (s: string | null) => (s !== null && s.length > 60 ? `${s.slice(0, 60)}…` : s);
  const shown = v.source.mismatches.slice(0, 5).map((m) => ({ key: m.key, source: cut(m.source), restored: cut(m.restored) }));
  assert.equal(v.source.equal, true, `${what}: equal to the source; mismatches ${JSON.stringify(shown)}`);
  const bad = v.tables.filter((t) => !t.ok);
  assert.deepEqual(bad, [], `${what}: table checksums vs backupmeta`);
  assert.ok(v.tables.length > 0, `${what}: tables were checked`);
  assert.equal(v.ok, true, `${what}: verification ok`);
}

/** Flushes the log backup until its window in storage reaches ts; returns the log max ts. */
export async function flushUntilLogMax(lb: LogBackupService, logUrl: string, ts: bigint, timeoutMs = 20_000): Promise<bigint> {
  const storage = openStorage(logUrl);
  try {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      await lb.flushAll();
      const max = BigInt((await logMetadata(storage)).log_max_ts);
      if (max >= ts) return max;
      if (Date.now() > deadline) throw new Error(`the log backup's max ts ${max} did not reach ${ts} within ${timeoutMs} ms (global checkpoint ${lb.globalCheckpoint})`);
      await new Promise((r) => setTimeout(r, 50));
    }
  } finally {
    closeStorage(storage);
  }
}

/** Creates test.<name>, a table for 1 KB rows. */
export async function blobTable(c: Cluster, name: string): Promise<number> {
  return (await c.catalog.createTable('test', { name, columns: [{ name: 'id', type: 'bigint' }, { name: 'body', type: 'varchar' }] })).id;
}

/** Writes rows [from, to) of ~1 KB into a table, `perTxn` rows a transaction; returns the last commit ts. */
export async function writeBlobs(c: Cluster, tableId: number, from: number, to: number, perTxn = 100, tag = 0): Promise<bigint> {
  let last = 0n;
  for (let i = from; i < to; i += perTxn) {
    const { commitTs } = await c.txn.run(async (txn) => {
      for (let k = i; k < Math.min(to, i + perTxn); k++) txn.put(rowKey(tableId, k), Buffer.alloc(1000, 0x41 + ((k + tag) % 26)));
    });
    last = commitTs;
  }
  return last;
}
