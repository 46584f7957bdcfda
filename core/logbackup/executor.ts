/**
 * The log backup executor of one store (TiKV's backup-stream endpoint), running inside the
 * store worker: it observes the commits of the regions this store leads, scans a region from
 * its checkpoint when the store starts leading it, buffers events, and on each flush writes
 * every event up to the region's resolved ts to backup storage, then reports the new
 * checkpoints. Only what is durable in storage ever moves a checkpoint.
 */
import { join } from 'node:path';
import type { MvccStore } from '../cluster/store/mvcc.ts';
import type { RegionGuard } from '../cluster/store/region-guard.ts';
import { toErrorObject } from '../errors.ts';
import type { ErrorObject } from '../errors.ts';
import { FaultyStorage, openStorage } from '../storage/index.ts';
import type { FaultOp } from '../storage/index.ts';
import type { BackupStorage } from '../storage/storage.ts';
import { compareBytes, EventBuffer, tsBytes } from './event-buffer.ts';
import type { DrainedEvents } from './event-buffer.ts';
import { writeFlushRecords } from './flush-writer.ts';
import type { FlushGroup } from './flush-writer.ts';
import { checkpointFilePath, encodeTsFile } from './format.ts';
import { StoreMetricsRecorder } from '../metrics/store-recorder.ts';
import type { StoreMetricsDelta } from '../metrics/store-recorder.ts';

// TiKV's initial scan rate limit (backup-stream.initial-scan-rate-limit, 60 MiB/s).
export const DEFAULT_INITIAL_SCAN_RATE_BYTES = 60 * 1024 * 1024;
// Buffered bytes that trigger a flush before the interval (TiKV's file-size-limit is 256 MiB;
// the lab's stores are smaller).
export const DEFAULT_FLUSH_SIZE_BYTES = 32 * 1024 * 1024;
// Consecutive failed flushes after which the error is fatal and the task pauses (as TiKV).
export const DEFAULT_MAX_FLUSH_FAILURES = 30;

/** The task as a store sees it. */
export interface LogTaskConfig {
  name: string;
  storageUrl: string;
  startTs: string;
  clusterId: string;
}

/** What the host sends with each flush. */
export interface FlushRequest {
  /** A TSO fetched by the host just before sending: the upper bound of resolved ts. */
  tso: bigint;
  globalCheckpoint: bigint;
  /** Last known checkpoint of every region of the task (decimal strings). */
  regionCheckpoints: Record<string, string>;
}

/** What a store reports after a flush. */
export interface FlushReport {
  store_id: number;
  ok: boolean;
  skipped: boolean;
  error: ErrorObject | null;
  consecutive_failures: number;
  fatal: boolean;
  store_checkpoint: string;
  region_checkpoints: Record<string, string>;
  entries: number;
  bytes: number;
  files: number;
  duration_ms: number;
  initial_scans: number;
  initial_scan_bytes: number;
  observed_regions: number;
  pending_scans: number;
  /** Metric updates since the previous report, and the store's gauges now (metrics piggyback here). */
  metrics?: StoreFlushMetrics;
}

/** The metrics part of a flush report. */
export interface StoreFlushMetrics extends StoreMetricsDelta {
  heap_memory: number;
  observed_regions: number;
  pending_initial_scans: number;
}

interface Observed {
  id: number;
  start: Buffer;
  end: Buffer;
  checkpoint: bigint;
  scanned: boolean;
}

const contains = (o: { start: Buffer; end: Buffer }, r: { start: Buffer; end: Buffer }) =>
  Buffer.compare(r.start, o.start) >= 0 && (o.end.length === 0 || (r.end.length > 0 && Buffer.compare(r.end, o.end) <= 0));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const EMPTY = Buffer.alloc(0);

