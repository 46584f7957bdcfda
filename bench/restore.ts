/**
 * `restore`: `restore point` into a fresh 3-store cluster, in one run:
 *
 * 1. Throughput of the snapshot phase and of the log phase (KV/s, MB/s of backup plaintext),
 *    against the physical baseline measured in the same run: the very KVs the restore applied,
 *    inserted with prepared better-sqlite3 INSERTs (WAL, synchronous=NORMAL, 4000 per
 *    transaction) into fresh tables of the stores' own cf_default/cf_write schema. The source is
 *    a real cluster on a ClusterHost: a table of rows with 200-byte and 2 KB values loaded by
 *    direct transactions, a `backup full`, then more transactions with log backup on (1 s
 *    flushes). Phases are timed by wrapping the restore's status: every progress report the
 *    service makes is timestamped as it is assigned (no polling gaps); the phase durations are
 *    the service's own `elapsed_s` of the last report of each phase.
 * 2. Peak RSS of the whole process (host and store workers are threads of it) while restoring
 *    256 MiB, 512 MiB and 1 GiB of log: one synthetic log backup is written straight into storage
 *    with the real flush writer (backupmeta + backup.lock via claimLogStorage, one .log + .meta
 *    per flush, checkpoint files), over a real snapshot of a small source cluster of the same
 *    cluster id; the sizes are prefixes of it (restored ts at the end of the flush that passes
 *    the size). The sizes count plaintext entry bytes (default-CF values of 1-4 KB of hex text,
 *    which zstd packs about 2:1, plus their write-CF records). The generation and each restore
 *    run in child processes of this file, so that every size starts from the same fresh process
 *    (a host with an empty 3-store target) and nothing of the generator stays in the RSS. RSS
 *    is sampled every 50 ms; the kernel's high-water mark (VmHWM, reset before the restore
 *    through /proc/self/clear_refs) is shown beside it when the kernel allows the reset.
 *
 * PITR_BENCH_RESTORE_SCALE (default 1) scales every data size, for quick trial runs.
 * PITR_BENCH_RESTORE_PART=memory runs only the memory part. PITR_BENCH_MEM_TRACE=1 prints a
 * memory breakdown each second and, after the restore, the RSS by mapping (heap, malloc arenas).
 */
import Database from 'better-sqlite3';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import type { EventLoopUtilization } from 'node:perf_hooks';
import { PRIVILEGE_TABLES, SYSTEM_DB } from '../core/cluster/catalog/catalog.ts';
import { decodeInt64, rowKey, tableRange } from '../core/cluster/catalog/keys.ts';
import { Cluster } from '../core/cluster/cluster.ts';
import type { RestoreProgress, RestoreStatus } from '../core/contract/restore.ts';
import { ClusterHost } from '../core/host/host.ts';
import type { LogEvent } from '../core/logbackup/event-buffer.ts';
import { writeFlush } from '../core/logbackup/flush-writer.ts';
import { checkpointFilePath, encodeTsFile } from '../core/logbackup/format.ts';
import { readBlock, selectBlocks } from '../core/logbackup/reader.ts';
import { claimLogStorage } from '../core/logbackup/storage-ops.ts';
import { runFullBackup } from '../core/snapshot/backup.ts';
import { readSnapshotMeta } from '../core/snapshot/backupmeta.ts';
import { closeStorage, openStorage } from '../core/storage/index.ts';
import { decodeEntries, openBlock } from '../core/storage/kv-file.ts';
import type { KvEntry } from '../core/storage/kv-file.ts';
import type { Figure } from './index.ts';

const SCALE = Number(process.env.PITR_BENCH_RESTORE_SCALE ?? '1') || 1;
const STORES = 3;
const CORES = availableParallelism();
const MB = 1e6;
const MIB = 1024 * 1024;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// Part 1. Rows alternate 200-byte and 2 KB values (hex text, ~2:1 under zstd as real rows):
// 50k rows are about 56 MB in the snapshot; 25k more rows (half updates) about 28 MB of log.
const SNAP_ROWS = Math.round(50_000 * SCALE);
const LOG_ROWS = Math.round(25_000 * SCALE);
const SMALL_VALUE = 200;
const LARGE_VALUE = 2048;
// Rows per load transaction: large enough to load quickly, small enough for short locks.
const LOAD_BATCH = 250;
// Regions of the source table, split by hand and scattered (as the snapshot bench does).
const SOURCE_REGIONS = 12;
// Rows per SQLite transaction in the baseline (the restore sends 4000 entries per request).
const RAW_BATCH = 4000;
// TiDB's per-TiKV restore figures, in MB/s: 2 TiB/h (snapshot) and 30 GiB/h (log).
const TIDB_SNAPSHOT_MB_S = (2 * 1024 ** 4) / 3600 / MB;
const TIDB_LOG_MB_S = (30 * 1024 ** 3) / 3600 / MB;

