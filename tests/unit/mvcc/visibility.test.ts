/**
 * Percolator MVCC visibility and the transaction primitives, directly on one MvccStore (no
 * worker): snapshot reads around start and commit ts, locks, deletes, rollbacks, large values,
 * conflicts, idempotence, CheckTxnStatus, scans and GC.
 */
import { test, describe, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCode, PitrError } from '../../../core/errors.ts';
import { MvccStore } from '../../../core/cluster/store/mvcc.ts';
import type { LockInfo, Mutation } from '../../../core/cluster/store/protocol.ts';
import { composeTs } from '../../../core/tso/index.ts';
import { b, tempDir } from '../../helpers/cluster.ts';

const T0 = Date.UTC(2026, 0, 1);
/** A ts `ms` cluster ms after T0, with a logical part. */
const ts = (ms: number, logical = 0): bigint => composeTs(T0 + ms, logical);
const TTL = 3000;

let dir: string;
let mvcc: MvccStore;

beforeEach(() => {
  dir = tempDir('pitr-mvcc-');
  mvcc = new MvccStore(join(dir, 'data.db'));
});

afterEach(() => {
  mvcc.close();
  rmSync(dir, { recursive: true, force: true });
});

function put(key: string, value: string | Buffer): Mutation {
  return { op: 'Put', key: b(key), value: typeof value === 'string' ? b(value) : value };
}

/** Prewrites and commits mutations as one transaction (primary = first key). */
function commitTxn(muts: Mutation[], startTs: bigint, commitTs: bigint): void {
  mvcc.prewrite(muts, muts[0]!.key, startTs, TTL);
  mvcc.commit(muts.map((m) => m.key), startTs, commitTs);
}

function str(v: Buffer | null): string | null {
  return v === null ? null : v.toString();
}

/** Asserts fn throws a PitrError with code; returns it. */
function throwsCode(fn: () => unknown, code: string): PitrError {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof PitrError, `expected a PitrError ${code}, got ${String(caught)}`);
  assert.equal(caught.code, code, caught.message);
  return caught;
}

function writeRows(key: string): Array<{ commit_ts: bigint; start_ts: bigint; type: string }> {
  return mvcc.db
    .prepare('SELECT commit_ts, start_ts, type FROM cf_write WHERE key = ? ORDER BY commit_ts')
    .safeIntegers(true)
    .all(b(key)) as Array<{ commit_ts: bigint; start_ts: bigint; type: string }>;
}

function defaultRows(key: string): number {
  return (mvcc.db.prepare('SELECT count(*) AS n FROM cf_default WHERE key = ?').get(b(key)) as { n: number }).n;
}

function lockRows(): number {
  return (mvcc.db.prepare('SELECT count(*) AS n FROM cf_lock').get() as { n: number }).n;
}

