/** The insert workload: new orders, 1 to 3 rows per transaction, each with its index entry. */
import { encodeRow } from '../catalog/catalog.ts';
import { rowKey } from '../catalog/keys.ts';
import type { OrdersState, OrderRow } from './orders.ts';
import { INDEX_VALUE, randomAmount, randomCustomer } from './orders.ts';
import type { Step, StepContext, StepResult } from './runner.ts';

// Rows per transaction: mostly small transactions, as an OLTP application writes them.
const MAX_ROWS_PER_TXN = 3;

/** Inserts 1..3 orders with fresh handles and remembers them as live once committed. */
export async function insertOrders(ctx: StepContext, orders: OrdersState): Promise<StepResult> {
  const t = await orders.ensureTable();
  const n = 1 + Math.floor(Math.random() * MAX_ROWS_PER_TXN);
  // Handles are taken once, outside the retried function: a retry writes the same rows.
  const rows: OrderRow[] = [];
  for (let i = 0; i < n; i++) {
    const id = orders.freshHandle();
    rows.push({ id, customer_id: randomCustomer(), amount: randomAmount(), note: `order ${id}` });
  }
  await ctx.transact(async (txn) => {
    for (const row of rows) {
      txn.put(rowKey(t.id, row.id), encodeRow(row));
      txn.put(orders.indexKey(t, row), INDEX_VALUE);
    }
  });
  for (const row of rows) orders.live.add(row.id);
  return 'committed';
}

/** Creates test.orders and returns the insert step. */
export async function prepareInsert(orders: OrdersState): Promise<Step> {
  await orders.reload();
  return (ctx) => insertOrders(ctx, orders);
}
