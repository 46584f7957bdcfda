/**
 * GC safepoints and GC runs, with a ManualClock: service safepoints hold GC back until they
 * expire (in cluster time), the GC safepoint is min(service safepoints, now − gc life time) and
 * never goes backwards, and a GC run removes history below it without changing reads above it.
 */
import { test, describe, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Cluster } from '../../../core/cluster/cluster.ts';
import { DEFAULT_GC_LIFE_TIME_MS, Pd } from '../../../core/cluster/pd/pd.ts';
import type { CfRow } from '../../../core/cluster/store/protocol.ts';
import { ManualClock, composeTs } from '../../../core/tso/index.ts';
import { allLocks, b, spreadUserKeys, tempDir, testCluster } from '../../helpers/cluster.ts';

const T0 = Date.UTC(2026, 0, 1);
const MIN = 60_000;
const LIFE = DEFAULT_GC_LIFE_TIME_MS;
/** The ts at T0 + ms. */
const at = (ms: number): bigint => composeTs(T0 + ms, 0);

describe('PD GC safepoints', () => {
  let dir: string;
  let clock: ManualClock;
  let pd: Pd;

  beforeEach(() => {
    dir = tempDir('pitr-pd-');
    clock = new ManualClock(T0);
    pd = new Pd(join(dir, 'pd.db'), { clock });
  });
  afterEach(() => {
    pd.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('without service safepoints the GC safepoint is now − gc life time', () => {
    assert.equal(LIFE, 10 * MIN);
    assert.equal(pd.advanceGcSafePoint(), at(-LIFE));
    clock.advance(30 * MIN);
    assert.equal(pd.advanceGcSafePoint(), at(30 * MIN - LIFE));
    assert.equal(pd.gcSafePoint, at(20 * MIN));
  });

  test('a service safepoint blocks GC below it; the GC safepoint is the min of all bounds', () => {
    clock.advance(30 * MIN);
    assert.deepEqual(pd.updateServiceSafePoint('br', at(5 * MIN), 3600), { accepted: true, minSafePoint: at(5 * MIN) });
    assert.equal(pd.updateServiceSafePoint('cdc', at(8 * MIN), 3600).minSafePoint, at(5 * MIN));
    assert.equal(pd.advanceGcSafePoint(), at(5 * MIN));
    // The holder moves its safepoint up: GC follows up to the next one.
    pd.updateServiceSafePoint('br', at(12 * MIN), 3600);
    assert.equal(pd.advanceGcSafePoint(), at(8 * MIN));
    // A service safepoint above now − life time does not hold anything.
    pd.updateServiceSafePoint('cdc', at(25 * MIN), 3600);
    assert.equal(pd.advanceGcSafePoint(), at(12 * MIN));
    pd.updateServiceSafePoint('br', 0n, 0); // removed
    assert.deepEqual(pd.serviceSafePoints().map((s) => s.serviceId), ['cdc']);
    assert.equal(pd.advanceGcSafePoint(), at(20 * MIN));
  });

  test('the GC safepoint never goes backwards, also across a restart', () => {
    clock.advance(30 * MIN);
    assert.equal(pd.advanceGcSafePoint(), at(20 * MIN));
    // A longer gc life time would put the bound earlier: the safepoint stays.
    pd.setSetting('gc_life_time_ms', String(60 * MIN));
    assert.equal(pd.gcLifeTimeMs, 60 * MIN);
    assert.equal(pd.advanceGcSafePoint(), at(20 * MIN));
    clock.advance(30 * MIN); // now − 1 h = T0 − 0: still below
    assert.equal(pd.advanceGcSafePoint(), at(20 * MIN));
    clock.advance(50 * MIN); // now − 1 h = T0 + 50 min
    assert.equal(pd.advanceGcSafePoint(), at(50 * MIN));
    pd.close();
    pd = new Pd(join(dir, 'pd.db'), { clock });
    assert.equal(pd.gcSafePoint, at(50 * MIN));
    pd.setSetting('gc_life_time_ms', String(24 * 60 * MIN));
    assert.equal(pd.advanceGcSafePoint(), at(50 * MIN));
  });

  test('expired service safepoints (TTL in cluster time) stop holding GC', () => {
    clock.advance(30 * MIN);
    pd.updateServiceSafePoint('br', at(5 * MIN), 60);
    assert.equal(pd.advanceGcSafePoint(), at(5 * MIN));
    clock.advance(59_999);
    assert.equal(pd.serviceSafePoints().length, 1);
    assert.equal(pd.advanceGcSafePoint(), at(5 * MIN));
    clock.advance(1);
    assert.deepEqual(pd.serviceSafePoints(), []);
    assert.equal(pd.advanceGcSafePoint(), at(31 * MIN - LIFE));
    // Renewing the TTL before it expires keeps it (br refreshes its safepoint that way).
    pd.updateServiceSafePoint('br2', at(22 * MIN), 60);
    clock.advance(50_000);
    pd.updateServiceSafePoint('br2', at(22 * MIN), 60);
    clock.advance(50_000);
    assert.equal(pd.advanceGcSafePoint(), at(22 * MIN));
  });

  test('updateServiceSafePoint below the current GC safepoint is not accepted', () => {
    clock.advance(30 * MIN);
    const gcSafe = pd.advanceGcSafePoint();
    assert.deepEqual(pd.updateServiceSafePoint('late', gcSafe - 1n, 3600), { accepted: false, minSafePoint: gcSafe });
    assert.deepEqual(pd.serviceSafePoints(), []);
    // Exactly at the safepoint is fine.
    assert.equal(pd.updateServiceSafePoint('late', gcSafe, 3600).accepted, true);
    clock.advance(5 * MIN);
    assert.equal(pd.advanceGcSafePoint(), gcSafe);
  });
});

describe('GC runs', () => {
  let t: Awaited<ReturnType<typeof testCluster>>;
  let c: Cluster;
  let clock: ManualClock;

  beforeEach(async () => {
    clock = new ManualClock(T0);
    t = await testCluster({ stores: 3, clock });
    c = t.cluster;
    await spreadUserKeys(c);
    // Collect the history the cluster's bootstrap (catalog) left, so counts below are ours only.
    clock.advance(LIFE + MIN);
    await c.scheduler.runGc();
    clock.advance(MIN);
  });
  afterEach(async () => {
    await t.close();
  });

  async function write(muts: Array<[string, string | null]>): Promise<bigint> {
    const txn = c.txn.begin();
    for (const [k, v] of muts) {
      if (v === null) txn.delete(b(k));
      else txn.put(b(k), v.length > 0 && v.startsWith('big') ? Buffer.alloc(1000, v) : b(v));
    }
    return (await txn.commit()).commitTs;
  }

  /** Write-CF and default-CF row counts of a key on the store that leads it. */
  async function rowsOf(key: string): Promise<{ write: number; default: number }> {
    const store = c.store(c.pd.regions.locate(b(key)).leader);
    const end = Buffer.concat([b(key), Buffer.from([0])]);
    const rows = await store.direct<CfRow[]>('exportRange', { start: b(key), end });
    return { write: rows.filter((r) => r.cf === 'write').length, default: rows.filter((r) => r.cf === 'default').length };
  }

  async function read(keys: string[], ts: bigint): Promise<Array<string | null>> {
    return Promise.all(keys.map(async (k) => (await c.txn.get(b(k), ts))?.toString().slice(0, 8) ?? null));
  }

  test('runGc removes versions below the safepoint, keeps reads at or above it, and respects service safepoints', async () => {
    const keys = ['ub-gc', 'ui-gc', 'ur-gc'];
    const cA = await write([['ub-gc', 'a'], ['ui-gc', 'biga'], ['ur-gc', 'a']]);
    clock.advance(MIN);
    const cB = await write([['ub-gc', 'b'], ['ui-gc', 'bigb'], ['ur-gc', null]]);
    clock.advance(MIN);
    const cC = await write([['ub-gc', 'c']]);
    clock.advance(30 * MIN);
    const probes = [cB, cB + 1n, cC - 1n, cC, c.pd.tso()];
    const expected = await Promise.all(probes.map((ts) => read(keys, ts)));

    // A service safepoint at cB holds GC there.
    assert.equal(c.pd.updateServiceSafePoint('br', cB, 3600).accepted, true);
    const r1 = await c.scheduler.runGc();
    assert.equal(r1.safepoint, cB);
    assert.equal(c.pd.gcSafePoint, cB);
    // ub: a@cA removed; ui: biga@cA (and its default-CF value) removed; ur: a@cA and D@cB removed.
    assert.equal(r1.removedVersions, 4);
    assert.deepEqual(await rowsOf('ub-gc'), { write: 2, default: 0 });
    assert.deepEqual(await rowsOf('ui-gc'), { write: 1, default: 1 });
    assert.deepEqual(await rowsOf('ur-gc'), { write: 0, default: 0 });
    assert.deepEqual(await Promise.all(probes.map((ts) => read(keys, ts))), expected);
    // What was below the safepoint is gone (read here only to show it; TiDB refuses such reads).
    assert.deepEqual(await read(keys, cA), [null, null, null]);

    // Once the service safepoint goes, GC moves to now − life time and collects the rest.
    c.pd.updateServiceSafePoint('br', 0n, 0);
    const r2 = await c.scheduler.runGc();
    assert.equal(r2.safepoint, composeTs(clock.now() - LIFE, 0));
    assert.ok(r2.safepoint > cC);
    assert.equal(r2.removedVersions, 1); // ub: b@cB
    assert.deepEqual(await rowsOf('ub-gc'), { write: 1, default: 0 });
    assert.deepEqual(await rowsOf('ui-gc'), { write: 1, default: 1 });
    assert.deepEqual(await Promise.all(probes.slice(3).map((ts) => read(keys, ts))), expected.slice(3));
    // A service safepoint below the GC safepoint is now refused.
    assert.deepEqual(c.pd.updateServiceSafePoint('br', cB, 3600), { accepted: false, minSafePoint: r2.safepoint });
  });

  test('an expired service safepoint stops holding runGc', async () => {
    const c1 = await write([['ub-exp', 'v1']]);
    clock.advance(MIN);
    const c2 = await write([['ub-exp', 'v2']]);
    clock.advance(30 * MIN);
    c.pd.updateServiceSafePoint('br', c1, 60);
    assert.equal((await c.scheduler.runGc()).removedVersions, 0);
    assert.deepEqual(await rowsOf('ub-exp'), { write: 2, default: 0 });
    clock.advance(61_000);
    const r = await c.scheduler.runGc();
    assert.ok(r.safepoint > c2);
    assert.equal(r.removedVersions, 1);
    assert.deepEqual(await read(['ub-exp'], r.safepoint), ['v2']);
  });

  test('runGc resolves expired locks below the safepoint before collecting', async () => {
    await write([['ub-lock', 'old'], ['ur-lock', 'old']]);
    const txn = c.txn.begin();
    txn.put(b('ub-lock'), b('crashed'));
    txn.put(b('ur-lock'), b('crashed'));
    await txn.commit({ crashAfter: 'prewrite' });
    assert.equal((await allLocks(c)).length, 2);
    clock.advance(30 * MIN);
    const r = await c.scheduler.runGc();
    assert.ok(r.safepoint > txn.startTs);
    // Resolving the secondary first also clears the primary (rolled back by CheckTxnStatus).
    assert.ok(r.resolvedLocks >= 1 && r.resolvedLocks <= 2, `resolved ${r.resolvedLocks}`);
    assert.deepEqual(await allLocks(c), []);
    assert.deepEqual(await read(['ub-lock', 'ur-lock'], c.pd.tso()), ['old', 'old']);
  });
});
