import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCode } from '../../../core/errors.ts';
import { ManualClock } from '../../../core/tso/clock.ts';
import { TsoAllocator, DEFAULT_TSO_SAVE_WINDOW_MS } from '../../../core/tso/allocator.ts';
import { MAX_LOGICAL, composeTs, physicalOf, logicalOf } from '../../../core/tso/tso.ts';

const T0 = Date.UTC(2026, 0, 1);

/** An in-memory high-water store that records every save. */
function store(initial = 0): { saves: number[]; load: () => number; save: (ms: number) => void } {
  const saves: number[] = [];
  return {
    saves,
    load: () => (saves.length > 0 ? (saves[saves.length - 1] as number) : initial),
    save: (ms) => { saves.push(ms); },
  };
}

function allocator(clock: ManualClock, s: ReturnType<typeof store>): TsoAllocator {
  return new TsoAllocator({ clock, loadHighWater: s.load, saveHighWater: s.save });
}

describe('TsoAllocator', () => {
  test('first ts comes from the clock with logical 0; peek does not allocate', () => {
    const clock = new ManualClock(T0);
    const tso = allocator(clock, store());
    assert.equal(tso.peek(), 0n);
    const a = tso.next();
    assert.equal(a, composeTs(T0, 0));
    assert.equal(tso.peek(), a);
    assert.equal(tso.peek(), a);
    assert.equal(tso.next(), composeTs(T0, 1));
    clock.advance(5);
    assert.equal(tso.next(), composeTs(T0 + 5, 0));
  });

  test('many allocations are strictly increasing', () => {
    const clock = new ManualClock(T0);
    const tso = allocator(clock, store());
    let prev = 0n;
    for (let i = 0; i < 20_000; i++) {
      if (i % 7 === 0) clock.advance(i % 3);
      const ts = i % 11 === 0 ? tso.nextBatch(1 + (i % 50)) : tso.next();
      assert.ok(ts > prev, `allocation ${i}: ${ts} <= ${prev}`);
      prev = ts;
    }
  });

  test('nextBatch returns the last of count consecutive ts', () => {
    const clock = new ManualClock(T0);
    const tso = allocator(clock, store());
    assert.equal(tso.next(), composeTs(T0, 0));
    assert.equal(tso.nextBatch(10), composeTs(T0, 10));
    assert.equal(tso.next(), composeTs(T0, 11));
    // A batch that does not fit in this ms moves to the next one.
    const last = tso.nextBatch(MAX_LOGICAL);
    assert.equal(last, composeTs(T0 + 1, MAX_LOGICAL - 1));
    assert.throws(() => tso.nextBatch(0), { code: ErrorCode.InvalidArgument });
    assert.throws(() => tso.nextBatch(MAX_LOGICAL + 2), { code: ErrorCode.InvalidArgument });
  });

  test('logical overflow with a frozen clock moves physical ahead', () => {
    const clock = new ManualClock(T0);
    const tso = allocator(clock, store());
    let prev = 0n;
    const total = (MAX_LOGICAL + 1) * 2 + 5;
    for (let i = 0; i < total; i++) {
      const ts = tso.next();
      assert.ok(ts > prev);
      prev = ts;
    }
    assert.equal(physicalOf(prev), T0 + 2);
    assert.equal(logicalOf(prev), 4);
    // The clock catching up does not reset anything.
    clock.advance(1);
    assert.equal(tso.next(), composeTs(T0 + 2, 5));
    clock.advance(2);
    assert.equal(tso.next(), composeTs(T0 + 3, 0));
  });

  test('high-water mark is saved before being crossed', () => {
    const clock = new ManualClock(T0);
    const s = store();
    const tso = allocator(clock, s);
    assert.deepEqual(s.saves, []);
    tso.next();
    assert.deepEqual(s.saves, [T0 + DEFAULT_TSO_SAVE_WINDOW_MS]);
    clock.advance(DEFAULT_TSO_SAVE_WINDOW_MS - 1);
    for (let i = 0; i < 100; i++) tso.next();
    assert.equal(s.saves.length, 1, 'no save while inside the window');
    clock.advance(1);
    const ts = tso.next();
    assert.equal(physicalOf(ts), T0 + DEFAULT_TSO_SAVE_WINDOW_MS);
    assert.deepEqual(s.saves, [T0 + 3000, T0 + 6000]);
    assert.equal(tso.highWaterMs, T0 + 6000);
  });

  test('every allocated physical part stays below the saved mark at allocation time', () => {
    const clock = new ManualClock(T0);
    let saved = 0;
    const tso = new TsoAllocator({
      clock,
      loadHighWater: () => saved,
      saveHighWater: (ms) => { saved = ms; },
    });
    for (let i = 0; i < 500; i++) {
      clock.advance(37);
      assert.ok(physicalOf(tso.next()) < saved);
    }
  });

  test('a failing save allocates nothing', () => {
    const clock = new ManualClock(T0);
    const tso = new TsoAllocator({
      clock,
      loadHighWater: () => 0,
      saveHighWater: () => { throw new Error('disk full'); },
    });
    assert.throws(() => tso.next(), /disk full/);
    assert.equal(tso.peek(), 0n);
  });

  test('restart with a clock that went backwards never repeats or goes back', () => {
    const s = store();
    const first = allocator(new ManualClock(T0), s);
    let lastOfRun1 = 0n;
    for (let i = 0; i < 1000; i++) lastOfRun1 = first.next();
    const savedMark = s.load();
    assert.equal(savedMark, T0 + DEFAULT_TSO_SAVE_WINDOW_MS);

    // The restarted PD's clock reads a minute earlier than before.
    const second = allocator(new ManualClock(T0 - 60_000), s);
    const ts = second.next();
    assert.ok(ts > lastOfRun1, `${ts} <= ${lastOfRun1}`);
    assert.equal(ts, composeTs(savedMark + 1, 0));
    assert.ok(second.next() > ts);
  });

  test('restart with a clock ahead of the mark follows the clock', () => {
    const s = store(T0 + 100);
    const tso = allocator(new ManualClock(T0 + 10_000), s);
    assert.equal(tso.next(), composeTs(T0 + 10_000, 0));
  });

  test('corrupt saved mark is refused', () => {
    assert.throws(
      () => new TsoAllocator({ clock: new ManualClock(), loadHighWater: () => Number.NaN, saveHighWater: () => {} }),
      { code: ErrorCode.Internal },
    );
  });
});