// Part 2. Log sizes (plaintext entry bytes), one synthetic log cut at each.
const LOG_SIZES = [256 * MIB, 512 * MIB, 1024 * MIB].map((b) => Math.round(b * SCALE));
// Plaintext bytes per synthetic flush (one store's flush), and regions per flush (two blocks each).
const FLUSH_BYTES = 16 * MIB;
const LOG_REGIONS = 8;
const LOG_HANDLES = 1_000_000;
// Source of the synthetic values: random hex text, sliced at random offsets (no copies).
const POOL_BYTES = 16 * MIB;
const SNAP_SOURCE_ROWS = 2000;
const RSS_SAMPLE_MS = 50;
const CHILD_FLAG = '--pitr-bench-restore-child';
// Rough plaintext size of one kv-file entry besides its key and value.
const ENTRY_HEADER = 25;

type Phase = RestoreProgress['phase'];
interface Mark {
  t: number;
  p: RestoreProgress;
  host: EventLoopUtilization;
  stores: Array<EventLoopUtilization | null>;
}

/** Hex text of n bytes starting with a row header: compresses about 2:1, as real rows do. */
function rowValue(i: number, n: number): Buffer {
  const v = Buffer.from(randomBytes(Math.ceil(n / 2)).toString('hex').slice(0, n));
  v.write(`{"id":${i},"payload":"`, 0);
  return v;
}

function rssMiB(): number {
  return process.memoryUsage().rss / MIB;
}

/** Resets the kernel's RSS high-water mark; false when the kernel does not allow it. */
function resetHwm(): boolean {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
    return true;
  } catch {
    return false;
  }
}

function hwmMiB(): number | null {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    return m ? Number(m[1]) / 1024 : null;
  } catch {
    return null;
  }
}

/**
 * Starts a restore and timestamps every progress report it makes: the service replaces
 * status.progress on each report, so a setter on that property sees all of them.
 */
async function restore(host: ClusterHost, target: Cluster, logStorage: string, snapStorage: string, restoredTs?: bigint, onStart?: (s: RestoreStatus) => void) {
  const t0 = performance.now();
  const { plan } = await host.restore.point(target.name, { logStorage, snapStorage, ...(restoredTs !== undefined ? { restoredTs } : {}) }, false);
  const planned = performance.now();
  const status = host.restore.status(target.name, plan.restore_id);
  const last = new Map<Phase, Mark>();
  const first = new Map<Phase, Mark>();
  // The first report of the log phase at or past half of its bytes.
  let half: Mark | undefined;
  const mark = (p: RestoreProgress): Mark => ({ t: performance.now(), p, host: performance.eventLoopUtilization(), stores: target.stores().map((s) => s.utilization()) });
  let current = status.progress;
  Object.defineProperty(status, 'progress', {
    configurable: true,
    enumerable: true,
    get: () => current,
    set: (p: RestoreProgress) => {
      current = p;
      const m = mark(p);
      if (!first.has(p.phase)) first.set(p.phase, m);
      last.set(p.phase, m);
      if (!half && p.phase === 'kv' && p.done_bytes * 2 >= p.total_bytes) half = m;
    },
  });
  onStart?.(status);
  const end = (await host.restore.wait(plan.restore_id)) as RestoreStatus;
  const totalS = (performance.now() - t0) / 1000;
  if (end.state !== 'succeeded' || !end.result) throw new Error(`restore failed: ${end.error?.code ?? ''} ${end.error?.message ?? end.state}`);
  return { plan, planS: (planned - t0) / 1000, planned, totalS, first, last, half, result: end.result };
}

/** Busy fractions of the host thread and of the store workers (mean and busiest) between two marks. */
function busy(a: Mark | undefined, b: Mark | undefined): { host: number; stores: number; busiest: number } {
  const wall = a && b ? b.t - a.t : 0;
  if (!a || !b || wall <= 0) return { host: NaN, stores: NaN, busiest: NaN };
  const host = performance.eventLoopUtilization(b.host, a.host).utilization;
  const st = b.stores.map((x, i) => {
    const y = a.stores[i];
    return x && y ? (x.active - y.active) / wall : 0;
  });
  return { host, stores: st.reduce((s, x) => s + x, 0) / st.length, busiest: Math.max(...st) };
}

