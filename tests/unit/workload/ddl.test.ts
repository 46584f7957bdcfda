import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GC_DELETE_RANGE_TABLE, SYSTEM_DB, decodeRow } from '../../../core/cluster/catalog/catalog.ts';
import type { DeleteRange } from '../../../core/cluster/catalog/catalog.ts';
import { recordRange } from '../../../core/cluster/catalog/keys.ts';
import type { Cluster } from '../../../core/cluster/cluster.ts';
import { statusOf, waitFor, withCluster } from './helpers.ts';

/** The tables of database `ddl` at ts, by name. */
async function ddlTables(c: Cluster, ts: bigint): Promise<Map<string, number>> {
  const db = await c.catalog.database(ts, 'ddl');
  if (!db) return new Map();
  return new Map((await c.catalog.tables(ts, db.id)).map((t) => [t.name, t.id]));
}

test('ddl: creates, fills and drops tables, keeping at most four, and records dropped ranges', async () => {
  await withCluster(async (c) => {
    await c.workloads.start('ddl', { rate: 0 });
    let most = 0;
    await waitFor('two drops', async () => {
      most = Math.max(most, (await ddlTables(c, c.pd.tso())).size);
      return (statusOf(c, 'ddl').detail?.['dropped'] as number) >= 2;
    }, 8000);
    const [s] = await c.workloads.stop('ddl');
    assert.equal(s?.state, 'stopped');
    assert.equal(s?.errors, 0, s?.last_error ?? '');
    assert.ok(most <= 4, `${most} ddl tables at once`);

    const created = s?.detail?.['created'] as number;
    const dropped = s?.detail?.['dropped'] as number;
    assert.ok(dropped >= 2 && created - dropped >= 3 && created - dropped <= 4, `created ${created}, dropped ${dropped}`);
    // The oldest were dropped, in order; the newest survive.
    const survivors = Array.from({ length: created - dropped }, (_, i) => `t_${dropped + 1 + i}`);
    const now = await ddlTables(c, c.pd.tso());
    assert.deepEqual([...now.keys()].sort(), [...survivors].sort());
    assert.deepEqual(s?.detail?.['tables'], survivors.map((n) => `ddl.${n}`));
    const oldest = recordRange(now.get(survivors[0]!)!);
    assert.equal((await c.txn.scan(oldest.start, oldest.end, c.pd.tso())).length, 10, 'a surviving table has its rows');

    // Every drop left its table's range in mysql.gc_delete_range; just before the drop the
    // catalog had that table (with its rows) and never more than four ddl tables.
    const gdr = await c.catalog.table(c.pd.tso(), SYSTEM_DB, GC_DELETE_RANGE_TABLE);
    assert.ok(gdr);
    const rr = recordRange(gdr.id);
    const records = (await c.txn.scan(rr.start, rr.end, c.pd.tso())).map((row) => decodeRow<DeleteRange>(row.value));
    assert.equal(records.length, dropped);
    const names: string[] = [];
    for (const rec of records) {
      const before = await ddlTables(c, BigInt(rec.ts));
      assert.ok(before.size === 4, `${before.size} ddl tables before a drop`);
      const name = [...before].find(([, id]) => id === rec.tableId)?.[0];
      assert.ok(name, `dropped table ${rec.tableId} was not in ddl at ${rec.ts}`);
      names.push(name);
      const r = recordRange(rec.tableId);
      assert.equal((await c.txn.scan(r.start, r.end, BigInt(rec.ts))).length, 10, `${name} had its rows`);
    }
    assert.deepEqual(names.sort(), Array.from({ length: dropped }, (_, i) => `t_${i + 1}`).sort());

    // Started again (with its defaults: a DBA's pace, one DDL job at a time), it picks up the
    // tables it left and continues their numbering.
    const again = await c.workloads.start('ddl');
    assert.deepEqual([again.target_rate, again.concurrency], [2, 1]);
    assert.deepEqual(again.detail?.['tables'], survivors.map((n) => `ddl.${n}`));
    await waitFor('the next table', async () => (await ddlTables(c, c.pd.tso())).has(`t_${created + 1}`));
  });
});
