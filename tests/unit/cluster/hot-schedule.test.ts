/**
 * PD's hot-region scheduling in the lab: a region moves only after the stores' load gap has
 * shown for hot-region-cache-hits-threshold heartbeats in a row, and a region just moved is not
 * sent back on figures taken before it arrived (its cooldown), so a hot spot does not
 * ping-pong between stores, copying its data every second.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Region } from '../../../core/cluster/pd/regions.ts';
import { Scheduler } from '../../../core/cluster/scheduler.ts';
import { b, testCluster } from '../../helpers/cluster.ts';
import type { TestCluster } from '../../helpers/cluster.ts';

const HEARTBEAT_MS = 40;
const COOLDOWN = 10;
let t: TestCluster;

before(async () => {
  t = await testCluster({ stores: 2 });
  await t.cluster.txn.run(async (txn) => {
    for (const k of ['ua', 'uc', 'ue', 'ug', 'ui']) txn.put(b(k), b(`v-${k}`));
  });
  for (const k of ['ub', 'ud', 'uf', 'uh']) await t.cluster.splitAt(b(k));
});
after(async () => t.close());

const regionOf = (key: string): Region => t.cluster.pd.regions.locate(b(key));

async function place(leaders: Record<string, number>, qps: Record<string, number>): Promise<void> {
  for (const [k, store] of Object.entries(leaders)) if (regionOf(k).leader !== store) await t.cluster.moveRegion(regionOf(k).id, store);
  for (const r of t.cluster.pd.regions.all()) r.qps = 0;
  for (const [k, q] of Object.entries(qps)) regionOf(k).qps = q;
}

test('a hot gap must last three heartbeats, and a region just moved is not sent back', async () => {
  const s = new Scheduler(t.cluster, { enabled: false, heartbeatMs: HEARTBEAT_MS, hotCacheHitsThreshold: 3, moveCooldownHeartbeats: COOLDOWN, hotBalanceMinQps: 1500 });
  // Store 1 serves 3000 requests/s, store 2 none.
  await place({ ua: 1, uc: 1, ue: 1, ug: 2, ui: 2 }, { ua: 1000, uc: 1000, ue: 1000 });
  assert.equal(await s.balanceHot(), false, 'first hot heartbeat: no move');
  assert.equal(await s.balanceHot(), false, 'second: no move');
  const before = new Map(t.cluster.pd.regions.all().map((r) => [r.id, r.leader]));
  assert.equal(await s.balanceHot(), true, 'third: a region moves to the cool store');
  const moved = t.cluster.pd.regions.all().filter((r) => before.get(r.id) !== r.leader);
  assert.equal(moved.length, 1);
  const m = moved[0]!;
  assert.equal(m.leader, 2);

  // Store 2 now serves 2800 (the region it just got: 1200, its own ug: 1600), store 1 600.
  // Without the cooldown the region just moved (1200, nearest half the gap) would go back.
  const load = () => {
    for (const r of t.cluster.pd.regions.all()) r.qps = 0;
    regionOf('uc').qps = 300;
    regionOf('ue').qps = 300;
    regionOf('ug').qps = 1600;
    t.cluster.pd.regions.get(m.id)!.qps = 1200;
  };
  load();
  assert.equal(await s.balanceHot(), false);
  // A gap that comes and goes restarts the count.
  for (const r of t.cluster.pd.regions.all()) r.qps = 0;
  assert.equal(await s.balanceHot(), false);
  load();
  assert.equal(await s.balanceHot(), false);
  assert.equal(await s.balanceHot(), false);
  assert.equal(await s.balanceHot(), true);
  assert.equal(t.cluster.pd.regions.get(m.id)!.leader, 2, 'the region just moved stays');
  assert.equal(regionOf('ug').leader, 1, 'the other hot region of store 2 moved instead');

  // Once its cooldown is over, the region can move again.
  await new Promise((r) => setTimeout(r, COOLDOWN * HEARTBEAT_MS + 20));
  await place({ ug: 2 }, { ug: 1000, ui: 1000 });
  t.cluster.pd.regions.get(m.id)!.qps = 1500; // store 2: 3500, store 1: 0; m is nearest half the gap
  assert.equal(await s.balanceHot(), false);
  assert.equal(await s.balanceHot(), false);
  assert.equal(await s.balanceHot(), true);
  assert.equal(t.cluster.pd.regions.get(m.id)!.leader, 1, 'after its cooldown the region moves again');
});
