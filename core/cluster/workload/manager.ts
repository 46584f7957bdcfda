/**
 * The workloads of one cluster: at most one per kind, started with a target rate and stopped
 * cleanly (in-flight transactions finish first). Finished ones stay visible for a while so the
 * UI and the CLI can show how they ended.
 */
import { ErrorCode, PitrError } from '../../errors.ts';
import type { Cluster } from '../cluster.ts';
import { bankTotal, prepareBank } from './bank.ts';
import { DdlCycle, DEFAULT_DDL_RATE, prepareDdl } from './ddl.ts';
import { prepareDelete } from './delete.ts';
import { prepareInsert } from './insert.ts';
import { LargeTxnWorkload } from './large-txn.ts';
import type { MixedOp } from './mixed.ts';
import { prepareMixed } from './mixed.ts';
import { OrdersState } from './orders.ts';
import { Runner } from './runner.ts';
import { prepareUpdate } from './update.ts';
import type { ResolvedOptions, Workload, WorkloadKind, WorkloadOptions, WorkloadStatus } from './types.ts';
import { WORKLOAD_KINDS, checkKind, resolveOptions } from './types.ts';

/** The workload types, so that callers import everything from the manager. */
export type { WorkloadKind, WorkloadOptions, WorkloadState, WorkloadStatus } from './types.ts';
/** The kinds and the default rate. */
export { WORKLOAD_KINDS, DEFAULT_RATE } from './types.ts';

// Finished workloads stay in status() this long: long enough for a UI polling every few
// seconds, or a user coming back to the terminal, to see how they ended.
export const DEFAULT_STATUS_RETENTION_MS = 10 * 60_000;
// DDL runs one job at a time (TiDB's DDL owner), so more than one in flight would only queue.
const DDL_CONCURRENCY = 1;

interface Entry {
  workload: Workload;
  endedAt: number | null;
}

const isActive = (w: Workload): boolean => {
  const s = w.status().state;
  return s === 'running' || s === 'stopping';
};

/** Runs workloads against a cluster. */
export class WorkloadManager {
  private readonly entries = new Map<WorkloadKind, Entry>();
  // Shared by insert, update, delete and mixed, so that updates find the rows inserts wrote.
  private readonly orders: OrdersState;

  constructor(readonly cluster: Cluster) {
    this.orders = new OrdersState(cluster);
  }

  /** Starts a workload of kind once its tables are set up; refuses a kind that is already running. */
  async start(kind: WorkloadKind, opts: WorkloadOptions = {}): Promise<WorkloadStatus> {
    checkKind(kind);
    const o = resolveOptions(opts, kind === 'ddl' ? { rate: DEFAULT_DDL_RATE, concurrency: DDL_CONCURRENCY } : {});
    const cur = this.entries.get(kind);
    if (cur && isActive(cur.workload)) {
      throw new PitrError(
        ErrorCode.InvalidArgument,
        `a ${kind} workload is already running on this cluster; stop it first with \`pitr workload stop --kind ${kind}\``,
      );
    }
    // Registered before setup, so that a second start during setup is refused too.
    const workload = this.create(kind, o);
    const entry: Entry = { workload, endedAt: null };
    this.entries.set(kind, entry);
    void workload.finished.then(() => {
      entry.endedAt = Date.now();
    });
    try {
      await workload.ready;
    } catch (err) {
      if (this.entries.get(kind) === entry) this.entries.delete(kind);
      throw err;
    }
    return workload.status();
  }

  /** Stops one kind (or every running workload) and returns the final statuses. */
  async stop(kind?: WorkloadKind): Promise<WorkloadStatus[]> {
    if (kind !== undefined) {
      checkKind(kind);
      const e = this.entries.get(kind);
      if (!e) {
        throw new PitrError(ErrorCode.NotFound, `no ${kind} workload has run on this cluster; start one with \`pitr workload start --kind ${kind}\``);
      }
      await e.workload.stop();
      return [e.workload.status()];
    }
    const active = [...this.entries.values()].map((e) => e.workload).filter(isActive);
    await Promise.all(active.map((w) => w.stop()));
    return active.map((w) => w.status());
  }

  /** Stops every workload. */
  async stopAll(): Promise<void> {
    await this.stop();
  }

  /** Running workloads and the ones that finished recently, in the order of WORKLOAD_KINDS. */
  status(): WorkloadStatus[] {
    const now = Date.now();
    const out: WorkloadStatus[] = [];
    for (const kind of WORKLOAD_KINDS) {
      const e = this.entries.get(kind);
      if (!e) continue;
      if (e.endedAt !== null && now - e.endedAt > DEFAULT_STATUS_RETENTION_MS) {
        this.entries.delete(kind);
        continue;
      }
      out.push(e.workload.status());
    }
    return out;
  }

  /** Sums test.accounts balances at ts with one snapshot scan (the bank invariant). */
  bankTotal(ts: bigint): Promise<{ accounts: number; total: bigint }> {
    return bankTotal(this.cluster, ts);
  }

  private create(kind: WorkloadKind, o: ResolvedOptions): Workload {
    const c = this.cluster;
    const pace = { rate: o.rate, concurrency: o.concurrency };
    const ordersDetail = (): Record<string, unknown> => ({ table: 'test.orders', live_handles: this.orders.live.size });
    switch (kind) {
      case 'bank':
        return new Runner(kind, c.txn, { ...pace, detail: () => ({ accounts: o.accounts }) }, () => prepareBank(c, o.accounts));
      case 'insert':
        return new Runner(kind, c.txn, { ...pace, detail: ordersDetail }, () => prepareInsert(this.orders));
      case 'update':
        return new Runner(kind, c.txn, { ...pace, detail: ordersDetail }, () => prepareUpdate(this.orders));
      case 'delete':
        return new Runner(kind, c.txn, { ...pace, detail: ordersDetail }, () => prepareDelete(this.orders));
      case 'mixed': {
        let ops: Record<MixedOp, number> | null = null;
        const detail = (): Record<string, unknown> => ({ ...ordersDetail(), accounts: o.accounts, ops });
        return new Runner(kind, c.txn, { ...pace, detail }, async () => {
          const m = await prepareMixed(c, this.orders, o.accounts);
          ops = m.counts;
          return m.step;
        });
      }
      case 'ddl': {
        const cycle = new DdlCycle(c);
        return new Runner(kind, c.txn, { ...pace, detail: () => cycle.detail() }, () => prepareDdl(cycle));
      }
      case 'large-txn':
        return new LargeTxnWorkload(c, o.keys, o.durationMs);
    }
  }
}
