import { test } from 'node:test';
import assert from 'node:assert/strict';
import { recordRange, rowKey } from '../../../core/cluster/catalog/keys.ts';
import type { Cluster } from '../../../core/cluster/cluster.ts';
import type { LockInfo } from '../../../core/cluster/store/protocol.ts';
import { statusOf, waitFor, withCluster } from './helpers.ts';

interface Detail {
  table_id: number;
  first_id: number;
  keys: number;
  keys_written: number;
  heartbeats: number;
  start_ts: string | null;
  commit_ts: string | null;
}

const detailOf = (c: Cluster): Detail => statusOf(c, 'large-txn').detail as unknown as Detail;

/** Locks of transaction startTs in a table, over every store. */
async function locksOf(c: Cluster, tableId: number, startTs: bigint): Promise<number> {
  const r = recordRange(tableId);
  let n = 0;
  for (const s of c.stores()) {
    const locks = await s.direct<LockInfo[]>('kvScanLock', { start: r.start, end: r.end, maxTs: c.pd.tso(), limit: 1_000_000 });
    n += locks.filter((l) => l.startTs === startTs).length;
  }
  return n;
}

/** Rows of the transaction's id range visible at ts. */
async function visibleRows(c: Cluster, d: Detail, ts: bigint): Promise<number> {
  const rows = await c.txn.scan(rowKey(d.table_id, d.first_id), rowKey(d.table_id, d.first_id + d.keys), ts);
  return rows.length;
}

test('large-txn: holds its locks while open, then commits every key at once', async () => {
  await withCluster(async (c) => {
    const started = await c.workloads.start('large-txn', { keys: 200, durationMs: 1500 });
    assert.equal(started.state, 'running');
    await waitFor('the first chunk', () => detailOf(c).keys_written > 0);
    const d = detailOf(c);
    const startTs = BigInt(d.start_ts!);
    assert.ok((await locksOf(c, d.table_id, startTs)) > 0, 'no lock of the large transaction in the stores');
    // A reader after its start meets the lock and must not see the uncommitted value.
    const key = rowKey(d.table_id, d.first_id);
    assert.equal(await c.txn.get(key, c.pd.tso()), null);

    await waitFor('the commit', () => statusOf(c, 'large-txn').state !== 'running', 8000);
    const s = statusOf(c, 'large-txn');
    assert.equal(s.state, 'done', s.last_error ?? '');
    assert.equal(s.committed, 1);
    const done = detailOf(c);
    assert.equal(done.keys_written, 200);
    assert.ok(done.heartbeats >= 1, 'no heartbeat in 1.5 s');
    const commitTs = BigInt(done.commit_ts!);
    assert.ok(commitTs > startTs);
    assert.equal(await visibleRows(c, done, c.pd.tso()), 200);
    assert.equal(await visibleRows(c, done, commitTs), 200);
    assert.equal(await visibleRows(c, done, commitTs - 1n), 0);
    assert.equal(await visibleRows(c, done, startTs), 0);
    assert.equal(await locksOf(c, d.table_id, startTs), 0);
    // A finished large-txn does not block the next one.
    await c.workloads.start('large-txn', { keys: 1, durationMs: 0 });
    await c.workloads.stopAll();
  });
});

test('large-txn: stopping it early rolls it back', async () => {
  await withCluster(async (c) => {
    await c.workloads.start('large-txn', { keys: 100, durationMs: 5000 });
    await waitFor('the first chunk', () => detailOf(c).keys_written > 0);
    const d = detailOf(c);
    const startTs = BigInt(d.start_ts!);
    assert.ok((await locksOf(c, d.table_id, startTs)) > 0);
    const [s] = await c.workloads.stop('large-txn');
    assert.equal(s?.state, 'stopped');
    assert.equal(s?.committed, 0);
    assert.equal(s?.aborted, 1);
    assert.equal(await locksOf(c, d.table_id, startTs), 0);
    assert.equal(await visibleRows(c, d, c.pd.tso()), 0);
  });
});