/** The raw SQLite ceiling: prepared inserts into the stores' CF tables, 4000 per transaction. */
class RawSink {
  private readonly db: Database.Database;
  private readonly insWrite: Database.Statement;
  private readonly insDefault: Database.Statement;
  private readonly batch: (entries: Array<{ cf: 'write' | 'default'; e: KvEntry }>) => void;
  private pending: Array<{ cf: 'write' | 'default'; e: KvEntry }> = [];
  seconds = 0;
  kvs = 0;

  constructor(path: string) {
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.exec(`
      CREATE TABLE cf_default (key BLOB NOT NULL, start_ts INTEGER NOT NULL, value BLOB NOT NULL, PRIMARY KEY (key, start_ts)) WITHOUT ROWID;
      CREATE TABLE cf_write (key BLOB NOT NULL, commit_ts INTEGER NOT NULL, start_ts INTEGER NOT NULL, type TEXT NOT NULL,
        short_value BLOB, PRIMARY KEY (key, commit_ts)) WITHOUT ROWID;`);
    this.insWrite = this.db.prepare('INSERT OR REPLACE INTO cf_write (key, commit_ts, start_ts, type, short_value) VALUES (?, ?, ?, ?, ?)');
    this.insDefault = this.db.prepare('INSERT OR REPLACE INTO cf_default (key, start_ts, value) VALUES (?, ?, ?)');
    this.batch = this.db.transaction((entries: Array<{ cf: 'write' | 'default'; e: KvEntry }>) => {
      for (const { cf, e } of entries) {
        if (cf === 'write') this.insWrite.run(e.key, e.ts, e.startTs, e.type, e.value);
        else this.insDefault.run(e.key, e.startTs, e.value);
      }
    });
  }

  add(cf: 'write' | 'default', entries: KvEntry[]): void {
    for (const e of entries) {
      this.pending.push({ cf, e });
      if (this.pending.length >= RAW_BATCH) this.flush();
    }
  }

  flush(): void {
    if (this.pending.length === 0) return;
    const t0 = performance.now();
    this.batch(this.pending);
    this.seconds += (performance.now() - t0) / 1000;
    this.kvs += this.pending.length;
    this.pending = [];
  }

  /** Ends a phase: returns its seconds and KVs, and starts counting anew. */
  take(): { seconds: number; kvs: number } {
    this.flush();
    const r = { seconds: this.seconds, kvs: this.kvs };
    this.seconds = 0;
    this.kvs = 0;
    return r;
  }

  close(): void {
    this.db.close();
  }
}

/** Inserts exactly the KVs the restore applied (same filters) into the raw sink, phase by phase. */
async function rawBaseline(path: string, logUrl: string, snapUrl: string, restoredTs: bigint) {
  const snap = openStorage(snapUrl);
  const log = openStorage(logUrl);
  const sink = new RawSink(path);
  try {
    const meta = await readSnapshotMeta(snap);
    const skipRanges = meta.schemas
      .filter((t) => t.db === SYSTEM_DB && (PRIVILEGE_TABLES as readonly string[]).includes(t.table ?? ''))
      .map((t) => tableRange(t.table_id));
    const kept = (e: KvEntry) => !skipRanges.some((r) => Buffer.compare(e.key, r.start) >= 0 && Buffer.compare(e.key, r.end) < 0);
    for (const f of meta.files) {
      const entries = decodeEntries(openBlock(await snap.read(f.name), f.sha256, f.name), f.name);
      sink.add(f.cf, entries.filter(kept));
    }
    const snapshot = sink.take();
    const snapshotTs = BigInt(meta.backup_ts);
    for (const b of await selectBlocks(log, snapshotTs, restoredTs)) {
      const inWindow = b.block.cf === 'write' ? (e: KvEntry) => e.ts > snapshotTs && e.ts <= restoredTs : (e: KvEntry) => e.startTs <= restoredTs;
      sink.add(b.block.cf, (await readBlock(log, b)).filter((e) => kept(e) && inWindow(e)));
    }
    return { snapshot, log: sink.take() };
  } finally {
    sink.close();
    closeStorage(snap);
    closeStorage(log);
  }
}

