/**
 * The store side of `br backup full`, running inside each store worker as TiKV's backup
 * endpoint does: region by region, for the regions this store leads, refuse on locks at or
 * before the backup ts (the host resolves them and retries), else read the MVCC snapshot at the
 * backup ts and write the region's files to storage before moving on, so memory holds at most
 * a few regions, never the whole store.
 */
import { ErrorCode, PitrError, toErrorObject } from '../errors.ts';
import type { MvccStore } from '../cluster/store/mvcc.ts';
import { buf } from '../cluster/store/protocol.ts';
import type { RegionGuard } from '../cluster/store/region-guard.ts';
import type { StoreHandler } from '../cluster/store/handlers.ts';
import { closeStorage, openStorage } from '../storage/index.ts';
import type { BackupStorage } from '../storage/index.ts';
import { compress, sha256Hex } from '../storage/kv-file.ts';
import type { RegionOutcome, RegionTask, SnapshotBackupArgs, SnapshotFileInfo, SnapshotPoll } from './protocol.ts';
import { buildRegion, regionFileName } from './region-files.ts';
import type { CfBlock } from './region-files.ts';
import { SnapshotReader } from './snapshot-reader.ts';

// Locks reported per region at once: enough to clear a crashed transaction's locks in one round
// trip, few enough to keep the reply small.
const DEFAULT_LOCKS_PER_REGION = 256;
// Regions whose files may be uploading while the next region is read: overlaps the store's
// SQLite reads with storage latency (S3) while memory stays at a few regions.
const DEFAULT_REGIONS_IN_FLIGHT = 2;

interface Job {
  state: 'running' | 'done' | 'failed';
  outcomes: RegionOutcome[];
  error?: PitrError;
  cancelled: boolean;
}

const hex = (b: Uint8Array): string => buf(b).toString('hex');
const maxKey = (a: Buffer, b: Buffer): Buffer => (Buffer.compare(a, b) >= 0 ? a : b);
/** The smaller end key, where empty means +infinity. */
const minEnd = (a: Buffer, b: Buffer): Buffer => (a.length === 0 ? b : b.length === 0 ? a : Buffer.compare(a, b) <= 0 ? a : b);

