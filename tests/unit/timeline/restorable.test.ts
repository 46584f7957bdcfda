import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { judgePoint, restorableRanges, type RestoreWindow } from '../../../renderer/timeline/restorable.ts';

// Small TSOs keep the cases readable: the rules only compare them.
const t = (n: number) => BigInt(n) << 18n;
const fmt = (ts: bigint) => `@${Number(ts >> 18n)}`;
const snap = (n: number) => ({ ts: t(n), storage: `local:///b/snapshot-${n}` });

/** Log 100..1000 with a gap 400..500, truncated at 150; snapshots at 120, 200, 300, 450, 600, 1100. */
const window: RestoreWindow = {
  snapshots: [snap(120), snap(200), snap(300), snap(450), snap(600), snap(1100)],
  bands: [{ fromTs: t(100), toTs: t(400) }, { fromTs: t(500), toTs: t(1000) }],
  logMinTs: t(150),
  logMaxTs: t(1000),
  truncateSafepoint: t(150),
};

describe('restorable points', () => {
  test('ranges start at the first usable snapshot of each gap-free band and end at the latest restorable ts', () => {
    const r = restorableRanges(window).map((x) => [Number(x.fromTs >> 18n), Number(x.toTs >> 18n), Number(x.snapshot.ts >> 18n)]);
    assert.deepEqual(r, [[200, 400, 200], [600, 1000, 600]]);
  });

  test('a point inside a range uses the newest snapshot at or before it', () => {
    const j = judgePoint(window, t(350) | 5n, fmt);
    assert.ok(j.ok);
    assert.equal(j.snapshot.ts, t(300));
    assert.equal(j.ts, t(350) | 5n, 'the picked TSO is kept exactly, logical bits too');
    const edge = judgePoint(window, t(1000), fmt);
    assert.ok(edge.ok && edge.snapshot.ts === t(600), 'the latest restorable ts itself is restorable');
  });

  test('each refusal says why and names the nearest restorable point', () => {
    const cases: Array<[number, string, RegExp, number]> = [
      [1200, 'after-latest', /after the latest restorable time @1000/, 1000],
      [130, 'before-truncate', /truncate safepoint @150/, 200],
      [170, 'before-snapshot', /earliest snapshot usable with this log \(@200\)/, 200],
      [450, 'in-gap', /gap .*from @400 to @500/, 400],
      [550, 'after-gap', /follows a gap/, 600],
    ];
    for (const [at, kind, reason, nearest] of cases) {
      const j = judgePoint(window, t(at), fmt);
      assert.ok(!j.ok, `${at} refused`);
      assert.equal(j.kind, kind, `${at}`);
      assert.match(j.reason, reason);
      assert.equal(j.nearest, t(nearest), `${at} clamps to ${nearest}`);
    }
  });

  test('before the log starts, with no truncation', () => {
    const w = { ...window, truncateSafepoint: null, logMinTs: t(100) };
    const j = judgePoint(w, t(50), fmt);
    assert.ok(!j.ok && j.kind === 'before-log' && j.nearest === t(120));
  });

  test('no log or no usable snapshot: refused with what to do, nothing to clamp to', () => {
    const none = judgePoint({ snapshots: [], bands: [], logMinTs: null, logMaxTs: null, truncateSafepoint: null }, t(5), fmt);
    assert.ok(!none.ok && none.kind === 'no-log' && none.nearest === null && /start one/.test(none.reason));
    const noSnap = judgePoint({ ...window, snapshots: [snap(50)] }, t(300), fmt);
    assert.ok(!noSnap.ok && noSnap.kind === 'no-snapshot' && /take a snapshot/.test(noSnap.reason));
  });
});