describe('MvccStore reads', () => {
  test('a read sees the old version before the commit ts and the new one from it', () => {
    commitTxn([put('k', 'old')], ts(10), ts(20));
    const S = ts(100);
    const C = ts(200);
    commitTxn([put('k', 'new')], S, C);
    const expect: Array<[bigint, string | null]> = [
      [ts(15), null], // before the old version's commit
      [ts(20), 'old'],
      [S - 1n, 'old'],
      [S, 'old'],
      [S + 1n, 'old'],
      [C - 1n, 'old'],
      [C, 'new'],
      [C + 1n, 'new'],
    ];
    for (const [at, want] of expect) assert.equal(str(mvcc.get(b('k'), at)), want, `read at ${at}`);
  });

  test('a prewritten key blocks reads at ts >= start ts with its lock info; older reads see the old value', () => {
    commitTxn([put('k', 'old')], ts(10), ts(20));
    const S = ts(100);
    mvcc.prewrite([put('k', 'new'), put('k2', 'new2')], b('k'), S, TTL);
    for (const at of [S, S + 1n, ts(5000)]) {
      const err = throwsCode(() => mvcc.get(b('k'), at), ErrorCode.KeyIsLocked);
      const lock = (err.details as { lock: LockInfo }).lock;
      assert.equal(Buffer.from(lock.key).toString(), 'k');
      assert.equal(Buffer.from(lock.primary).toString(), 'k');
      assert.equal(lock.startTs, S);
      assert.equal(lock.ttl, TTL);
      assert.equal(lock.op, 'Put');
      // The secondary reports the same primary.
      const err2 = throwsCode(() => mvcc.get(b('k2'), at), ErrorCode.KeyIsLocked);
      assert.equal(Buffer.from((err2.details as { lock: LockInfo }).lock.primary).toString(), 'k');
    }
    assert.equal(str(mvcc.get(b('k'), S - 1n)), 'old');
    assert.equal(mvcc.get(b('k2'), S - 1n), null);
    // A scan over the locked range is blocked too; one below the start ts is not.
    throwsCode(() => mvcc.scan(b('a'), b('z'), S, 10), ErrorCode.KeyIsLocked);
    assert.deepEqual(mvcc.scan(b('a'), b('z'), S - 1n, 10).map((p) => Buffer.from(p.value).toString()), ['old']);
  });

  test('a Delete hides the key from its commit ts on', () => {
    commitTxn([put('k', 'v1')], ts(10), ts(20));
    commitTxn([{ op: 'Delete', key: b('k') }], ts(30), ts(40));
    assert.equal(str(mvcc.get(b('k'), ts(40) - 1n)), 'v1');
    assert.equal(mvcc.get(b('k'), ts(40)), null);
    assert.equal(mvcc.get(b('k'), ts(1000)), null);
    commitTxn([put('k', 'v2')], ts(50), ts(60));
    assert.equal(mvcc.get(b('k'), ts(55)), null);
    assert.equal(str(mvcc.get(b('k'), ts(60))), 'v2');
  });

  test('Rollback and Lock records are skipped by reads, and Lock-type locks do not block them', () => {
    commitTxn([put('k', 'v1')], ts(10), ts(20));
    // A committed Lock mutation (SELECT ... FOR UPDATE) leaves an L record.
    commitTxn([{ op: 'Lock', key: b('k') }], ts(30), ts(40));
    // A rolled back transaction leaves an R record.
    mvcc.prewrite([put('k', 'never')], b('k'), ts(50), TTL);
    mvcc.rollback([b('k')], ts(50));
    assert.deepEqual(writeRows('k').map((w) => w.type), ['P', 'L', 'R']);
    assert.equal(str(mvcc.get(b('k'), ts(45))), 'v1');
    assert.equal(str(mvcc.get(b('k'), ts(100))), 'v1');
    assert.deepEqual(mvcc.scan(b(''), b(''), ts(100), 10).map((p) => Buffer.from(p.value).toString()), ['v1']);
    // A pending Lock-type lock does not block a read.
    mvcc.prewrite([{ op: 'Lock', key: b('k') }], b('k'), ts(60), TTL);
    assert.equal(str(mvcc.get(b('k'), ts(100))), 'v1');
  });

  test('values over 255 bytes go through the default CF and read back', () => {
    const big = Buffer.alloc(1000, 7);
    const edge = Buffer.alloc(255, 1); // exactly the short-value limit: inline
    commitTxn([put('big', big), put('edge', edge)], ts(10), ts(20));
    assert.equal(defaultRows('big'), 1);
    assert.equal(defaultRows('edge'), 0);
    const w = mvcc.db.prepare('SELECT short_value FROM cf_write WHERE key = ?').get(b('big')) as { short_value: Buffer | null };
    assert.equal(w.short_value, null);
    assert.deepEqual(mvcc.get(b('big'), ts(20)), big);
    assert.deepEqual(mvcc.get(b('edge'), ts(20)), edge);
    assert.deepEqual(mvcc.scan(b('a'), b('z'), ts(20), 10).map((p) => Buffer.from(p.value).length), [1000, 255]);
    // A rolled back large value leaves nothing behind in the default CF.
    mvcc.prewrite([put('big2', Buffer.alloc(500, 2))], b('big2'), ts(30), TTL);
    assert.equal(defaultRows('big2'), 1);
    mvcc.rollback([b('big2')], ts(30));
    assert.equal(defaultRows('big2'), 0);
    assert.equal(mvcc.get(b('big2'), ts(100)), null);
  });
});

