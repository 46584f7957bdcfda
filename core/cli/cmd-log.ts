/**
 * `pitr log start|status|pause|resume|stop|truncate|metadata` with br's flags. `truncate` and
 * `metadata` touch the storage only, as br's do, so they run here without a host.
 */
import { createInterface } from 'node:readline/promises';
import type { LogTaskStatus } from '../contract/logbackup.ts';
import { ErrorCode, PitrError } from '../errors.ts';
import { resolveDataDir } from '../host/data-dir.ts';
import { logMetadata, truncateLog } from '../logbackup/storage-ops.ts';
import { openStorage } from '../storage/index.ts';
import { formatDuration, formatTs, parseTs, physicalOf } from '../tso/index.ts';
import { durationFlag, intFlag, parseFlags, required, storageFlag } from './args.ts';
import { call, pdEndpoint } from './client.ts';
import { emit, stdIo } from './output.ts';

/** Help text of the log commands. */
export const LOG_HELP = `pitr log start --pd A --task-name T -s URL [--start-ts TS] [--flush-interval 10s]
pitr log status --pd A [--task-name T]
pitr log pause --pd A --task-name T [--gc-ttl 86400] [--message M]
pitr log resume --pd A --task-name T
pitr log stop --pd A --task-name T
pitr log truncate -s URL --until TS [--dry-run] [-y]    delete log data wholly before TS
pitr log metadata -s URL                                 the restorable window (log-min-ts, log-max-ts)
  -s/--storage: local:///abs/path, a plain path, or s3://bucket/prefix?endpoint=...&access-key=...`;

const flags = {
  pd: { type: 'string' },
  'task-name': { type: 'string' },
  storage: { type: 'string', short: 's' },
  'start-ts': { type: 'string' },
  'flush-interval': { type: 'string' },
  until: { type: 'string' },
  'dry-run': { type: 'boolean' },
  yes: { type: 'boolean', short: 'y' },
  'gc-ttl': { type: 'string' },
  message: { type: 'string' },
} as const;

const date = (ts: string) => formatTs(BigInt(ts));

/** br's human `log status` layout. */
function describeTasks(tasks: LogTaskStatus[]): string {
  if (tasks.length === 0) return '○ No Task Yet.';
  const lines = [`● Total ${tasks.length} Tasks.`];
  tasks.forEach((t, i) => {
    const gap = formatDuration(t.gap_seconds * 1000);
    lines.push(
      `> #${i + 1} <`,
      `              name: ${t.name}`,
      `            status: ● ${t.status}`,
      `             start: ${date(t.start_ts)}`,
      `               end: ${BigInt(t.end_ts) >= 1n << 63n ? '(never)' : date(t.end_ts)}`,
      `           storage: ${t.storage}`,
      `       speed(est.): ${t.speed_est} ops/s`,
      `checkpoint[global]: ${date(t.checkpoint)}; gap=${gap}${t.gap_seconds > 300 ? ' (more than 5 min behind: check the stores and the storage)' : ''}`,
      ...t.stores.map((s) => `  checkpoint[store=${s.store_id}]: ${date(s.checkpoint)}${s.last_flush_error ? `; last flush failed ${s.consecutive_failures}x: ${s.last_flush_error}` : ''}`),
      ...t.last_errors.flatMap((e) => [`  error[store=${e.store_id}]: ${e.code}`, `  error-happen-at[store=${e.store_id}]: ${e.happen_at}`, `  error-message[store=${e.store_id}]: ${e.message}`]),
    );
    if (t.pause_message && t.last_errors.length === 0) lines.push(`     pause message: ${t.pause_message}`);
  });
  return lines.join('\n');
}

async function confirm(question: string): Promise<boolean> {
  if (!process.stdin.isTTY) return false;
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  const answer = await rl.question(`${question} [y/N] `);
  rl.close();
  return /^y(es)?$/i.test(answer.trim());
}

