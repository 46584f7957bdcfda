/**
 * Log backup under faults: storage failing for a while and for good (30 failed flushes make the
 * task ERROR, GC is held, resume works after healing and is refused once GC passed the
 * checkpoint), a store worker dying, the host restarting, and regions splitting and moving.
 * After each, nothing committed at or before the global checkpoint is missing from storage.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { rowKey } from '../../../core/cluster/catalog/keys.ts';
import { ACCOUNTS_TABLE, WORKLOAD_DB } from '../../../core/cluster/workload/bank.ts';
import { PitrError } from '../../../core/errors.ts';
import { DEFAULT_MAX_FLUSH_FAILURES } from '../../../core/logbackup/executor.ts';
import type { FlushReport } from '../../../core/logbackup/executor.ts';
import { SafePointIds } from '../../../core/logbackup/meta-keys.ts';
import { LogErrorCode } from '../../../core/logbackup/storage-ops.ts';
import { StorageErrorCode } from '../../../core/storage/index.ts';
import { ManualClock } from '../../../core/tso/index.ts';
import { waitFor } from '../../helpers/cluster.ts';
import { blobTable, checkInvariant, commitsIn, flushPast, flushUntil, lbEnv, MANUAL_FLUSH_MS, readLog, readSource, sleep, writeBlobs } from './helpers.ts';
import type { LbEnv, SourceState } from './helpers.ts';

/** Flush rounds while blobs commit; every report must be ok. */
async function rounds(env: LbEnv, tableId: number, from: number, n: number): Promise<number> {
  let i = from;
  for (let r = 0; r < n; r++) {
    await writeBlobs(env.cluster, tableId, i++);
    await sleep(40);
    for (const rep of await env.svc.flushAll()) assert.ok(rep.ok, `store ${rep.store_id}: ${rep.error?.message}`);
  }
  return i;
}

/** Reads the storage, then the source, and checks the invariant from the task's start. */
async function invariant(env: LbEnv, fromTs: bigint, extra?: SourceState): Promise<number> {
  const g = env.svc.globalCheckpoint;
  const log = await readLog(env.storage);
  const src = await readSource(env.cluster);
  if (extra) for (const [k, v] of extra.writes) if (!src.writes.has(k)) src.writes.set(k, v);
  if (extra) for (const [k, v] of extra.defaults) if (!src.defaults.has(k)) src.defaults.set(k, v);
  const r = checkInvariant(src, log, fromTs, g);
  assert.equal(r.checked, commitsIn(src, fromTs, g).length);
  return r.checked;
}

const report = (reports: FlushReport[], store: number) => reports.find((r) => r.store_id === store);

