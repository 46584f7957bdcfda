import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCode } from '../../../core/errors.ts';
import { ScaledClock, ManualClock } from '../../../core/tso/clock.ts';

/** A fake real clock that tests move by hand. */
function fakeReal(start = 1_000_000): { now: () => number; set: (ms: number) => void } {
  let t = start;
  return { now: () => t, set: (ms) => { t = ms; } };
}

const T0 = Date.UTC(2026, 0, 1);

describe('ScaledClock', () => {
  test('speed 1 follows the real clock from the anchor', () => {
    const real = fakeReal();
    const clock = new ScaledClock({ anchorClusterMs: T0, realNow: real.now });
    assert.equal(clock.speed, 1);
    assert.equal(clock.now(), T0);
    real.set(1_000_250);
    assert.equal(clock.now(), T0 + 250);
  });

  test('anchors default to now', () => {
    const real = fakeReal(T0);
    const clock = new ScaledClock({ realNow: real.now });
    assert.equal(clock.now(), T0);
    assert.deepEqual(clock.state(), { speed: 1, anchorClusterMs: T0, anchorRealMs: T0 });
  });

  test('speed 60: one real second is sixty cluster seconds', () => {
    const real = fakeReal();
    const clock = new ScaledClock({ speed: 60, anchorClusterMs: T0, realNow: real.now });
    real.set(1_001_000);
    assert.equal(clock.now(), T0 + 60_000);
    real.set(1_002_500);
    assert.equal(clock.now(), T0 + 150_000);
  });

  test('setSpeed re-anchors without a jump', () => {
    const real = fakeReal();
    const clock = new ScaledClock({ speed: 10, anchorClusterMs: T0, realNow: real.now });
    real.set(1_001_000);
    assert.equal(clock.now(), T0 + 10_000);
    clock.setSpeed(1000);
    assert.equal(clock.speed, 1000);
    assert.equal(clock.now(), T0 + 10_000);
    real.set(1_001_010);
    assert.equal(clock.now(), T0 + 20_000);
    clock.setSpeed(0.5);
    assert.equal(clock.now(), T0 + 20_000);
    real.set(1_001_110);
    assert.equal(clock.now(), T0 + 20_050);
  });

  test('never goes backwards when the real clock does', () => {
    const real = fakeReal();
    const clock = new ScaledClock({ speed: 2, anchorClusterMs: T0, realNow: real.now });
    real.set(1_000_500);
    assert.equal(clock.now(), T0 + 1000);
    real.set(999_000);
    assert.equal(clock.now(), T0 + 1000);
    clock.setSpeed(4);
    assert.equal(clock.now(), T0 + 1000);
    real.set(999_100);
    assert.equal(clock.now(), T0 + 1400);
  });

  test('invalid speed refused', () => {
    const real = fakeReal();
    for (const bad of [0, 0.001, -1, 100_001, Number.NaN, Infinity]) {
      assert.throws(() => new ScaledClock({ speed: bad, realNow: real.now }), {
        code: ErrorCode.InvalidArgument,
      });
    }
    const clock = new ScaledClock({ realNow: real.now });
    for (const bad of [0, 1e6, Number.NaN]) {
      assert.throws(() => clock.setSpeed(bad), { code: ErrorCode.InvalidArgument });
    }
    assert.equal(clock.speed, 1);
    clock.setSpeed(0.01);
    clock.setSpeed(100_000);
    assert.equal(clock.speed, 100_000);
  });

  test('state round trip', () => {
    const real = fakeReal();
    const clock = new ScaledClock({ speed: 60, anchorClusterMs: T0, realNow: real.now });
    real.set(1_001_000);
    const state = clock.state();
    assert.deepEqual(state, { speed: 60, anchorClusterMs: T0 + 60_000, anchorRealMs: 1_001_000 });
    const restored = ScaledClock.fromState(state, real.now);
    assert.equal(restored.speed, 60);
    assert.equal(restored.now(), clock.now());
    real.set(1_002_000);
    assert.equal(restored.now(), T0 + 120_000);
    assert.equal(restored.now(), clock.now());
  });

  test('restored clock does not go below its persisted time', () => {
    const real = fakeReal();
    const restored = ScaledClock.fromState(
      { speed: 1, anchorClusterMs: T0, anchorRealMs: 1_000_000 },
      real.now,
    );
    real.set(900_000);
    assert.equal(restored.now(), T0);
  });
});

describe('ManualClock', () => {
  test('defaults and stepping', () => {
    const clock = new ManualClock();
    assert.equal(clock.now(), T0);
    assert.equal(clock.speed, 1);
    clock.advance(1500);
    assert.equal(clock.now(), T0 + 1500);
    clock.set(T0 + 5000);
    assert.equal(clock.now(), T0 + 5000);
    clock.set(T0 + 5000);
    assert.equal(clock.now(), T0 + 5000);
  });

  test('refuses going backwards', () => {
    const clock = new ManualClock(1000);
    assert.throws(() => clock.set(999), { code: ErrorCode.InvalidArgument });
    assert.throws(() => clock.advance(-1), { code: ErrorCode.InvalidArgument });
    assert.equal(clock.now(), 1000);
  });
});
