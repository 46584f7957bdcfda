/**
 * The update workload: changes the amount of random live orders and, now and then, the
 * customer, which moves the row's index entry (delete the old entry, put the new one) in the
 * same transaction, as TiDB does.
 */
import { decodeRow, encodeRow } from '../catalog/catalog.ts';
import { rowKey } from '../catalog/keys.ts';
import { insertOrders } from './insert.ts';
import type { OrdersState, OrderRow } from './orders.ts';
import { INDEX_VALUE, randomAmount, randomCustomer } from './orders.ts';
import type { Step, StepContext, StepResult } from './runner.ts';

// Share of updates that change the indexed column, so index maintenance is exercised often.
const CHANGE_CUSTOMER_SHARE = 0.3;

/** Updates one random live order; inserts instead when the table has no rows yet. */
export async function updateOrder(ctx: StepContext, orders: OrdersState): Promise<StepResult> {
  const t = await orders.ensureTable();
  const handle = await orders.pickLive();
  if (handle === null) return insertOrders(ctx, orders);
  const key = rowKey(t.id, handle);
  const found = await ctx.transact(async (txn) => {
    const v = await txn.get(key);
    if (!v) return false;
    const old = decodeRow<OrderRow>(v);
    const row: OrderRow = { ...old, amount: randomAmount() };
    if (Math.random() < CHANGE_CUSTOMER_SHARE) {
      row.customer_id = randomCustomer();
      const oldIx = orders.indexKey(t, old);
      const newIx = orders.indexKey(t, row);
      if (!oldIx.equals(newIx)) {
        txn.delete(oldIx);
        txn.put(newIx, INDEX_VALUE);
      }
    }
    txn.put(key, encodeRow(row));
    return true;
  });
  // Deleted by someone else since it was sampled: forget it.
  if (!found) orders.live.remove(handle);
  return found ? 'committed' : 'skipped';
}

/** Creates test.orders and returns the update step. */
export async function prepareUpdate(orders: OrdersState): Promise<Step> {
  await orders.reload();
  return (ctx) => updateOrder(ctx, orders);
}