describe('MvccStore transactions', () => {
  test('prewrite after a newer commit is a write conflict and writes nothing', () => {
    commitTxn([put('k', 'v1')], ts(10), ts(30));
    const err = throwsCode(() => mvcc.prewrite([put('a', 'x'), put('k', 'v2')], b('a'), ts(20), TTL), ErrorCode.WriteConflict);
    assert.equal((err.details as { conflictTs: bigint }).conflictTs, ts(30));
    // Also a commit exactly at the start ts... cannot happen with a TSO; one after it can:
    throwsCode(() => mvcc.prewrite([put('k', 'v2')], b('k'), ts(30) - 1n, TTL), ErrorCode.WriteConflict);
    // A transaction that started after the commit prewrites fine.
    mvcc.prewrite([put('k', 'v3')], b('k'), ts(40), TTL);
    assert.equal(lockRows(), 1);
  });

  test('prewrite is idempotent for the same start ts; another transaction gets KeyIsLocked', () => {
    const muts = [put('a', '1'), put('b', '2')];
    mvcc.prewrite(muts, b('a'), ts(10), TTL);
    mvcc.prewrite(muts, b('a'), ts(10), TTL);
    assert.equal(lockRows(), 2);
    const err = throwsCode(() => mvcc.prewrite([put('b', 'other')], b('b'), ts(11), TTL), ErrorCode.KeyIsLocked);
    assert.equal((err.details as { lock: LockInfo }).lock.startTs, ts(10));
    mvcc.commit([b('a'), b('b')], ts(10), ts(20));
    assert.equal(str(mvcc.get(b('b'), ts(20))), '2');
  });

  test('commit is idempotent', () => {
    mvcc.prewrite([put('a', '1'), put('b', '2')], b('a'), ts(10), TTL);
    mvcc.commit([b('a')], ts(10), ts(20));
    mvcc.commit([b('a'), b('b')], ts(10), ts(20));
    mvcc.commit([b('a'), b('b')], ts(10), ts(20));
    assert.equal(writeRows('a').length, 1);
    assert.equal(writeRows('b').length, 1);
    assert.equal(lockRows(), 0);
    assert.equal(str(mvcc.get(b('a'), ts(20))), '1');
    // Committed keys stay committed even after a newer transaction writes them.
    commitTxn([put('a', '3')], ts(30), ts(40));
    mvcc.commit([b('a')], ts(10), ts(20));
    assert.equal(str(mvcc.get(b('a'), ts(25))), '1');
  });

  test('commit after rollback fails with TxnAborted; without any lock with TxnLockNotFound', () => {
    mvcc.prewrite([put('a', '1')], b('a'), ts(10), TTL);
    mvcc.rollback([b('a')], ts(10));
    throwsCode(() => mvcc.commit([b('a')], ts(10), ts(20)), ErrorCode.TxnAborted);
    assert.equal(mvcc.get(b('a'), ts(100)), null);
    throwsCode(() => mvcc.commit([b('zz')], ts(50), ts(60)), ErrorCode.TxnLockNotFound);
    // A committed transaction cannot be rolled back.
    commitTxn([put('c', '1')], ts(70), ts(80));
    throwsCode(() => mvcc.rollback([b('c')], ts(70)), ErrorCode.Committed);
  });

  test('checkTxnStatus: locked while the TTL lives, rolled back once it expired (physical ms), committed', () => {
    const S = ts(1000, 5);
    mvcc.prewrite([put('p', '1'), put('s', '2')], b('p'), S, TTL);
    // TTL counted in physical ms of the current ts.
    assert.deepEqual(mvcc.checkTxnStatus(b('p'), S, composeTs(T0 + 1000 + TTL - 1, 9)), { state: 'locked', ttl: TTL, lockTs: S });
    assert.equal(lockRows(), 2);
    assert.deepEqual(mvcc.checkTxnStatus(b('p'), S, composeTs(T0 + 1000 + TTL + 1, 0)), { state: 'rolledback' });
    // The primary lock is gone and a Rollback record is left; the secondary is resolved to match.
    assert.deepEqual(writeRows('p').map((w) => w.type), ['R']);
    assert.equal(mvcc.resolveLock(S, 0n), 1);
    assert.equal(lockRows(), 0);
    assert.equal(mvcc.get(b('s'), ts(100_000)), null);
    // Asking again is stable.
    assert.deepEqual(mvcc.checkTxnStatus(b('p'), S, ts(200_000)), { state: 'rolledback' });

    const S2 = ts(2000);
    const C2 = ts(2010);
    commitTxn([put('q', '1')], S2, C2);
    assert.deepEqual(mvcc.checkTxnStatus(b('q'), S2, ts(3000)), { state: 'committed', commitTs: C2 });

    // A transaction whose prewrite never arrived is rolled back, and protected against it.
    assert.deepEqual(mvcc.checkTxnStatus(b('r'), ts(4000), ts(4001)), { state: 'rolledback' });
    throwsCode(() => mvcc.prewrite([put('r', 'late')], b('r'), ts(4000), TTL), ErrorCode.TxnAborted);
  });

  test('checkTxnStatus without rollbackIfNotExist leaves a primary whose prewrite is still on the way alone', () => {
    const S = ts(100);
    // The secondary's prewrite landed; the primary's has not yet.
    mvcc.prewrite([put('s', '2')], b('p'), S, TTL);
    throwsCode(() => mvcc.checkTxnStatus(b('p'), S, ts(101), false), ErrorCode.TxnLockNotFound);
    assert.deepEqual(writeRows('p'), []);
    // The primary's prewrite arrives and the transaction commits normally.
    mvcc.prewrite([put('p', '1')], b('p'), S, TTL);
    mvcc.commit([b('p'), b('s')], S, ts(200));
    assert.deepEqual(mvcc.checkTxnStatus(b('p'), S, ts(300), false), { state: 'committed', commitTs: ts(200) });
    assert.equal(str(mvcc.get(b('s'), ts(200))), '2');
  });

  test('resolveLock commits secondaries with the primary commit ts (roll forward)', () => {
    const S = ts(10);
    mvcc.prewrite([put('p', '1'), put('s1', '2'), put('s2', '3')], b('p'), S, TTL);
    mvcc.commit([b('p')], S, ts(20));
    assert.deepEqual(mvcc.checkTxnStatus(b('p'), S, ts(30)), { state: 'committed', commitTs: ts(20) });
    assert.equal(mvcc.resolveLock(S, ts(20), [b('s1')]), 1);
    assert.equal(mvcc.resolveLock(S, ts(20)), 1);
    assert.equal(lockRows(), 0);
    for (const k of ['s1', 's2']) {
      assert.deepEqual(writeRows(k).map((w) => [w.commit_ts, w.start_ts, w.type]), [[ts(20), S, 'P']]);
    }
  });

  test('a late prewrite after a rollback record is refused', () => {
    const S = ts(100);
    mvcc.prewrite([put('a', '1'), put('b', '2')], b('a'), S, TTL);
    // A resolver rolled the transaction back on both keys...
    mvcc.rollback([b('a'), b('b')], S);
    // ...and a retried (late) prewrite of the same transaction arrives afterwards.
    throwsCode(() => mvcc.prewrite([put('b', '2')], b('a'), S, TTL), ErrorCode.TxnAborted);
    throwsCode(() => mvcc.prewrite([put('a', '1')], b('a'), S, TTL), ErrorCode.TxnAborted);
    assert.equal(lockRows(), 0);
    // A rollback of a key the transaction never locked also protects it.
    mvcc.rollback([b('c')], ts(200));
    throwsCode(() => mvcc.prewrite([put('c', '1')], b('c'), ts(200), TTL), ErrorCode.TxnAborted);
    assert.equal(mvcc.get(b('c'), ts(300)), null);
  });

  test('txnHeartbeat extends a live primary lock and fails once it is gone', () => {
    const S = ts(100);
    mvcc.prewrite([put('p', '1')], b('p'), S, TTL);
    assert.equal(mvcc.txnHeartbeat(b('p'), S, 10_000), 10_000);
    assert.equal(mvcc.txnHeartbeat(b('p'), S, 5_000), 10_000);
    assert.deepEqual(mvcc.checkTxnStatus(b('p'), S, ts(100 + 9_000)), { state: 'locked', ttl: 10_000, lockTs: S });
    mvcc.commit([b('p')], S, ts(200));
    throwsCode(() => mvcc.txnHeartbeat(b('p'), S, 10_000), ErrorCode.TxnLockNotFound);
  });
});

