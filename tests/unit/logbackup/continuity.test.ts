/**
 * Continuity of a log backup across pause/resume and stop/start on the same storage: no gap
 * (every commit after the first start ts up to the final checkpoint is in storage) and no
 * duplicate (each is stored exactly once); a new start continues from the stored checkpoint
 * and refuses a --start-ts that would leave a gap.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { rowKey } from '../../../core/cluster/catalog/keys.ts';
import { PitrError } from '../../../core/errors.ts';
import { SafePointIds } from '../../../core/logbackup/meta-keys.ts';
import { logMetadata, readLogBackupMeta } from '../../../core/logbackup/storage-ops.ts';
import { openStorage } from '../../../core/storage/index.ts';
import { blobTable, checkInvariant, commitsIn, flushPast, lbEnv, listing, MANUAL_FLUSH_MS, readLog, readSource, sleep, writeBlobs } from './helpers.ts';
import type { LbEnv } from './helpers.ts';

/** Runs flush rounds while the workload (and a few long-value transactions) commit. */
async function busyRounds(env: LbEnv, tableId: number, from: number, rounds: number): Promise<number> {
  let i = from;
  for (let r = 0; r < rounds; r++) {
    await writeBlobs(env.cluster, tableId, i++);
    await sleep(50);
    for (const rep of await env.svc.flushAll()) assert.ok(rep.ok, `store ${rep.store_id}: ${rep.error?.message}`);
  }
  return i;
}

/** Stops the workloads and flushes until every region's checkpoint is past the last commit. */
async function quiesce(env: LbEnv): Promise<void> {
  await env.cluster.workloads.stopAll();
  await flushPast(env.svc, env.cluster.pd.tso());
}

