import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { judgePoint } from '../../../renderer/timeline/restorable.ts';
import { modelFromTimeline } from '../../../renderer/timeline/model.ts';
import { syntheticTimeline } from '../../../renderer/timeline/synthetic.ts';
import { msOfTs, tsOfMs } from '../../../renderer/timeline/tso-text.ts';

const END = Date.UTC(2026, 10, 24, 6, 0, 0);

describe('timeline model from restore:timeline', () => {
  const t = syntheticTimeline({ files: 5000, snapshots: 200, days: 7, endMs: END, gapMs: 3_600_000 });
  const m = modelFromTimeline(t);

  test('files, snapshots, bands and gaps arrive in ms, sorted', () => {
    assert.equal(m.files.minMs.length, t.log_files.count);
    for (let i = 1; i < m.files.minMs.length; i++) assert.ok(m.files.minMs[i]! >= m.files.minMs[i - 1]!);
    assert.equal(m.snapshots.length, 200);
    assert.equal(m.snapMs.length, 200);
    assert.equal(m.bands.length, 2);
    assert.equal(m.gaps.length, 1);
    assert.equal(m.gaps[0]!.reason, 'a data file listed by metadata is missing');
    assert.equal(m.gaps[0]!.toMs - m.gaps[0]!.fromMs, 3_600_000);
    assert.equal(m.latestMs, END);
    assert.ok(m.extent[0] <= m.truncateMs! && m.extent[1] >= END);
  });

  test('only usable snapshots anchor restorable ranges; one range per gap-free band', () => {
    assert.ok(m.window.snapshots.length < m.snapshots.length, 'snapshots before the truncate safepoint are drawn but unusable');
    assert.equal(m.restorable.length, 2);
    assert.equal(m.restorable[1]![1], END);
    const inGap = judgePoint(m.window, tsOfMs(m.gaps[0]!.fromMs + 1000));
    assert.ok(!inGap.ok && inGap.kind === 'in-gap');
    const late = judgePoint(m.window, tsOfMs(END + 1));
    assert.ok(!late.ok && late.nearest !== null && msOfTs(late.nearest) === END);
    const good = judgePoint(m.window, tsOfMs(END - 60_000));
    assert.ok(good.ok && good.snapshot.storage.startsWith('local:///bench/'));
  });
});