/** Part 1: snapshot-phase and log-phase throughput against raw inserts of the same KVs. */
async function throughput(dir: string): Promise<Figure[]> {
  mkdirSync(dir, { recursive: true });
  const host = await ClusterHost.start({ dataDir: join(dir, 'host') });
  const logUrl = join(dir, 'log');
  const snapUrl = join(dir, 'snap');
  try {
    const source = await host.createCluster('source', STORES);
    const table = await source.catalog.createTable('bench', { name: 'rows', columns: [{ name: 'id', type: 'bigint' }, { name: 'payload', type: 'varchar' }] });
    const size = (i: number) => (i % 2 === 0 ? SMALL_VALUE : LARGE_VALUE);
    let loadBytes = 0;
    const t0 = performance.now();
    for (let from = 0; from < SNAP_ROWS; from += LOAD_BATCH) {
      await source.txn.run(async (txn) => {
        for (let i = from; i < Math.min(SNAP_ROWS, from + LOAD_BATCH); i++) {
          txn.put(rowKey(table.id, i), rowValue(i, size(i)));
          loadBytes += size(i);
        }
      });
    }
    const loadS = (performance.now() - t0) / 1000;
    for (let r = 1; r < SOURCE_REGIONS; r++) await source.splitAt(rowKey(table.id, Math.floor((r * SNAP_ROWS) / SOURCE_REGIONS)));
    await source.scatter();

    // Log backup from before the snapshot, so that the log covers every later commit.
    const svc = host.logBackup('source');
    await svc.start({ name: 'bench', storage: logUrl, flushIntervalMs: 1000 });
    const snap = await runFullBackup(source, { storage: snapUrl });

    // Writes after the snapshot: half updates of existing rows, half new rows.
    let lastCommit = 0n;
    let logBytes = 0;
    const t1 = performance.now();
    for (let from = 0; from < LOG_ROWS; from += LOAD_BATCH) {
      const { commitTs } = await source.txn.run(async (txn) => {
        for (let i = from; i < Math.min(LOG_ROWS, from + LOAD_BATCH); i++) {
          const handle = i % 2 === 0 ? Math.floor(Math.random() * SNAP_ROWS) : SNAP_ROWS + i;
          txn.put(rowKey(table.id, handle), rowValue(handle, size(i >> 1)));
          logBytes += size(i >> 1);
        }
      });
      if (commitTs > lastCommit) lastCommit = commitTs;
    }
    const writeS = (performance.now() - t1) / 1000;
    // Flush until the global checkpoint passes the last commit, then stop (which records it).
    const deadline = performance.now() + 60_000;
    while (svc.globalCheckpoint <= lastCommit && performance.now() < deadline) {
      await svc.flushAll();
      await sleep(100);
    }
    const caughtUp = svc.globalCheckpoint > lastCommit;
    await svc.stop(undefined);

    const target = await host.createCluster('target', STORES);
    const r = await restore(host, target, logUrl, snapUrl);
    const v = r.result.verification;
    const snapLast = r.last.get('snapshot');
    const snapFirst = r.first.get('snapshot');
    const meta = r.first.get('meta');
    const kvLast = r.last.get('kv');
    const verifyMark = r.first.get('verify');
    const doneMark = r.first.get('done');
    const snapS = snapLast?.p.elapsed_s ?? NaN;
    const snapBytes = snapLast?.p.done_bytes ?? 0;
    const logS = kvLast?.p.elapsed_s ?? 0;
    const logPlain = kvLast?.p.done_bytes ?? 0;
    // Preparation (clear the target, split, scatter): from the plan to the snapshot phase's start.
    const prepareS = snapLast ? (snapLast.t - snapLast.p.elapsed_s * 1000 - r.planned) / 1000 : NaN;
    const checkS = snapLast && meta ? (meta.t - snapLast.t) / 1000 : NaN;
    const verifyS = verifyMark && doneMark ? (doneMark.t - verifyMark.t) / 1000 : NaN;
    const snapBusy = busy(snapFirst, snapLast);
    const logBusy = busy(meta, kvLast);

    const raw = await rawBaseline(join(dir, 'raw.db'), logUrl, snapUrl, BigInt(r.result.restored_ts));
    const snapKvS = v.snapshot_kvs / snapS;
    const rawSnapKvS = raw.snapshot.kvs / raw.snapshot.seconds;
    const logKvS = logS > 0 ? v.log_kvs / logS : NaN;
    const rawLogKvS = raw.log.kvs / raw.log.seconds;
    return [
      { metric: `source: ${SNAP_ROWS} rows (${(loadBytes / MB).toFixed(0)} MB of values) loaded`, value: loadS, unit: 's' },
      { metric: `source: ${LOG_ROWS} more rows (${(logBytes / MB).toFixed(0)} MB) with log backup on`, value: writeS, unit: 's' },
      { metric: `source: snapshot backup (${snap.files} files, ${(snap.meta.totals.file_bytes / MB).toFixed(0)} MB plaintext)`, value: snap.duration_s, unit: 's' },
      { metric: 'source: log backup caught up with the last commit (1 = yes)', value: caughtUp ? 1 : 0, unit: '' },
      { metric: `restore: plan (${r.plan.snapshot_files} snapshot files, ${r.plan.log_blocks} log blocks)`, value: r.planS, unit: 's' },
      { metric: 'restore: prepare the target (clear, split, scatter)', value: prepareS * 1000, unit: 'ms' },
      { metric: `snapshot phase: ${v.snapshot_kvs} KVs, ${(snapBytes / MB).toFixed(1)} MB plaintext`, value: snapS, unit: 's' },
      { metric: 'snapshot phase KV/s', value: snapKvS, unit: 'KV/s' },
      { metric: 'snapshot phase MB/s', value: snapBytes / MB / snapS, unit: 'MB/s' },
      { metric: `snapshot phase MB/s per store (${STORES} stores)`, value: snapBytes / MB / snapS / STORES, unit: 'MB/s' },
      { metric: `snapshot phase MB/s per CPU core (${CORES} cores)`, value: snapBytes / MB / snapS / Math.min(CORES, STORES), unit: 'MB/s' },
      { metric: 'raw better-sqlite3 inserts of the same KVs, KV/s', value: rawSnapKvS, unit: 'KV/s' },
      { metric: 'raw better-sqlite3 inserts of the same KVs, MB/s', value: snapBytes / MB / raw.snapshot.seconds, unit: 'MB/s' },
      { metric: 'snapshot phase vs raw inserts (target >= 50)', value: (100 * snapKvS) / rawSnapKvS, unit: '%' },
      { metric: 'snapshot phase: host thread busy', value: 100 * snapBusy.host, unit: '%' },
      { metric: 'snapshot phase: store workers busy (mean)', value: 100 * snapBusy.stores, unit: '%' },
      { metric: 'snapshot phase: busiest store worker busy', value: 100 * snapBusy.busiest, unit: '%' },
      { metric: 'TiDB figure: snapshot restore per TiKV (2 TiB/h)', value: TIDB_SNAPSHOT_MB_S, unit: 'MB/s' },
      { metric: 'between phases: per-table checksums of the snapshot', value: checkS, unit: 's' },
      { metric: `log phase: ${v.log_kvs} KVs applied, ${(logPlain / MB).toFixed(1)} MB plaintext, ${r.plan.log_files} files`, value: logS, unit: 's' },
      { metric: 'log phase KV/s', value: logKvS, unit: 'KV/s' },
      { metric: 'log phase MB/s', value: logPlain / MB / logS, unit: 'MB/s' },
      { metric: `log phase MB/s per store (${STORES} stores)`, value: logPlain / MB / logS / STORES, unit: 'MB/s' },
      { metric: 'raw better-sqlite3 inserts of the same KVs, KV/s', value: rawLogKvS, unit: 'KV/s' },
      { metric: 'raw better-sqlite3 inserts of the same KVs, MB/s', value: logPlain / MB / raw.log.seconds, unit: 'MB/s' },
      { metric: 'log phase vs raw inserts (target >= 50)', value: (100 * logKvS) / rawLogKvS, unit: '%' },
      { metric: 'log phase: host thread busy', value: 100 * logBusy.host, unit: '%' },
      { metric: 'log phase: store workers busy (mean)', value: 100 * logBusy.stores, unit: '%' },
      { metric: 'log phase: busiest store worker busy', value: 100 * logBusy.busiest, unit: '%' },
      { metric: 'target regions after the restore', value: target.pd.regions.all().length, unit: 'regions' },
      { metric: 'TiDB figure: log restore per TiKV (30 GiB/h)', value: TIDB_LOG_MB_S, unit: 'MB/s' },
      { metric: `verify: compare with the source (${v.source.keys} keys)`, value: verifyS, unit: 's' },
      { metric: 'verification ok (1 = yes)', value: v.ok ? 1 : 0, unit: '' },
      { metric: 'restore total (point to done)', value: r.totalS, unit: 's' },
    ];
  } finally {
    await host.close();
  }
}

