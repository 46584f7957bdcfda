/**
 * The bank workload: transfers between accounts. Money only moves, so the sum of all balances
 * at any consistent snapshot is the same: the invariant a restore must preserve exactly.
 */
import type { TableDef, TableInfo } from '../catalog/catalog.ts';
import { decodeRow, encodeRow } from '../catalog/catalog.ts';
import { decodeKey, recordRange, rowKey } from '../catalog/keys.ts';
import type { Cluster } from '../cluster.ts';
import type { Step, StepContext, StepResult } from './runner.ts';

/** The database the data workloads write to. */
export const WORKLOAD_DB = 'test';
/** test.accounts. */
export const ACCOUNTS_TABLE: TableDef = {
  name: 'accounts',
  columns: [
    { name: 'id', type: 'bigint' },
    { name: 'balance', type: 'bigint' },
  ],
};
// Every new account opens with this balance, so the expected total is accounts × 1000.
export const DEFAULT_INITIAL_BALANCE = 1000;
// Most money one transfer moves: small amounts keep most accounts non-empty for a long run.
const MAX_TRANSFER = 100;
// Rows per setup transaction: large enough to set up quickly, small enough for short locks.
export const DEFAULT_SETUP_BATCH = 500;

/** An account row. */
interface Account {
  id: number;
  balance: number;
}

const randomId = (accounts: number): number => 1 + Math.floor(Math.random() * accounts);

/** The ids in [from, to] that exist at the transaction's start ts. */
async function existingIds(cluster: Cluster, table: TableInfo, from: number, to: number, ts: bigint): Promise<Set<number>> {
  const rows = await cluster.txn.scan(rowKey(table.id, from), rowKey(table.id, to + 1), ts, Number.MAX_SAFE_INTEGER, true);
  const ids = new Set<number>();
  for (const r of rows) {
    const k = decodeKey(r.key);
    if (k.kind === 'row') ids.add(Number(k.handle));
  }
  return ids;
}

/**
 * Creates test.accounts and opens accounts 1..n that do not exist yet, ≤ 500 per transaction.
 * Each batch looks again inside its own transaction, so two setups running at once (bank and
 * mixed) never overwrite a balance that transfers already changed.
 */
export async function setupBank(cluster: Cluster, accounts: number): Promise<TableInfo> {
  const table = await cluster.catalog.createTable(WORKLOAD_DB, ACCOUNTS_TABLE);
  const present = await existingIds(cluster, table, 1, accounts, cluster.pd.tso());
  if (present.size >= accounts) return table;
  for (let from = 1; from <= accounts; from += DEFAULT_SETUP_BATCH) {
    const to = Math.min(accounts, from + DEFAULT_SETUP_BATCH - 1);
    let missing = false;
    for (let id = from; id <= to && !missing; id++) missing = !present.has(id);
    if (!missing) continue;
    await cluster.txn.run(async (txn) => {
      const exists = await existingIds(cluster, table, from, to, txn.startTs);
      for (let id = from; id <= to; id++) {
        if (!exists.has(id)) txn.put(rowKey(table.id, id), encodeRow({ id, balance: DEFAULT_INITIAL_BALANCE }));
      }
    });
  }
  return table;
}

/** Moves 1..min(100, balance) between two distinct random accounts; skips an empty account. */
export async function transfer(ctx: StepContext, table: TableInfo, accounts: number): Promise<StepResult> {
  const from = randomId(accounts);
  let to = randomId(accounts - 1);
  if (to >= from) to++;
  return ctx.transact(async (txn): Promise<StepResult> => {
    const fromKey = rowKey(table.id, from);
    const toKey = rowKey(table.id, to);
    const [a, b] = await txn.batchGet([fromKey, toKey]);
    if (!a || !b) return 'skipped';
    const src = decodeRow<Account>(a);
    const dst = decodeRow<Account>(b);
    if (src.balance <= 0) return 'skipped';
    const amount = 1 + Math.floor(Math.random() * Math.min(MAX_TRANSFER, src.balance));
    txn.put(fromKey, encodeRow({ id: from, balance: src.balance - amount }));
    txn.put(toKey, encodeRow({ id: to, balance: dst.balance + amount }));
    return 'committed';
  });
}

/** Sets up the accounts and returns the bank's step. */
export async function prepareBank(cluster: Cluster, accounts: number): Promise<Step> {
  const table = await setupBank(cluster, accounts);
  return (ctx) => transfer(ctx, table, accounts);
}

/** Sums test.accounts at ts with one snapshot scan. */
export async function bankTotal(cluster: Cluster, ts: bigint): Promise<{ accounts: number; total: bigint }> {
  const table = await cluster.catalog.table(ts, WORKLOAD_DB, ACCOUNTS_TABLE.name);
  if (!table) return { accounts: 0, total: 0n };
  const r = recordRange(table.id);
  const rows = await cluster.txn.scan(r.start, r.end, ts);
  let total = 0n;
  for (const row of rows) total += BigInt(decodeRow<Account>(row.value).balance);
  return { accounts: rows.length, total };
}
