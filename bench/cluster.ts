/**
 * `cluster`: bank-workload committed txn/s on a 3-store cluster, against the physical baseline
 * measured in the same run: raw better-sqlite3 prepared inserts of as many rows as the bank
 * workload committed, on the same disk. Also where the time goes: how busy the host's thread
 * and the store workers were.
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Cluster } from '../core/cluster/cluster.ts';
import type { Figure } from './index.ts';

// Enough in-flight transactions to keep every store's batch full; enough accounts that
// conflicts stay rare (TiDB's own bank tests use thousands of accounts).
const CONCURRENCY = 256;
const ACCOUNTS = 20_000;
// Rows per SQLite transaction in the baseline: batched, as the store workers batch.
const RAW_BATCH = 1000;

function rawInserts(dir: string, rows: number): number {
  const db = new Database(join(dir, 'raw.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec('CREATE TABLE kv (key BLOB NOT NULL, ts INTEGER NOT NULL, value BLOB, PRIMARY KEY (key, ts)) WITHOUT ROWID');
  const ins = db.prepare('INSERT INTO kv (key, ts, value) VALUES (?, ?, ?)');
  const value = Buffer.from(JSON.stringify({ id: 12345, balance: 1000 }));
  const batch = db.transaction((from: number, n: number) => {
    for (let i = from; i < from + n; i++) ins.run(Buffer.from(`t\x80\x00\x00\x00\x00\x00\x00\x10_r${i % ACCOUNTS}`), BigInt(i), value);
  });
  const t0 = performance.now();
  for (let i = 0; i < rows; i += RAW_BATCH) batch(i, Math.min(RAW_BATCH, rows - i));
  const s = (performance.now() - t0) / 1000;
  db.close();
  return rows / s;
}

/** The `cluster` benchmark. */
export async function clusterBench({ seconds }: { seconds: number }): Promise<Figure[]> {
  const dir = mkdtempSync(join(tmpdir(), 'pitr-bench-'));
  try {
    const c = await Cluster.create('bench', join(dir, 'cluster'), 3);
    try {
      await c.workloads.start('bank', { rate: 0, concurrency: 16, accounts: ACCOUNTS });
      // Warm up: the accounts are created, and the stores' caches and JIT are warm.
      await new Promise((r) => setTimeout(r, 2000));
      await c.workloads.stop('bank');
      await c.workloads.start('bank', { rate: 0, concurrency: CONCURRENCY, accounts: ACCOUNTS });
      const elu0 = performance.eventLoopUtilization();
      const workerElu0 = c.stores().map((s) => s.utilization());
      const t0 = performance.now();
      await new Promise((r) => setTimeout(r, seconds * 1000));
      const st = (await c.workloads.stop('bank')).find((w) => w.kind === 'bank');
      const elapsed = (performance.now() - t0) / 1000;
      const hostBusy = performance.eventLoopUtilization(elu0).utilization;
      const storeBusy = c.stores().map((s, i) => s.utilization(workerElu0[i] ?? undefined)?.utilization ?? 0);
      const committed = st?.committed ?? 0;
      const txnPerSec = committed / elapsed;
      const rows = Math.max(1000, committed * 2);
      const raw = rawInserts(dir, rows);
      return [
        { metric: 'bank txn/s (3 stores, 2 rows each)', value: txnPerSec, unit: 'txn/s' },
        { metric: 'bank rows written/s', value: txnPerSec * 2, unit: 'rows/s' },
        { metric: `raw better-sqlite3 inserts/s (${rows} rows)`, value: raw, unit: 'rows/s' },
        { metric: 'rows/s vs raw inserts', value: (100 * txnPerSec * 2) / raw, unit: '%' },
        { metric: 'bank aborted (write conflicts)', value: st?.aborted ?? 0, unit: 'txns' },
        { metric: 'host thread busy', value: 100 * hostBusy, unit: '%' },
        { metric: 'store workers busy (mean)', value: (100 * storeBusy.reduce((a, b) => a + b, 0)) / Math.max(1, storeBusy.length), unit: '%' },
      ];
    } finally {
      await c.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