/** The log backup side of one store. */
export class LogBackupExecutor {
  private task: LogTaskConfig | null = null;
  private storage: FaultyStorage | null = null;
  /** Faults to inject into this store's backup storage (fault drills and tests, as TiKV's failpoints). */
  private faults: Array<{ op: FaultOp; times: number }> = [];
  private observed: Observed[] = [];
  private knownCheckpoints = new Map<number, bigint>();
  private lastGlobal = 0n;
  private readonly buffer: EventBuffer;
  private flushing = false;
  private failures = 0;
  private flushRequested = false;
  private epoch = 0;
  private readonly metrics = new StoreMetricsRecorder();
  // Per-KV figures stay plain numbers (the hot path); they join the recorder once per batch.
  private batchKvs = 0;
  private batchToEventMs = 0;
  private batchSaveMs = 0;
  private skippedKvs = 0;
  private scanReason = 'task-started';
  /** The region the last looked-up key was in (reset whenever the observed set changes). */
  private lastHit: Observed | null = null;

  constructor(
    private readonly storeId: number,
    private readonly mvcc: MvccStore,
    private readonly guard: RegionGuard,
    tmpDir: string,
    private readonly push: (event: string, data: unknown) => void,
  ) {
    this.buffer = new EventBuffer(join(tmpDir, 'log-backup-buffer'));
    mvcc.onCommitted = (key, commitTs, startTs, type, short) => this.onCommitted(key, commitTs, startTs, type, short);
    guard.onChange = () => this.reconcile();
  }

  /** Starts (config) or stops (null) backing up; everything buffered is dropped either way. */
  setTask(cfg: LogTaskConfig | null, regionCheckpoints: Record<string, string>, globalCheckpoint: bigint): void {
    const t0 = performance.now();
    this.epoch++;
    this.buffer.clear();
    this.observed = [];
    this.lastHit = null;
    this.failures = 0;
    this.task = cfg;
    this.storage = cfg ? new FaultyStorage(openStorage(cfg.storageUrl)) : null;
    for (const f of this.faults) this.storage?.fail(f.op, { times: f.times });
    // The host's checkpoints are the whole truth for this task: what an earlier task (or an
    // earlier start of this one) taught us must not let a region skip commits of this one.
    this.knownCheckpoints.clear();
    this.lastGlobal = 0n;
    this.learn(regionCheckpoints, globalCheckpoint);
    this.scanReason = 'task-started';
    if (cfg) this.reconcile();
    this.scanReason = 'leader-changed';
    this.metrics.observe('tikv_log_backup_interal_actor_acting_duration_sec', [cfg ? 'RegisterTask' : 'UnregisterTask'], (performance.now() - t0) / 1000);
  }

  private learn(cps: Record<string, string>, global: bigint): void {
    for (const [id, ts] of Object.entries(cps)) this.knownCheckpoints.set(Number(id), BigInt(ts));
    if (global > this.lastGlobal) this.lastGlobal = global;
  }

  /**
   * Re-plans which regions are observed after the led set changed: a region split on this store
   * inherits its parent's state; a region that arrived is scanned from its last checkpoint.
   */
  private reconcile(): void {
    if (!this.task) return;
    const t0 = performance.now();
    const floor = BigInt(this.task.startTs);
    const old = this.observed;
    this.lastHit = null;
    this.observed = this.guard.ledRegions().map((r) => {
      // Unchanged regions keep their object, so a flush in flight updates the live state.
      const same = old.find((o) => o.id === r.id && o.start.equals(r.start) && o.end.equals(r.end));
      if (same) return same;
      const parent = old.find((o) => o.id === r.id && contains(o, r)) ?? old.find((o) => contains(o, r));
      if (parent) return { ...r, checkpoint: parent.checkpoint, scanned: parent.scanned };
      const known = this.knownCheckpoints.get(r.id) ?? this.lastGlobal;
      this.metrics.inc('tikv_log_backup_initial_scan_reason', [this.scanReason]);
      return { ...r, checkpoint: known > floor ? known : floor, scanned: false };
    });
    this.metrics.observe('tikv_log_backup_interal_actor_acting_duration_sec', ['ModifyObserve'], (performance.now() - t0) / 1000);
  }

