import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_MIN_TICK_SPACING_PX, tickStep, ticksFor } from '../../../renderer/timeline/ticks.ts';

const T = Date.UTC(2026, 10, 24, 6, 0, 0); // 14:00 at +0800
const W = 1200;

describe('timeline ticks', () => {
  test('the step adapts to the zoom, from weeks to milliseconds', () => {
    assert.equal(tickStep({ startMs: T, spanMs: 8 * 7 * 86_400_000 }, W), 7 * 86_400_000);
    assert.equal(tickStep({ startMs: T, spanMs: 86_400_000 }, W), 2 * 3_600_000);
    assert.equal(tickStep({ startMs: T, spanMs: 60_000 }, W), 5000);
    assert.equal(tickStep({ startMs: T, spanMs: 100 }, W), 10);
    assert.equal(tickStep({ startMs: T, spanMs: 20 }, W), 2);
  });

  test('ticks keep their spacing and fall on local wall-clock boundaries', () => {
    const { step, ticks } = ticksFor({ startMs: T - 1234, spanMs: 3 * 3_600_000 }, W, 480);
    assert.equal(step, 15 * 60_000);
    assert.ok(ticks.length >= 2);
    for (let i = 1; i < ticks.length; i++) assert.ok(((ticks[i]!.ms - ticks[i - 1]!.ms) / (3 * 3_600_000)) * W >= DEFAULT_MIN_TICK_SPACING_PX);
    assert.equal(ticks[0]!.label, '14:00');
    assert.equal((ticks[0]!.ms + 480 * 60_000) % step, 0);
  });

  test('labels are as fine as the step: days, hours, seconds, milliseconds', () => {
    const day = ticksFor({ startMs: T, spanMs: 14 * 86_400_000 }, W, 480).ticks[0]!.label;
    assert.match(day, /^2026-11-2\d$/);
    const midnight = ticksFor({ startMs: Date.UTC(2026, 10, 24, 15, 0), spanMs: 6 * 3_600_000 }, W, 480).ticks.map((t) => t.label);
    assert.ok(midnight.includes('11-25'), `local midnight names the day: ${midnight.join(' ')}`);
    assert.match(ticksFor({ startMs: T, spanMs: 60_000 }, W, 480).ticks[0]!.label, /^14:00:00$/);
    const ms = ticksFor({ startMs: T + 3, spanMs: 100 }, W, 480).ticks;
    assert.equal(ms[0]!.label, '00:00.010');
  });

  test('week ticks fall on Mondays', () => {
    const { ticks } = ticksFor({ startMs: T, spanMs: 8 * 7 * 86_400_000 }, W, 0);
    for (const t of ticks) assert.equal(new Date(t.ms).getUTCDay(), 1);
  });
});
