/** Coverage of the restore timeline: bands, gaps, the truncate safepoint, snapshots inside and outside the log window. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { computeCoverage, type CoverageInput } from '../../../core/browse/coverage.ts';

const base = (over: Partial<CoverageInput> = {}): CoverageInput => ({
  logMinTs: 100n,
  logMaxTs: 1000n,
  truncateSafepoint: null,
  logClusterId: '7',
  missing: [],
  snapshots: [],
  unusable: null,
  ...over,
});
const snap = (ts: bigint, clusterId = '7') => ({ ts, sameCluster: clusterId === '7', clusterId });

/** The refusal reason of a point, or null when the point is restorable. */
function reasonAt(c: ReturnType<typeof computeCoverage>, ts: bigint): string | null {
  const inside = (from: string | null, to: string | null) => (from === null || BigInt(from) <= ts) && (to === null || ts <= BigInt(to));
  const r = c.refusals.find((x) => inside(x.from_ts, x.to_ts));
  const ok = c.restorable.some((x) => inside(x.from_ts, x.to_ts));
  assert.ok(ok !== (r !== undefined), `point ${ts} is either restorable or refused, never both or neither`);
  return r?.reason ?? null;
}

test('one band, one snapshot inside the window: restorable from the snapshot to the checkpoint', () => {
  const c = computeCoverage(base({ snapshots: [snap(300n)] }));
  assert.deepEqual(c.bands, [{ from_ts: '100', to_ts: '1000' }]);
  assert.deepEqual(c.restorable, [{ from_ts: '300', to_ts: '1000', snapshot_ts: '300' }]);
  assert.deepEqual(c.snapshotReasons, [null]);
  assert.match(reasonAt(c, 99n)!, /before the log backup's start/);
  assert.match(reasonAt(c, 150n)!, /no usable snapshot.*300/);
  assert.equal(reasonAt(c, 300n), null);
  assert.equal(reasonAt(c, 1000n), null);
  assert.match(reasonAt(c, 1001n)!, /after the log backup's checkpoint/);
});

test('snapshots outside the window or of another cluster are not usable, with the reason', () => {
  const c = computeCoverage(base({ snapshots: [snap(50n), snap(2000n), snap(400n, '8')] }));
  assert.match(c.snapshotReasons[0]!, /before the log backup's start/);
  assert.match(c.snapshotReasons[1]!, /after the log backup's checkpoint/);
  assert.match(c.snapshotReasons[2]!, /cluster 8/);
  assert.deepEqual(c.restorable, []);
  assert.match(reasonAt(c, 500n)!, /no usable snapshot/);
});

test('the truncate safepoint is named as the reason before the window', () => {
  const c = computeCoverage(base({ logMinTs: 500n, truncateSafepoint: 500n, snapshots: [snap(400n), snap(600n)] }));
  assert.match(reasonAt(c, 450n)!, /truncate safepoint/);
  assert.match(c.snapshotReasons[0]!, /truncate safepoint/);
  assert.equal(c.restorable[0]!.from_ts, '600');
});

test('a missing data file splits the log: a restore cannot cross the gap', () => {
  const c = computeCoverage(base({ missing: [{ minTs: 400n, maxTs: 450n, path: 'v1/x.log' }, { minTs: 440n, maxTs: 500n, path: 'v1/y.log' }], snapshots: [snap(200n), snap(700n)] }));
  assert.deepEqual(c.bands, [{ from_ts: '100', to_ts: '399' }, { from_ts: '500', to_ts: '1000' }]);
  assert.equal(c.gaps.length, 1, 'overlapping missing files make one gap');
  assert.deepEqual([c.gaps[0]!.from_ts, c.gaps[0]!.to_ts], ['400', '500']);
  assert.match(c.gaps[0]!.reason, /v1\/x\.log, v1\/y\.log/);
  assert.deepEqual(c.restorable.map((r) => [r.from_ts, r.to_ts, r.snapshot_ts]), [['200', '399', '200'], ['700', '1000', '700']]);
  assert.match(reasonAt(c, 450n)!, /missing 2 data file/);
  assert.match(reasonAt(c, 600n)!, /first one in this part of the log is at 700/);
  // A snapshot right at the end of the missing range can start a restore (it needs no earlier file).
  const atEnd = computeCoverage(base({ missing: [{ minTs: 400n, maxTs: 500n, path: 'v1/x.log' }], snapshots: [snap(500n)] }));
  assert.deepEqual(atEnd.restorable.map((r) => [r.from_ts, r.to_ts]), [['500', '1000']]);
  assert.deepEqual(atEnd.snapshotReasons, [null]);
});

test('a missing file outside the window (truncated data, or beyond the checkpoint) leaves no gap', () => {
  const c = computeCoverage(base({ missing: [{ minTs: 10n, maxTs: 90n, path: 'old.log' }, { minTs: 1500n, maxTs: 1600n, path: 'new.log' }], snapshots: [snap(100n)] }));
  assert.deepEqual(c.gaps, []);
  assert.deepEqual(c.bands, [{ from_ts: '100', to_ts: '1000' }]);
});

test('a damaged .meta makes every point of the window refused with its reason', () => {
  const c = computeCoverage(base({ snapshots: [snap(300n)], unusable: 'v1/backupmeta/x.meta is not valid JSON' }));
  assert.deepEqual(c.restorable, []);
  assert.match(reasonAt(c, 500n)!, /not valid JSON/);
});