describe('MvccStore scan', () => {
  function seed(): void {
    commitTxn(['a', 'b', 'c', 'd', 'e', 'f'].map((k) => put(k, `${k}1`)), ts(10), ts(20));
    commitTxn([{ op: 'Delete', key: b('b') }, put('c', 'c2'), { op: 'Delete', key: b('e') }], ts(30), ts(40));
    commitTxn([put('b', 'b3'), put('g', 'g3')], ts(50), ts(60));
  }
  const pairs = (at: bigint, start = '', end = '', limit = 100): string[] =>
    mvcc.scan(b(start), b(end), at, limit).map((p) => `${Buffer.from(p.key).toString()}=${Buffer.from(p.value).toString()}`);

  test('returns the visible version of each key at ts with deletes hidden', () => {
    seed();
    assert.deepEqual(pairs(ts(15)), []);
    assert.deepEqual(pairs(ts(20)), ['a=a1', 'b=b1', 'c=c1', 'd=d1', 'e=e1', 'f=f1']);
    assert.deepEqual(pairs(ts(40)), ['a=a1', 'c=c2', 'd=d1', 'f=f1']);
    assert.deepEqual(pairs(ts(60)), ['a=a1', 'b=b3', 'c=c2', 'd=d1', 'f=f1', 'g=g3']);
  });

  test('respects limit, bounds and key-only', () => {
    seed();
    assert.deepEqual(pairs(ts(40), '', '', 2), ['a=a1', 'c=c2']);
    assert.deepEqual(pairs(ts(40), 'b', '', 2), ['c=c2', 'd=d1']);
    assert.deepEqual(pairs(ts(60), 'b', 'f'), ['b=b3', 'c=c2', 'd=d1']);
    assert.deepEqual(pairs(ts(60), 'c', 'c'), []);
    assert.deepEqual(pairs(ts(60), 'bb', 'g'), ['c=c2', 'd=d1', 'f=f1']);
    assert.deepEqual(pairs(ts(60), 'a', 'z', 0), []);
    const keyOnly = mvcc.scan(b('a'), b('z'), ts(60), 100, true);
    assert.equal(keyOnly.length, 6);
    assert.ok(keyOnly.every((p) => p.value.length === 0));
  });

  test('a lock outside the scanned range does not block it', () => {
    seed();
    mvcc.prewrite([put('x', '1')], b('x'), ts(70), TTL);
    assert.deepEqual(pairs(ts(80), 'a', 'c'), ['a=a1', 'b=b3']);
    throwsCode(() => mvcc.scan(b('a'), b(''), ts(80), 100), ErrorCode.KeyIsLocked);
  });
});

