/**
 * Percolator two-phase commit through a 3-store cluster whose user keys are spread over regions
 * led by different stores: atomic commit, crashed clients' locks resolved by readers (rolled
 * back after the TTL, rolled forward once the primary committed), conflicts and retries.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCode, PitrError } from '../../../core/errors.ts';
import type { Cluster } from '../../../core/cluster/cluster.ts';
import type { LockInfo } from '../../../core/cluster/store/protocol.ts';
import { ManualClock } from '../../../core/tso/index.ts';
import { allLocks, b, spreadUserKeys, testCluster, waitFor } from '../../helpers/cluster.ts';
import type { TestCluster } from '../../helpers/cluster.ts';

const str = (v: Buffer | null): string | null => (v === null ? null : v.toString());
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One key in each of the three user regions (led by three different stores), plus a tag. */
const keysOf = (tag: string): Buffer[] => ['ub', 'ui', 'ur'].map((p) => b(`${p}-${tag}`));

/** Locks of transaction startTs anywhere in the cluster. */
async function locksOf(c: Cluster, startTs: bigint): Promise<LockInfo[]> {
  return (await allLocks(c)).filter((l) => l.startTs === startTs);
}

async function readAll(c: Cluster, keys: Buffer[], ts: bigint): Promise<Array<string | null>> {
  return (await Promise.all(keys.map((k) => c.txn.get(k, ts)))).map(str);
}

async function writeAll(c: Cluster, keys: Buffer[], value: string): Promise<bigint> {
  const txn = c.txn.begin();
  for (const k of keys) txn.put(k, b(value));
  return (await txn.commit()).commitTs;
}

