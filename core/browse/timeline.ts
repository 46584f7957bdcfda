/**
 * `restore:timeline`: everything the Restore page's timeline draws, from the storages alone:
 * the window of `log:metadata`, the snapshots as markers, the log's coverage (bands, and the gaps
 * where a listed data file is missing), what can be restored and why the rest cannot, and every
 * .log file's ts range packed as a flat array of numbers so that 50,000 files stay small.
 */
import type { RestoreTimeline } from '../contract/browse.ts';
import { logMetadata } from '../logbackup/storage-ops.ts';
import { closeStorage, listPaths, openStorage } from '../storage/index.ts';
import { redactUrl } from '../storage/url.ts';
import { physicalOf } from '../tso/index.ts';
import { computeCoverage } from './coverage.ts';
import { checkStorageExists } from './list.ts';
import { scanLogMetas, type LogFileRange } from './meta-cache.ts';
import { findSnapshots } from './snapshots.ts';

/** Where the timeline's snapshots come from. */
export interface TimelineSources {
  /** The storage URL the user gave as full_backup_storage, if any. */
  fullBackupStorage?: string;
  /** More storage URLs to search (the parent of a `log-backup` folder, the cluster's snapshot history). */
  more?: string[];
}

/** Packs file ranges as [min, max, ...] in ms relative to the earliest, sorted by min. */
export function packFileRanges(files: LogFileRange[]): RestoreTimeline['log_files'] {
  const ms = files.map((f) => [physicalOf(f.minTs), physicalOf(f.maxTs)] as const).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const base = ms.length > 0 ? ms[0]![0] : 0;
  const ranges = new Array<number>(ms.length * 2);
  ms.forEach(([lo, hi], i) => {
    ranges[2 * i] = lo - base;
    ranges[2 * i + 1] = hi - base;
  });
  return { count: files.length, bytes: files.reduce((n, f) => n + f.size, 0), base_ms: base, ranges };
}

/** Builds the timeline of a log backup and the snapshots found in the sources. */
export async function buildTimeline(logUrl: string, sources: TimelineSources): Promise<RestoreTimeline> {
  const log = openStorage(logUrl);
  try {
    checkStorageExists(log);
    const window = await logMetadata(log);
    const scan = await scanLogMetas(log);
    // Metadata may list a .log that is gone (deleted by hand, a half-copied backup): one listing
    // of the data folders finds them, as restore's plan would.
    const present = new Set(await listPaths(log, 'v1/'));
    const missing = scan.files.filter((f) => !present.has(f.path));
    const urls = [...(sources.fullBackupStorage === undefined ? [] : [sources.fullBackupStorage]), ...(sources.more ?? [])];
    const found = await findSnapshots(urls);
    const damaged = scan.damaged[0];
    const coverage = computeCoverage({
      logMinTs: BigInt(window.log_min_ts),
      logMaxTs: BigInt(window.log_max_ts),
      truncateSafepoint: window.truncate_safepoint === null ? null : BigInt(window.truncate_safepoint),
      logClusterId: window.cluster_id,
      missing,
      snapshots: found.snapshots.map((s) => ({ ts: s.backupTs, sameCluster: s.clusterId === window.cluster_id, clusterId: s.clusterId })),
      unusable: damaged === undefined ? null : `the log cannot be restored from: ${damaged.error}`,
    });
    const problems = [
      ...scan.damaged.map((d) => d.error),
      ...(missing.length > 0 ? [`${missing.length} data file(s) listed by the log's metadata are missing, e.g. ${missing.slice(0, 3).map((f) => f.path).join(', ')}`] : []),
      ...found.problems,
    ];
    const restorable = coverage.restorable;
    return {
      storage: log.url,
      full_backup_storage: sources.fullBackupStorage === undefined ? null : redactUrl(sources.fullBackupStorage),
      window,
      log_min_ts: window.log_min_ts,
      log_max_ts: window.log_max_ts,
      truncate_safepoint: window.truncate_safepoint,
      snapshots: found.snapshots.map((s, i) => ({
        backup_ts: s.backupTs.toString(),
        backup_ms: physicalOf(s.backupTs),
        storage: s.url,
        cluster_id: s.clusterId,
        size: s.size,
        kvs: s.kvs,
        files: s.files,
        finished_at: s.finishedAt,
        usable: coverage.snapshotReasons[i] === null,
        reason: coverage.snapshotReasons[i] ?? null,
      })),
      bands: coverage.bands,
      gaps: coverage.gaps,
      restorable,
      earliest_restorable_ts: restorable[0]?.from_ts ?? null,
      latest_restorable_ts: restorable.at(-1)?.to_ts ?? null,
      refusals: coverage.refusals,
      log_files: packFileRanges(scan.files),
      problems,
    };
  } finally {
    closeStorage(log);
  }
}
