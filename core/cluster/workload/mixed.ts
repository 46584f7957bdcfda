/**
 * The mixed workload: an OLTP blend of inserts, updates, deletes and bank transfers, so that a
 * restore has to get new rows, changed rows, deleted rows and an invariant right at once.
 */
import type { Cluster } from '../cluster.ts';
import { setupBank, transfer } from './bank.ts';
import { deleteOrder } from './delete.ts';
import { insertOrders } from './insert.ts';
import type { OrdersState } from './orders.ts';
import type { Step, StepContext, StepResult } from './runner.ts';
import { updateOrder } from './update.ts';

/** One operation of the mix. */
export type MixedOp = 'insert' | 'update' | 'delete' | 'transfer';

// The blend, as cumulative shares: inserts outnumber deletes so the table grows slowly.
const MIX: ReadonlyArray<[MixedOp, number]> = [
  ['insert', 0.4],
  ['update', 0.7],
  ['delete', 0.8],
  ['transfer', 1],
];

/** Picks an operation with the mix's shares. */
export function pickMixedOp(r = Math.random()): MixedOp {
  for (const [op, upTo] of MIX) if (r < upTo) return op;
  return 'transfer';
}

/** Sets up orders and accounts; returns the mixed step and the per-operation counts it keeps. */
export async function prepareMixed(cluster: Cluster, orders: OrdersState, accounts: number): Promise<{ step: Step; counts: Record<MixedOp, number> }> {
  await orders.reload();
  const bank = await setupBank(cluster, accounts);
  const counts: Record<MixedOp, number> = { insert: 0, update: 0, delete: 0, transfer: 0 };
  const run: Record<MixedOp, (ctx: StepContext) => Promise<StepResult>> = {
    insert: (ctx) => insertOrders(ctx, orders),
    update: (ctx) => updateOrder(ctx, orders),
    delete: (ctx) => deleteOrder(ctx, orders),
    transfer: (ctx) => transfer(ctx, bank, accounts),
  };
  const step: Step = async (ctx) => {
    const op = pickMixedOp();
    const r = await run[op](ctx);
    if (r === 'committed') counts[op]++;
    return r;
  };
  return { step, counts };
}
