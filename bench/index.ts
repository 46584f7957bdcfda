/**
 * `npm run bench -- [NAME...] [--json] [--seconds N]`: runs named benchmarks and prints their
 * figures with ratios against a baseline measured in the same run. Benchmarks print; they never
 * assert (these machines are shared and noisy).
 */
import { parseArgs } from 'node:util';
import { backupBench } from './backup.ts';
import { clusterBench } from './cluster.ts';
import { restoreBench } from './restore.ts';
import { snapshotBench } from './snapshot.ts';
import { uiBench } from './ui.ts';

/** One figure of a benchmark. */
export interface Figure {
  metric: string;
  value: number;
  unit: string;
}

/** A benchmark: returns its figures. */
export type Bench = (opts: { seconds: number }) => Promise<Figure[]>;

const BENCHES: Record<string, Bench> = {
  cluster: clusterBench,
  backup: backupBench,
  snapshot: snapshotBench,
  restore: restoreBench,
  ui: uiBench,
};

const { values, positionals } = parseArgs({
  args: process.argv.slice(2),
  options: { json: { type: 'boolean' }, seconds: { type: 'string' } },
  allowPositionals: true,
});
const names = positionals.length > 0 ? positionals : Object.keys(BENCHES);
for (const n of names) {
  if (!BENCHES[n]) {
    process.stderr.write(`unknown benchmark "${n}"; the benchmarks are ${Object.keys(BENCHES).join(', ')}\n`);
    process.exit(2);
  }
}
const seconds = Number(values.seconds ?? '10');
const results: Record<string, Figure[]> = {};
for (const n of names) {
  if (!values.json) process.stderr.write(`running ${n} (${seconds}s)...\n`);
  results[n] = await BENCHES[n]!({ seconds });
}
if (values.json) {
  process.stdout.write(JSON.stringify(results) + '\n');
} else {
  const rows = Object.entries(results).flatMap(([n, figs]) => figs.map((f) => [n, f.metric, fmt(f.value), f.unit]));
  const widths = [0, 1, 2, 3].map((i) => Math.max(...[['BENCH', 'METRIC', 'VALUE', 'UNIT'], ...rows].map((r) => r[i]!.length)));
  for (const r of [['BENCH', 'METRIC', 'VALUE', 'UNIT'], ...rows]) {
    process.stdout.write(r.map((c, i) => (i === 2 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd() + '\n');
  }
}

function fmt(v: number): string {
  return Math.abs(v) >= 100 ? Math.round(v).toLocaleString('en-US') : v.toFixed(2);
}
