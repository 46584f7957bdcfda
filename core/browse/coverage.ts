/**
 * The restorable parts of the time axis, computed as restore:point's plan decides them
 * (core/restore/plan.ts): a target T restores from a snapshot S of the same cluster when
 * log_min_ts ≤ S ≤ T ≤ log_max_ts and every log file the plan selects (max_ts > S, min_ts ≤ T)
 * is present. A listed file that is missing splits the log into bands; a restore cannot cross it.
 */
import type { TimelineRefusal, TsInterval } from '../contract/browse.ts';
import { formatTsIso } from '../tso/index.ts';

/** A snapshot as coverage sees it. */
export interface CoverageSnapshot {
  ts: bigint;
  sameCluster: boolean;
  clusterId: string;
}

/** Inputs: the window of `log:metadata`, missing files' commit-ts ranges, the snapshots. */
export interface CoverageInput {
  logMinTs: bigint;
  logMaxTs: bigint;
  truncateSafepoint: bigint | null;
  logClusterId: string;
  missing: Array<{ minTs: bigint; maxTs: bigint; path: string }>;
  snapshots: CoverageSnapshot[];
  /** Set when the log cannot be read at all (a damaged .meta): every point is refused with it. */
  unusable: string | null;
}

/** The computed coverage. */
export interface Coverage {
  bands: TsInterval[];
  gaps: Array<TsInterval & { reason: string }>;
  restorable: Array<TsInterval & { snapshot_ts: string }>;
  refusals: TimelineRefusal[];
  /** Per input snapshot: null when usable, else why not. */
  snapshotReasons: Array<string | null>;
}

const when = (ts: bigint): string => `${ts} (${formatTsIso(ts)})`;
const iv = (from: bigint, to: bigint): TsInterval => ({ from_ts: from.toString(), to_ts: to.toString() });

/** Merges missing files into gaps inside the window (overlapping ranges become one gap). */
function mergeGaps(input: CoverageInput): Array<{ from: bigint; to: bigint; paths: string[] }> {
  const inWindow = input.missing.filter((m) => m.maxTs > input.logMinTs && m.minTs <= input.logMaxTs).sort((a, b) => (a.minTs < b.minTs ? -1 : a.minTs > b.minTs ? 1 : 0));
  const gaps: Array<{ from: bigint; to: bigint; paths: string[] }> = [];
  for (const m of inWindow) {
    const last = gaps.at(-1);
    if (last && m.minTs <= last.to) {
      if (m.maxTs > last.to) last.to = m.maxTs;
      last.paths.push(m.path);
    } else gaps.push({ from: m.minTs, to: m.maxTs, paths: [m.path] });
  }
  return gaps;
}

/** Bands, gaps, restorable intervals and refusals of one log backup and its snapshots. */
export function computeCoverage(input: CoverageInput): Coverage {
  const { logMinTs: min, logMaxTs: max } = input;
  const before = input.truncateSafepoint !== null && input.truncateSafepoint >= min
    ? `before the truncate safepoint ${when(min)}: the log before it was deleted by \`log truncate\``
    : `before the log backup's start ${when(min)}: nothing earlier is in the log`;
  const after = `after the log backup's checkpoint ${when(max)}: what was committed later is not all in storage yet`;
  const refusals: TimelineRefusal[] = [
    { from_ts: null, to_ts: (min - 1n).toString(), reason: before },
  ];
  if (input.unusable !== null) {
    refusals.push({ from_ts: min.toString(), to_ts: max.toString(), reason: input.unusable }, { from_ts: (max + 1n).toString(), to_ts: null, reason: after });
    return { bands: [], gaps: [], restorable: [], refusals, snapshotReasons: input.snapshots.map(() => input.unusable) };
  }
  const rawGaps = mergeGaps(input);
  const bands: Array<{ from: bigint; to: bigint }> = [];
  let start = min;
  for (const g of rawGaps) {
    if (g.from - 1n >= start) bands.push({ from: start, to: g.from - 1n });
    if (g.to > start) start = g.to;
  }
  if (start <= max) bands.push({ from: start, to: max });
  const gapReason = (g: (typeof rawGaps)[number]): string =>
    `the log is missing ${g.paths.length} data file(s) listed by its metadata (${g.paths.slice(0, 2).join(', ')}${g.paths.length > 2 ? ', …' : ''}) holding commits in [${g.from}, ${g.to}]: a restore cannot cross it; use a snapshot taken at or after ${formatTsIso(g.to)}`;
  const gaps = rawGaps.map((g) => ({ ...iv(g.from, g.to), reason: gapReason(g) }));
  const bandOf = (ts: bigint) => bands.find((b) => b.from <= ts && ts <= b.to);
  const snapshotReasons = input.snapshots.map((s) => {
    if (!s.sameCluster) return `taken of cluster ${s.clusterId}, not of the log's cluster ${input.logClusterId}`;
    if (s.ts < min) return `taken at ${when(s.ts)}, ${before}; the changes between the snapshot and ${formatTsIso(min)} are not in the log`;
    if (s.ts > max) return `taken at ${when(s.ts)}, ${after}`;
    if (!bandOf(s.ts)) return `taken at ${when(s.ts)}, inside a gap of the log`;
    return null;
  });
  const restorable: Coverage['restorable'] = [];
  for (const b of bands) {
    const first = input.snapshots
      .filter((s, i) => snapshotReasons[i] === null && s.ts >= b.from && s.ts <= b.to)
      .reduce<bigint | null>((m, s) => (m === null || s.ts < m ? s.ts : m), null);
    if (first === null) {
      refusals.push({ from_ts: b.from.toString(), to_ts: b.to.toString(), reason: `no usable snapshot at or before this point since ${formatTsIso(b.from)}: take a snapshot (backup full), or pick a later point` });
      continue;
    }
    if (first > b.from) refusals.push({ from_ts: b.from.toString(), to_ts: (first - 1n).toString(), reason: `no usable snapshot at or before this point: the first one in this part of the log is at ${when(first)}` });
    restorable.push({ ...iv(first, b.to), snapshot_ts: first.toString() });
  }
  for (const g of rawGaps) {
    const from = g.from > min ? g.from : min;
    const to = g.to - 1n < max ? g.to - 1n : max;
    if (to >= from) refusals.push({ from_ts: from.toString(), to_ts: to.toString(), reason: gapReason(g) });
  }
  refusals.push({ from_ts: (max + 1n).toString(), to_ts: null, reason: after });
  refusals.sort((a, b) => (a.from_ts === null ? -1 : b.from_ts === null ? 1 : BigInt(a.from_ts) < BigInt(b.from_ts) ? -1 : 1));
  return { bands: bands.map((b) => iv(b.from, b.to)), gaps, restorable, refusals, snapshotReasons };
}