/** A small real source cluster and its snapshot: the cluster id, table and ts the log builds on. */
async function smallSnapshot(dir: string, snapUrl: string): Promise<{ clusterId: string; tableId: number; snapshotTs: bigint }> {
  const c = await Cluster.create('memsrc', join(dir, 'memsrc'), STORES, { scheduler: false });
  try {
    const table = await c.catalog.createTable('bench', { name: 'log_rows', columns: [{ name: 'id', type: 'bigint' }, { name: 'payload', type: 'varchar' }] });
    for (let from = 0; from < SNAP_SOURCE_ROWS; from += LOAD_BATCH) {
      await c.txn.run(async (txn) => {
        for (let i = from; i < Math.min(SNAP_SOURCE_ROWS, from + LOAD_BATCH); i++) txn.put(rowKey(table.id, i * (LOG_HANDLES / SNAP_SOURCE_ROWS)), rowValue(i, 1024));
      });
    }
    const snap = await runFullBackup(c, { storage: snapUrl });
    return { clusterId: c.pd.clusterId.toString(), tableId: table.id, snapshotTs: BigInt(snap.backup_ts) };
  } finally {
    await c.close();
  }
}

/**
 * Writes a synthetic log backup of `total` plaintext bytes with the real flush writer; returns,
 * after each flush, the plaintext bytes so far and the last commit ts (a restore point).
 */