/** Builds the snapshot backup handlers of one store (spread into the store's handler table). */
export function snapshotStoreHandlers(mvcc: MvccStore, guard: RegionGuard): Record<string, StoreHandler> {
  const reader = new SnapshotReader(mvcc.db);
  const jobs = new Map<number, Job>();
  let nextJob = 1;

  /** Reads one region synchronously, so no request of this store interleaves with the read. */
  function readRegion(task: RegionTask, backupTs: bigint) {
    const led = guard.get(task.regionId);
    if (!led) return { kind: 'skipped' as const, reason: `store ${guard.storeId} is not the leader of region ${task.regionId}` };
    // Only the part of the asked range that this region still covers: after a split the host
    // backs up the rest through the new region, and no key is written twice.
    const start = maxKey(buf(task.start), led.start);
    const end = minEnd(buf(task.end), led.end);
    if (end.length > 0 && Buffer.compare(start, end) >= 0) {
      return { kind: 'skipped' as const, reason: `region ${task.regionId} no longer covers the asked range` };
    }
    const locks = reader.blockingLocks(start, end, backupTs, DEFAULT_LOCKS_PER_REGION);
    if (locks.length > 0) return { kind: 'locked' as const, locks };
    const built = mvcc.txn(() => buildRegion(reader.visible(start, end, backupTs)));
    return { kind: 'read' as const, start, end, epochVersion: led.meta.epoch.version, built };
  }

  async function writeBlock(storage: BackupStorage, name: string, block: CfBlock, ctx: { regionId: number; start: Buffer; end: Buffer }): Promise<SnapshotFileInfo> {
    const data = compress(block.plain);
    await storage.write(name, data);
    return {
      name,
      store_id: guard.storeId,
      region_id: ctx.regionId,
      cf: block.cf,
      start_key: hex(ctx.start),
      end_key: hex(ctx.end),
      size: data.length,
      sha256: sha256Hex(block.plain),
      kvs: block.kvs,
      bytes: block.plain.length,
      min_ts: block.minTs.toString(),
      max_ts: block.maxTs.toString(),
      table_ids: block.tableIds,
    };
  }

  /** Reads a region now and starts uploading its files (tracked in inFlight); returns the plaintext bytes. */
  function backupRegion(storage: BackupStorage, args: SnapshotBackupArgs, task: RegionTask, job: Job, inFlight: Set<Promise<void>>): number {
    const r = readRegion(task, args.backupTs);
    if (r.kind !== 'read') {
      job.outcomes.push(r.kind === 'locked' ? { kind: 'locked', regionId: task.regionId, locks: r.locks } : { kind: 'skipped', regionId: task.regionId, reason: r.reason });
      return 0;
    }
    const { built } = r;
    const ctx = { regionId: task.regionId, start: r.start, end: r.end };
    const name = (cf: 'write' | 'default') => regionFileName(args.prefix, guard.storeId, task.regionId, r.epochVersion, r.start, args.backupTs, cf);
    const upload = (async () => {
      const blocks = [built.write, built.default].filter((b): b is CfBlock => b !== null);
      const files = await Promise.all(blocks.map((b) => writeBlock(storage, name(b.cf), b, ctx)));
      job.outcomes.push({ kind: 'done', regionId: task.regionId, epochVersion: r.epochVersion, start: r.start, end: r.end, files, tables: built.tables, kvs: built.kvs, bytes: built.bytes, checksum: built.checksum });
    })();
    const tracked: Promise<void> = upload.finally(() => inFlight.delete(tracked));
    // Handled here so a failure is never an unhandled rejection (fatal in a worker); run() still
    // sees it through Promise.race/all.
    tracked.catch(() => undefined);
    inFlight.add(tracked);
    return (built.write?.plain.length ?? 0) + (built.default?.plain.length ?? 0);
  }

  async function run(jobId: number, job: Job, args: SnapshotBackupArgs): Promise<void> {
    const inFlight = new Set<Promise<void>>();
    let storage: BackupStorage | null = null;
    try {
      storage = openStorage(args.storageUrl);
      const started = Date.now();
      let bytes = 0;
      for (const [i, task] of args.regions.entries()) {
        if (job.cancelled) break;
        while (inFlight.size >= DEFAULT_REGIONS_IN_FLIGHT) await Promise.race(inFlight);
        // Yield between regions so the store keeps serving its other requests.
        await new Promise((r) => setImmediate(r));
        bytes += backupRegion(storage, args, task, job, inFlight);
        // br's --ratelimit: this store's backup never runs ahead of the given bytes per second.
        const ahead = args.rateLimit && i < args.regions.length - 1 ? started + (bytes / args.rateLimit) * 1000 - Date.now() : 0;
        if (ahead > 0) await new Promise((r) => setTimeout(r, ahead));
      }
      await Promise.all(inFlight);
      job.state = 'done';
    } catch (err) {
      await Promise.allSettled(inFlight);
      job.error = err instanceof PitrError ? err : new PitrError(ErrorCode.Internal, (err as Error).message);
      job.state = 'failed';
    } finally {
      if (storage) closeStorage(storage);
      // Nobody polls a cancelled job any more.
      if (job.cancelled) jobs.delete(jobId);
    }
  }

  const jobOf = (jobId: number): Job => {
    const job = jobs.get(jobId);
    if (!job) throw new PitrError(ErrorCode.StoreUnavailable, `store ${guard.storeId} has no snapshot backup job ${jobId} (the store restarted?); retry its regions`, { storeId: guard.storeId });
    return job;
  };

  return {
    /** Starts backing up regions; returns the job id to poll. */
    snapshotBackup: (a: SnapshotBackupArgs) => {
      const jobId = nextJob++;
      const job: Job = { state: 'running', outcomes: [], cancelled: false };
      jobs.set(jobId, job);
      // The job runs after this request returns: writing to storage is asynchronous.
      setImmediate(() => void run(jobId, job, a));
      return { jobId };
    },
    /** Outcomes since the last poll; a finished job is forgotten once drained. */
    snapshotBackupPoll: (a: { jobId: number }): SnapshotPoll => {
      const job = jobOf(a.jobId);
      const outcomes = job.outcomes;
      job.outcomes = [];
      if (job.state !== 'running') jobs.delete(a.jobId);
      return job.error ? { state: job.state, outcomes, error: toErrorObject(job.error) } : { state: job.state, outcomes };
    },
    /** Stops a job after the region it is on (the host gave up or is shutting down). */
    snapshotBackupCancel: (a: { jobId: number }) => {
      const job = jobs.get(a.jobId);
      if (job) job.cancelled = true;
      return null;
    },
  };
}
