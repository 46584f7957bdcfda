import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeRow } from '../../../core/cluster/catalog/catalog.ts';
import { recordRange } from '../../../core/cluster/catalog/keys.ts';
import { ErrorCode, PitrError } from '../../../core/errors.ts';
import { statusOf, waitFor, withCluster } from './helpers.ts';

const isInvalid = (pattern: RegExp) => (err: unknown): boolean =>
  err instanceof PitrError && err.code === ErrorCode.InvalidArgument && pattern.test(err.message);

test('bank: the total of all balances is the same at every snapshot while transfers run', async (t) => {
  await withCluster(async (c) => {
    const accounts = 200;
    await c.workloads.start('bank', { rate: 0, concurrency: 16, accounts });
    const totals: bigint[] = [];
    let lastCommitted = 0;
    for (let i = 0; i < 6; i++) {
      // Each snapshot after more transfers committed, so the snapshots see different states.
      await waitFor('more transfers', () => statusOf(c, 'bank').committed > lastCommitted + 100);
      lastCommitted = statusOf(c, 'bank').committed;
      const snap = await c.workloads.bankTotal(c.pd.tso());
      assert.equal(snap.accounts, accounts);
      totals.push(snap.total);
    }
    const [final] = await c.workloads.stop('bank');
    assert.ok(final);
    assert.deepEqual(totals, totals.map(() => BigInt(accounts * 1000)));
    assert.equal(final.state, 'stopped');
    assert.equal(final.errors, 0, final.last_error ?? '');
    assert.ok(final.committed > 0);
    t.diagnostic(`bank rate 0 ×16: ${final.committed} committed, ${final.aborted} aborted, ${final.committed_per_sec}/s`);

    // The transfers really moved money: balances are no longer all the opening 1000.
    const table = await c.catalog.table(c.pd.tso(), 'test', 'accounts');
    assert.ok(table);
    const r = recordRange(table.id);
    const rows = await c.txn.scan(r.start, r.end, c.pd.tso());
    const changed = rows.filter((row) => decodeRow<{ balance: number }>(row.value).balance !== 1000).length;
    assert.ok(changed > 10, `only ${changed} of ${rows.length} balances changed`);
    assert.equal((await c.workloads.bankTotal(c.pd.tso())).total, BigInt(accounts * 1000));
  });
});

test('workload status, refusals and restart', async () => {
  await withCluster(async (c) => {
    const started = await c.workloads.start('bank', { rate: 50, concurrency: 4, accounts: 50 });
    assert.equal(started.state, 'running');
    assert.equal(started.target_rate, 50);
    assert.equal(started.concurrency, 4);
    assert.ok(!Number.isNaN(Date.parse(started.started_at)));

    await waitFor('a commit rate', () => statusOf(c, 'bank').committed_per_sec > 0);
    assert.equal(statusOf(c, 'bank').state, 'running');

    await assert.rejects(c.workloads.start('bank'), isInvalid(/a bank workload is already running on this cluster; stop it first with `pitr workload stop --kind bank`/));
    for (const rate of [-1, Number.NaN, Number.POSITIVE_INFINITY]) {
      await assert.rejects(c.workloads.start('insert', { rate }), isInvalid(/--rate/), `rate ${rate}`);
    }
    for (const concurrency of [0, 1.5, 1025]) {
      await assert.rejects(c.workloads.start('insert', { concurrency }), isInvalid(/--concurrency must be a whole number from 1 to 1024/), `concurrency ${concurrency}`);
    }
    await assert.rejects(c.workloads.start('nope' as never), isInvalid(/unknown workload kind "nope"/));
    // Nothing refused was left behind in the status.
    assert.deepEqual(c.workloads.status().map((s) => s.kind), ['bank']);
    await assert.rejects(c.workloads.stop('insert'), (err: unknown) => err instanceof PitrError && err.code === ErrorCode.NotFound);

    const [stopped] = await c.workloads.stop('bank');
    assert.equal(stopped?.state, 'stopped');
    assert.equal(statusOf(c, 'bank').state, 'stopped');
    const frozen = statusOf(c, 'bank').committed;
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(statusOf(c, 'bank').committed, frozen, 'a stopped workload kept committing');

    // A stopped kind can start again; its setup does not reopen existing accounts.
    await c.workloads.start('bank', { rate: 0, concurrency: 2, accounts: 50 });
    assert.equal(statusOf(c, 'bank').committed, 0);
    await waitFor('commits of the second run', () => statusOf(c, 'bank').committed > 5);
    await c.workloads.stopAll();
    assert.deepEqual(await c.workloads.bankTotal(c.pd.tso()), { accounts: 50, total: 50_000n });
  });
});