/** Runs a log subcommand. */
export async function logCommand(sub: string | undefined, argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h') || sub === undefined) {
    process.stdout.write(LOG_HELP + '\n');
    return sub === undefined ? 2 : 0;
  }
  const cmd = `log ${sub}`;
  const { values } = parseFlags(cmd, argv, flags);
  const io = stdIo(!!values.json);
  const ep = () => pdEndpoint(required(cmd, 'pd', values.pd), resolveDataDir(values['data-dir']));
  const task = values['task-name'];
  switch (sub) {
    case 'start': {
      const startTs = values['start-ts'];
      if (startTs !== undefined) parseTs(startTs, 'start-ts');
      const interval = durationFlag('flush-interval', values['flush-interval']);
      const t = await call(ep(), 'log:start', {
        task_name: required(cmd, 'task-name', task),
        storage: storageFlag(cmd, values.storage),
        ...(startTs !== undefined ? { start_ts: startTs } : {}),
        ...(interval !== undefined ? { flush_interval_ms: interval } : {}),
      });
      emit(io, t, () => `log backup task "${t.name}" started at ${date(t.start_ts)} (start-ts ${t.start_ts}) to ${t.storage}`);
      return 0;
    }
    case 'status': {
      const r = await call(ep(), 'log:status', task !== undefined ? { task_name: task } : {});
      emit(io, r, () => describeTasks(r.tasks));
      return 0;
    }
    case 'pause': {
      const gcTtl = intFlag('gc-ttl', values['gc-ttl'], 1);
      const t = await call(ep(), 'log:pause', { ...(task !== undefined ? { task_name: task } : {}), ...(gcTtl !== undefined ? { gc_ttl: gcTtl } : {}), ...(values.message !== undefined ? { message: values.message } : {}) });
      emit(io, t, () => `log backup task "${t.name}" paused at checkpoint ${date(t.checkpoint)}; GC is held there for ${formatDuration((gcTtl ?? 86400) * 1000)}: resume before that with \`pitr log resume\``);
      return 0;
    }
    case 'resume': {
      const t = await call(ep(), 'log:resume', task !== undefined ? { task_name: task } : {});
      emit(io, t, () => `log backup task "${t.name}" resumed from checkpoint ${date(t.checkpoint)}`);
      return 0;
    }
    case 'stop': {
      const r = await call(ep(), 'log:stop', task !== undefined ? { task_name: task } : {});
      emit(io, r, () => `log backup task "${r.name}" stopped at checkpoint ${date(r.checkpoint)}; a later \`pitr log start\` on the same storage continues from there`);
      return 0;
    }
    case 'metadata': {
      const w = await logMetadata(openStorage(storageFlag(cmd, values.storage)));
      emit(io, w, () => `[log-min-ts=${w.log_min_ts}] [log-min-date="${date(w.log_min_ts)}"] [log-max-ts=${w.log_max_ts}] [log-max-date="${date(w.log_max_ts)}"]`);
      return 0;
    }
    case 'truncate': {
      const until = parseTs(required(cmd, 'until', values.until), 'until');
      const storage = openStorage(storageFlag(cmd, values.storage));
      const dryRun = !!values['dry-run'];
      if (!dryRun && !values.yes && !(await confirm(`Delete the log data of ${storage.url} committed before ${formatTs(until)} (${physicalOf(until)} ms)?`))) {
        throw new PitrError(ErrorCode.InvalidArgument, 'truncate deletes backup data: add -y to confirm (or --dry-run to list what would go)');
      }
      const r = await truncateLog(storage, until, dryRun);
      emit(io, r, () =>
        [
          ...(dryRun ? r.removed_files.map((f) => `would remove ${f.path} (${f.size} bytes, max ts ${f.max_ts})`) : []),
          `${dryRun ? 'would remove' : 'removed'} ${r.removed_files.length} files (${r.removed_bytes} bytes), kept ${r.kept_files}; log-min-ts ${dryRun ? 'would become' : 'is now'} ${r.log_min_ts} (${date(r.log_min_ts)})`,
        ].join('\n'),
      );
      return 0;
    }
    default:
      throw new PitrError(ErrorCode.InvalidArgument, `unknown command \`pitr log ${sub}\`; see \`pitr log --help\``);
  }
}
