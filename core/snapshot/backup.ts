/**
 * `br backup full`: a snapshot of the whole cluster at one TSO. Checks first (the storage is
 * empty, the backup ts is neither in the future nor behind GC), then holds GC with a service
 * safepoint, has every store back up the regions it leads in parallel, retries the ranges left
 * (regions that moved or split, locks that had to be resolved) for a bounded number of rounds,
 * and writes the backupmeta last, so that a folder without one is an incomplete backup.
 */
import { performance } from 'node:perf_hooks';
import type { Cluster } from '../cluster/cluster.ts';
import type { LockInfo } from '../cluster/store/protocol.ts';
import { buf } from '../cluster/store/protocol.ts';
import type { FullBackupSummary } from '../contract/snapshot.ts';
import { ErrorCode, PitrError } from '../errors.ts';
import { closeStorage, openStorage } from '../storage/index.ts';
import type { BackupStorage } from '../storage/index.ts';
import { snapshotStamp } from '../storage/layout.ts';
import { formatTs } from '../tso/index.ts';
import { assembleMeta, totalsOf } from './assemble.ts';
import type { RegionDone } from './assemble.ts';
import { encodeBackupMeta, SNAPSHOT_PATHS } from './backupmeta.ts';
import type { SnapshotBackupMeta } from './backupmeta.ts';
import { BackupErrorCode } from './errors.ts';
import { gcExceeded, GcHold } from './gc-hold.ts';
import { intersect, KeySpanSet } from './key-ranges.ts';
import { cancelled, planRound, runRound } from './store-jobs.ts';

// Rounds before the backup gives up on ranges it cannot finish (a region stuck moving, a live
// transaction that holds its locks). With the backoff below that is about half a minute.
const DEFAULT_MAX_ROUNDS = 30;
// Backoff between rounds: short at first (a region move takes milliseconds here), capped so a
// stuck range is retried about once a second.
const DEFAULT_BACKOFF_BASE_MS = 25;
const DEFAULT_BACKOFF_MAX_MS = 1_000;
// Locks resolved at once: a crashed transaction may leave thousands, each one round trip.
const DEFAULT_RESOLVE_CONCURRENCY = 64;

/** Progress of a running backup. */
export interface BackupProgress {
  backup_ts: string;
  round: number;
  regions_done: number;
  /** Key ranges still to back up (0 once only the backupmeta is left). */
  ranges_left: number;
  /** Regions (as PD knows them now) that overlap the ranges still to back up. */
  regions_left: number;
  kvs: number;
  bytes: number;
  size: number;
  files: number;
}

/** Options of runFullBackup. */
export interface FullBackupOptions {
  /** Storage URL (local path, local://, s3://). */
  storage: string;
  /** The snapshot's TSO; default a fresh one (now). */
  backupTs?: bigint;
  /** Plaintext bytes per second each store may back up (br's --ratelimit); unlimited by default. */
  rateLimit?: number;
  onProgress?: (p: BackupProgress) => void;
  /** Stops the backup (the host shuts down); the GC safepoint is removed. */
  signal?: AbortSignal;
  /** Opens the storage on the host's side (tests wrap it in a FaultyStorage). */
  openStorage?: (url: string) => BackupStorage;
}

/** The outcome of a backup, and its backupmeta. */
export interface FullBackupResult extends FullBackupSummary {
  meta: SnapshotBackupMeta;
}

/** Refuses a storage that already holds anything: a backup goes into an empty folder. */
async function checkEmpty(cluster: Cluster, storage: BackupStorage): Promise<void> {
  const files = await storage.list('');
  if (files.length === 0) return;
  const example = `backup-${cluster.pd.clusterId}/snapshot-${snapshotStamp(cluster.pd.clock.now())}`;
  const has = (p: string) => files.some((f) => f.path === p);
  const what = has(SNAPSHOT_PATHS.backupmeta)
    ? 'already holds a snapshot backup'
    : has(SNAPSHOT_PATHS.lock)
      ? 'already holds an unfinished snapshot backup (backup.lock without backupmeta: it failed, or another backup is writing there)'
      : `is not empty (${files.length} file${files.length === 1 ? '' : 's'}, e.g. ${files[0]?.path})`;
  throw new PitrError(BackupErrorCode.StorageNotEmpty, `${storage.url} ${what}; choose an empty folder such as ${example}`);
}

/** The backup ts: a fresh TSO by default; never in the future, never behind the GC safepoint. */
function checkBackupTs(cluster: Cluster, asked: bigint | undefined): bigint {
  const now = cluster.pd.tso();
  const ts = asked ?? now;
  if (ts > now) {
    throw new PitrError(ErrorCode.InvalidTs, `backup ts ${ts} is in the future (PD's TSO is ${now}, ${formatTs(now)}): give a --backupts at or before now, or omit it to back up now`);
  }
  if (ts < cluster.pd.gcSafePoint) throw gcExceeded(ts, cluster.pd.gcSafePoint);
  return ts;
}