async function rejectsCode(p: Promise<unknown>, code: string): Promise<PitrError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof PitrError, `expected ${code}, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    return err;
  }
  assert.fail(`expected ${code}, but it succeeded`);
}

describe('two-phase commit across regions and stores', () => {
  let t: TestCluster;
  let c: Cluster;
  const clock = new ManualClock();

  before(async () => {
    t = await testCluster({ stores: 3, clock });
    c = t.cluster;
    await spreadUserKeys(c);
  });
  after(async () => {
    await t?.close();
  });

  test('the user keys sit in three regions led by three different stores', () => {
    const regions = keysOf('x').map((k) => c.pd.regions.locate(k));
    assert.equal(new Set(regions.map((r) => r.id)).size, 3);
    assert.equal(new Set(regions.map((r) => r.leader)).size, 3);
  });

  test('a multi-region transaction commits atomically at one commit ts', async () => {
    const keys = keysOf('atomic');
    const before = c.pd.tso();
    const txn = c.txn.begin();
    keys.forEach((k, i) => txn.put(k, b(`v${i}`)));
    const r = await txn.commit();
    assert.equal(r.keys, 3);
    assert.ok(r.commitTs > r.startTs);
    assert.deepEqual(await readAll(c, keys, before), [null, null, null]);
    assert.deepEqual(await readAll(c, keys, r.startTs), [null, null, null]);
    assert.deepEqual(await readAll(c, keys, r.commitTs - 1n), [null, null, null]);
    assert.deepEqual(await readAll(c, keys, r.commitTs), ['v0', 'v1', 'v2']);
    assert.deepEqual(await locksOf(c, r.startTs), []);
    // The transaction sees its own writes before it commits; a scan sees the same snapshot.
    const rows = await c.txn.scan(b('u'), b('v'), r.commitTs);
    assert.deepEqual(rows.filter((p) => p.key.toString().endsWith('-atomic')).map((p) => p.value.toString()), ['v0', 'v1', 'v2']);
  });

  test('a failed prewrite leaves nothing: no value and, once rolled back, no lock', async () => {
    const keys = keysOf('conflict-abort');
    await writeAll(c, keys, 'base');
    const txn = c.txn.begin();
    keys.forEach((k) => txn.put(k, b('loser')));
    // Someone commits one of the keys after txn started: txn must abort as a whole.
    await writeAll(c, [keys[2]!], 'winner');
    await rejectsCode(txn.commit(), ErrorCode.WriteConflict);
    await waitFor('the aborted transaction to roll back its locks', async () => (await locksOf(c, txn.startTs)).length === 0, 5000);
    assert.deepEqual(await readAll(c, keys, c.pd.tso()), ['base', 'base', 'winner']);
  });

  test('a client that crashes after prewrite: its locks hold readers until the TTL expires, then roll back', async () => {
    const keys = keysOf('crash-prewrite');
    await writeAll(c, keys, 'old');
    const txn = c.txn.begin();
    keys.forEach((k) => txn.put(k, b('uncommitted')));
    const r = await txn.commit({ crashAfter: 'prewrite' });
    assert.equal(r.commitTs, 0n);
    const locks = await locksOf(c, txn.startTs);
    assert.equal(locks.length, 3);
    assert.ok(locks.every((l) => Buffer.from(l.primary).equals(keys[0]!)));

    // Before expiry: the lock's transaction is alive, the resolver must not clear it.
    assert.equal(await c.txn.resolver.resolve(locks[1]!), false);
    assert.equal((await c.txn.resolver.txnStatus(locks[0]!)).state, 'locked');
    assert.equal((await locksOf(c, txn.startTs)).length, 3);

    // A reader at a later ts waits: it neither returns the uncommitted value nor the old one.
    const readTs = c.pd.tso();
    let settled = false;
    const reading = c.txn.get(keys[1]!, readTs).finally(() => {
      settled = true;
    });
    await sleep(150);
    assert.equal(settled, false, 'a read must wait for a live lock');

    // The TTL passes (cluster time): the waiting read resolves the lock by rolling it back.
    clock.advance(c.txn.defaultLockTtlMs() + 1);
    assert.equal(str(await reading), 'old');
    const scanned = await c.txn.scan(b('u'), b('v'), c.pd.tso());
    assert.deepEqual(
      scanned.filter((p) => p.key.toString().endsWith('-crash-prewrite')).map((p) => p.value.toString()),
      ['old', 'old', 'old'],
    );
    assert.deepEqual(await locksOf(c, txn.startTs), []);
    assert.deepEqual(await readAll(c, keys, c.pd.tso()), ['old', 'old', 'old']);
    // The rollback is final: the crashed client can no longer commit its primary.
    await rejectsCode(
      c.txn.rpc.onKey('commit', keys[0]!, (ctx, store) =>
        store.request('kvCommit', { ctx, keys: [keys[0]], startTs: txn.startTs, commitTs: c.pd.tso() }),
      ),
      ErrorCode.TxnAborted,
    );
  });

  test('a reader meeting a secondary lock before the primary prewrite landed does not abort the writer', async () => {
    const [primary, secondary] = keysOf('slow-primary') as [Buffer, Buffer];
    const ttl = c.txn.defaultLockTtlMs();
    const prewrite = (key: Buffer, startTs: bigint) =>
      c.txn.rpc.onKey('prewrite', key, (ctx, store) =>
        store.request('kvPrewrite', { ctx, mutations: [{ op: 'Put', key, value: b('v') }], primary, startTs, ttl }),
      );
    const commit = (keys: Buffer[], startTs: bigint, commitTs: bigint) =>
      c.txn.rpc.perRegion('commit', keys, (k) => k, (ctx, store, ks) => store.request('kvCommit', { ctx, keys: ks, startTs, commitTs }));

    // The secondary region answered first; the primary's region is slower (e.g. moving).
    const s1 = c.pd.tso();
    await prewrite(secondary, s1);
    const [lock] = await locksOf(c, s1);
    assert.ok(lock);
    // A reader meets the secondary lock: the transaction is alive, not to be rolled back.
    assert.equal(await c.txn.resolver.resolve(lock), false);
    assert.equal((await c.txn.resolver.txnStatus(lock)).state, 'locked');
    await prewrite(primary, s1);
    const c1 = c.pd.tso();
    await commit([primary, secondary], s1, c1);
    assert.deepEqual(await readAll(c, [primary, secondary], c1), ['v', 'v']);

    // Once the secondary's TTL has expired, a missing primary means a dead client: roll back.
    const s2 = c.pd.tso();
    await prewrite(secondary, s2);
    const [lock2] = await locksOf(c, s2);
    clock.advance(ttl + 1);
    assert.equal(await c.txn.resolver.resolve(lock2!), true);
    assert.deepEqual(await locksOf(c, s2), []);
    await rejectsCode(prewrite(primary, s2), ErrorCode.TxnAborted);
  });

  test('a client that crashes after committing the primary is rolled forward by readers', async () => {
    const keys = keysOf('crash-primary');
    await writeAll(c, keys, 'old');
    const txn = c.txn.begin();
    keys.forEach((k) => txn.put(k, b('new')));
    const r = await txn.commit({ crashAfter: 'primary' });
    assert.ok(r.commitTs > txn.startTs);
    // Only the secondaries are still locked.
    const left = await locksOf(c, txn.startTs);
    assert.deepEqual(left.map((l) => Buffer.from(l.key).toString()).sort(), [keys[1]!.toString(), keys[2]!.toString()]);
    // No clock advance needed: the primary is committed, so readers commit the secondaries.
    assert.deepEqual(await readAll(c, keys, c.pd.tso()), ['new', 'new', 'new']);
    assert.deepEqual(await locksOf(c, txn.startTs), []);
    // Same commit ts for all: old just below it, new at it.
    assert.deepEqual(await readAll(c, keys, r.commitTs - 1n), ['old', 'old', 'old']);
    assert.deepEqual(await readAll(c, keys, r.commitTs), ['new', 'new', 'new']);
  });

  test('a reader below the commit ts of a rolled-forward transaction still sees the old values', async () => {
    const keys = keysOf('crash-primary-old-read');
    await writeAll(c, keys, 'old');
    const txn = c.txn.begin();
    keys.forEach((k) => txn.put(k, b('new')));
    const r = await txn.commit({ crashAfter: 'primary' });
    // This read meets the secondary locks (its ts ≥ start ts), resolves them, and sees old data.
    assert.deepEqual(await readAll(c, keys, r.commitTs - 1n), ['old', 'old', 'old']);
    assert.deepEqual(await locksOf(c, txn.startTs), []);
    assert.deepEqual(await readAll(c, keys, r.commitTs), ['new', 'new', 'new']);
  });

  test('two concurrent conflicting transactions: exactly one commits, the other gets WriteConflict', async () => {
    const keys = keysOf('race');
    await writeAll(c, keys, 'base');
    const t1 = c.txn.begin();
    const t2 = c.txn.begin();
    keys.forEach((k) => t1.put(k, b('t1')));
    keys.forEach((k) => t2.put(k, b('t2')));
    const results = await Promise.allSettled([t1.commit(), t2.commit()]);
    const won = results.filter((x) => x.status === 'fulfilled');
    const lost = results.filter((x): x is PromiseRejectedResult => x.status === 'rejected');
    assert.equal(won.length, 1, 'exactly one transaction commits');
    assert.equal(lost.length, 1);
    assert.ok(lost[0]!.reason instanceof PitrError);
    assert.equal((lost[0]!.reason as PitrError).code, ErrorCode.WriteConflict);
    const winner = results[0]!.status === 'fulfilled' ? 't1' : 't2';
    const loser = winner === 't1' ? t2 : t1;
    assert.deepEqual(await readAll(c, keys, c.pd.tso()), [winner, winner, winner]);
    await waitFor('the loser to roll back', async () => (await locksOf(c, loser.startTs)).length === 0, 5000);
  });

  test('txnClient.run retries write conflicts: concurrent increments are never lost', async () => {
    const keys = keysOf('counter');
    await writeAll(c, keys, '0');
    const N = 6;
    const runs = await Promise.all(
      Array.from({ length: N }, () =>
        c.txn.run(async (txn) => {
          const vals = await txn.batchGet(keys);
          const n = Number(str(vals[0]!));
          // The three counters always move together.
          assert.ok(vals.every((v) => Number(str(v)) === n));
          for (const k of keys) txn.put(k, b(String(n + 1)));
          return n + 1;
        }, 50),
      ),
    );
    assert.deepEqual(await readAll(c, keys, c.pd.tso()), [String(N), String(N), String(N)]);
    // Each run wrote a distinct value; ordered by commit ts they count 1..N.
    const byTs = [...runs].sort((x, y) => (x.commitTs < y.commitTs ? -1 : 1)).map((x) => x.result);
    assert.deepEqual(byTs, Array.from({ length: N }, (_, i) => i + 1));
    for (const x of runs) assert.deepEqual(await readAll(c, keys, x.commitTs), Array(3).fill(String(x.result)));
  });

  test('run gives up after the given attempts and does not retry other errors', async () => {
    const key = b('ub-run-limits');
    let calls = 0;
    await rejectsCode(
      c.txn.run(async (txn) => {
        calls++;
        txn.put(key, b('x'));
        // Commit the same key from another transaction after this one started: always conflicts.
        await writeAll(c, [key], `other-${calls}`);
      }, 3),
      ErrorCode.WriteConflict,
    );
    assert.equal(calls, 3);
    calls = 0;
    await assert.rejects(
      c.txn.run(async () => {
        calls++;
        throw new PitrError(ErrorCode.InvalidArgument, 'boom');
      }),
      /boom/,
    );
    assert.equal(calls, 1);
  });
});
