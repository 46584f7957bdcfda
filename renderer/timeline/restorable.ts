/**
 * What can be restored, as br checks it (PITR-REFERENCE.md, restore point): a point t needs a
 * snapshot s ≤ t taken at or after the log's min ts, and the log must cover (s, t] without a gap,
 * inside [log-min-ts, log-max-ts] and not before the truncate safepoint. The picker clamps to the
 * nearest such point and says why it refused (AWS RDS clamps to its "latest restorable time").
 */
import { formatTsText } from './tso-text.ts';

/** A snapshot on the timeline: its backup ts and the storage that holds it. */
export interface TimelineSnapshot {
  ts: bigint;
  storage: string;
}

/** A stretch of continuous log coverage. */
export interface CoverageBand {
  fromTs: bigint;
  toTs: bigint;
}

/** The facts the restorable ranges derive from (TSOs as bigint). */
export interface RestoreWindow {
  /** Sorted by ts. */
  snapshots: TimelineSnapshot[];
  /** Sorted, disjoint; the spaces between them are gaps. */
  bands: CoverageBand[];
  logMinTs: bigint | null;
  logMaxTs: bigint | null;
  truncateSafepoint: bigint | null;
}

/** A range of restorable points and the snapshot it starts from. */
export interface RestorableRange {
  fromTs: bigint;
  toTs: bigint;
  snapshot: TimelineSnapshot;
}

/** Why a point cannot be restored. */
export type RefusalKind = 'no-log' | 'no-snapshot' | 'before-truncate' | 'before-log' | 'before-snapshot' | 'in-gap' | 'after-gap' | 'after-latest';

/** The verdict on a picked point: usable with its snapshot, or refused with the nearest usable point. */
export type Judgement =
  | { ok: true; ts: bigint; snapshot: TimelineSnapshot }
  | { ok: false; ts: bigint; kind: RefusalKind; reason: string; nearest: bigint | null };

const max = (a: bigint, b: bigint) => (a > b ? a : b);
const min = (a: bigint, b: bigint) => (a < b ? a : b);

/** The restorable ranges: per coverage band, from its first usable snapshot to its end. */
export function restorableRanges(w: RestoreWindow): RestorableRange[] {
  if (w.logMinTs === null || w.logMaxTs === null) return [];
  const floor = max(w.logMinTs, w.truncateSafepoint ?? 0n);
  const out: RestorableRange[] = [];
  let si = 0;
  for (const band of w.bands) {
    const from = max(band.fromTs, floor);
    const to = min(band.toTs, w.logMaxTs);
    if (from > to) continue;
    while (si < w.snapshots.length && w.snapshots[si]!.ts < from) si++;
    const snap = w.snapshots[si];
    if (snap === undefined) break;
    if (snap.ts <= to) out.push({ fromTs: snap.ts, toTs: to, snapshot: snap });
  }
  return out;
}

/** The newest snapshot of a range at or before ts (the one br would choose). */
function snapshotFor(w: RestoreWindow, range: RestorableRange, ts: bigint): TimelineSnapshot {
  let lo = 0;
  let hi = w.snapshots.length; // first snapshot with ts > target
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (w.snapshots[mid]!.ts <= ts) lo = mid + 1;
    else hi = mid;
  }
  const s = w.snapshots[lo - 1];
  return s !== undefined && s.ts >= range.fromTs ? s : range.snapshot;
}

/** The restorable point nearest to ts (null when nothing is restorable). */
export function nearestRestorable(ranges: RestorableRange[], ts: bigint): bigint | null {
  let best: bigint | null = null;
  let bestDist = 0n;
  for (const r of ranges) {
    const p = ts < r.fromTs ? r.fromTs : ts > r.toTs ? r.toTs : ts;
    const d = p > ts ? p - ts : ts - p;
    if (best === null || d < bestDist) {
      best = p;
      bestDist = d;
    }
  }
  return best;
}

/** Judges a picked point: usable (with the snapshot to restore from), or why not and what is nearest. */
export function judgePoint(w: RestoreWindow, ts: bigint, fmt: (ts: bigint) => string = (t) => formatTsText(t)): Judgement {
  const ranges = restorableRanges(w);
  const inRange = ranges.find((r) => ts >= r.fromTs && ts <= r.toTs);
  if (inRange) return { ok: true, ts, snapshot: snapshotFor(w, inRange, ts) };
  const nearest = nearestRestorable(ranges, ts);
  const refuse = (kind: RefusalKind, reason: string): Judgement => ({ ok: false, ts, kind, reason, nearest });
  const at = fmt(ts);
  if (w.logMinTs === null || w.logMaxTs === null) return refuse('no-log', 'this storage holds no log backup yet: start one on the Log backup page, then come back');
  if (ranges.length === 0) {
    return refuse('no-snapshot', `no snapshot was taken inside the log's window (${fmt(w.logMinTs)} to ${fmt(w.logMaxTs)}) after its last gap: take a snapshot on the Snapshots page`);
  }
  if (ts > w.logMaxTs) return refuse('after-latest', `${at} is after the latest restorable time ${fmt(w.logMaxTs)} (the log backup's global checkpoint)`);
  if (w.truncateSafepoint !== null && ts < w.truncateSafepoint) {
    return refuse('before-truncate', `${at} is before the truncate safepoint ${fmt(w.truncateSafepoint)}: the log before it was deleted by \`log truncate\``);
  }
  if (ts < w.logMinTs) return refuse('before-log', `${at} is before the log backup starts (${fmt(w.logMinTs)})`);
  const band = w.bands.find((b) => ts >= b.fromTs && ts <= b.toTs);
  if (band === undefined) {
    const prev = [...w.bands].reverse().find((b) => b.toTs < ts);
    const next = w.bands.find((b) => b.fromTs > ts);
    const from = prev ? fmt(prev.toTs) : '?';
    const to = next ? fmt(next.fromTs) : '?';
    return refuse('in-gap', `${at} is inside a gap of the log backup (no log from ${from} to ${to}): the changes there were never backed up`);
  }
  if (ts < ranges[0]!.fromTs) {
    return refuse('before-snapshot', `${at} is before the earliest snapshot usable with this log (${fmt(ranges[0]!.fromTs)}): a restore starts from a snapshot taken inside the log's window`);
  }
  return refuse('after-gap', `${at} follows a gap in the log (at ${fmt(band.fromTs)}) and no snapshot was taken between that gap and this point: pick a point after the next snapshot`);
}