describe('MvccStore GC', () => {
  test('keeps the newest version at or below the safepoint, removes older ones and Deletes', () => {
    const big = (n: number) => Buffer.alloc(400, n);
    commitTxn([put('k', big(1)), put('d', 'd1')], ts(10), ts(20));
    commitTxn([put('k', big(2))], ts(30), ts(40));
    commitTxn([{ op: 'Lock', key: b('k') }], ts(45), ts(46));
    mvcc.rollback([b('k')], ts(47));
    commitTxn([put('k', big(3)), { op: 'Delete', key: b('d') }], ts(50), ts(60));
    commitTxn([put('k', big(4))], ts(70), ts(80));
    commitTxn([put('z', 'z1')], ts(90), ts(100));

    const safepoint = ts(65);
    const readAt = [safepoint, ts(70), ts(80), ts(100)];
    const before = readAt.map((t) => [mvcc.get(b('k'), t), mvcc.get(b('d'), t), mvcc.get(b('z'), t)]);
    const scanBefore = mvcc.scan(b(''), b(''), safepoint, 100);

    let from: Buffer | null = Buffer.alloc(0);
    let removed = 0;
    let rounds = 0;
    while (from) {
      const r = mvcc.gc(safepoint, from, 1); // one key per round: exercise the paging
      removed += r.removed;
      from = r.next;
      rounds++;
      assert.ok(rounds < 10, 'gc paging must end');
    }
    // k: P@20, P@40, L@46, R@47 removed (P@60 kept, P@80 above); d: P@20, D@60 removed.
    assert.equal(removed, 6);
    assert.deepEqual(writeRows('k').map((w) => [w.commit_ts, w.type]), [[ts(60), 'P'], [ts(80), 'P']]);
    assert.deepEqual(writeRows('d'), []);
    assert.equal(defaultRows('k'), 2); // values of the two kept versions
    assert.equal(defaultRows('d'), 0);
    assert.equal(writeRows('z').length, 1); // z's only version is above the safepoint
    // Reads at or above the safepoint are unchanged.
    const after = readAt.map((t) => [mvcc.get(b('k'), t), mvcc.get(b('d'), t), mvcc.get(b('z'), t)]);
    assert.deepEqual(after, before);
    assert.deepEqual(mvcc.scan(b(''), b(''), safepoint, 100), scanBefore);
    // Older versions are gone.
    assert.equal(mvcc.get(b('k'), ts(40)), null);
    // GC again is a no-op.
    assert.equal(mvcc.gc(safepoint, Buffer.alloc(0), 100).removed, 0);
  });

  test('a Put newer than the safepoint survives; a Delete at or below it is removed entirely', () => {
    commitTxn([put('k', 'v1')], ts(10), ts(20));
    commitTxn([{ op: 'Delete', key: b('k') }], ts(30), ts(40));
    commitTxn([put('k', 'v2')], ts(50), ts(60));
    const r = mvcc.gc(ts(40), Buffer.alloc(0), 100);
    assert.equal(r.removed, 2);
    assert.equal(r.next, null);
    assert.deepEqual(writeRows('k').map((w) => w.type), ['P']);
    assert.equal(mvcc.get(b('k'), ts(40)), null);
    assert.equal(mvcc.get(b('k'), ts(50)), null);
    assert.equal(str(mvcc.get(b('k'), ts(60))), 'v2');
  });
});
