/**
 * `backup`: what log backup costs and what RPO it gives. In one run: bank txn/s with log backup
 * off and then on (TiDB states about 5 % impact), and the checkpoint lag (cluster now − global
 * checkpoint) sampled under that load at flush intervals of 1 s and 10 s (target p99 ≤
 * interval + 1 s), and snapshot backup MB/s to a folder and to s3rver (the `snapshot` bench).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Cluster } from '../core/cluster/cluster.ts';
import { LogBackupService } from '../core/logbackup/service.ts';
import { physicalOf } from '../core/tso/index.ts';
import type { Figure } from './index.ts';
import { snapshotBench } from './snapshot.ts';

const CONCURRENCY = 256;
// Rounds of (on, off) after a first off: three bracketed measurements of the overhead.
const DEFAULT_ON_OFF_ROUNDS = 3;
const ACCOUNTS = 20_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function bankRate(c: Cluster, seconds: number): Promise<number> {
  await c.workloads.start('bank', { rate: 0, concurrency: CONCURRENCY, accounts: ACCOUNTS });
  const t0 = performance.now();
  await sleep(seconds * 1000);
  const st = (await c.workloads.stop('bank')).find((w) => w.kind === 'bank');
  return (st?.committed ?? 0) / ((performance.now() - t0) / 1000);
}

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? 0;
}

async function lag(c: Cluster, svc: LogBackupService, seconds: number): Promise<number[]> {
  await c.workloads.start('bank', { rate: 0, concurrency: CONCURRENCY, accounts: ACCOUNTS });
  const samples: number[] = [];
  const end = performance.now() + seconds * 1000;
  while (performance.now() < end) {
    await sleep(100);
    samples.push(c.pd.clock.now() - physicalOf(svc.globalCheckpoint));
  }
  await c.workloads.stop('bank');
  return samples;
}

/** The `backup` benchmark (log backup part). */
export async function backupBench({ seconds }: { seconds: number }): Promise<Figure[]> {
  const dir = mkdtempSync(join(tmpdir(), 'pitr-bench-backup-'));
  const figs: Figure[] = [];
  try {
    const c = await Cluster.create('bench', join(dir, 'cluster'), 3);
    const svc = new LogBackupService(c);
    try {
      await c.workloads.start('bank', { rate: 0, concurrency: 16, accounts: ACCOUNTS });
      await sleep(3000); // accounts created, regions split and balanced
      await c.workloads.stop('bank');
      // Off and on interleaved, each "on" bracketed by two "offs": the bank table keeps growing
      // MVCC versions and the cluster keeps splitting and balancing under load, so throughput
      // drifts down through the run; comparing each "on" with the mean of the offs around it
      // cancels that drift instead of mixing it into the ratio.
      const phase = Math.max(2, seconds / 2);
      const offs = [await bankRate(c, phase)];
      const ons: number[] = [];
      await svc.start({ name: 'bench', storage: join(dir, 'log'), flushIntervalMs: 10_000 });
      for (let round = 0; round < DEFAULT_ON_OFF_ROUNDS; round++) {
        if (round > 0) await svc.resume(undefined);
        await sleep(1500); // initial scans (from the checkpoint after a resume) done
        ons.push(await bankRate(c, phase));
        await svc.pause(undefined);
        offs.push(await bankRate(c, phase));
      }
      await svc.resume(undefined);
      // Catch up after the pause before sampling the lag (a resume rescans from the checkpoint).
      await svc.flushAll();
      await svc.flushAll();
      const ratios = ons.map((on, i) => on / ((offs[i]! + offs[i + 1]!) / 2));
      figs.push(
        { metric: `bank txn/s, log backup off (${offs.length} phases of ${phase} s, task paused)`, value: offs.reduce((a, b) => a + b, 0) / offs.length, unit: 'txn/s' },
        { metric: `bank txn/s, log backup on (10 s flush, ${ons.length} phases of ${phase} s)`, value: ons.reduce((a, b) => a + b, 0) / ons.length, unit: 'txn/s' },
        ...ratios.map((r, i) => ({ metric: `on / mean(offs around it), round ${i + 1}`, value: 100 * r, unit: '%' })),
        { metric: 'on / mean(off), mean of the rounds (target >= 95)', value: (100 * ratios.reduce((a, b) => a + b, 0)) / ratios.length, unit: '%' },
      );
      const lag10 = await lag(c, svc, 32);
      await svc.stop(undefined);
      // A fresh task on its own storage, sampled once its first flushes are in: continuing the
      // old storage would start from the 10 s run's checkpoint and measure that restart instead.
      await svc.start({ name: 'bench', storage: join(dir, 'log-1s'), flushIntervalMs: 1000 });
      await svc.flushAll();
      await svc.flushAll();
      const lag1 = await lag(c, svc, 12);
      for (const [name, xs] of [['1 s', lag1], ['10 s', lag10]] as const) {
        figs.push(
          { metric: `checkpoint lag p50, flush ${name}`, value: percentile(xs, 50), unit: 'ms' },
          { metric: `checkpoint lag p99, flush ${name}`, value: percentile(xs, 99), unit: 'ms' },
        );
      }
      const st = svc.status();
      figs.push({ metric: 'log backup speed(est.) at the end', value: st.speed_est, unit: 'KV/s' });
      await svc.stop(undefined);
    } finally {
      svc.close();
      await c.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return [...figs, ...(await snapshotBench())];
}
