/**
 * The property of restore point (DESIGN.md §7): for ANY restored ts in [snapshot ts, log max ts]
 * the restored cluster holds exactly the source's MVCC snapshot at that ts, minus the privilege
 * tables. A seeded random history (bank, mixed, ddl and large-txn workloads, marker transactions
 * with long values and deletes, one or two snapshots taken while it all runs), then at least 20
 * restore points: exactly at a commit ts, one before it, each snapshot ts, the log max ts, and
 * random ones. Each is checked by the service's verification AND independently here (a raw scan
 * of both clusters), plus the bank invariant. A failure prints the seed; replay it with
 * RESTORE_SEED=<seed>.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeRow } from '../../../core/cluster/catalog/catalog.ts';
import { rowKey, tableRange } from '../../../core/cluster/catalog/keys.ts';
import type { Cluster } from '../../../core/cluster/cluster.ts';
import type { WorkloadKind } from '../../../core/cluster/workload/manager.ts';
import { runFullBackup } from '../../../core/snapshot/backup.ts';
import type { Rng } from './helpers.ts';
import {
  assertSameState,
  assertVerified,
  blobTable,
  FLUSH_INTERVAL_MS,
  flushUntilLogMax,
  hostEnv,
  privilegeTableIds,
  prng,
  rawState,
  restoreInto,
  seedFromEnv,
  withSeed,
} from './helpers.ts';

const MIN_POINTS = 20;
const MARKERS = 4;

interface Snapshot {
  ts: bigint;
  url: string;
}

/** A commit of the history whose effect the restore must show from its commit ts on. */
interface Commit {
  what: string;
  commitTs: bigint;
  key: Buffer;
  /** The key's value once committed (null: present, content not checked). */
  value: Buffer | null;
  /** The commit ts of the transaction that deleted the key again, if any. */
  deletedAt: bigint | null;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The rows of the privilege tables at ts (hex key → hex value). */
async function privilegeRows(c: Cluster, ts: bigint, ids: number[]): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const id of ids) {
    const r = tableRange(id);
    for (const row of await c.txn.scan(r.start, r.end, ts)) out[row.key.toString('hex')] = row.value.toString('hex');
  }
  return out;
}

/** A marker transaction: a long value (default CF) under a new key, and the previous key deleted. */
async function marker(c: Cluster, tableId: number, i: number, rng: Rng): Promise<Commit> {
  const key = rowKey(tableId, i);
  const value = Buffer.alloc(rng.int(300, 3000), 0x61 + (i % 26));
  const { commitTs } = await c.txn.run(async (txn) => {
    txn.put(key, value);
    if (i > 0) txn.delete(rowKey(tableId, i - 1));
  });
  return { what: `marker ${i}`, commitTs, key, value, deletedAt: null };
}

