import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeRow } from '../../../core/cluster/catalog/catalog.ts';
import { decodeKey, indexRange, recordRange } from '../../../core/cluster/catalog/keys.ts';
import type { Cluster } from '../../../core/cluster/cluster.ts';
import { WorkloadManager } from '../../../core/cluster/workload/manager.ts';
import { statusOf, waitFor, withCluster } from './helpers.ts';

interface Order {
  id: number;
  customer_id: number;
}

/**
 * Reads test.orders and idx_customer at one ts and checks that every entry points at an
 * existing row with that customer, and every row has its entry. Returns the row count.
 */
async function checkOrdersIndex(c: Cluster, ts: bigint): Promise<number> {
  const t = await c.catalog.table(ts, 'test', 'orders');
  assert.ok(t, 'test.orders exists');
  const ix = t.indexes.find((i) => i.name === 'idx_customer');
  assert.ok(ix);
  const rr = recordRange(t.id);
  const ir = indexRange(t.id, ix.id);
  const [rows, entries] = await Promise.all([c.txn.scan(rr.start, rr.end, ts), c.txn.scan(ir.start, ir.end, ts)]);
  const byHandle = new Map<bigint, Order>();
  for (const r of rows) {
    const k = decodeKey(r.key);
    assert.equal(k.kind, 'row');
    if (k.kind === 'row') byHandle.set(k.handle, decodeRow<Order>(r.value));
  }
  const indexed = new Set<bigint>();
  for (const e of entries) {
    const k = decodeKey(e.key);
    assert.ok(k.kind === 'index' && k.values?.length === 2, 'an idx_customer entry is (customer_id, handle)');
    const [customer, handle] = k.values as [bigint, bigint];
    const row = byHandle.get(handle);
    assert.ok(row, `index entry of handle ${handle} points at no row`);
    assert.equal(BigInt(row.customer_id), customer, `index entry of handle ${handle} has a stale customer`);
    assert.ok(!indexed.has(handle), `handle ${handle} has two index entries`);
    indexed.add(handle);
  }
  for (const h of byHandle.keys()) assert.ok(indexed.has(h), `row ${h} has no index entry`);
  return rows.length;
}

test('insert, update and delete keep every row and its index entry together', async () => {
  await withCluster(async (c) => {
    await c.workloads.start('insert', { rate: 0, concurrency: 8 });
    await waitFor('some inserts', () => statusOf(c, 'insert').committed >= 100);
    await c.workloads.start('update', { rate: 0, concurrency: 8 });
    await c.workloads.start('delete', { rate: 0, concurrency: 4 });
    await waitFor('updates and deletes', () => statusOf(c, 'update').committed >= 100 && statusOf(c, 'delete').committed >= 30);
    // A snapshot taken while all three still write.
    const during = await checkOrdersIndex(c, c.pd.tso());
    const finals = await c.workloads.stop();
    assert.deepEqual(finals.map((s) => [s.kind, s.state]), [['insert', 'stopped'], ['update', 'stopped'], ['delete', 'stopped']]);
    for (const s of finals) assert.equal(s.errors, 0, `${s.kind}: ${s.last_error}`);
    const after = await checkOrdersIndex(c, c.pd.tso());
    assert.ok(during > 0 && after > 0);
    // Every committed insert added 1-3 rows and every committed delete removed one.
    const [ins, , del] = finals;
    assert.ok(after >= ins!.committed - del!.committed && after <= 3 * ins!.committed - del!.committed, `${after} rows`);
  });
});

test('update learns existing rows with one scan when it knows none', async () => {
  await withCluster(async (c) => {
    await c.workloads.start('insert', { rate: 0, concurrency: 4 });
    await waitFor('some inserts', () => statusOf(c, 'insert').committed >= 20);
    await c.workloads.stop('insert');
    const rows = await checkOrdersIndex(c, c.pd.tso());
    // A new manager on the same cluster knows no handles.
    const m = new WorkloadManager(c);
    try {
      await m.start('update', { rate: 0, concurrency: 2 });
      await waitFor('updates', () => (m.status()[0]?.committed ?? 0) >= 20);
    } finally {
      await m.stopAll();
    }
    // Updates of the learned rows, not inserts: the row count did not change.
    assert.equal(await checkOrdersIndex(c, c.pd.tso()), rows);
    assert.equal(m.status()[0]?.detail?.['live_handles'], rows);
  });
});

test('mixed: all four operations run, stop is clean, and the bank total holds', async () => {
  await withCluster(async (c) => {
    await c.workloads.start('mixed', { rate: 0, concurrency: 16, accounts: 100 });
    const ops = (): Record<string, number> => (statusOf(c, 'mixed').detail?.['ops'] ?? {}) as Record<string, number>;
    await waitFor('every operation of the mix', () => ['insert', 'update', 'delete', 'transfer'].every((op) => (ops()[op] ?? 0) >= 5));
    const [s] = await c.workloads.stop('mixed');
    assert.equal(s?.state, 'stopped');
    assert.equal(s?.errors, 0, s?.last_error ?? '');
    const counted = Object.values(ops()).reduce((a, b) => a + b, 0);
    assert.equal(counted, s?.committed);
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(statusOf(c, 'mixed').committed, s?.committed, 'transactions committed after stop returned');
    assert.deepEqual(await c.workloads.bankTotal(c.pd.tso()), { accounts: 100, total: 100_000n });
    await checkOrdersIndex(c, c.pd.tso());
  });
});

test('after DROP TABLE orders a restarted workload writes to the new table', async () => {
  await withCluster(async (c) => {
    await c.workloads.start('insert', { rate: 0, concurrency: 4 });
    await waitFor('some inserts', () => statusOf(c, 'insert').committed >= 20);
    await c.workloads.stop('insert');
    const dropped = await c.catalog.dropTable('test', 'orders');
    // The handles known of the dropped table are forgotten: with an empty table, update inserts.
    await c.workloads.start('update', { rate: 0, concurrency: 2 });
    await waitFor('updates', () => statusOf(c, 'update').committed >= 20);
    await c.workloads.stop('update');
    const t = await c.catalog.table(c.pd.tso(), 'test', 'orders');
    assert.ok(t && t.id !== dropped.id);
    assert.ok((await checkOrdersIndex(c, c.pd.tso())) > 0, 'nothing written to the new test.orders');
  });
});