  /** The observed region holding a key (the keys of one request share one: tried first). */
  private lookup(key: Uint8Array): Observed | undefined {
    return this.find((b) => compareBytes(key, b));
  }

  /** The observed region holding drained event i's key. */
  private lookupDrained(d: DrainedEvents, i: number): Observed | undefined {
    return this.find((b) => d.compareKey(i, b));
  }

  /** Binary search over the observed regions; cmp(bound) compares the key with a bound. */
  private find(cmp: (bound: Buffer) => number): Observed | undefined {
    const last = this.lastHit;
    if (last && cmp(last.start) >= 0 && (last.end.length === 0 || cmp(last.end) < 0)) return last;
    const list = this.observed;
    let lo = 0;
    let hi = list.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const r = list[mid]!;
      if (cmp(r.start) < 0) hi = mid - 1;
      else if (r.end.length > 0 && cmp(r.end) >= 0) lo = mid + 1;
      else return (this.lastHit = r);
    }
    return undefined;
  }

  /**
   * Buffers the events of one committed write record: the record itself, and for a long Put
   * its value from the default CF. Returns the bytes buffered.
   */
  private emit(key: Uint8Array, commitTs: bigint, startTs: bigint, type: 'P' | 'D', short: Uint8Array | null): number {
    this.buffer.append('write', key, commitTs, startTs, type, short ?? EMPTY, commitTs);
    let bytes = key.length + (short?.length ?? 0);
    if (type === 'P' && short === null) {
      const value = this.mvcc.defaultValue(key, startTs);
      if (value) {
        this.buffer.append('default', key, startTs, startTs, 'P', value, commitTs);
        bytes += key.length + value.length;
      }
    }
    return bytes;
  }

  private onCommitted(key: Buffer, commitTs: bigint, startTs: bigint, type: 'P' | 'D', short: Buffer | null): void {
    if (!this.task) return;
    if (this.batchKvs === 0) queueMicrotask(() => this.closeBatch());
    this.batchKvs++;
    const t0 = performance.now();
    const r = this.lookup(key);
    // A region not scanned yet is skipped: its initial scan will read this commit from disk.
    if (!r || !r.scanned) {
      this.skippedKvs++;
      return;
    }
    // The buffer copies the key and value bytes: a key that came by structured clone is a view
    // of a copy of the sender's whole buffer pool slab (8 KiB or more), never kept.
    const t1 = performance.now();
    this.emit(key, commitTs, startTs, type, short);
    this.batchToEventMs += t1 - t0;
    this.batchSaveMs += performance.now() - t1;
    if (!this.flushRequested && this.buffer.bytes > DEFAULT_FLUSH_SIZE_BYTES) {
      this.flushRequested = true;
      this.push('logbackup:flush-needed', { storeId: this.storeId });
    }
  }

  /** Ends a batch of committed KVs (one store request): its figures go to the recorder. */
  private closeBatch(): void {
    const m = this.metrics;
    m.observe('tikv_stream_handle_kv_batch', [], this.batchKvs);
    m.observe('tikv_stream_event_handle_duration_sec', ['to_stream_event'], this.batchToEventMs / 1000);
    m.observe('tikv_stream_event_handle_duration_sec', ['save_to_temp_file'], this.batchSaveMs / 1000);
    m.observe('tikv_stream_on_event_duration_seconds', ['on_event'], (this.batchToEventMs + this.batchSaveMs) / 1000);
    m.inc('tikv_stream_skip_kv_count', [], this.skippedKvs);
    this.batchKvs = 0;
    this.batchToEventMs = 0;
    this.batchSaveMs = 0;
    this.skippedKvs = 0;
  }

  /** Initial scan of one region from its checkpoint (synchronous: no commit can slip between). */
  private scan(r: Observed): number {
    const t0 = performance.now();
    let bytes = 0;
    let rows = 0;
    let gets = 0;
    for (const w of this.mvcc.committedAfter(r.start, r.end, r.checkpoint)) {
      rows++;
      if (w.type === 'P' && w.shortValue === null) gets++;
      bytes += this.emit(w.key, w.commitTs, w.startTs, w.type, w.shortValue);
    }
    r.scanned = true;
    const m = this.metrics;
    m.observe('tikv_stream_initial_scan_duration_sec', [], (performance.now() - t0) / 1000);
    m.observe('tikv_stream_incremental_scan_bytes', [], bytes);
    m.inc('tikv_log_backup_initial_scan_disk_read', [], bytes);
    m.inc('tikv_stream_initial_scan_operations', ['write', 'next'], rows);
    m.inc('tikv_stream_initial_scan_operations', ['default', 'get'], gets);
    return bytes;
  }

  /** The metrics shipped with a report: deltas since the last report, gauges now. */
  private shipMetrics(): StoreFlushMetrics {
    return { ...this.metrics.take(), heap_memory: this.buffer.memoryBytes, observed_regions: this.observed.length, pending_initial_scans: this.observed.filter((r) => !r.scanned).length };
  }

  /** Injects (times > 0) or heals (times = 0) storage faults of this store's log backup. */
  setStorageFault(op: FaultOp, times: number): void {
    this.faults = times > 0 ? [...this.faults.filter((f) => f.op !== op), { op, times }] : [];
    if (times > 0) this.storage?.fail(op, { times });
    else this.storage?.heal();
  }

  /** One flush: scan new regions, resolve, write what is resolved, report. */
  async flush(req: FlushRequest): Promise<FlushReport> {
    const t0 = Date.now();
    const base = { store_id: this.storeId, error: null, fatal: false, entries: 0, bytes: 0, files: 0, initial_scans: 0, initial_scan_bytes: 0 };
    if (!this.task || !this.storage || this.flushing) {
      return { ...base, ok: false, skipped: true, consecutive_failures: this.failures, store_checkpoint: '0', region_checkpoints: {}, duration_ms: 0, observed_regions: this.observed.length, pending_scans: 0 };
    }
    this.flushing = true;
    this.flushRequested = false;
    const epoch = this.epoch;
    const storage: BackupStorage = this.storage;
    const task = this.task;
    try {
      this.learn(req.regionCheckpoints, req.globalCheckpoint);
      this.reconcile();
      let scans = 0;
      let scanBytes = 0;
      const tScan = performance.now();
      for (const r of [...this.observed]) {
        if (r.scanned) continue;
        // The region moved away (or the task changed) while earlier scans ran: give it up.
        if (!this.observed.includes(r) || this.epoch !== epoch) {
          this.metrics.inc('tikv_stream_skip_retry_observe', [this.epoch !== epoch ? 'task-changed' : 'not-leader']);
          continue;
        }
        const b = this.scan(r);
        scans++;
        scanBytes += b;
        // Rate-limit initial scans so they do not starve the store's foreground work.
        await sleep(Math.min(2000, (b / DEFAULT_INITIAL_SCAN_RATE_BYTES) * 1000));
      }
      if (this.epoch !== epoch) return { ...base, ok: false, skipped: true, consecutive_failures: 0, store_checkpoint: '0', region_checkpoints: {}, duration_ms: Date.now() - t0, observed_regions: 0, pending_scans: 0 };
      const tResolve = performance.now();
      this.metrics.observe('tikv_stream_flush_duration_sec', ['initial_scan'], (tResolve - tScan) / 1000);
      // Resolved ts of each region: nothing can still commit at or below it. Never backwards.
      const resolved = new Map<Observed, bigint>();
      for (const r of this.observed) {
        if (!r.scanned) {
          resolved.set(r, r.checkpoint);
          continue;
        }
        const lock = this.mvcc.minLockTsIn(r.start, r.end);
        const bound = lock !== null && lock < req.tso ? lock : req.tso;
        resolved.set(r, bound > r.checkpoint ? bound : r.checkpoint);
      }
      // Each event goes to its region's block when its commit is resolved, back to the buffer
      // when not yet, and nowhere when its region moved away (the new leader scans it).
      const d = this.buffer.drainRecords();
      const bounds = new Map<Observed, Buffer>();
      for (const [r, ts] of resolved) bounds.set(r, tsBytes(ts));
      const groups = new Map<Observed, { write: FlushGroup; default: FlushGroup }>();
      const keep: number[] = [];
      for (let i = 0; i < d.count; i++) {
        const r = this.lookupDrained(d, i);
        if (!r || !r.scanned) continue;
        if (d.compareCommitTs(i, bounds.get(r)!) > 0) {
          keep.push(i);
          continue;
        }
        let g = groups.get(r);
        if (!g) groups.set(r, (g = { write: { region: r.id, cf: 'write', ids: [] }, default: { region: r.id, cf: 'default', ids: [] } }));
        g[d.cf(i)].ids.push(i);
      }
      for (const i of keep) this.buffer.appendFrom(d, i);
      const selected = [...groups.values()].flatMap((g) => [g.write, g.default]);
      const storeResolved = [...resolved.values()].reduce((m, x) => (x < m ? x : m), req.tso);
      const tSave = performance.now();
      this.metrics.observe('tikv_stream_flush_duration_sec', ['resolve'], (tSave - tResolve) / 1000);
      try {
        const out = await writeFlushRecords(storage, { clusterId: task.clusterId, storeId: this.storeId, flushTs: req.tso, resolvedTs: storeResolved }, d, selected);
        const tCheckpoint = performance.now();
        await storage.write(checkpointFilePath(this.storeId), encodeTsFile(req.globalCheckpoint));
        this.metrics.observe('tikv_stream_flush_duration_sec', ['save_files'], (tCheckpoint - tSave) / 1000);
        this.metrics.observe('tikv_stream_flush_duration_sec', ['save_checkpoint'], (performance.now() - tCheckpoint) / 1000);
        // One data file per flush: its size before compression, as TiKV counts what it flushed.
        if (out.files > 0) this.metrics.observe('tikv_stream_flush_file_size', [], out.bytes);
        if (this.epoch === epoch) for (const [r, ts] of resolved) r.checkpoint = ts;
        this.failures = 0;
        const cps: Record<string, string> = {};
        for (const [r, ts] of resolved) cps[r.id] = ts.toString();
        this.metrics.observe('tikv_log_backup_interal_actor_acting_duration_sec', ['Flush'], (performance.now() - tScan) / 1000);
        return { ...base, ...out, ok: true, skipped: false, consecutive_failures: 0, store_checkpoint: storeResolved.toString(), region_checkpoints: cps, duration_ms: Date.now() - t0, initial_scans: scans, initial_scan_bytes: scanBytes, observed_regions: this.observed.length, pending_scans: this.observed.filter((r) => !r.scanned).length, metrics: this.shipMetrics() };
      } catch (err) {
        // Nothing is lost: written again at the next flush.
        if (this.epoch === epoch) for (const g of selected) for (const i of g.ids) this.buffer.appendFrom(d, i);
        this.failures++;
        const code = toErrorObject(err).code;
        this.metrics.inc('tikv_stream_errors', [code]);
        if (this.failures >= DEFAULT_MAX_FLUSH_FAILURES) this.metrics.inc('tikv_log_backup_fatal_errors', [code]);
        const cps: Record<string, string> = {};
        for (const r of this.observed) cps[r.id] = r.checkpoint.toString();
        return { ...base, ok: false, skipped: false, error: toErrorObject(err), consecutive_failures: this.failures, fatal: this.failures >= DEFAULT_MAX_FLUSH_FAILURES, store_checkpoint: this.observed.reduce((m, r) => (r.checkpoint < m ? r.checkpoint : m), req.tso).toString(), region_checkpoints: cps, duration_ms: Date.now() - t0, initial_scans: scans, initial_scan_bytes: scanBytes, observed_regions: this.observed.length, pending_scans: 0, metrics: this.shipMetrics() };
      }
    } finally {
      this.flushing = false;
    }
  }
}