test('restore point at any ts equals the source at that ts (seeded random history)', { timeout: 170_000 }, async (t) => {
  const seed = seedFromEnv();
  const rng = prng(seed);
  t.diagnostic(`seed ${seed} (replay with RESTORE_SEED=${seed})`);
  const env = await hostEnv();
  try {
    await withSeed(seed, async () => {
      const { host } = env;
      const src = await host.createCluster('src', rng.int(2, 3));
      const lb = host.logBackup('src');
      const logUrl = env.path('log');
      await lb.start({ name: 'prop', storage: logUrl, flushIntervalMs: FLUSH_INTERVAL_MS });

      // The history: bank always (its invariant is checked), the others at random.
      const accounts = rng.int(40, 200);
      const kinds: WorkloadKind[] = ['bank'];
      await src.workloads.start('bank', { rate: rng.pick([0, 200, 400]), concurrency: rng.int(2, 6), accounts });
      if (rng.chance(0.7)) {
        kinds.push('mixed');
        await src.workloads.start('mixed', { rate: rng.pick([0, 150, 300]), concurrency: rng.int(1, 4), accounts });
      }
      if (rng.chance(0.7)) {
        kinds.push('ddl');
        await src.workloads.start('ddl', { rate: rng.int(3, 10) });
      }
      const markers = await blobTable(src, 'markers');
      // Users of the source: privilege tables are never restored, the target keeps its own.
      const users = (await src.catalog.table(src.pd.tso(), 'mysql', 'user'))!.id;
      const addUser = (id: number) => src.txn.run(async (txn) => txn.put(rowKey(users, id), encodeRow({ id, host: '%', user: `app${id}`, authentication_string: 'x', priv: 'SELECT' })));
      await addUser(2);
      const commits: Commit[] = [];
      let nextMarker = 0;
      const largeTxn = rng.chance(0.75);
      const largeAt = rng.int(0, 2); // before the first snapshot, between them, or after the last
      const snapshotCount = rng.int(1, 2);
      const snapshots: Snapshot[] = [];
      const startLarge = async () => {
        kinds.push('large-txn');
        await src.workloads.start('large-txn', { keys: rng.int(100, 600), durationMs: rng.int(500, 1800) });
      };

      await sleep(rng.int(300, 1200));
      for (let s = 0; s < snapshotCount; s++) {
        if (largeTxn && largeAt === s) await startLarge();
        await sleep(rng.int(100, 800));
        const url = env.path(`snap-${s}`);
        const r = await runFullBackup(src, { storage: url });
        snapshots.push({ ts: BigInt(r.backup_ts), url });
        await addUser(3 + s);
        for (let m = 0; m < MARKERS; m++) {
          await sleep(rng.int(50, 400));
          const m = await marker(src, markers, nextMarker++, rng);
          const previous = commits.find((c) => c.what === `marker ${nextMarker - 2}`);
          if (previous) previous.deletedAt = m.commitTs;
          commits.push(m);
        }
      }
      if (largeTxn && largeAt === snapshotCount) await startLarge();
      await sleep(rng.int(500, 1500));
      // Let the large transaction commit (it may also have been stopped by nothing: it is short).
      const deadline = Date.now() + 10_000;
      while (src.workloads.status().some((w) => w.kind === 'large-txn' && w.state === 'running') && Date.now() < deadline) await sleep(50);
      await src.workloads.stopAll();
      const ended = src.workloads.status();
      for (const w of ended) assert.notEqual(w.state, 'failed', `${w.kind} failed: ${w.last_error}`);
      const large = ended.find((w) => w.kind === 'large-txn');
      const largeCommit = large?.detail?.commit_ts;
      if (typeof largeCommit === 'string') {
        const d = large!.detail as { table_id: number; first_id: number };
        commits.push({ what: 'the large transaction', commitTs: BigInt(largeCommit), key: rowKey(d.table_id, d.first_id), value: null, deletedAt: null });
      }
      const logMax = await flushUntilLogMax(lb, logUrl, src.pd.tso());
      const first = snapshots[0]!.ts;

      // The restore points.
      const after = commits.filter((c) => c.commitTs > first + 1n);
      assert.ok(after.length > 0, 'a commit after the first snapshot');
      const exact = rng.pick(after);
      const points: Array<{ ts: bigint; why: string }> = [
        { ts: exact.commitTs, why: `exactly at the commit ts of ${exact.what}` },
        { ts: exact.commitTs - 1n, why: `just before the commit ts of ${exact.what}` },
        ...snapshots.map((s, i) => ({ ts: s.ts, why: `snapshot ${i}'s ts` })),
        { ts: logMax, why: 'the log max ts' },
      ];
      while (points.length < MIN_POINTS) points.push({ ts: rng.between(first, logMax), why: 'random' });

      const skip = await privilegeTableIds(src);
      const expectedTotal = BigInt(accounts) * 1000n;
      t.diagnostic(`source: ${src.stores().length} stores, workloads ${kinds.join('+')}, ${accounts} accounts, snapshots ${snapshots.map((s) => s.ts).join(', ')}, log max ${logMax}`);
      for (const [i, p] of points.entries()) {
        const eligible = snapshots.filter((s) => s.ts <= p.ts);
        // The newest snapshot at or before the point, as br picks it; sometimes an older one (a longer log replay).
        const snap = rng.chance(0.3) ? rng.pick(eligible) : eligible[eligible.length - 1]!;
        const name = `t${i}`;
        const what = `point ${i} (${p.why}) ts ${p.ts} from snapshot ${snap.ts}`;
        t.diagnostic(what);
        const target = await host.createCluster(name, rng.int(1, 2));
        assert.deepEqual(await privilegeTableIds(target), skip, 'source and target bootstrap the same privilege tables');
        const ownPrivileges = await privilegeRows(target, target.pd.tso(), skip);
        const { status } = await restoreInto(host, name, { logStorage: logUrl, snapStorage: snap.url, restoredTs: p.ts });
        assertVerified(status, what);
        assert.equal(status.result!.restored_ts, p.ts.toString());
        assert.equal(status.result!.snapshot_ts, snap.ts.toString());

        // Independently of verify.ts: the source at ts and the target now, raw, without the privilege tables.
        const now = target.pd.tso();
        assert.ok(now > p.ts, `${what}: the target's TSO is past the restored ts`);
        const expected = await rawState(src, p.ts, skip);
        const actual = await rawState(target, now, skip);
        assertSameState(actual, expected, what);
        assert.equal(status.result!.verification.source.keys, expected.size, `${what}: the verification compared every key`);
        for (const c of commits) {
          const got = actual.get(c.key.toString('hex'));
          const visible = c.commitTs <= p.ts && (c.deletedAt === null || c.deletedAt > p.ts);
          if (!visible) assert.equal(got, undefined, `${what}: ${c.what} (commit ${c.commitTs}, deleted ${c.deletedAt}) is not visible at the point`);
          else if (c.value) assert.ok(got?.equals(c.value), `${what}: ${c.what} (commit ${c.commitTs}) is restored with its value`);
          else assert.ok(got, `${what}: ${c.what} (commit ${c.commitTs}) is restored`);
        }
        assert.deepEqual(await privilegeRows(target, now, skip), ownPrivileges, `${what}: the target keeps its own privilege tables`);
        assert.notDeepEqual(await privilegeRows(src, p.ts, skip), ownPrivileges, 'the source has users of its own (the check can fail)');
        const bank = await target.workloads.bankTotal(now);
        assert.deepEqual(bank, { accounts, total: expectedTotal }, `${what}: the bank total`);
        await host.destroyCluster(name);
      }
    });
  } finally {
    await env.close();
  }
});

