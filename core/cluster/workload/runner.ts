/**
 * The loop shared by every paced workload: take a token (target rate), wait for a free slot
 * (concurrency), run one step, count its outcome. Stopping lets the steps in flight finish,
 * so a stop never leaves half a transaction behind.
 */
import type { Transaction } from '../txn/transaction.ts';
import type { TxnClient } from '../txn/txn-client.ts';
import { WorkloadStats, isAbort } from './stats.ts';
import { TokenBucket, Waker } from './timing.ts';
import type { Workload, WorkloadKind, WorkloadState, WorkloadStatus } from './types.ts';

// Attempts of one transaction before its conflict is reported: TiDB's default retry limit of
// optimistic transactions is 10.
export const DEFAULT_TXN_ATTEMPTS = 10;
// An unpaced workload yields to the event loop after this many launches, so that timers, the
// HTTP API and the other workloads keep running even when steps finish without real I/O.
const YIELD_EVERY_LAUNCHES = 64;

/** What a step did: committed a transaction, or found nothing to do. */
export type StepResult = 'committed' | 'skipped';

/** What a step gets from the runner. */
export interface StepContext {
  /** Runs fn in a new transaction and commits it, retrying conflicts (each lost attempt counts as aborted). */
  transact<T>(fn: (txn: Transaction) => Promise<T>): Promise<T>;
}

/** One unit of work: usually one transaction. */
export type Step = (ctx: StepContext) => Promise<StepResult>;

/** How a runner is paced, and what it adds to its status. */
export interface RunnerOptions {
  rate: number;
  concurrency: number;
  failAfterMs?: number;
  /** Kind-specific facts for the status (tables, accounts...). */
  detail?: () => Record<string, unknown>;
}

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** A paced workload. */
export class Runner implements Workload {
  /** Settles with the first step once setup is done; rejects when setup failed. */
  readonly ready: Promise<Step>;
  readonly finished: Promise<void>;
  private state: WorkloadState = 'running';
  private readonly stats: WorkloadStats;
  private readonly waker = new Waker();
  private readonly ctx: StepContext;

  constructor(
    readonly kind: WorkloadKind,
    private readonly client: Pick<TxnClient, 'run'>,
    private readonly opts: RunnerOptions,
    prepare: () => Promise<Step>,
  ) {
    this.stats = new WorkloadStats(opts.failAfterMs);
    this.ctx = { transact: (fn) => this.transact(fn) };
    this.ready = prepare();
    // Setup errors and (defensively) loop errors end the workload as failed; never a rejection.
    this.finished = this.ready.then((step) => this.loop(step)).catch((err: unknown) => {
      this.stats.onFailure(err);
      this.state = 'failed';
    });
  }

  /** The current status. */
  status(): WorkloadStatus {
    const detail = { skipped: this.stats.skipped, ...this.opts.detail?.() };
    return this.stats.status(this.kind, this.state, this.opts.rate, this.opts.concurrency, detail);
  }

  /** Stops launching steps and waits for the ones in flight. */
  async stop(): Promise<void> {
    if (this.state === 'running') {
      this.state = 'stopping';
      this.waker.wake();
    }
    await this.finished;
  }

  private async transact<T>(fn: (txn: Transaction) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return (await this.client.run(fn, 1)).result;
      } catch (err) {
        // Only the final failure reaches the step's caller, which counts it once; the lost
        // attempts before it are counted here. A stopping workload does not retry.
        if (!isAbort(err) || attempt >= DEFAULT_TXN_ATTEMPTS || this.state !== 'running') throw err;
        this.stats.onFailure(err);
      }
    }
  }

  private async loop(step: Step): Promise<void> {
    const bucket = this.opts.rate > 0 ? new TokenBucket(this.opts.rate, Date.now()) : null;
    const inFlight = new Set<Promise<void>>();
    let launches = 0;
    while (this.state === 'running') {
      if (inFlight.size >= this.opts.concurrency) {
        await this.waker.wait();
        continue;
      }
      const waitMs = bucket ? bucket.take(Date.now()) : 0;
      if (waitMs > 0) {
        await this.waker.wait(waitMs);
        continue;
      }
      const p: Promise<void> = this.runOne(step).finally(() => {
        inFlight.delete(p);
        this.waker.wake();
      });
      inFlight.add(p);
      if (!bucket && ++launches % YIELD_EVERY_LAUNCHES === 0) await yieldToEventLoop();
    }
    await Promise.all(inFlight);
    if (this.state === 'stopping') this.state = 'stopped';
  }

  private async runOne(step: Step): Promise<void> {
    try {
      if ((await step(this.ctx)) === 'committed') this.stats.onCommit();
      else this.stats.onSkip();
    } catch (err) {
      if (this.stats.onFailure(err) && this.state === 'running') {
        this.state = 'failed';
        this.waker.wake();
      }
    }
  }
}
