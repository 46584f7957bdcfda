/**
 * `log truncate --until`: removes exactly the .log files whose every entry is before `until`
 * (and the .meta files left empty), rewrites the .meta files it truncates partly, records the
 * safepoint, moves log-min-ts to `until`, and leaves every later entry readable. A dry run
 * deletes nothing; an `until` after the checkpoint and a held lock are refused.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { userKey } from '../../../core/cluster/catalog/keys.ts';
import { PitrError } from '../../../core/errors.ts';
import { LOG_PATHS } from '../../../core/logbackup/format.ts';
import type { MetaFile } from '../../../core/logbackup/format.ts';
import { logMetadata, LogErrorCode, readMetaFiles, truncateLog } from '../../../core/logbackup/storage-ops.ts';
import { spreadUserKeys } from '../../helpers/cluster.ts';
import { blobTable, checkInvariant, flushPast, lbEnv, listing, MANUAL_FLUSH_MS, readLog, readSource, writeBlobs } from './helpers.ts';
import type { LbEnv } from './helpers.ts';

const ROUNDS = 8;

describe('log truncate', () => {
  let env: LbEnv;
  let startTs: bigint;
  let until: bigint;
  let expected: string[];
  let partial: { path: string; keep: MetaFile['files'] };

  before(async () => {
    env = await lbEnv();
    const { cluster, svc } = env;
    const blobs = await blobTable(cluster);
    await spreadUserKeys(cluster);
    startTs = BigInt((await svc.start({ name: 'tr', storage: env.url, flushIntervalMs: MANUAL_FLUSH_MS })).start_ts);
    for (let i = 0; i < ROUNDS; i++) {
      await writeBlobs(cluster, blobs.id, i);
      await cluster.txn.run(async (txn) => {
        for (const p of ['ub', 'ui', 'ur']) txn.put(userKey(`${p}-${i}`), Buffer.from(`v${i}`));
      });
      for (const r of await svc.flushAll()) assert.ok(r.ok);
    }
    await flushPast(svc, cluster.pd.tso());

    // Merge an old .meta and a new one into one, so that a truncate cuts a .meta in two.
    const metas = (await readMetaFiles(env.storage)).sort((a, b) => (BigInt(a.meta.max_ts) < BigInt(b.meta.max_ts) ? -1 : 1));
    assert.ok(metas.length >= 6, `enough flushes wrote data (${metas.length})`);
    const cut = Math.floor(metas.length / 2);
    until = BigInt(metas[cut - 1]!.meta.max_ts) + 1n;
    assert.ok(until <= BigInt(metas[cut]!.meta.min_ts), 'the flushes do not overlap in ts');
    const old = metas[0]!;
    const young = metas[metas.length - 1]!;
    const merged: MetaFile = { ...old.meta, flush_ts: young.meta.flush_ts, resolved_ts: young.meta.resolved_ts, max_ts: young.meta.max_ts, files: [...old.meta.files, ...young.meta.files] };
    await env.storage.write(old.path, Buffer.from(JSON.stringify(merged)));
    await env.storage.delete(young.path);
    partial = { path: old.path, keep: young.meta.files };
    expected = metas
      .flatMap((m) => m.meta.files)
      .filter((f) => BigInt(f.max_ts) < until)
      .map((f) => f.path)
      .sort();
    assert.ok(expected.length >= 2);
  });

  after(async () => {
    await env?.close();
  });

  test('--dry-run lists exactly the files wholly before --until and deletes nothing', async () => {
    const before = await listing(env.storage);
    const r = await truncateLog(env.storage, until, true);
    assert.equal(r.dry_run, true);
    assert.deepEqual(r.removed_files.map((f) => f.path).sort(), expected);
    for (const f of r.removed_files) assert.ok(BigInt(f.max_ts) < until);
    assert.equal(r.removed_bytes, r.removed_files.reduce((n, f) => n + f.size, 0));
    assert.equal(r.log_min_ts, until.toString(), 'log-min-ts would become until');
    assert.deepEqual(await listing(env.storage), before, 'a dry run changes nothing');
    assert.equal((await logMetadata(env.storage)).log_min_ts, startTs.toString());
  });

  test('a file with an entry at exactly --until is kept', async () => {
    const files = (await readMetaFiles(env.storage)).flatMap((m) => m.meta.files);
    const f = files.find((x) => BigInt(x.max_ts) >= until)!;
    const at = await truncateLog(env.storage, BigInt(f.max_ts), true);
    assert.ok(!at.removed_files.some((x) => x.path === f.path), 'max ts = until: kept');
    const past = await truncateLog(env.storage, BigInt(f.max_ts) + 1n, true);
    assert.ok(past.removed_files.some((x) => x.path === f.path), 'max ts = until − 1: removed');
  });

  test('--until after the checkpoint is refused and deletes nothing', async () => {
    const before = await listing(env.storage);
    const w = await logMetadata(env.storage);
    await assert.rejects(truncateLog(env.storage, BigInt(w.log_max_ts) + 1n, false), (err: unknown) => {
      assert.ok(err instanceof PitrError);
      assert.equal(err.code, LogErrorCode.UntilAfterCheckpoint);
      assert.ok(err.message.includes(w.log_max_ts), 'the message names the checkpoint');
      return true;
    });
    assert.deepEqual(await listing(env.storage), before);
  });

  test('a held truncating.lock makes a second truncate fail clearly', async () => {
    await env.storage.write(LOG_PATHS.truncatingLock, Buffer.from('{"until":"1","at":"x"}'));
    const before = await listing(env.storage);
    await assert.rejects(truncateLog(env.storage, until, false), (err: unknown) => {
      assert.ok(err instanceof PitrError);
      assert.equal(err.code, LogErrorCode.TruncateLocked);
      assert.match(err.message, /another truncate holds truncating\.lock/);
      return true;
    });
    assert.deepEqual(await listing(env.storage), before, 'nothing deleted, the other truncate keeps its lock');
    await env.storage.delete(LOG_PATHS.truncatingLock);
  });

  test('truncate removes exactly those files, rewrites cut metas, records the safepoint', async () => {
    const metasBefore = await readMetaFiles(env.storage);
    const logsBefore = (await env.storage.list('v1/')).filter((e) => e.path.endsWith('.log')).map((e) => e.path);
    const r = await truncateLog(env.storage, until, false);
    assert.equal(r.dry_run, false);
    assert.deepEqual(r.removed_files.map((f) => f.path).sort(), expected);
    assert.equal(r.log_min_ts, until.toString());
    const logsAfter = (await env.storage.list('v1/')).filter((e) => e.path.endsWith('.log')).map((e) => e.path);
    assert.deepEqual(logsAfter.sort(), logsBefore.filter((p) => !expected.includes(p)).sort(), 'exactly the listed .log files are gone');

    const metasAfter = new Map((await readMetaFiles(env.storage)).map((m) => [m.path, m.meta]));
    for (const { path, meta } of metasBefore) {
      const stay = meta.files.filter((f) => BigInt(f.max_ts) >= until);
      if (stay.length === 0) assert.ok(!metasAfter.has(path), `${path}: left empty, removed`);
      else if (stay.length === meta.files.length) assert.deepEqual(metasAfter.get(path), meta, `${path}: untouched`);
    }
    const cutMeta = metasAfter.get(partial.path);
    assert.ok(cutMeta, 'the meta cut in two is kept');
    assert.deepEqual(cutMeta.files, partial.keep, 'it lists only its later file');
    assert.equal(cutMeta.min_ts, partial.keep[0]!.min_ts, 'its ts range describes what it still lists');
    assert.equal(cutMeta.max_ts, partial.keep[0]!.max_ts);
    for (const m of metasAfter.values()) for (const f of m.files) assert.ok(BigInt(f.max_ts) >= until);

    assert.equal((await env.storage.read(LOG_PATHS.truncateSafepoint)).toString('utf8').trim(), until.toString());
    assert.equal(await env.storage.exists(LOG_PATHS.truncatingLock), false, 'the lock is released');
    const w = await logMetadata(env.storage);
    assert.equal(w.log_min_ts, until.toString());
    assert.equal(w.truncate_safepoint, until.toString());

    // Everything committed at or after until is still there and reads back with its checksums.
    const log = await readLog(env.storage);
    const src = await readSource(env.cluster);
    const g = env.svc.globalCheckpoint;
    const kept = checkInvariant(src, log, until - 1n, g);
    assert.ok(kept.checked > 0);

    // A later truncate at an older ts never moves the window back.
    const again = await truncateLog(env.storage, startTs + 1n, false);
    assert.deepEqual(again.removed_files, []);
    assert.equal((await logMetadata(env.storage)).log_min_ts, until.toString());

    // The task goes on writing after a truncate.
    const t = env.cluster.pd.tso();
    await env.cluster.txn.run(async (txn) => txn.put(userKey('ub-after'), Buffer.from('x')));
    await flushPast(env.svc, env.cluster.pd.tso());
    const log2 = await readLog(env.storage);
    checkInvariant(await readSource(env.cluster), log2, t, env.svc.globalCheckpoint);
  });
});