test('a source whose clock runs ahead of the target (speed factor): every point still equals the source', { timeout: 60_000 }, async () => {
  const env = await hostEnv();
  try {
    const { host } = env;
    const src = await host.createCluster('src', 2);
    // Twenty times real time: days of history in minutes, as the lab's clock speed allows.
    src.pd.setClockSpeed(20);
    const lb = host.logBackup('src');
    const logUrl = env.path('log');
    const snapUrl = env.path('snap');
    await lb.start({ name: 'fast', storage: logUrl, flushIntervalMs: FLUSH_INTERVAL_MS });
    await src.workloads.start('bank', { rate: 300, concurrency: 4, accounts: 60 });
    const markers = await blobTable(src, 'markers');
    const rng = prng(1);
    await sleep(500);
    const snapshotTs = BigInt((await runFullBackup(src, { storage: snapUrl })).backup_ts);
    const commits: Commit[] = [];
    for (let i = 0; i < 3; i++) {
      await sleep(200);
      commits.push(await marker(src, markers, i, rng));
    }
    await src.workloads.stopAll();
    const logMax = await flushUntilLogMax(lb, logUrl, src.pd.tso());
    const skip = await privilegeTableIds(src);
    for (const [i, ts] of [snapshotTs, commits[1]!.commitTs, logMax].entries()) {
      const name = `t${i}`;
      const target = await host.createCluster(name, 1);
      assert.ok(target.pd.tso() < snapshotTs, 'the new cluster\'s clock is behind the source\'s data (the case under test)');
      const { status } = await restoreInto(host, name, { logStorage: logUrl, snapStorage: snapUrl, restoredTs: ts });
      assertVerified(status, `point ${ts}`);
      const now = target.pd.tso();
      assertSameState(await rawState(target, now, skip), await rawState(src, ts, skip), `point ${ts}`);
      assert.deepEqual(await target.workloads.bankTotal(now), { accounts: 60, total: 60_000n });
      // The restored cluster goes on from there: a new write commits after everything restored.
      const { commitTs } = await target.txn.run(async (txn) => txn.put(rowKey(markers, 99), Buffer.from('after')));
      assert.ok(commitTs > ts, 'a write after the restore commits after the restored ts');
      assert.equal((await target.txn.get(rowKey(markers, 99), target.pd.tso()))?.toString(), 'after');
      await host.destroyCluster(name);
    }
  } finally {
    await env.close();
  }
});
