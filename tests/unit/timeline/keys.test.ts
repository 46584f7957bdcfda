import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { keyAction } from '../../../renderer/timeline/keys.ts';
import { tsOfMs } from '../../../renderer/timeline/tso-text.ts';

const T = Date.UTC(2026, 10, 24);
const view = { startMs: T, spanMs: 100_000 };
const none = { shiftKey: false, altKey: false, ctrlKey: false, metaKey: false };
const snaps = [tsOfMs(T + 10_000), tsOfMs(T + 50_000), tsOfMs(T + 90_000)];
const act = (key: string, mods = none, picked: bigint | null = tsOfMs(T + 40_000)) => keyAction(key, mods, view, picked, snaps, snaps[0]!, tsOfMs(T + 99_000));

describe('timeline keys', () => {
  test('arrows move by 1 % of the view, Shift by 10 %, Alt by one millisecond', () => {
    assert.deepEqual(act('ArrowRight'), { kind: 'pick', ts: tsOfMs(T + 41_000) });
    assert.deepEqual(act('ArrowLeft', { ...none, shiftKey: true }), { kind: 'pick', ts: tsOfMs(T + 30_000) });
    assert.deepEqual(act('ArrowRight', { ...none, altKey: true }), { kind: 'pick', ts: tsOfMs(T + 40_001) });
  });

  test('Ctrl/Cmd+arrows jump to the neighbouring snapshot; none beyond the last', () => {
    assert.deepEqual(act('ArrowRight', { ...none, ctrlKey: true }), { kind: 'pick', ts: snaps[1] });
    assert.deepEqual(act('ArrowLeft', { ...none, metaKey: true }), { kind: 'pick', ts: snaps[0] });
    assert.equal(act('ArrowRight', { ...none, ctrlKey: true }, snaps[2]!), null);
  });

  test('Home/End, zoom and pan keys; with nothing picked, arrows start from the view centre', () => {
    assert.deepEqual(act('Home'), { kind: 'pick', ts: snaps[0] });
    assert.deepEqual(act('End'), { kind: 'pick', ts: tsOfMs(T + 99_000) });
    assert.deepEqual(act('+'), { kind: 'zoom', factor: 2 });
    assert.deepEqual(act('-'), { kind: 'zoom', factor: 0.5 });
    assert.deepEqual(act('PageDown'), { kind: 'pan', fraction: 0.5 });
    assert.deepEqual(act('ArrowRight', none, null), { kind: 'pick', ts: tsOfMs(T + 51_000) });
    assert.equal(act('x'), null);
  });
});
