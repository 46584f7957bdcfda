/**
 * The log backup invariant (DESIGN.md §4): every transaction committed at or before the global
 * checkpoint is in backup storage, exactly (commit ts, type, value, long values through the
 * default CF), and storage holds nothing the source never committed. Checked at several moments
 * while the bank and mixed workloads run, and for every .meta's resolved ts.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readStorageCheckpoint } from '../../../core/logbackup/storage-ops.ts';
import { blobTable, checkInvariant, checkResolvedDurable, lbEnv, MANUAL_FLUSH_MS, readLog, readSelected, readSource, sleep, writeBlobs } from './helpers.ts';

const CHECKS = 5;

describe('log backup invariant under the bank and mixed workloads', () => {
  test('every commit up to the global checkpoint is in storage, exactly, at every check', async () => {
    const env = await lbEnv({ stores: 3 });
    const { cluster, svc } = env;
    try {
      await cluster.workloads.start('bank', { rate: 0, concurrency: 8, accounts: 100 });
      await cluster.workloads.start('mixed', { rate: 0, concurrency: 4 });
      const blobs = await blobTable(cluster);
      // Every store leads some of the tables' regions; no region moves once the task runs.
      await cluster.scatter();
      const started = await svc.start({ name: 'inv', storage: env.url, flushIntervalMs: MANUAL_FLUSH_MS });
      const startTs = BigInt(started.start_ts);
      assert.equal(started.status, 'NORMAL');

      let blob = 0;
      let total = { checked: 0, longValues: 0, deletes: 0 };
      const storesWithData = new Set<number>();
      let lastG = startTs;
      let prevG = startTs;
      for (let check = 1; check <= CHECKS; check++) {
        for (let round = 0; round < 3; round++) {
          await writeBlobs(cluster, blobs.id, blob++);
          await sleep(60);
          const reports = await svc.flushAll();
          assert.equal(reports.length, 3, 'every store answers');
          for (const r of reports) {
            assert.ok(r.ok, `store ${r.store_id} flushed: ${r.error?.message}`);
            if (r.entries > 0) storesWithData.add(r.store_id);
          }
        }
        const G = svc.globalCheckpoint;
        assert.ok(G >= lastG, 'the global checkpoint never goes back');
        lastG = G;
        // Storage first, then the source: whatever storage holds was committed before.
        const log = await readLog(env.storage);
        const src = await readSource(cluster);
        const r = checkInvariant(src, log, startTs, G, `check ${check}: `);
        // A restore reads only the blocks the .meta files point it to: those suffice, for the
        // whole window and for the part after an earlier checkpoint (a later snapshot).
        const picked = await readSelected(env.storage, 0n, G);
        checkInvariant(src, picked, startTs, G, `check ${check}, blocks picked for (0, G]: `);
        if (check > 1) {
          const tail = await readSelected(env.storage, prevG, G);
          assert.ok(tail.blocks < picked.blocks, 'a later window reads fewer blocks');
          checkInvariant(src, tail, prevG, G, `check ${check}, blocks picked for (${prevG}, G]: `);
          // A target at exactly the first commit of a block (a restore to "just after that
          // transaction"): the block is picked.
          const firsts = log.metas.flatMap((m) => m.meta.files.flatMap((f) => f.data_files.map((b) => BigInt(b.min_ts)))).filter((ts) => ts > prevG && ts <= G);
          assert.ok(firsts.length > 0);
          const target = firsts[Math.floor(Math.random() * firsts.length)]!;
          checkInvariant(src, await readSelected(env.storage, prevG, target), prevG, target, `check ${check}, blocks picked for (${prevG}, ${target}]: `);
        }
        prevG = G;
        checkResolvedDurable(src, log, startTs);
        const cp = await readStorageCheckpoint(env.storage);
        assert.ok(cp <= G, `the checkpoint recorded in storage (${cp}) is durable (≤ global ${G})`);
        assert.ok(cp >= startTs, 'storage records a checkpoint from the first flush on');
        total = { checked: r.checked, longValues: r.longValues, deletes: r.deletes };
      }
      const statuses = cluster.workloads.status();
      for (const w of statuses) assert.equal(w.state, 'running', `${w.kind} still runs (${w.last_error ?? ''})`);
      assert.ok(total.checked > 500, `the workloads committed enough to check (${total.checked})`);
      assert.ok(total.longValues >= CHECKS * 3, `long values went through the default CF (${total.longValues})`);
      assert.ok(total.deletes > 0, `deletes were checked (${total.deletes})`);
      assert.ok(storesWithData.size >= 2, `more than one store wrote data (${[...storesWithData].join(',')})`);
    } finally {
      await env.close();
    }
  });

  test('a commit after the checkpoint is not claimed: the checkpoint waits for a pending lock', async () => {
    const env = await lbEnv({ stores: 3 });
    const { cluster, svc } = env;
    try {
      const blobs = await blobTable(cluster);
      await svc.start({ name: 'lock', storage: env.url, flushIntervalMs: MANUAL_FLUSH_MS });
      await writeBlobs(cluster, blobs.id, 1);
      await svc.flushAll();
      // A transaction prewritten but not committed holds every checkpoint of its region back.
      const txn = cluster.txn.begin();
      txn.put(Buffer.concat([blobs.prefix, Buffer.from('_r-pending')]), Buffer.from('v'));
      await txn.prewritePending(60_000);
      const lockTs = txn.startTs;
      for (let i = 0; i < 3; i++) {
        await writeBlobs(cluster, blobs.id, 10 + i);
        await svc.flushAll();
      }
      assert.ok(svc.globalCheckpoint <= lockTs, `the checkpoint (${svc.globalCheckpoint}) stays at or below the lock's start ts ${lockTs}`);
      const c = await txn.commit();
      const after = cluster.pd.tso();
      for (let i = 0; i < 50 && svc.globalCheckpoint <= after; i++) await svc.flushAll();
      assert.ok(svc.globalCheckpoint > c.commitTs, 'the checkpoint moves on once the transaction committed');
      const log = await readLog(env.storage);
      const src = await readSource(cluster);
      checkInvariant(src, log, BigInt(svc.status().start_ts), svc.globalCheckpoint);
      assert.ok(
        log.writes.some((w) => w.commitTs === c.commitTs),
        'the long-pending transaction is in storage with its commit ts',
      );
    } finally {
      await env.close();
    }
  });
});
