/**
 * A storage wrapper that fails chosen operations, as TiKV backup-stream's ErrorStore: fault
 * tests of log backup say "the next 3 writes fail" and then check retries, checkpoints and
 * alerts, with no real outage and no sleeps.
 *
 *   const s = new FaultyStorage(new LocalStorage(dir));
 *   s.fail('write', { times: 2 });   // the next two writes (and writeIfAbsent) throw
 *   ...; s.heal();
 */
import { PitrError } from '../errors.ts';
import { listPaths, StorageErrorCode, type BackupStorage, type ByteRange, type StorageEntry } from './storage.ts';

/** An operation that can be failed; `*` is any of them. `write` covers writeIfAbsent too. */
export type FaultOp = 'write' | 'read' | 'list' | 'delete' | 'exists' | '*';

/** How a fault behaves. */
export interface FaultOptions {
  /** How many calls fail (default Infinity: until heal()). */
  times?: number;
  /** The error thrown (default Unavailable "injected fault: storage unavailable"). */
  error?: PitrError;
  /**
   * `before` (default): the call fails and nothing reaches the storage. `after`: the call
   * reaches the storage and then reports failure (a write that landed but whose reply was lost).
   */
  when?: 'before' | 'after';
}

type Op = Exclude<FaultOp, '*'>;

interface Fault {
  remaining: number;
  error: PitrError | undefined;
  when: 'before' | 'after';
}

const OPS: readonly Op[] = ['write', 'read', 'list', 'delete', 'exists'];

function counters(): Record<Op, number> {
  return { write: 0, read: 0, list: 0, delete: 0, exists: 0 };
}

/** Wraps a BackupStorage and fails the operations it is told to. */
export class FaultyStorage implements BackupStorage {
  /** The wrapped storage's URL. */
  readonly url: string;
  /** Calls per operation (failed ones included). */
  readonly calls: Record<Op, number> = counters();
  /** Injected failures per operation. */
  readonly failures: Record<Op, number> = counters();
  readonly #inner: BackupStorage;
  readonly #faults = new Map<FaultOp, Fault>();

  /** Wraps inner; no operation fails until fail() is called. */
  constructor(inner: BackupStorage) {
    this.#inner = inner;
    this.url = inner.url;
  }

  /** The wrapped storage. */
  get inner(): BackupStorage {
    return this.#inner;
  }

  /** Makes the next `times` calls of op fail (replacing an earlier fault of the same op). */
  fail(op: FaultOp, opts: FaultOptions = {}): void {
    const times = opts.times ?? Infinity;
    if (!(times >= 0)) throw new RangeError(`times must be >= 0, got ${times}`);
    this.#faults.set(op, { remaining: times, error: opts.error, when: opts.when ?? 'before' });
  }

  /** Removes every fault (counters are kept). */
  heal(): void {
    this.#faults.clear();
  }

  /** Sets every counter back to zero. */
  resetCounters(): void {
    for (const op of OPS) {
      this.calls[op] = 0;
      this.failures[op] = 0;
    }
  }

  /** See BackupStorage.write. */
  write(path: string, data: Uint8Array): Promise<void> {
    return this.#run('write', () => this.#inner.write(path, data));
  }

  /** See BackupStorage.writeIfAbsent (faults of `write` apply). */
  writeIfAbsent(path: string, data: Uint8Array): Promise<boolean> {
    return this.#run('write', () => this.#inner.writeIfAbsent(path, data));
  }

  /** See BackupStorage.read. */
  read(path: string, range?: ByteRange): Promise<Buffer> {
    return this.#run('read', () => this.#inner.read(path, range));
  }

  /** See BackupStorage.list. */
  list(prefix: string): Promise<StorageEntry[]> {
    return this.#run('list', () => this.#inner.list(prefix));
  }

  /** See BackupStorage.listPaths (a 'list' fault fails it too). */
  listPaths(prefix: string): Promise<string[]> {
    return this.#run('list', () => listPaths(this.#inner, prefix));
  }

  /** See BackupStorage.delete. */
  delete(path: string): Promise<void> {
    return this.#run('delete', () => this.#inner.delete(path));
  }

  /** See BackupStorage.exists. */
  exists(path: string): Promise<boolean> {
    return this.#run('exists', () => this.#inner.exists(path));
  }

  async #run<T>(op: Op, call: () => Promise<T>): Promise<T> {
    this.calls[op]++;
    const fault = this.#take(op);
    if (fault?.when === 'before') throw this.#injected(op, fault);
    const result = await call();
    if (fault !== undefined) throw this.#injected(op, fault);
    return result;
  }

  /** The fault that applies to this call (the op's own before `*`), consuming one of its times. */
  #take(op: Op): Fault | undefined {
    for (const key of [op, '*'] as const) {
      const fault = this.#faults.get(key);
      if (fault === undefined || fault.remaining <= 0) continue;
      fault.remaining--;
      if (fault.remaining <= 0) this.#faults.delete(key);
      return fault;
    }
    return undefined;
  }

  #injected(op: Op, fault: Fault): PitrError {
    this.failures[op]++;
    return fault.error ?? new PitrError(StorageErrorCode.Unavailable, 'injected fault: storage unavailable', { op, injected: true });
  }
}
