/**
 * One round of a snapshot backup: route the missing key ranges to the stores that lead them
 * (PD's region directory), run every store's job in parallel, and hand each region's outcome
 * to the coordinator as it arrives. A store that fails with a region error (restarting) only
 * leaves its ranges for the next round; any other failure stops the round.
 */
import type { Cluster } from '../cluster/cluster.ts';
import { ErrorCode, PitrError, fromErrorObject, isRegionError } from '../errors.ts';
import type { KeySpanSet } from './key-ranges.ts';
import { intersect } from './key-ranges.ts';
import type { RegionOutcome, RegionTask, SnapshotBackupArgs, SnapshotPoll } from './protocol.ts';
import { BackupErrorCode } from './errors.ts';

// How often the host asks a store for finished regions: often enough for lively progress,
// rare enough that the polls cost nothing next to the backup.
const DEFAULT_POLL_MS = 25;

/** What a round needs besides the routes. */
export interface RoundArgs {
  storageUrl: string;
  backupTs: bigint;
  prefix: string;
  /** Plaintext bytes per second per store (br's --ratelimit); unlimited when absent. */
  rateLimit?: number;
  signal: AbortSignal;
  onOutcome: (storeId: number, o: RegionOutcome) => void;
}

/** Store problems of a round that the next round may get past. */
export interface RoundReport {
  retryable: string[];
}

/** The regions (clamped to the missing ranges) each store leads, from PD's directory. */
export function planRound(cluster: Cluster, pending: KeySpanSet): Map<number, RegionTask[]> {
  const byStore = new Map<number, RegionTask[]>();
  for (const span of pending.all()) {
    for (const r of cluster.pd.regions.overlapping(span.start, span.end)) {
      const clip = intersect(span, r);
      if (!clip) continue;
      let list = byStore.get(r.leader);
      if (!list) byStore.set(r.leader, (list = []));
      list.push({ regionId: r.id, start: clip.start, end: clip.end });
    }
  }
  return byStore;
}

const sleep = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done(): void {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });

/** The error of a cancelled backup. */
export function cancelled(): PitrError {
  return new PitrError(BackupErrorCode.Cancelled, 'the snapshot backup was cancelled before it finished (the host is shutting down); run it again into an empty folder');
}

async function runStoreJob(cluster: Cluster, storeId: number, regions: RegionTask[], a: RoundArgs): Promise<void> {
  const client = cluster.store(storeId);
  const args: SnapshotBackupArgs = { storageUrl: a.storageUrl, backupTs: a.backupTs, regions, prefix: a.prefix, ...(a.rateLimit ? { rateLimit: a.rateLimit } : {}) };
  const { jobId } = await client.direct<{ jobId: number }>('snapshotBackup', args);
  try {
    for (;;) {
      await sleep(DEFAULT_POLL_MS, a.signal);
      if (a.signal.aborted) throw cancelled();
      const poll = await client.direct<SnapshotPoll>('snapshotBackupPoll', { jobId });
      for (const o of poll.outcomes) a.onOutcome(storeId, o);
      if (poll.state === 'done') return;
      if (poll.state === 'failed') {
        throw poll.error ? fromErrorObject(poll.error) : new PitrError(ErrorCode.Internal, `the snapshot backup job on store ${storeId} failed`);
      }
    }
  } catch (err) {
    // Stop the job after its current region; a dead store has no job left to stop.
    client.direct('snapshotBackupCancel', { jobId }).catch(() => undefined);
    throw err;
  }
}

/**
 * Runs one round on every store in parallel. Retryable store failures are reported; the first
 * other failure stops the other stores' jobs and is thrown.
 */
export async function runRound(cluster: Cluster, plan: Map<number, RegionTask[]>, args: RoundArgs): Promise<RoundReport> {
  if (args.signal.aborted) throw cancelled();
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  args.signal.addEventListener('abort', onAbort, { once: true });
  const a: RoundArgs = { ...args, signal: stop.signal };
  const report: RoundReport = { retryable: [] };
  let fatal: unknown = null;
  try {
    await Promise.all(
      [...plan].map(([storeId, regions]) =>
        runStoreJob(cluster, storeId, regions, a).catch((err: unknown) => {
          if (isRegionError(err) && !args.signal.aborted) {
            report.retryable.push(`store ${storeId}: ${(err as Error).message}`);
            return;
          }
          fatal ??= err;
          stop.abort();
        }),
      ),
    );
  } finally {
    args.signal.removeEventListener('abort', onAbort);
  }
  if (args.signal.aborted) throw cancelled();
  if (fatal !== null) throw fatal;
  return report;
}