async function synthLog(url: string, src: { clusterId: string; tableId: number; snapshotTs: bigint }, total: number) {
  const storage = openStorage(url);
  try {
    // The log starts just before the snapshot: min ts <= snapshot ts <= every entry's ts.
    await claimLogStorage(storage, src.clusterId, 'bench-synthetic', src.snapshotTs - 1n);
    const pool = Buffer.from(randomBytes(POOL_BYTES / 2).toString('hex'), 'latin1');
    const empty = Buffer.alloc(0);
    const regionOf = (key: Buffer) => 1 + Math.floor((Number(decodeInt64(key, key.length - 8)) * LOG_REGIONS) / LOG_HANDLES);
    const cuts: Array<{ bytes: number; ts: bigint }> = [];
    let ts = src.snapshotTs;
    let bytes = 0;
    let stored = 0;
    for (let flush = 0; bytes < total; flush++) {
      const events: LogEvent[] = [];
      let plain = 0;
      while (plain < FLUSH_BYTES) {
        const startTs = ts + 1n;
        const commitTs = ts + 2n;
        ts = commitTs;
        const key = rowKey(src.tableId, Math.floor(Math.random() * LOG_HANDLES));
        const len = 1024 + Math.floor(Math.random() * 3073);
        const off = Math.floor(Math.random() * (pool.length - len));
        events.push({ cf: 'default', key, ts: startTs, startTs, type: 'P', value: pool.subarray(off, off + len), commitTs });
        events.push({ cf: 'write', key, ts: commitTs, startTs, type: 'P', value: empty, commitTs });
        plain += 2 * (ENTRY_HEADER + key.length) + len;
      }
      const lastCommit = ts;
      ts += 1n;
      const out = await writeFlush(storage, { clusterId: src.clusterId, storeId: 1 + (flush % STORES), flushTs: ts, resolvedTs: ts }, events, regionOf);
      bytes += out.bytes;
      cuts.push({ bytes, ts: lastCommit });
    }
    for (let s = 1; s <= STORES; s++) await storage.write(checkpointFilePath(s), encodeTsFile(ts));
    for (const e of await storage.list('v1/')) if (e.path.endsWith('.log')) stored += e.size;
    return { cuts, bytes, stored };
  } finally {
    closeStorage(storage);
  }
}

/** What the generator child reports. */
interface SyntheticLog {
  cuts: Array<{ bytes: number; ts: string }>;
  bytes: number;
  stored: number;
  seconds: number;
}

/** What a restore child reports. */
interface MemoryRun {
  before: number;
  peak: number;
  hwm: number | null;
  halves: number[];
  kvs: number;
  mbS: number;
  halfMbS: number[];
  hostBusy: number;
  storeBusy: number;
  busiestStore: number;
  regions: number;
  totalS: number;
}

/**
 * Runs one step of part 2 in a child process (this file, run with CHILD_FLAG): the generator,
 * whose buffers and store workers would otherwise stay in the measured RSS, and each restore,
 * so that every log size starts from the same fresh process and the peaks compare.
 */
function inChild<T>(args: string[]): Promise<T> {
  const self = fileURLToPath(import.meta.url);
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--import', 'tsx', self, CHILD_FLAG, ...args], { cwd: join(dirname(self), '..'), maxBuffer: 64 * MIB }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${args[0]} child failed: ${err.message}\n${stderr}`));
      else resolve(JSON.parse(stdout) as T);
    });
  });
}

/** Child: the small snapshot, then the synthetic log. */
async function generateMain(dir: string, total: number): Promise<SyntheticLog> {
  const t0 = performance.now();
  const src = await smallSnapshot(dir, join(dir, 'mem-snap'));
  const log = await synthLog(join(dir, 'mem-log'), src, total);
  return { cuts: log.cuts.map((c) => ({ bytes: c.bytes, ts: c.ts.toString() })), bytes: log.bytes, stored: log.stored, seconds: (performance.now() - t0) / 1000 };
}

