/**
 * Regions under load: concurrent 2-key writers while regions split and move between stores;
 * every committed write must stay readable at its commit ts, nothing is lost or invented, and
 * epochs move as TiKV's do. PD's region directory, the data and the TSO survive a reopen, and a
 * killed store worker comes back by itself.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCode } from '../../../core/errors.ts';
import type { Cluster } from '../../../core/cluster/cluster.ts';
import { Transaction } from '../../../core/cluster/txn/transaction.ts';
import type { Region } from '../../../core/cluster/pd/regions.ts';
import type { CfRow } from '../../../core/cluster/store/protocol.ts';
import { ManualClock, physicalOf } from '../../../core/tso/index.ts';
import { allLocks, b, testCluster, waitFor } from '../../helpers/cluster.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Committed {
  key: string;
  value: string;
  commitTs: bigint;
}

/** Writer loops: each owns a pair of keys and commits `<writer>:<n>` to both, n = 1, 2, ... */
function startWriters(c: Cluster, n: number, minTxns: number) {
  const letters = ['b', 'd', 'g', 'i', 'l', 'n', 'r', 'w'];
  const committed: Committed[] = [];
  const errors: unknown[] = [];
  let stop = false;
  const loops = Array.from({ length: n }, async (_, w) => {
    const k1 = b(`u${letters[w % letters.length]}-w${w}-a`);
    const k2 = b(`u${letters[(w + 3) % letters.length]}-w${w}-b`);
    let last: string | null = null;
    for (let i = 1; !stop || i <= minTxns; i++) {
      try {
        const txn = c.txn.begin();
        // Snapshot reads during splits and moves see this writer's previous commit.
        const seen = (await txn.batchGet([k1, k2])).map((v) => (v === null ? null : v.toString()));
        assert.deepEqual(seen, [last, last], `writer ${w} read its own last commit`);
        const value = `w${w}:${i}`;
        txn.put(k1, b(value));
        txn.put(k2, b(value));
        const r = await txn.commit();
        committed.push({ key: k1.toString(), value, commitTs: r.commitTs }, { key: k2.toString(), value, commitTs: r.commitTs });
        last = value;
      } catch (err) {
        errors.push(err);
        return;
      }
    }
  });
  return {
    committed,
    errors,
    async stop() {
      stop = true;
      await Promise.all(loops);
    },
  };
}

/**
 * A reader loop scanning the user keys at fresh snapshots: keys come strictly in order (none
 * twice), and both keys of a writer always hold the same value (its transactions are atomic).
 */
function startScanner(c: Cluster) {
  const errors: unknown[] = [];
  let scans = 0;
  let stop = false;
  const loop = (async () => {
    while (!stop) {
      try {
        const rows = await c.txn.scan(b('u'), b('v'), c.pd.tso());
        const keys = rows.map((r) => r.key.toString());
        for (let i = 1; i < keys.length; i++) assert.ok(keys[i - 1]! < keys[i]!, `scan order at ${keys[i]}: ${keys.join(',')}`);
        const byWriter = new Map<string, string[]>();
        for (const r of rows) {
          const w = r.key.toString().split('-')[1]!;
          byWriter.set(w, [...(byWriter.get(w) ?? []), r.value.toString()]);
        }
        for (const [w, vals] of byWriter) {
          if (w.startsWith('w')) assert.ok(vals.length === 2 && vals[0] === vals[1], `writer ${w} half-visible: ${vals.join(',')}`);
        }
        scans++;
      } catch (err) {
        errors.push(err);
        return;
      }
    }
  })();
  return {
    errors,
    get scans() {
      return scans;
    },
    async stop() {
      stop = true;
      await loop;
    },
  };
}

/** What a region looks like, for comparisons. */
function layout(regions: readonly Region[]) {
  return regions.map((r) => ({ id: r.id, start: r.start.toString('hex'), end: r.end.toString('hex'), epoch: { ...r.epoch }, leader: r.leader }));
}

/** Checks every committed write at its commit ts and the final state; returns the final scan. */
async function verify(c: Cluster, committed: Committed[]): Promise<Map<string, string>> {
  // Every committed write is visible at its commit ts, and not just before it.
  const got = await Promise.all(committed.map((w) => c.txn.get(b(w.key), w.commitTs)));
  const before = await Promise.all(committed.map((w) => c.txn.get(b(w.key), w.commitTs - 1n)));
  committed.forEach((w, i) => {
    assert.equal(got[i]?.toString(), w.value, `${w.key} at ${w.commitTs}`);
    assert.notEqual(before[i]?.toString(), w.value, `${w.key} just before ${w.commitTs}`);
  });
  // The final scan holds exactly the last committed value of every key: nothing lost, no phantom.
  const last = new Map<string, Committed>();
  for (const w of committed) {
    const prev = last.get(w.key);
    if (!prev || prev.commitTs < w.commitTs) last.set(w.key, w);
  }
  const rows = await c.txn.scan(b('u'), b('v'), c.pd.tso());
  const scanned = new Map(rows.map((r) => [r.key.toString(), r.value.toString()]));
  assert.deepEqual(scanned, new Map([...last].map(([k, w]) => [k, w.value])));
  assert.deepEqual(await allLocks(c), []);
  return scanned;
}

