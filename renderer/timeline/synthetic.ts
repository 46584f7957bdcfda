/**
 * A synthetic `restore:timeline` answer of any size (the UI bench draws 50,000 log files and
 * 2,000 snapshots; tests use small ones): deterministic, shaped exactly like the host's.
 */
import type { RestoreTimeline } from '../../core/contract/index.ts';
import { formatMs, tsOfMs } from './tso-text.ts';

/** What to generate. */
export interface SyntheticSpec {
  files: number;
  snapshots: number;
  /** How far back the log reaches. */
  days: number;
  /** Where the log ends (the latest restorable time). */
  endMs: number;
  /** One gap this long in the middle of the log (0 for none). */
  gapMs?: number;
}

/** A deterministic pseudo-random sequence (the same data every run). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32;
}

/** Builds a synthetic timeline: stores flushing files, daily-ish snapshots, a truncate and a gap. */
export function syntheticTimeline(spec: SyntheticSpec): RestoreTimeline {
  const r = rng(42);
  const span = spec.days * 86_400_000;
  const startMs = spec.endMs - span;
  // The log was truncated a tenth of the way in; the gap sits in the middle.
  const truncMs = startMs + span / 10;
  const gapMs = spec.gapMs ?? 0;
  const gapFrom = startMs + span / 2;
  const gapTo = gapFrom + gapMs;
  const ranges: number[] = [];
  // Files spread over the covered time only: exactly spec.files of them, none inside the gap.
  const covered = spec.endMs - truncMs - gapMs;
  const step = covered / Math.max(1, spec.files);
  for (let i = 0; i < spec.files; i++) {
    let min = truncMs + i * step + r() * step;
    if (gapMs > 0 && min >= gapFrom) min += gapMs;
    const max = Math.min(gapMs > 0 && min < gapFrom ? gapFrom : spec.endMs, min + step * (0.5 + r() * 4));
    ranges.push(Math.round(min - startMs), Math.round(max - startMs));
  }
  const ts = (ms: number) => tsOfMs(ms).toString();
  const snapshots = Array.from({ length: spec.snapshots }, (_, i) => {
    const ms = Math.round(startMs + ((i + r() * 0.5) / spec.snapshots) * span);
    const usable = ms >= truncMs;
    return {
      backup_ts: ts(ms),
      backup_ms: ms,
      storage: `local:///bench/backup-1/snapshot-${i}`,
      cluster_id: '1',
      size: 1 << 20,
      kvs: 1000 + i,
      files: 3,
      finished_at: new Date(ms + 5000).toISOString(),
      usable,
      reason: usable ? null : 'taken before the log backup starts',
    };
  });
  const bands = gapMs > 0 ? [{ from_ts: ts(truncMs), to_ts: ts(gapFrom) }, { from_ts: ts(gapTo), to_ts: ts(spec.endMs) }] : [{ from_ts: ts(truncMs), to_ts: ts(spec.endMs) }];
  return {
    storage: 'local:///bench/backup-1/log-backup',
    full_backup_storage: null,
    window: { log_min_ts: ts(truncMs), log_max_ts: ts(spec.endMs), log_min_date: formatMs(truncMs, 0), log_max_date: formatMs(spec.endMs, 0), cluster_id: '1', truncate_safepoint: ts(truncMs) },
    log_min_ts: ts(truncMs),
    log_max_ts: ts(spec.endMs),
    truncate_safepoint: ts(truncMs),
    snapshots,
    bands,
    gaps: gapMs > 0 ? [{ from_ts: ts(gapFrom), to_ts: ts(gapTo), reason: 'a data file listed by metadata is missing' }] : [],
    restorable: [],
    earliest_restorable_ts: null,
    latest_restorable_ts: ts(spec.endMs),
    refusals: [],
    log_files: { count: ranges.length / 2, bytes: ranges.length * 4096, base_ms: startMs, ranges },
    problems: [],
  };
}
