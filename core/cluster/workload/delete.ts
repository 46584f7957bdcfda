/** The delete workload: removes random live orders together with their index entries. */
import { decodeRow } from '../catalog/catalog.ts';
import { rowKey } from '../catalog/keys.ts';
import type { OrdersState, OrderRow } from './orders.ts';
import type { Step, StepContext, StepResult } from './runner.ts';

/** Deletes one random live order; skips when the table has no rows. */
export async function deleteOrder(ctx: StepContext, orders: OrdersState): Promise<StepResult> {
  const t = await orders.ensureTable();
  const handle = await orders.pickLive();
  if (handle === null) return 'skipped';
  const key = rowKey(t.id, handle);
  const found = await ctx.transact(async (txn) => {
    const v = await txn.get(key);
    if (!v) return false;
    // The entry to delete is the one of the row as read, whatever customer it has now.
    txn.delete(orders.indexKey(t, decodeRow<OrderRow>(v)));
    txn.delete(key);
    return true;
  });
  orders.live.remove(handle);
  return found ? 'committed' : 'skipped';
}

/** Creates test.orders and returns the delete step. */
export async function prepareDelete(orders: OrdersState): Promise<Step> {
  await orders.reload();
  return (ctx) => deleteOrder(ctx, orders);
}