/** Resolves the locks a round met; returns the problems of those still alive. */
async function resolveLocks(cluster: Cluster, locks: LockInfo[]): Promise<string[]> {
  const seen = new Set<string>();
  const unique = locks.filter((l) => {
    const id = `${l.startTs}:${buf(l.key).toString('hex')}`;
    return seen.has(id) ? false : (seen.add(id), true);
  });
  const problems: string[] = [];
  for (let i = 0; i < unique.length; i += DEFAULT_RESOLVE_CONCURRENCY) {
    await Promise.all(
      unique.slice(i, i + DEFAULT_RESOLVE_CONCURRENCY).map(async (l) => {
        try {
          if (!(await cluster.txn.resolver.resolve(l))) problems.push(`a live transaction (start ts ${l.startTs}) holds a lock at or before the backup ts`);
        } catch (err) {
          problems.push(`resolving a lock of transaction ${l.startTs}: ${(err as Error).message}`);
        }
      }),
    );
  }
  return problems;
}

/** Backs up every region until no key range is left (bounded rounds). */
async function backupRanges(cluster: Cluster, storageUrl: string, backupTs: bigint, opts: FullBackupOptions, signal: AbortSignal): Promise<RegionDone[]> {
  const pending = new KeySpanSet();
  const done: RegionDone[] = [];
  const progress = (round: number) => {
    if (!opts.onProgress) return;
    const t = totalsOf(done);
    const spans = pending.all();
    const regionsLeft = cluster.pd.regions.all().filter((r) => spans.some((s) => intersect(s, r) !== null)).length;
    opts.onProgress({ backup_ts: backupTs.toString(), round, regions_done: t.regions, ranges_left: spans.length, regions_left: regionsLeft, kvs: t.kvs, bytes: t.bytes, size: t.size, files: t.files });
  };
  let problems: string[] = [];
  for (let round = 1; !pending.empty; round++) {
    if (round > DEFAULT_MAX_ROUNDS) {
      const left = pending.all().map((s) => `[${s.start.toString('hex')}, ${s.end.toString('hex') || '+inf'})`);
      throw new PitrError(
        BackupErrorCode.RangesLeft,
        `${left.length} key range(s) could not be backed up after ${DEFAULT_MAX_ROUNDS} attempts (${problems[0] ?? 'regions kept moving'}); run the backup again into an empty folder once the cluster is stable`,
        { ranges: left.slice(0, 20) },
      );
    }
    const locks: LockInfo[] = [];
    problems = [];
    const report = await runRound(cluster, planRound(cluster, pending), {
      storageUrl,
      backupTs,
      prefix: '',
      ...(opts.rateLimit ? { rateLimit: opts.rateLimit } : {}),
      signal,
      onOutcome: (storeId, o) => {
        if (o.kind === 'done') {
          pending.subtract({ start: buf(o.start), end: buf(o.end) });
          done.push({ ...o, storeId });
          progress(round);
        } else if (o.kind === 'locked') locks.push(...o.locks);
        else problems.push(o.reason);
      },
    });
    problems.push(...report.retryable, ...(await resolveLocks(cluster, locks)));
    progress(round);
    // Resolved locks can be retried at once; a moving region or a restarting store needs time.
    if (!pending.empty && problems.length > 0) {
      await new Promise((r) => setTimeout(r, Math.min(DEFAULT_BACKOFF_BASE_MS * 2 ** (round - 1), DEFAULT_BACKOFF_MAX_MS)));
    }
    if (signal.aborted) throw cancelled();
  }
  return done;
}

/** Runs `br backup full` against a cluster into a storage URL. */
export async function runFullBackup(cluster: Cluster, opts: FullBackupOptions): Promise<FullBackupResult> {
  const t0 = performance.now();
  const startedAt = new Date(cluster.pd.clock.now()).toISOString();
  const storage = (opts.openStorage ?? openStorage)(opts.storage);
  const signal = opts.signal ?? new AbortController().signal;
  let hold: GcHold | null = null;
  try {
    const backupTs = checkBackupTs(cluster, opts.backupTs);
    await checkEmpty(cluster, storage);
    hold = new GcHold(cluster.pd, backupTs);
    hold.start();
    const lock = { cluster_id: cluster.pd.clusterId.toString(), backup_ts: backupTs.toString(), started_at: startedAt, note: 'written by `pitr backup full`; a folder without backupmeta holds an incomplete backup' };
    if (!(await storage.writeIfAbsent(SNAPSHOT_PATHS.lock, Buffer.from(JSON.stringify(lock) + '\n')))) {
      throw new PitrError(BackupErrorCode.StorageNotEmpty, `${storage.url} got a backup.lock from another backup just now; choose an empty folder`);
    }
    const done = await backupRanges(cluster, opts.storage, backupTs, opts, signal);
    const durationS = Math.round(performance.now() - t0) / 1000;
    const meta = await assembleMeta(cluster, backupTs, done, { startedAt, finishedAt: new Date(cluster.pd.clock.now()).toISOString(), durationS });
    if (signal.aborted) throw cancelled();
    await storage.write(SNAPSHOT_PATHS.backupmeta, encodeBackupMeta(meta));
    const t = meta.totals;
    return { backup_ts: meta.backup_ts, kvs: t.kvs, bytes: t.bytes, size: t.size, files: t.files, duration_s: durationS, storage: storage.url, meta };
  } finally {
    hold?.stop();
    closeStorage(storage);
  }
}