/** Each store leads exactly PD's regions for it and holds no rows of regions led elsewhere. */
async function checkPlacement(c: Cluster): Promise<void> {
  for (const s of c.stores()) {
    const led = (await s.direct<Array<{ regionId: number }>>('regionStats', null)).map((x) => x.regionId).sort((x, y) => x - y);
    assert.deepEqual(led, c.pd.regions.ledBy(s.storeId).map((r) => r.id).sort((x, y) => x - y), `regions of store ${s.storeId}`);
    for (const r of c.pd.regions.all()) {
      if (r.leader === s.storeId) continue;
      const rows = await s.direct<CfRow[]>('exportRange', { start: r.start, end: r.end });
      assert.equal(rows.length, 0, `store ${s.storeId} still holds rows of region ${r.id} (led by ${r.leader})`);
    }
  }
}

describe('regions under load', () => {
  test('splits and moves under 8 concurrent writers lose nothing; epochs move; the layout persists', async () => {
    const t = await testCluster({ stores: 3 });
    try {
      let c = t.cluster;
      const storeIds = c.stores().map((s) => s.storeId);
      const writers = startWriters(c, 8, 15);
      const scanner = startScanner(c);
      await sleep(30);

      let splits = 0;
      let moves = 0;
      for (const [i, key] of ['uh', 'uc', 'up', 'uf', 'uj', 'um', 'us', 'uv'].entries()) {
        const old = c.pd.regions.locate(b(key));
        const oldEpoch = { ...old.epoch };
        const halves = await c.splitAt(b(key));
        assert.equal(halves.length, 2);
        for (const h of halves) assert.deepEqual(h.epoch, { version: oldEpoch.version + 1, confVer: oldEpoch.confVer });
        assert.ok(halves[1]!.start.equals(b(key)) && halves[0]!.end.equals(b(key)));
        splits++;
        await sleep(10);
        // Move the right half (or, every other time, the left one) to the next store.
        const target = halves[i % 2 === 0 ? 1 : 0]!;
        const before = { ...target.epoch };
        const to = storeIds[(storeIds.indexOf(target.leader) + 1) % storeIds.length]!;
        const moved = await c.moveRegion(target.id, to);
        assert.equal(moved.leader, to);
        assert.deepEqual(c.pd.regions.get(target.id)!.epoch, { version: before.version, confVer: before.confVer + 1 });
        moves++;
        await sleep(10);
      }
      // A few more moves of whatever region holds a busy key.
      for (const key of ['ub', 'ui', 'ur', 'ub']) {
        const r = c.pd.regions.locate(b(key));
        const to = storeIds[(storeIds.indexOf(r.leader) + 1) % storeIds.length]!;
        const confVer = r.epoch.confVer;
        await c.moveRegion(r.id, to);
        assert.equal(c.pd.regions.get(r.id)!.epoch.confVer, confVer + 1);
        moves++;
        await sleep(10);
      }
      const committedDuringOps = writers.committed.length;
      await writers.stop();
      await scanner.stop();
      assert.deepEqual(writers.errors, [], 'writers must not see errors while regions split and move');
      assert.deepEqual(scanner.errors, [], 'scans must stay consistent while regions split and move');
      assert.ok(scanner.scans > 0);
      assert.ok(committedDuringOps >= 8 * 2, `writers made progress during the ops (${committedDuringOps} writes)`);
      assert.equal(splits, 8);
      assert.equal(moves, 12);

      const finalScan = await verify(c, writers.committed);
      assert.equal(finalScan.size, 16);
      await checkPlacement(c);

      // Close and open the same folder: same regions, same data, TSO above everything before.
      const regionsBefore = layout(c.pd.regions.all());
      const lastTs = c.pd.tso();
      const maxCommit = writers.committed.reduce((m, w) => (w.commitTs > m ? w.commitTs : m), 0n);
      assert.ok(lastTs > maxCommit);
      c = await t.reopen();
      assert.deepEqual(layout(c.pd.regions.all()), regionsBefore);
      assert.ok(c.pd.tso() > lastTs, 'the TSO never goes back across a restart');
      const again = await c.txn.scan(b('u'), b('v'), c.pd.tso());
      assert.deepEqual(new Map(again.map((r) => [r.key.toString(), r.value.toString()])), finalScan);
      await checkPlacement(c);
      // And the reopened cluster takes writes.
      const txn = c.txn.begin();
      txn.put(b('ub-after-reopen'), b('x'));
      const r = await txn.commit();
      assert.equal((await c.txn.get(b('ub-after-reopen'), r.commitTs))?.toString(), 'x');
    } finally {
      await t.close();
    }
  });

  test('a scan whose region splits while the request is in flight returns every key once', async () => {
    const t = await testCluster({ stores: 1 });
    try {
      const c = t.cluster;
      const txn = c.txn.begin();
      const letters = 'abcdefghijklmnopqrstuvwxyz';
      for (const ch of letters) txn.put(b(`u${ch}`), b(ch));
      await txn.commit();
      const scanning = c.txn.scan(b('u'), b('v'), c.pd.tso());
      await new Promise((r) => setImmediate(r)); // the scan request is on its way to the store
      await c.splitAt(b('um')); // PD splits the region the scan is reading
      const rows = await scanning;
      assert.deepEqual(rows.map((r) => r.value.toString()).join(''), letters);
    } finally {
      await t.close();
    }
  });

  test(
    'a move that fails before PD switches the leader leaves the region served by its source',
    async () => {
      const t = await testCluster({ stores: 2 });
      try {
        const c = t.cluster;
        await c.splitAt(b('u'));
        const r = c.pd.regions.locate(b('ux'));
        const source = c.store(r.leader);
        const target = c.stores().find((s) => s.storeId !== r.leader)!;
        await target.kill();
        await assert.rejects(c.moveRegion(r.id, target.storeId));
        await waitFor('the target store to restart', () => target.up);
        assert.equal(c.pd.regions.get(r.id)!.leader, source.storeId);
        const led = (await source.direct<Array<{ regionId: number }>>('regionStats', null)).map((x) => x.regionId);
        assert.ok(led.includes(r.id), `store ${source.storeId} must serve region ${r.id} again`);
      } finally {
        await t.close();
      }
    },
  );

  test('the TSO stays above every handed-out ts when reopened with a clock that reads earlier', async () => {
    const start = Date.UTC(2026, 0, 1);
    const clock = new ManualClock(start);
    const t = await testCluster({ stores: 1, clock });
    try {
      clock.advance(60_000);
      let last = 0n;
      for (let i = 0; i < 1000; i++) last = t.cluster.pd.tso();
      assert.equal(physicalOf(last), start + 60_000);
      const c = await t.reopen(new ManualClock(start)); // a clock one minute behind
      const next = c.pd.tso();
      assert.ok(next > last, `${next} must be above ${last}`);
    } finally {
      await t.close();
    }
  });

  test('requests after the cluster closed fail at once instead of retrying a restarting store', async () => {
    const t = await testCluster({ stores: 2 });
    const c = t.cluster;
    const ts = c.pd.tso();
    const key = b('ux');
    await t.close();
    const t0 = Date.now();
    await assert.rejects(c.txn.get(key, ts), (err: Error & { code?: string }) => err.code !== ErrorCode.StoreUnavailable);
    const txn = new Transaction(c.txn, ts);
    txn.put(key, b('x'));
    await assert.rejects(txn.commit(), (err: Error & { code?: string }) => err.code !== ErrorCode.StoreUnavailable);
    assert.ok(Date.now() - t0 < 2000, `took ${Date.now() - t0} ms`);
  });

  test('a killed store worker restarts by itself and serves again, also under load', async () => {
    const t = await testCluster({ stores: 3 });
    try {
      const c = t.cluster;
      for (const k of ['uh', 'uq']) await c.splitAt(b(k));
      await c.scatter();
      const victim = c.store(c.pd.regions.locate(b('ui')).leader);
      const txn = c.txn.begin();
      txn.put(b('ui-kill'), b('before'));
      const before = await txn.commit();

      const writers = startWriters(c, 4, 10);
      await sleep(20);
      await victim.kill();
      assert.equal(victim.up, false);
      // A read routed to the dead store waits for the restart instead of failing.
      assert.equal((await c.txn.get(b('ui-kill'), c.pd.tso()))?.toString(), 'before');
      await waitFor('the store worker to restart', () => victim.up, 10_000);
      await sleep(20);
      await writers.stop();
      assert.deepEqual(writers.errors, []);

      assert.equal((await c.txn.get(b('ui-kill'), before.commitTs))?.toString(), 'before');
      const after = c.txn.begin();
      after.put(b('ui-kill'), b('after'));
      const r = await after.commit();
      assert.equal((await c.txn.get(b('ui-kill'), r.commitTs))?.toString(), 'after');
      const final = await verify(c, [
        ...writers.committed,
        { key: 'ui-kill', value: 'before', commitTs: before.commitTs },
        { key: 'ui-kill', value: 'after', commitTs: r.commitTs },
      ]);
      assert.equal(final.size, 9);
      await checkPlacement(c);
    } finally {
      await t.close();
    }
  });
});