/** Child: a host with a fresh 3-store target, one restore up to restoredTs, RSS sampled. */
async function memoryRun(dir: string, hostDir: string, restoredTs: bigint): Promise<MemoryRun> {
  const host = await ClusterHost.start({ dataDir: hostDir });
  try {
    const target = await host.createCluster('target', STORES);
    await sleep(500);
    const hwmOk = resetHwm();
    const before = rssMiB();
    let peak = before;
    // Peaks in the first and the second half of the log phase (flat = alike).
    const halves = [0, 0];
    let status: RestoreStatus | undefined;
    let lastTrace = 0;
    const timer = setInterval(() => {
      const rss = rssMiB();
      if (process.env.PITR_BENCH_MEM_TRACE && performance.now() - lastTrace > 1000) {
        lastTrace = performance.now();
        const m = process.memoryUsage();
        const smaps = readFileSync('/proc/self/smaps_rollup', 'utf8').match(/^(Anonymous|Rss|Private_Dirty|Shared_Clean|Private_Clean):\s+\d+/gm)?.join(' ');
        process.stderr.write(`mem ${status?.progress.phase ?? '-'} ${(100 * (status?.progress.done_bytes ?? 0) / Math.max(1, status?.progress.total_bytes ?? 1)).toFixed(0)}% rss=${rss.toFixed(0)} heapTotal=${(m.heapTotal / MIB).toFixed(0)} heapUsed=${(m.heapUsed / MIB).toFixed(0)} ext=${(m.external / MIB).toFixed(0)} ab=${(m.arrayBuffers / MIB).toFixed(0)} ${smaps}\n`);
      }
      if (rss > peak) peak = rss;
      const p = status?.progress;
      if (p && p.phase === 'kv' && p.total_bytes > 0) {
        const h = p.done_bytes * 2 < p.total_bytes ? 0 : 1;
        if (rss > halves[h]!) halves[h] = rss;
      }
    }, RSS_SAMPLE_MS);
    try {
      // The status object is live: the sampler reads the phase as the restore goes.
      const r = await restore(host, target, join(dir, 'mem-log'), join(dir, 'mem-snap'), restoredTs, (s) => (status = s));
      if (process.env.PITR_BENCH_MEM_TRACE) {
        const blocks = readFileSync('/proc/self/smaps', 'utf8').split(/\n(?=[0-9a-f]+-[0-9a-f]+ )/);
        const rows = blocks.map((b) => ({ head: b.split('\n')[0]!, rss: Number(/^Rss:\s+(\d+)/m.exec(b)?.[1] ?? 0) })).sort((a, b) => b.rss - a.rss);
        const byName = new Map<string, number>();
        for (const r of rows) { const name = r.head.split(/\s+/).slice(5).join(' ') || '[anon]'; byName.set(name, (byName.get(name) ?? 0) + r.rss); }
        process.stderr.write([...byName].sort((a, b) => b[1] - a[1]).slice(0, 12).map(([n, kb]) => `smaps ${(kb / 1024).toFixed(0)} MiB ${n}`).join('\n') + '\n');
        const cat = { heap: 0, arena: 0, anonOther: 0, file: 0 };
        for (const r of rows) {
          const [range, , , , , ...nm] = r.head.split(/\s+/);
          const name = nm.join(' ');
          const startAddr = BigInt('0x' + range!.split('-')[0]);
          if (name === '[heap]') cat.heap += r.rss;
          else if (name === '' && startAddr % 0x4000000n === 0n) cat.arena += r.rss;
          else if (name === '') cat.anonOther += r.rss;
          else cat.file += r.rss;
        }
        process.stderr.write(`cat heap=${(cat.heap / 1024).toFixed(0)} arenas=${(cat.arena / 1024).toFixed(0)} anonOther=${(cat.anonOther / 1024).toFixed(0)} file=${(cat.file / 1024).toFixed(0)}\n`);
      }
      const kv = r.last.get('kv');
      const meta = r.first.get('meta');
      const rate = (a: Mark | undefined, b: Mark | undefined) => (a && b && b.t > a.t ? (b.p.done_bytes - a.p.done_bytes) / MB / ((b.t - a.t) / 1000) : NaN);
      const logBusy = busy(meta, kv);
      return {
        before,
        peak,
        hwm: hwmOk ? hwmMiB() : null,
        halves,
        kvs: kv?.p.kvs ?? 0,
        mbS: kv ? kv.p.done_bytes / MB / kv.p.elapsed_s : NaN,
        halfMbS: [rate(meta, r.half), rate(r.half, kv)],
        hostBusy: logBusy.host,
        storeBusy: logBusy.stores,
        busiestStore: logBusy.busiest,
        regions: target.pd.regions.all().length,
        totalS: r.totalS,
      };
    } finally {
      clearInterval(timer);
    }
  } finally {
    await host.close();
  }
}

