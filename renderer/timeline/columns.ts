/**
 * Per-pixel-column aggregation of log files and snapshots, so a frame costs O(visible items +
 * columns) however many files the log holds: items live in typed arrays sorted by time, the
 * visible slice is found by binary search, and overlaps are counted with a difference array.
 */

/** Log files as sorted typed arrays (by min ms), with the running maximum of their ends. */
export interface FileSpans {
  minMs: Float64Array;
  maxMs: Float64Array;
  /** prefixMaxEnd[i] = max(maxMs[0..i]): non-decreasing, so binary-searchable. */
  prefixMaxEnd: Float64Array;
}

/** Builds FileSpans from [minMs, maxMs] pairs in any order. */
export function buildFileSpans(files: ReadonlyArray<readonly [number, number]>): FileSpans {
  const order = files.map((_, i) => i).sort((a, b) => files[a]![0] - files[b]![0]);
  const n = files.length;
  const minMs = new Float64Array(n);
  const maxMs = new Float64Array(n);
  const prefixMaxEnd = new Float64Array(n);
  let run = -Infinity;
  order.forEach((src, i) => {
    const [lo, hi] = files[src]!;
    minMs[i] = lo;
    maxMs[i] = Math.max(lo, hi);
    run = Math.max(run, maxMs[i]!);
    prefixMaxEnd[i] = run;
  });
  return { minMs, maxMs, prefixMaxEnd };
}

/** The first index whose value is ≥ x in a non-decreasing array. */
export function lowerBound(a: ArrayLike<number>, x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The first index whose value is > x in a non-decreasing array. */
export function upperBound(a: ArrayLike<number>, x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The index range [lo, hi) that holds every file overlapping [fromMs, toMs]: files before lo all
 * end before fromMs, files from hi on all start after toMs. Some inside may still miss the range.
 */
export function visibleFiles(spans: FileSpans, fromMs: number, toMs: number): [number, number] {
  return [lowerBound(spans.prefixMaxEnd, fromMs), upperBound(spans.minMs, toMs)];
}

/**
 * How many files overlap each of `columns` pixel columns of the range [fromMs, fromMs + spanMs].
 * A file narrower than a column still counts in the column it falls in, so none disappears.
 */
export function fileDensity(spans: FileSpans, fromMs: number, spanMs: number, columns: number, out?: Uint32Array): Uint32Array {
  const counts = out && out.length >= columns + 1 ? out.fill(0) : new Uint32Array(columns + 1);
  const [lo, hi] = visibleFiles(spans, fromMs, fromMs + spanMs);
  const perMs = columns / spanMs;
  for (let i = lo; i < hi; i++) {
    const end = spans.maxMs[i]!;
    if (end < fromMs) continue;
    const c0 = Math.max(0, Math.floor((spans.minMs[i]! - fromMs) * perMs));
    const c1 = Math.min(columns - 1, Math.floor((end - fromMs) * perMs));
    counts[c0]!++;
    counts[c1 + 1]!--;
  }
  // Difference array to counts (Uint32 wraps on the transient decrement but sums back exactly).
  let run = 0;
  for (let c = 0; c < columns; c++) {
    run = (run + counts[c]!) >>> 0;
    counts[c] = run;
  }
  counts[columns] = 0;
  return counts;
}

/**
 * Snapshot markers per column: for each column holding at least one snapshot, its x and how many
 * snapshots fall there (2,000 snapshots zoomed out become a few hundred marks, not 2,000 draws).
 */
export function snapshotColumns(sortedMs: Float64Array, fromMs: number, spanMs: number, columns: number): Array<{ column: number; count: number; firstIndex: number }> {
  const lo = lowerBound(sortedMs, fromMs);
  const hi = upperBound(sortedMs, fromMs + spanMs);
  const perMs = columns / spanMs;
  const out: Array<{ column: number; count: number; firstIndex: number }> = [];
  for (let i = lo; i < hi; i++) {
    const column = Math.min(columns - 1, Math.floor((sortedMs[i]! - fromMs) * perMs));
    const last = out[out.length - 1];
    if (last !== undefined && last.column === column) last.count++;
    else out.push({ column, count: 1, firstIndex: i });
  }
  return out;
}