describe('continuity across pause/resume and stop/start', () => {
  test('no gap and no duplicate; a restart continues from the checkpoint', async () => {
    const env = await lbEnv({ stores: 3 });
    const { cluster, svc } = env;
    try {
      await cluster.workloads.start('bank', { rate: 0, concurrency: 8, accounts: 100 });
      const blobs = await blobTable(cluster);
      await cluster.scatter();
      const first = await svc.start({ name: 'cont', storage: env.url, flushIntervalMs: MANUAL_FLUSH_MS });
      const s1 = BigInt(first.start_ts);
      let i = await busyRounds(env, blobs.id, 0, 4);

      // Pause: the stores stop, GC is held at the checkpoint, commits go on.
      const paused = await svc.pause('cont', 3600, 'maintenance');
      assert.equal(paused.status, 'PAUSE');
      assert.equal(paused.pause_message, 'maintenance');
      const guard = cluster.pd.serviceSafePoints().find((s) => s.serviceId === SafePointIds.pauseGuard('cont'));
      assert.ok(guard, 'a pause-guard safepoint is in place');
      assert.equal(guard.safepoint.toString(), paused.checkpoint, 'the pause guard holds GC at the checkpoint');
      const atPause = svc.globalCheckpoint;
      await writeBlobs(cluster, blobs.id, i++);
      await sleep(150);
      assert.deepEqual(await svc.flushAll(), [], 'a paused task does not flush');
      assert.equal(svc.globalCheckpoint, atPause, 'the checkpoint does not move while paused');

      const resumed = await svc.resume('cont');
      assert.equal(resumed.status, 'NORMAL');
      assert.ok(!cluster.pd.serviceSafePoints().some((s) => s.serviceId === SafePointIds.pauseGuard('cont')), 'resume removes the pause guard');
      i = await busyRounds(env, blobs.id, i, 4);
      assert.ok(svc.globalCheckpoint > atPause, 'the checkpoint moves again after resume');

      await quiesce(env);
      const stopped = await svc.stop('cont');
      const c1 = BigInt(stopped.checkpoint);
      assert.deepEqual(svc.statusAll(), [], 'stop deletes the task');
      assert.ok(!cluster.pd.serviceSafePoints().some((s) => s.serviceId.endsWith('-cont')), 'stop removes the task’s safepoints');
      assert.equal((await logMetadata(env.storage)).log_max_ts, c1.toString(), 'the storage records the checkpoint the task stopped at');

      // Commits while no task runs: the next start must pick them up.
      for (let k = 0; k < 3; k++) await writeBlobs(cluster, blobs.id, i++);

      // A --start-ts after the stored checkpoint would leave a gap: refused, nothing written.
      const before = await listing(env.storage);
      await assert.rejects(
        svc.start({ name: 'cont', storage: env.url, startTs: cluster.pd.tso(), flushIntervalMs: MANUAL_FLUSH_MS }),
        (err: unknown) => err instanceof PitrError && /gap/.test(err.message) && err.message.includes(c1.toString()),
      );
      assert.deepEqual(svc.statusAll(), [], 'no task after a refused start');
      assert.deepEqual(await listing(env.storage), before, 'a refused start writes nothing');

      const second = await svc.start({ name: 'cont', storage: env.url, flushIntervalMs: MANUAL_FLUSH_MS });
      assert.equal(second.start_ts, c1.toString(), 'the new task continues from the previous checkpoint');
      assert.equal((await readLogBackupMeta(env.storage))?.start_ts, s1.toString(), 'backupmeta keeps the first start ts');
      await cluster.workloads.start('bank', { rate: 0, concurrency: 8, accounts: 100 });
      i = await busyRounds(env, blobs.id, i, 4);
      await quiesce(env);
      const g = svc.globalCheckpoint;

      const log = await readLog(env.storage);
      const src = await readSource(cluster);
      const r = checkInvariant(src, log, s1, g);
      const expected = commitsIn(src, s1, g);
      assert.equal(r.checked, expected.length);
      assert.ok(expected.length > 300, `enough commits to matter (${expected.length})`);
      const dups = [...log.writeCount].filter(([, n]) => n > 1).map(([k, n]) => `${k} ×${n}`);
      assert.deepEqual(dups.slice(0, 10), [], `${dups.length} write entries are stored more than once`);
      const window = await logMetadata(env.storage);
      assert.equal(window.log_min_ts, s1.toString(), 'the restorable window starts at the first start ts');
      assert.ok(BigInt(window.log_max_ts) <= g && BigInt(window.log_max_ts) > c1, 'and ends at a durable checkpoint of the second task');
    } finally {
      await env.close();
    }
  });

  test('a flush in flight when a task stops does not count for the next task', async () => {
    const env = await lbEnv({ stores: 3 });
    const { cluster, svc } = env;
    try {
      const blobs = await blobTable(cluster);
      await cluster.scatter();
      const s1 = BigInt((await svc.start({ name: 'old', storage: env.url, flushIntervalMs: MANUAL_FLUSH_MS })).start_ts);
      await flushPast(svc, s1);
      const busy = cluster.pd.regions.locate(rowKey(blobs.id, 0)).leader;
      // A big buffer, so that the busy store's next flush takes a while.
      for (let k = 0; k < 24; k++) await cluster.txn.run(async (txn) => txn.put(rowKey(blobs.id, k), Buffer.alloc(1024 * 1024, k)));
      const inflight = svc.flushAll();
      await svc.stop('old');
      const other = openStorage(env.tempDir());
      await svc.start({ name: 'new', storage: other.url, startTs: s1, flushIntervalMs: MANUAL_FLUSH_MS });
      await inflight;
      // The busy store cannot write to the new storage: the new task's checkpoint must wait for it.
      await svc.storageFault(busy, 'write', 1000);
      for (let k = 0; k < 3; k++) await svc.flushAll();
      const g = svc.globalCheckpoint;
      checkInvariant(await readSource(cluster), await readLog(other), s1, g, 'while the busy store fails: ');
      await svc.storageFault(busy, 'write', 0);
      const g2 = await flushPast(svc, cluster.pd.tso());
      const r = checkInvariant(await readSource(cluster), await readLog(other), s1, g2);
      assert.ok(r.longValues >= 24);
    } finally {
      await env.close();
    }
  });

  test('a new task with an older --start-ts on a new storage gets everything after it', async () => {
    const env = await lbEnv({ stores: 3 });
    const { cluster, svc } = env;
    try {
      const blobs = await blobTable(cluster);
      await cluster.scatter();
      const s1 = BigInt((await svc.start({ name: 'a', storage: env.url, flushIntervalMs: MANUAL_FLUSH_MS })).start_ts);
      let i = 0;
      for (; i < 5; i++) {
        await writeBlobs(cluster, blobs.id, i);
        await svc.flushAll();
      }
      await flushPast(svc, cluster.pd.tso());
      const c1 = BigInt((await svc.stop('a')).checkpoint);
      assert.ok(c1 > s1);

      // A second copy from the first task's start (still above the GC safepoint).
      const other = openStorage(env.tempDir());
      const t2 = await svc.start({ name: 'b', storage: other.url, startTs: s1, flushIntervalMs: MANUAL_FLUSH_MS });
      assert.equal(t2.start_ts, s1.toString());
      for (; i < 8; i++) await writeBlobs(cluster, blobs.id, i);
      const g = await flushPast(svc, cluster.pd.tso());
      const log = await readLog(other);
      const src = await readSource(cluster);
      const r = checkInvariant(src, log, s1, g);
      assert.equal(r.checked, commitsIn(src, s1, g).length);
      assert.ok(commitsIn(src, s1, c1).length > 0 && commitsIn(src, s1, c1).every((s) => log.writeCount.get(`${s.key.toString('hex')}@${s.commitTs}`) === 1), 'the commits the first task had already backed up are in the new storage too');
    } finally {
      await env.close();
    }
  });
});
