/**
 * The host's handle on one store worker. Requests issued in the same tick are sent as one
 * batch message (TiKV clients batch commands the same way): the host↔worker hop is the hot
 * path, and one postMessage per transaction step would cost more than the SQLite work.
 */
import { Worker } from 'node:worker_threads';
import { ErrorCode, PitrError, fromErrorObject } from '../../errors.ts';
import { workerScript } from '../../paths.ts';
import type { Envelope, SubRequest, SubResult } from './protocol.ts';

// A store worker's V8 young generation (both semi-spaces): V8 would grow it to 48 MiB under a
// long restore or load, so a worker's footprint would keep rising with the work done; 24 MiB
// keeps it flat at no measurable cost in throughput (restore bench, memory part).
export const DEFAULT_STORE_YOUNG_GENERATION_MB = 24;

// How long a dead worker stays down before the host replaces it (avoid a crash loop at full speed).
const DEFAULT_RESTART_DELAY_MS = 200;

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

/** Handle on one store worker thread; replaces the worker when it dies. */
export class StoreClient {
  private worker: Worker | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, Pending | Pending[]>();
  private queue: SubRequest[] = [];
  private queued: Pending[] = [];
  private flushScheduled = false;
  private closing = false;
  private upPromise: Promise<void> | null = null;
  /** Called after a replacement worker is up (the cluster re-sends its regions). */
  onRestart: (() => void) | null = null;
  /** Called for every push a worker sends (log backup asks for an early flush, ...). */
  onPush: ((event: string, data: unknown) => void) | null = null;
  /** Requests served since start, for status pages. */
  served = 0;

  constructor(
    readonly storeId: number,
    readonly path: string,
  ) {}

  /** True while the worker thread is running. */
  get up(): boolean {
    return this.worker !== null;
  }

  /** Starts the worker thread. */
  start(): Promise<void> {
    const w = new Worker(workerScript('store-worker'), {
      workerData: { storeId: this.storeId, path: this.path },
      resourceLimits: { maxYoungGenerationSizeMb: DEFAULT_STORE_YOUNG_GENERATION_MB },
    });
    this.worker = w;
    w.on('message', (m: Envelope) => this.onMessage(m));
    w.on('error', () => undefined); // the exit handler below does the recovery
    w.on('exit', () => this.onExit(w));
    this.upPromise = this.direct('getMeta', { name: 'ping' }).then(() => undefined);
    return this.upPromise;
  }

  /** Queues a request into the next batch. */
  request<T>(method: string, args: unknown): Promise<T> {
    if (!this.worker) return Promise.reject(this.unavailable());
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ method, args });
      this.queued.push({ resolve: resolve as (v: unknown) => void, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /** Sends one request on its own, outside the batch (admin work: regions, moves, GC). */
  direct<T>(method: string, args: unknown): Promise<T> {
    const w = this.worker;
    if (!w) return Promise.reject(this.unavailable());
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      w.postMessage({ id, type: 'request', method, args } satisfies Envelope);
    });
  }

  private flush(): void {
    this.flushScheduled = false;
    const subs = this.queue;
    const waiters = this.queued;
    this.queue = [];
    this.queued = [];
    if (subs.length === 0) return;
    const w = this.worker;
    if (!w) {
      for (const p of waiters) p.reject(this.unavailable());
      return;
    }
    const id = this.nextId++;
    this.pending.set(id, waiters);
    w.postMessage({ id, type: 'request', method: 'batch', args: subs } satisfies Envelope);
  }

  private onMessage(m: Envelope): void {
    if (m.type === 'push') {
      this.onPush?.(m.event, m.data);
      return;
    }
    if (m.type === 'request') return;
    const p = this.pending.get(m.id);
    if (!p) return;
    this.pending.delete(m.id);
    if (Array.isArray(p)) {
      if (m.type === 'error') {
        for (const one of p) one.reject(fromErrorObject(m.error));
        return;
      }
      const results = m.result as SubResult[];
      this.served += results.length;
      results.forEach((r, i) => {
        const one = p[i];
        if (!one) return;
        if (r.ok) one.resolve(r.result);
        else one.reject(fromErrorObject(r.error));
      });
    } else if (m.type === 'reply') p.resolve(m.result);
    else p.reject(fromErrorObject(m.error));
  }

  private unavailable(): PitrError {
    // Not a region error once closed: clients must fail now, not retry a store that never returns.
    if (this.closing) return new PitrError(ErrorCode.Unreachable, `store ${this.storeId} is closed (its cluster was shut down)`, { storeId: this.storeId });
    return new PitrError(ErrorCode.StoreUnavailable, `store ${this.storeId} is unavailable (its worker is restarting); retry shortly`, { storeId: this.storeId });
  }

  private onExit(w: Worker): void {
    if (this.worker !== w) return;
    this.worker = null;
    const err = this.unavailable();
    for (const p of this.pending.values()) for (const one of Array.isArray(p) ? p : [p]) one.reject(err);
    this.pending.clear();
    if (this.closing) return;
    setTimeout(() => {
      if (this.closing || this.worker) return;
      this.start()
        .then(() => this.onRestart?.())
        .catch(() => undefined);
    }, DEFAULT_RESTART_DELAY_MS).unref();
  }

  /** Event-loop utilization of the worker thread since `since` (for benchmarks). */
  utilization(since?: { idle: number; active: number; utilization: number }): { idle: number; active: number; utilization: number } | null {
    const w = this.worker;
    if (!w) return null;
    return since ? w.performance.eventLoopUtilization(since) : w.performance.eventLoopUtilization();
  }

  /** Kills the worker abruptly, as a crash would (tests and fault injection). */
  async kill(): Promise<void> {
    await this.worker?.terminate();
  }

  /** Closes the database and stops the worker for good. */
  async close(): Promise<void> {
    this.closing = true;
    const w = this.worker;
    if (!w) return;
    try {
      await this.direct('close', null);
    } catch {
      // already gone
    }
    await w.terminate();
    this.worker = null;
  }
}
