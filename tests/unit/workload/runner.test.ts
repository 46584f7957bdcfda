import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCode, PitrError } from '../../../core/errors.ts';
import { Runner } from '../../../core/cluster/workload/runner.ts';
import type { Step } from '../../../core/cluster/workload/runner.ts';
import type { TxnClient } from '../../../core/cluster/txn/txn-client.ts';
import { TokenBucket } from '../../../core/cluster/workload/timing.ts';
import { waitFor } from './helpers.ts';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A transaction client whose run() just calls fn, failing the first `conflicts` calls. */
function fakeClient(conflicts = 0): Pick<TxnClient, 'run'> & { calls: number } {
  const client = {
    calls: 0,
    run: (async (fn: (txn: never) => Promise<unknown>) => {
      client.calls++;
      if (client.calls <= conflicts) throw new PitrError(ErrorCode.WriteConflict, 'write conflict');
      return { result: await fn({} as never), startTs: 1n, commitTs: 2n };
    }) as TxnClient['run'],
  };
  return client;
}

const ready = (step: Step) => () => Promise.resolve(step);

test('token bucket hands out one token per 1/rate and tells how long to wait', () => {
  const b = new TokenBucket(10, 0, 0.2);
  assert.equal(b.take(0), 0);
  assert.equal(b.take(0), 100);
  assert.equal(b.take(50), 50);
  assert.equal(b.take(100), 0);
  // A long stall refills at most the burst (0.2 s × 10/s = 2 tokens).
  assert.equal(b.take(10_000), 0);
  assert.equal(b.take(10_000), 0);
  assert.ok(b.take(10_000) > 0);
});

test('a paced runner stays at its target rate', async () => {
  const r = new Runner('insert', fakeClient(), { rate: 40, concurrency: 8 }, ready(async () => 'committed'));
  const t0 = Date.now();
  await sleep(600);
  await r.stop();
  const elapsed = Date.now() - t0;
  const s = r.status();
  assert.equal(s.state, 'stopped');
  assert.equal(s.target_rate, 40);
  // Upper bound: the tokens of the elapsed time plus the initial token and the burst.
  assert.ok(s.committed <= Math.ceil((40 * elapsed) / 1000) + 1 + 8, `committed ${s.committed} in ${elapsed} ms at 40/s`);
  assert.ok(s.committed >= 10, `committed only ${s.committed} in ${elapsed} ms at 40/s`);
});

test('an unpaced runner keeps at most `concurrency` steps in flight, and stop waits for them', async () => {
  let inFlight = 0;
  let maxInFlight = 0;
  const r = new Runner('insert', fakeClient(), { rate: 0, concurrency: 7 }, ready(async () => {
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    await sleep(5);
    inFlight--;
    return 'committed';
  }));
  await waitFor('a few hundred steps', () => r.status().committed >= 200);
  await r.stop();
  assert.equal(maxInFlight, 7);
  assert.equal(inFlight, 0, 'stop returned with steps still in flight');
  const after = r.status().committed;
  await sleep(50);
  assert.equal(r.status().committed, after, 'steps ran after stop');
  assert.ok(r.status().committed_per_sec > 0);
});

test('lost write conflicts count as aborted and the transaction is retried', async () => {
  const client = fakeClient(2);
  let steps = 0;
  const r = new Runner('update', client, { rate: 0, concurrency: 1 }, ready(async (ctx) => {
    steps++;
    await ctx.transact(async () => undefined);
    return 'committed';
  }));
  await waitFor('a commit', () => r.status().committed >= 1);
  await r.stop();
  const s = r.status();
  assert.equal(s.aborted, 2);
  assert.equal(s.errors, 0);
  assert.equal(s.committed, steps, 'every step committed once its retries succeeded');
});

test('conflicts never fail a workload; errors alone do, with the last error kept', async () => {
  const conflicting = new Runner('bank', fakeClient(), { rate: 200, concurrency: 4, failAfterMs: 200 }, ready(async () => {
    throw new PitrError(ErrorCode.WriteConflict, 'lost');
  }));
  const broken = new Runner('insert', fakeClient(), { rate: 200, concurrency: 4, failAfterMs: 200 }, ready(async () => {
    throw new PitrError(ErrorCode.StoreUnavailable, 'store 2 is down');
  }));
  await waitFor('the broken workload to fail', () => broken.status().state === 'failed');
  await broken.finished;
  const b = broken.status();
  assert.ok(b.errors > 0);
  assert.equal(b.aborted, 0);
  assert.match(b.last_error ?? '', /store 2 is down/);
  assert.equal(conflicting.status().state, 'running');
  await conflicting.stop();
  const c = conflicting.status();
  assert.ok(c.aborted > 0);
  assert.equal(c.errors, 0);
  assert.equal(c.last_error, null);
  assert.equal(c.state, 'stopped');
});

test('a failed setup rejects ready and leaves a failed workload', async () => {
  const r = new Runner('bank', fakeClient(), { rate: 1, concurrency: 1 }, () => Promise.reject(new Error('no such table')));
  await assert.rejects(r.ready, /no such table/);
  await r.finished;
  assert.equal(r.status().state, 'failed');
  assert.match(r.status().last_error ?? '', /no such table/);
});
