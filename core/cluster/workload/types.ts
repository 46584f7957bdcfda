/**
 * The public shapes of workloads (kinds, options, status) and the validation of options, kept
 * apart from the engine so that the contract and the CLI can describe them without running one.
 */
import { WORKLOAD_KINDS } from '../../contract/types.ts';
import type { WorkloadKindName, WorkloadStatusInfo } from '../../contract/types.ts';
import { ErrorCode, PitrError } from '../../errors.ts';

/** Every workload kind, in the order the CLI lists them (defined by the contract). */
export { WORKLOAD_KINDS };

/** A kind of workload (DESIGN.md §3). */
export type WorkloadKind = WorkloadKindName;

/** What a user may tune when starting a workload. */
export interface WorkloadOptions {
  /** Target transactions per second; 0 = as fast as possible. */
  rate?: number;
  /** Most transactions in flight at once. */
  concurrency?: number;
  /** bank (and mixed): number of accounts. */
  accounts?: number;
  /** large-txn: number of rows the transaction writes. */
  keys?: number;
  /** large-txn: real ms the transaction stays open before it commits. */
  durationMs?: number;
}

/** The life of a workload: `done` is a workload that finished its work (large-txn). */
export type WorkloadState = WorkloadStatusInfo['state'];

/** A workload as the status page and the CLI show it (the contract's shape). */
export type WorkloadStatus = WorkloadStatusInfo;

/** Options with every default applied. */
export type ResolvedOptions = Required<WorkloadOptions>;

// A rate a laptop-sized simulated cluster sustains without starving log backup of CPU.
export const DEFAULT_RATE = 100;
// TiDB's default pool of a few dozen connections; enough to make conflicts possible.
export const DEFAULT_CONCURRENCY = 32;
// The largest concurrency: more in-flight transactions only queue in the store workers.
export const MAX_CONCURRENCY = 1024;
// Enough accounts that 32 concurrent transfers rarely collide, few enough to set up in a second.
export const DEFAULT_ACCOUNTS = 1000;
// A large transaction of a few thousand rows holds locks in every store without filling memory.
export const DEFAULT_LARGE_TXN_KEYS = 2000;
// Long enough to watch resolved ts and the log backup checkpoint stall behind its locks.
export const DEFAULT_LARGE_TXN_DURATION_MS = 30_000;
// Upper bounds that keep a typo from setting up millions of rows or a transaction open for days.
const MAX_ACCOUNTS = 1_000_000;
const MAX_LARGE_TXN_KEYS = 1_000_000;
const MAX_LARGE_TXN_DURATION_MS = 24 * 3600_000;

function invalid(message: string): PitrError {
  return new PitrError(ErrorCode.InvalidArgument, message);
}

/** Throws InvalidArgument unless kind is a known workload kind. */
export function checkKind(kind: string): asserts kind is WorkloadKind {
  if (!(WORKLOAD_KINDS as readonly string[]).includes(kind)) {
    throw invalid(`unknown workload kind "${kind}"; use one of: ${WORKLOAD_KINDS.join(', ')}`);
  }
}

function wholeNumber(flag: string, v: number, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw invalid(`${flag} must be a whole number from ${min} to ${max}, got ${String(v)}`);
  }
  return v;
}

/** Applies defaults (a kind may have its own, as ddl does) and validates. */
export function resolveOptions(opts: WorkloadOptions, defaults: { rate?: number; concurrency?: number } = {}): ResolvedOptions {
  const rate = opts.rate ?? defaults.rate ?? DEFAULT_RATE;
  if (typeof rate !== 'number' || !Number.isFinite(rate) || rate < 0) {
    throw invalid(`--rate must be a finite number of transactions per second ≥ 0 (0 = as fast as possible), got ${String(rate)}`);
  }
  return {
    rate,
    concurrency: wholeNumber('--concurrency', opts.concurrency ?? defaults.concurrency ?? DEFAULT_CONCURRENCY, 1, MAX_CONCURRENCY),
    accounts: wholeNumber('--accounts', opts.accounts ?? DEFAULT_ACCOUNTS, 2, MAX_ACCOUNTS),
    keys: wholeNumber('--keys', opts.keys ?? DEFAULT_LARGE_TXN_KEYS, 1, MAX_LARGE_TXN_KEYS),
    durationMs: wholeNumber('--duration (ms)', opts.durationMs ?? DEFAULT_LARGE_TXN_DURATION_MS, 0, MAX_LARGE_TXN_DURATION_MS),
  };
}

/** A running or finished workload, as the manager holds it. */
export interface Workload {
  readonly kind: WorkloadKind;
  /** Settles once setup (tables, accounts) is done; rejects when setup failed. */
  readonly ready: Promise<unknown>;
  /** Settles when the workload has stopped, finished or failed (never rejects). */
  readonly finished: Promise<void>;
  /** The current status. */
  status(): WorkloadStatus;
  /** Asks it to stop and waits until its in-flight transactions are finished. */
  stop(): Promise<void>;
}
