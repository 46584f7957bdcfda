import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { buildFileSpans, fileDensity, snapshotColumns, visibleFiles } from '../../../renderer/timeline/columns.ts';

/** The density the slow way: every file against every column. */
function naive(files: Array<[number, number]>, from: number, span: number, columns: number): number[] {
  const out = new Array<number>(columns).fill(0);
  const per = columns / span;
  for (const [lo, hi] of files) {
    if (hi < from || lo > from + span) continue;
    const c0 = Math.max(0, Math.floor((lo - from) * per));
    const c1 = Math.min(columns - 1, Math.floor((hi - from) * per));
    for (let c = c0; c <= c1; c++) out[c]!++;
  }
  return out;
}

/** A deterministic pseudo-random sequence (tests must not flake). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

describe('timeline columns', () => {
  test('file density per column equals the naive count, in any view', () => {
    const r = rng(7);
    const files: Array<[number, number]> = Array.from({ length: 3000 }, () => {
      const lo = r() * 1_000_000;
      return [lo, lo + r() * (r() < 0.05 ? 200_000 : 2_000)];
    });
    const spans = buildFileSpans(files);
    for (const [from, span, cols] of [[0, 1_000_000, 300], [123_456, 10_000, 500], [-5_000, 20_000, 97], [999_000, 50_000, 64]] as const) {
      assert.deepEqual([...fileDensity(spans, from, span, cols).subarray(0, cols)], naive(files, from, span, cols), `view ${from}+${span}`);
    }
  });

  test('the visible slice holds every overlapping file, even a long one that started early', () => {
    const spans = buildFileSpans([[0, 10_000], [100, 200], [300, 400], [5_000, 5_100], [9_000, 9_500]]);
    const [lo, hi] = visibleFiles(spans, 6_000, 7_000);
    assert.equal(lo, 0, 'the long first file still overlaps');
    assert.equal(hi, 4, 'files starting after the view are cut');
    const [lo2, hi2] = visibleFiles(spans, 20_000, 30_000);
    assert.equal(hi2 - lo2, 0);
  });

  test('snapshots sharing a pixel column become one mark with a count', () => {
    const ms = Float64Array.from([0, 1, 2, 500, 999, 2000]);
    assert.deepEqual(snapshotColumns(ms, 0, 1000, 10), [
      { column: 0, count: 3, firstIndex: 0 },
      { column: 5, count: 1, firstIndex: 3 },
      { column: 9, count: 1, firstIndex: 4 },
    ]);
  });
});