describe('log backup under faults', () => {
  test('(a) storage failing for a while: the checkpoint stops, then catches up, nothing lost', async () => {
    const env = await lbEnv();
    const { cluster, svc } = env;
    try {
      await cluster.workloads.start('bank', { rate: 0, concurrency: 4, accounts: 100 });
      const blobs = await blobTable(cluster);
      await cluster.scatter();
      const start = BigInt((await svc.start({ name: 'fa', storage: env.url, flushIntervalMs: MANUAL_FLUSH_MS })).start_ts);
      let i = await rounds(env, blobs.id, 0, 3);
      assert.ok(svc.globalCheckpoint > start);
      const last2 = report(await svc.flushAll(), 2);
      assert.ok(last2?.ok);
      const cp2 = BigInt(last2.store_checkpoint);
      const seen: bigint[] = [];

      // Store 1: its next 3 writes fail (then it heals by itself). Store 2: every operation fails.
      await svc.storageFault(1, 'write', 3);
      await svc.storageFault(2, '*', 1000);
      for (let n = 1; n <= 6; n++) {
        await writeBlobs(cluster, blobs.id, i++);
        const reports = await svc.flushAll();
        const r2 = report(reports, 2);
        assert.ok(r2 && !r2.ok && !r2.fatal, 'store 2 fails, not fatally yet');
        assert.equal(r2.consecutive_failures, n);
        assert.equal(r2.error?.code, StorageErrorCode.Unavailable);
        const r1 = report(reports, 1);
        assert.equal(r1?.ok, n > 3, `store 1 fails its first 3 flushes only (flush ${n})`);
        assert.ok(svc.globalCheckpoint <= cp2, 'the global checkpoint stays at or below what store 2 made durable');
        seen.push(svc.globalCheckpoint);
      }
      // Once the other stores are past it, store 2's last durable checkpoint is the global one.
      assert.deepEqual(seen.slice(-3), [cp2, cp2, cp2], 'the global checkpoint stops advancing');
      const st = svc.status();
      assert.equal(st.status, 'NORMAL', 'a few failures do not stop the task');
      const s2 = st.stores.find((s) => s.store_id === 2);
      assert.equal(s2?.consecutive_failures, 6);
      assert.match(s2?.last_flush_error ?? '', /injected fault/);

      await svc.storageFault(2, '*', 0);
      const healedAt = cluster.pd.tso();
      await flushPast(svc, healedAt);
      const after = await svc.flushAll();
      assert.equal(report(after, 2)?.consecutive_failures, 0, 'the failure count resets');
      await rounds(env, blobs.id, i, 2);
      assert.ok((await invariant(env, start)) > 100);
    } finally {
      await env.close();
    }
  });

  test('(b) storage failing for good: ERROR after 30 failed flushes, GC held, resume after healing; refused once GC passed', async () => {
    const clock = new ManualClock(Date.now());
    const env = await lbEnv({ clock });
    const { cluster, svc } = env;
    try {
      const blobs = await blobTable(cluster);
      await cluster.scatter();
      const start = BigInt((await svc.start({ name: 'fb', storage: env.url, flushIntervalMs: MANUAL_FLUSH_MS })).start_ts);
      let i = 0;
      const advanceRounds = async (n: number) => {
        for (let r = 0; r < n; r++) {
          await writeBlobs(cluster, blobs.id, i++);
          clock.advance(10);
          for (const rep of await svc.flushAll()) assert.ok(rep.ok, `store ${rep.store_id}: ${rep.error?.message}`);
        }
      };
      await advanceRounds(2);
      assert.ok(svc.globalCheckpoint > start);
      const last2 = report(await svc.flushAll(), 2);
      assert.ok(last2?.ok);
      // Store 2's last durable checkpoint: the global one stops there.
      const g0 = BigInt(last2.store_checkpoint);

      // Store 2's storage fails for good.
      await svc.storageFault(2, 'write', 1_000_000);
      let failed = 0;
      let fatalAt = 0;
      for (let n = 1; n <= DEFAULT_MAX_FLUSH_FAILURES + 5 && failed < DEFAULT_MAX_FLUSH_FAILURES; n++) {
        await writeBlobs(cluster, blobs.id, i++);
        clock.advance(10);
        fatalAt = clock.now();
        const reports = await svc.flushAll();
        const r2 = report(reports, 2);
        assert.ok(r2 && !r2.ok);
        failed = r2.consecutive_failures;
        assert.equal(r2.fatal, failed >= DEFAULT_MAX_FLUSH_FAILURES);
        assert.equal(svc.status().status, failed >= DEFAULT_MAX_FLUSH_FAILURES ? 'ERROR' : 'NORMAL', `status after ${failed} failed flushes`);
      }
      assert.equal(failed, DEFAULT_MAX_FLUSH_FAILURES, 'the task stops after exactly 30 consecutive failed flushes');
      const st = svc.status();
      assert.equal(st.status, 'ERROR');
      assert.equal(st.checkpoint, g0.toString(), 'the checkpoint stayed where store 2 last flushed');
      assert.equal(st.last_errors.length, 1);
      const e = st.last_errors[0]!;
      assert.equal(e.store_id, 2);
      assert.equal(e.code, StorageErrorCode.Unavailable);
      assert.match(e.message, /injected fault: storage unavailable/);
      assert.ok(!Number.isNaN(Date.parse(e.happen_at)));
      const guard = cluster.pd.serviceSafePoints().find((s) => s.serviceId === SafePointIds.pauseGuard('fb'));
      assert.ok(guard, 'a pause-guard safepoint is set');
      assert.equal(guard.safepoint, g0 - 1n, 'at checkpoint − 1');
      assert.equal(guard.expireAtMs, fatalAt + 24 * 3600 * 1000, 'for 24 h');
      assert.deepEqual(await svc.flushAll(), [], 'a task in ERROR does not flush');

      // An hour later GC runs with a short life time: the guard keeps it below the checkpoint.
      await writeBlobs(cluster, blobs.id, i++);
      const beforeGc = await readSource(cluster);
      cluster.pd.setSetting('gc_life_time_ms', '1000');
      clock.advance(3600_000);
      await cluster.scheduler.runGc();
      assert.equal(cluster.pd.gcSafePoint, g0 - 1n, 'GC stops at the pause guard');

      // Healed, the task resumes and catches up; nothing is lost.
      await svc.storageFault(2, 'write', 0);
      const resumed = await svc.resume('fb');
      assert.equal(resumed.status, 'NORMAL');
      assert.deepEqual(resumed.last_errors, [], 'resume clears the last error');
      assert.ok(!cluster.pd.serviceSafePoints().some((s) => s.serviceId === SafePointIds.pauseGuard('fb')), 'resume removes the pause guard');
      await flushPast(svc, cluster.pd.tso());
      await advanceRounds(2);
      assert.ok((await invariant(env, start, beforeGc)) > 0);

      // Fails for good again; this time the task stays in ERROR for more than a day.
      await svc.storageFault(2, 'write', 1_000_000);
      await flushUntil(svc, 'the task is in ERROR', () => svc.status().status === 'ERROR', 20_000);
      const g1 = svc.globalCheckpoint;
      clock.advance(25 * 3600_000);
      await cluster.scheduler.runGc();
      assert.ok(cluster.pd.gcSafePoint > g1, 'with every guard expired, GC passes the checkpoint');
      await svc.storageFault(2, 'write', 0);
      await assert.rejects(svc.resume('fb'), (err: unknown) => {
        assert.ok(err instanceof PitrError);
        assert.equal(err.code, LogErrorCode.GcSafepointExceeded);
        assert.match(err.message, /has passed the checkpoint/);
        assert.ok(err.message.includes(g1.toString()), 'the message names the checkpoint');
        return true;
      });
      assert.equal(svc.status().status, 'ERROR', 'a refused resume leaves the task as it was');
    } finally {
      await env.close();
    }
  });

  test('(c) a store worker dies and restarts: its regions are scanned again, nothing lost', async () => {
    const env = await lbEnv();
    const { cluster, svc } = env;
    try {
      await cluster.workloads.start('bank', { rate: 0, concurrency: 4, accounts: 100 });
      const blobs = await blobTable(cluster);
      await cluster.scatter();
      const start = BigInt((await svc.start({ name: 'fc', storage: env.url, flushIntervalMs: MANUAL_FLUSH_MS })).start_ts);
      const i = await rounds(env, blobs.id, 0, 3);
      const victim = cluster.pd.regions.locate(rowKey(blobs.id, 0)).leader;
      const last = report(await svc.flushAll(), victim);
      assert.ok(last?.ok);
      const victimCp = BigInt(last.store_checkpoint);

      await cluster.store(victim).kill();
      for (let n = 0; n < 3; n++) {
        const reports = await svc.flushAll();
        assert.equal(report(reports, victim), undefined, 'a dead store does not report');
        assert.ok(svc.globalCheckpoint <= victimCp, 'the dead store holds the global checkpoint back');
      }
      await waitFor('the store worker restarts', () => cluster.store(victim).up, 10_000);
      const restarted = cluster.pd.tso();
      const scans: number[] = [];
      await flushUntil(svc, 'the checkpoint passes the restart', (reports) => {
        const r = report(reports, victim);
        if (r?.ok) scans.push(r.initial_scans);
        return svc.globalCheckpoint > restarted;
      });
      assert.ok(scans.some((n) => n > 0), `the restarted store scanned its regions again (${scans.join(',')})`);
      await rounds(env, blobs.id, i, 2);
      assert.ok((await invariant(env, start)) > 100);
    } finally {
      await env.close();
    }
  });

  test('(d) the host restarts mid-task: the task continues from its checkpoint, nothing lost', async () => {
    const env = await lbEnv();
    try {
      await env.cluster.workloads.start('bank', { rate: 0, concurrency: 4, accounts: 100 });
      const blobs = await blobTable(env.cluster);
      await env.cluster.scatter();
      const first = await env.svc.start({ name: 'fd', storage: env.url, flushIntervalMs: MANUAL_FLUSH_MS });
      const i = await rounds(env, blobs.id, 0, 3);
      const before = env.svc.status();

      await env.restartHost();
      const after = env.svc.status();
      assert.equal(after.status, 'NORMAL');
      assert.equal(after.name, 'fd');
      assert.equal(after.start_ts, first.start_ts, 'same start ts');
      assert.equal(after.storage, before.storage);
      assert.ok(BigInt(after.checkpoint) >= BigInt(before.checkpoint), 'the checkpoint is not lost');

      await env.cluster.workloads.start('bank', { rate: 0, concurrency: 4, accounts: 100 });
      await rounds(env, blobs.id, i, 3);
      await flushPast(env.svc, env.cluster.pd.tso());
      assert.ok((await invariant(env, BigInt(first.start_ts))) > 100);
    } finally {
      await env.close();
    }
  });

  test('(e) a region split and leader transfers during backup lose nothing', async () => {
    const env = await lbEnv();
    const { cluster, svc } = env;
    try {
      await cluster.workloads.start('bank', { rate: 0, concurrency: 8, accounts: 100 });
      const accounts = await cluster.catalog.createTable(WORKLOAD_DB, ACCOUNTS_TABLE);
      const blobs = await blobTable(cluster);
      await cluster.scatter();
      const start = BigInt((await svc.start({ name: 'fe', storage: env.url, flushIntervalMs: MANUAL_FLUSH_MS })).start_ts);
      // A split before the stores' first flush: the halves of a region not scanned yet.
      for (let k = 0; k < 3; k++) await writeBlobs(cluster, blobs.id, 100 + k);
      await cluster.splitAt(rowKey(blobs.id, 101));
      let i = await rounds(env, blobs.id, 0, 2);

      const regionsBefore = cluster.pd.regions.all().length;
      await cluster.splitAt(rowKey(accounts.id, 50));
      assert.equal(cluster.pd.regions.all().length, regionsBefore + 1);
      i = await rounds(env, blobs.id, i, 2);

      let lastG = svc.globalCheckpoint;
      for (const key of [rowKey(accounts.id, 20), rowKey(accounts.id, 70), rowKey(blobs.id, 0)]) {
        const r = cluster.pd.regions.locate(key);
        const to = (r.leader % 3) + 1;
        // Move while the workload writes and a flush may be in flight.
        const flushing = svc.flushAll();
        await cluster.moveRegion(r.id, to);
        await flushing;
        assert.equal(cluster.pd.regions.get(r.id)?.leader, to);
        // Commits, then a split of the moved region before its new leader scanned it.
        await writeBlobs(cluster, blobs.id, i++);
        await cluster.splitAt(Buffer.concat([key, Buffer.from([0x80])]));
        const moved = cluster.pd.tso();
        await flushPast(svc, moved);
        assert.ok(svc.globalCheckpoint >= lastG, 'the global checkpoint never goes back');
        lastG = svc.globalCheckpoint;
        i = await rounds(env, blobs.id, i, 1);
      }
      await cluster.splitAt(rowKey(blobs.id, 3));
      i = await rounds(env, blobs.id, i, 2);
      await flushPast(svc, cluster.pd.tso());
      assert.ok((await invariant(env, start)) > 100);
    } finally {
      await env.close();
    }
  });
});
