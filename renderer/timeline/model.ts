/**
 * The timeline's drawing model, prepared once from `restore:timeline`: TSOs turned into ms,
 * files and snapshots into sorted typed arrays (binary-searchable per frame), the restorable
 * ranges computed with the same rules the picker judges by.
 */
import type { RestoreTimeline } from '../../core/contract/index.ts';
import { buildFileSpans, type FileSpans } from './columns.ts';
import { restorableRanges, type RestoreWindow, type TimelineSnapshot } from './restorable.ts';
import { msOfTs } from './tso-text.ts';

/** A snapshot as drawn. */
export interface SnapshotMark {
  ts: bigint;
  ms: number;
  storage: string;
  usable: boolean;
  reason: string | null;
  kvs: number;
  size: number;
}

/** A gap between two stretches of log coverage, in ms. */
export interface GapMark {
  fromMs: number;
  toMs: number;
  reason: string;
}

/** Everything a frame draws, in ms. */
export interface TimelineModel {
  /** What the picker judges points against (usable snapshots only). */
  window: RestoreWindow;
  /** Every snapshot, sorted by ts; `snapMs` holds their ms in the same order. */
  snapshots: SnapshotMark[];
  snapMs: Float64Array;
  files: FileSpans;
  fileCount: number;
  fileBytes: number;
  bands: Array<[number, number]>;
  gaps: GapMark[];
  restorable: Array<[number, number]>;
  truncateMs: number | null;
  logMinMs: number | null;
  latestMs: number | null;
  /** The range a "fit" shows: everything drawn. */
  extent: [number, number];
}

const ms = (ts: string) => msOfTs(BigInt(ts));

/** Builds the drawing model from the host's answer. */
export function modelFromTimeline(t: RestoreTimeline): TimelineModel {
  const snapshots: SnapshotMark[] = t.snapshots
    .map((s) => ({ ts: BigInt(s.backup_ts), ms: s.backup_ms, storage: s.storage, usable: s.usable, reason: s.reason, kvs: s.kvs, size: s.size }))
    .sort((a, b) => (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : 0));
  const usable: TimelineSnapshot[] = snapshots.filter((s) => s.usable).map((s) => ({ ts: s.ts, storage: s.storage }));
  const bandTs = t.bands.map((b) => ({ fromTs: BigInt(b.from_ts), toTs: BigInt(b.to_ts) })).sort((a, b) => (a.fromTs < b.fromTs ? -1 : 1));
  const window: RestoreWindow = {
    snapshots: usable,
    bands: bandTs,
    logMinTs: t.log_min_ts === '0' ? null : BigInt(t.log_min_ts),
    logMaxTs: t.log_max_ts === '0' ? null : BigInt(t.log_max_ts),
    truncateSafepoint: t.truncate_safepoint === null ? null : BigInt(t.truncate_safepoint),
  };
  const pairs: Array<[number, number]> = [];
  const r = t.log_files.ranges;
  for (let i = 0; i + 1 < r.length; i += 2) pairs.push([t.log_files.base_ms + r[i]!, t.log_files.base_ms + r[i + 1]!]);
  const bands = bandTs.map((b): [number, number] => [msOfTs(b.fromTs), msOfTs(b.toTs)]);
  const gaps: GapMark[] = [];
  for (let i = 1; i < bands.length; i++) {
    const fromMs = bands[i - 1]![1];
    const toMs = bands[i]![0];
    // The host names the cause of each gap; a space between bands it did not name is still a gap.
    const named = t.gaps.find((g) => ms(g.from_ts) <= toMs && ms(g.to_ts) >= fromMs);
    gaps.push({ fromMs, toMs, reason: named?.reason ?? 'no log backup covers this interval' });
  }
  const restorable = restorableRanges(window).map((x): [number, number] => [msOfTs(x.fromTs), msOfTs(x.toTs)]);
  const points = [...bands.flat(), ...snapshots.map((s) => s.ms), ...(pairs.length ? [pairs[0]![0], pairs[pairs.length - 1]![1]] : [])];
  const now = Date.now();
  const extent: [number, number] = points.length ? [Math.min(...points), Math.max(...points)] : [now - 3_600_000, now];
  return {
    window,
    snapshots,
    snapMs: Float64Array.from(snapshots.map((s) => s.ms)),
    files: buildFileSpans(pairs),
    fileCount: t.log_files.count,
    fileBytes: t.log_files.bytes,
    bands,
    gaps,
    restorable,
    truncateMs: window.truncateSafepoint === null ? null : msOfTs(window.truncateSafepoint),
    logMinMs: window.logMinTs === null ? null : msOfTs(window.logMinTs),
    latestMs: window.logMaxTs === null ? null : msOfTs(window.logMaxTs),
    extent,
  };
}
