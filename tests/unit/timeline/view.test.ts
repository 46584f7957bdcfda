import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_SPAN_MS, MIN_SPAN_MS, clampView, fitView, msAtX, panBy, revealMs, wheelFactor, xOfMs, zoomAt } from '../../../renderer/timeline/view.ts';

const T = Date.UTC(2026, 10, 24);
const W = 1000;

describe('timeline view', () => {
  test('x and time map both ways', () => {
    const v = { startMs: T, spanMs: 10_000 };
    assert.equal(xOfMs(v, W, T + 2500), 250);
    assert.equal(msAtX(v, W, 250), T + 2500);
  });

  test('zooming keeps the time under the pointer in place, in and out', () => {
    let v = { startMs: T, spanMs: 3_600_000 };
    const anchor = msAtX(v, W, 730);
    v = zoomAt(v, W, 730, 8);
    assert.equal(v.spanMs, 450_000);
    assert.ok(Math.abs(msAtX(v, W, 730) - anchor) < 1e-3);
    v = zoomAt(v, W, 730, wheelFactor(100));
    assert.ok(v.spanMs > 450_000, 'a positive wheel delta zooms out');
    assert.ok(Math.abs(msAtX(v, W, 730) - anchor) < 1e-3);
  });

  test('zoom stops at milliseconds and at weeks, anchored still', () => {
    let v = { startMs: T, spanMs: 1000 };
    for (let i = 0; i < 20; i++) v = zoomAt(v, W, 500, 4);
    assert.equal(v.spanMs, MIN_SPAN_MS);
    assert.ok(Math.abs(msAtX(v, W, 500) - (T + 500)) < 1e-3, 'deep zoom still resolves sub-ms');
    for (let i = 0; i < 40; i++) v = zoomAt(v, W, 500, 0.25);
    assert.equal(v.spanMs, MAX_SPAN_MS);
    assert.equal(clampView({ startMs: T, spanMs: 1 }).spanMs, MIN_SPAN_MS);
  });

  test('dragging right moves the view back in time by the dragged share of the span', () => {
    const v = panBy({ startMs: T, spanMs: 10_000 }, W, 100);
    assert.equal(v.startMs, T - 1000);
    assert.equal(v.spanMs, 10_000);
  });

  test('fit and reveal', () => {
    const f = fitView(T, T + 1000);
    assert.ok(f.startMs < T && f.startMs + f.spanMs > T + 1000);
    const v = { startMs: T, spanMs: 1000 };
    assert.equal(revealMs(v, T + 500), v, 'a visible time does not move the view');
    const r = revealMs(v, T + 5000);
    assert.ok(T + 5000 < r.startMs + r.spanMs && T + 5000 > r.startMs);
  });
});
