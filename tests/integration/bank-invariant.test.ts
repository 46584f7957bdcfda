/**
 * Snapshot isolation seen through the CLI: while the bank workload moves money between
 * accounts as fast as it can, every snapshot (a TSO taken at a random moment) sums to the same
 * total, accounts × the initial balance, with the same number of accounts.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { escapeKey, metaKey, recordRange } from '../../core/cluster/catalog/keys.ts';
import { DEFAULT_INITIAL_BALANCE } from '../../core/cluster/workload/bank.ts';
import type { ClusterInfo, TsoResult, WorkloadStatusInfo } from '../../core/contract/types.ts';
import { pitrJson, pitrOk, removeTempDirs, startServer, tempDir } from '../helpers/cli.ts';
import type { ServerHandle } from '../helpers/cli.ts';

const ACCOUNTS = 200;
const SNAPSHOTS = 20;
const WINDOW_MS = 10_000;
// The bank workload opens every account with 1000 (core/cluster/workload/bank.ts).
const INITIAL_BALANCE = 1000;

interface Pair {
  key: string;
  value: string;
}

interface Account {
  id: number;
  balance: number;
}

/** The row of an account, or null for any other value. */
function asAccount(value: string): Account | null {
  try {
    const v = JSON.parse(value) as Record<string, unknown>;
    if (typeof v !== 'object' || v === null) return null;
    return typeof v.id === 'number' && typeof v.balance === 'number' ? { id: v.id, balance: v.balance } : null;
  } catch {
    return null;
  }
}

describe('bank invariant under a running workload', () => {
  let server: ServerHandle;
  let dataDir: string;
  let pd: string;
  const o = () => ({ dataDir });

  before(async () => {
    dataDir = tempDir();
    server = await startServer({ dataDir });
    pd = (await pitrJson<ClusterInfo>(['cluster', 'create', '--name', 'bank', '--stores', '3'], o())).pd;
  });

  after(async () => {
    try {
      await server?.stop();
    } finally {
      removeTempDirs();
    }
  });

  test('the initial balance the test assumes is the workload’s', () => {
    assert.equal(DEFAULT_INITIAL_BALANCE, INITIAL_BALANCE);
  });

  test(`the total holds at ${SNAPSHOTS} random snapshots`, async () => {
    const started = await pitrJson<WorkloadStatusInfo>(
      ['workload', 'start', '--pd', pd, '--kind', 'bank', '--rate', '0', '--concurrency', '16', '--accounts', String(ACCOUNTS)],
      o(),
    );
    assert.equal(started.state, 'running');
    assert.equal(started.concurrency, 16);

    // Find test.accounts in the schema (raw meta keys) and its record range.
    const raw = (await pitrOk(['scan', '--pd', pd, '--raw', '--start', 'm', '--end', 'n', '--json'], o())).lines<Pair>();
    const dbs = raw.map((p) => JSON.parse(p.value) as { id?: number; name?: string }).filter((v) => v.name === 'test');
    assert.equal(dbs.length, 1, 'one database named test');
    const dbId = dbs[0]!.id!;
    // The schema entry of a table is the hash field `Table:<id>` of `DB:<db id>`.
    const accounts = raw
      .map((p) => ({ key: p.key, info: JSON.parse(p.value) as { id: number; name: string; columns?: Array<{ name: string }> } }))
      .filter((t) => t.info.name === 'accounts' && t.key === escapeKey(metaKey(`DB:${dbId}`, `Table:${t.info.id}`)));
    assert.equal(accounts.length, 1, 'test.accounts exists');
    const table = accounts[0]!;
    assert.deepEqual(
      table.info.columns?.map((c) => c.name),
      ['id', 'balance'],
    );
    const range = recordRange(table.info.id);
    const bounds = ['--start', escapeKey(range.start), '--end', escapeKey(range.end)];

    const scanAt = async (ts: string): Promise<Account[]> => {
      const pairs = (await pitrOk(['scan', '--pd', pd, '--raw', '--ts', ts, ...bounds, '--json'], o())).lines<Pair>();
      return pairs.map((p) => {
        const a = asAccount(p.value);
        assert.ok(a, `a row of test.accounts: ${p.key} = ${p.value}`);
        return a;
      });
    };

    // 20 moments spread at random over the window; each takes a TSO, then reads that snapshot
    // while the workload keeps writing.
    const t0 = Date.now();
    const offsets = Array.from({ length: SNAPSHOTS }, () => Math.floor(Math.random() * WINDOW_MS)).sort((a, b) => a - b);
    const before = (await pitrJson<WorkloadStatusInfo[]>(['workload', 'status', '--pd', pd], o())).find((w) => w.kind === 'bank');
    const snapshots = await Promise.all(
      offsets.map(async (off) => {
        await new Promise((r) => setTimeout(r, Math.max(0, t0 + off - Date.now())));
        const ts = (await pitrJson<TsoResult>(['tso', '--pd', pd], o())).tso;
        return { ts, rows: await scanAt(ts) };
      }),
    );
    const during = (await pitrJson<WorkloadStatusInfo[]>(['workload', 'status', '--pd', pd], o())).find((w) => w.kind === 'bank');
    assert.ok(before && during, 'the bank workload is listed');
    assert.equal(during.state, 'running', `the workload still runs (last error: ${during.last_error})`);
    assert.ok(during.committed > before.committed, `transfers committed during the window (${before.committed} → ${during.committed})`);

    const stopped = await pitrJson<WorkloadStatusInfo[]>(['workload', 'stop', '--pd', pd, '--kind', 'bank'], o());
    assert.equal(stopped[0]?.kind, 'bank');

    snapshots.sort((a, b) => (BigInt(a.ts) < BigInt(b.ts) ? -1 : 1));
    assert.equal(new Set(snapshots.map((s) => s.ts)).size, SNAPSHOTS, 'distinct TSOs');
    for (const s of snapshots) {
      const total = s.rows.reduce((n, a) => n + a.balance, 0);
      assert.equal(s.rows.length, ACCOUNTS, `accounts at ts ${s.ts}`);
      assert.equal(new Set(s.rows.map((a) => a.id)).size, ACCOUNTS, `distinct account ids at ts ${s.ts}`);
      assert.equal(total, ACCOUNTS * INITIAL_BALANCE, `total balance at ts ${s.ts}`);
      for (const a of s.rows) assert.ok(a.balance >= 0, `account ${a.id} is not overdrawn at ts ${s.ts}`);
    }

    const last = snapshots.at(-1)!;
    const moved = last.rows.filter((a) => a.balance !== INITIAL_BALANCE).length;
    assert.ok(moved > 0, 'some balances differ from the initial one at the last snapshot: the workload really ran');
    const firstSnap = snapshots[0]!;
    assert.notDeepEqual(firstSnap.rows, last.rows, 'the snapshots differ over the window');

    // A snapshot read again later is the same snapshot.
    assert.deepEqual(await scanAt(last.ts), last.rows);
    // The bounded range missed no account: an unbounded raw scan finds the same rows.
    const all = (await pitrOk(['scan', '--pd', pd, '--raw', '--ts', last.ts, '--json'], o())).lines<Pair>();
    const everyAccount = all.map((p) => asAccount(p.value)).filter((a): a is Account => a !== null);
    assert.deepEqual(everyAccount, last.rows);
  });
});