/** Part 2: peak RSS while restoring 256 MiB, 512 MiB and 1 GiB of log. */
async function memory(dir: string): Promise<Figure[]> {
  mkdirSync(dir, { recursive: true });
  const log = await inChild<SyntheticLog>(['generate', dir, String(LOG_SIZES[LOG_SIZES.length - 1]!)]);
  const figs: Figure[] = [
    { metric: `synthetic log: ${(log.bytes / MIB).toFixed(0)} MiB plaintext, ${log.cuts.length} flushes, ${(log.stored / MIB).toFixed(0)} MiB stored (zstd), written`, value: log.seconds, unit: 's' },
  ];
  const peaks: number[] = [];
  for (const size of LOG_SIZES) {
    const cut = log.cuts.find((c) => c.bytes >= size) ?? log.cuts[log.cuts.length - 1]!;
    const label = `${(cut.bytes / MIB).toFixed(0)} MiB log`;
    const hostDir = join(dir, `host-${size}`);
    const m = await inChild<MemoryRun>(['restore', dir, hostDir, cut.ts]);
    rmSync(hostDir, { recursive: true, force: true });
    peaks.push(m.peak);
    figs.push(
      { metric: `${label}: RSS before the restore (fresh process, host, 3-store target)`, value: m.before, unit: 'MiB' },
      { metric: `${label}: peak RSS during the restore (50 ms samples; target < 512)`, value: m.peak, unit: 'MiB' },
      ...(m.hwm !== null ? [{ metric: `${label}: peak RSS (kernel VmHWM)`, value: m.hwm, unit: 'MiB' }] : []),
      { metric: `${label}: peak RSS in the 1st half of the log phase`, value: m.halves[0]!, unit: 'MiB' },
      { metric: `${label}: peak RSS in the 2nd half of the log phase`, value: m.halves[1]!, unit: 'MiB' },
      { metric: `${label}: log phase MB/s (${m.kvs} KVs)`, value: m.mbS, unit: 'MB/s' },
      { metric: `${label}: log phase MB/s in the 1st half`, value: m.halfMbS[0]!, unit: 'MB/s' },
      { metric: `${label}: log phase MB/s in the 2nd half`, value: m.halfMbS[1]!, unit: 'MB/s' },
      { metric: `${label}: log phase host thread busy`, value: 100 * m.hostBusy, unit: '%' },
      { metric: `${label}: log phase store workers busy (mean)`, value: 100 * m.storeBusy, unit: '%' },
      { metric: `${label}: log phase busiest store worker busy`, value: 100 * m.busiestStore, unit: '%' },
      { metric: `${label}: target regions after the restore`, value: m.regions, unit: 'regions' },
      { metric: `${label}: restore total`, value: m.totalS, unit: 's' },
    );
  }
  if (peaks.length > 1) figs.push({ metric: 'peak RSS, largest log / smallest log (flat = 1)', value: peaks[peaks.length - 1]! / peaks[0]!, unit: 'x' });
  return figs;
}

/** The `restore` benchmark. */
export async function restoreBench(): Promise<Figure[]> {
  const dir = mkdtempSync(join(tmpdir(), 'pitr-bench-restore-'));
  try {
    // Memory first, in a process not yet grown by the throughput part.
    const mem = await memory(join(dir, 'mem'));
    rmSync(join(dir, 'mem'), { recursive: true, force: true });
    // PITR_BENCH_RESTORE_PART=memory skips the throughput part (quick memory checks).
    const tput = process.env.PITR_BENCH_RESTORE_PART === 'memory' ? [] : await throughput(join(dir, 'tput'));
    return [...tput, ...mem];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// A child of part 2 (see inChild): `node --import tsx bench/restore.ts CHILD_FLAG generate|restore ...`.
if (process.argv[2] === CHILD_FLAG) {
  const [what, dir, arg] = process.argv.slice(3) as [string, string, string, string | undefined];
  const out = what === 'generate' ? await generateMain(dir, Number(arg)) : await memoryRun(dir, arg, BigInt(process.argv[6]!));
  process.stdout.write(JSON.stringify(out));
}
