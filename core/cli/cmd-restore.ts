/**
 * `pitr restore point|status|verify`: br's restore point, with the plan (`--dry-run`), phased
 * progress (a bar on a terminal, JSON lines with --json) and the verification report.
 */
import type { RestoreProgress, RestoreStatus, Verification } from '../contract/restore.ts';
import { ErrorCode, PitrError } from '../errors.ts';
import { resolveDataDir } from '../host/data-dir.ts';
import { formatDuration, formatTs, parseTs } from '../tso/index.ts';
import { parseFlags, required, storageFlag } from './args.ts';
import { call, pdEndpoint } from './client.ts';
import { emit, stdIo } from './output.ts';

/** Help text of the restore commands. */
export const RESTORE_HELP = `pitr restore point --pd TARGET -s LOG_URL --full-backup-storage SNAP_URL [--restored-ts TS] [--dry-run]
    restore a new, empty cluster to TS (a TSO or a datetime; default: the log's max ts)
pitr restore status --pd TARGET      progress of the last restore into TARGET
pitr restore verify --pd TARGET      compare TARGET with the source cluster at the restored ts again`;

const PHASES: Record<RestoreProgress['phase'], string> = {
  plan: 'Plan',
  prepare: 'Split & Scatter',
  snapshot: 'Full Restore',
  meta: 'Restore Meta Files',
  kv: 'Restore KV Files',
  verify: 'Verify',
  done: 'Done',
};
const mb = (b: number) => `${(b / 1048576).toFixed(1)} MiB`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function bar(p: RestoreProgress): string {
  const frac = p.total_bytes > 0 ? Math.min(1, p.done_bytes / p.total_bytes) : p.phase === 'done' ? 1 : 0;
  const width = 30;
  const fill = Math.round(frac * width);
  const eta = p.eta_s === null ? '' : ` ETA ${formatDuration(p.eta_s * 1000)}`;
  return `${PHASES[p.phase].padEnd(18)} [${'='.repeat(fill)}${' '.repeat(width - fill)}] ${(frac * 100).toFixed(0).padStart(3)}% ${mb(p.done_bytes)}/${mb(p.total_bytes)} ${mb(p.rate_bytes_per_s)}/s${eta}`;
}

function describeVerification(v: Verification): string {
  const lines = [`verification: ${v.ok ? 'PASSED' : 'FAILED'} (${v.files_verified} files checked by sha256, ${v.snapshot_kvs} snapshot KVs, ${v.log_kvs} log KVs)`];
  const bad = v.tables.filter((t) => !t.ok);
  lines.push(`  table checksums vs backupmeta: ${v.tables.length - bad.length}/${v.tables.length} match${bad.length ? `; mismatched: ${bad.map((t) => t.table).join(', ')}` : ''}`);
  lines.push(v.source.compared ? `  source comparison: ${v.source.equal ? 'equal' : 'DIFFERENT'} (${v.source.keys} keys)` : `  source comparison: skipped (${v.source.reason})`);
  for (const m of v.source.mismatches) lines.push(`    ${m.key}: source=${m.source ?? '(none)'} restored=${m.restored ?? '(none)'}`);
  return lines.join('\n');
}

/** Runs a restore subcommand. */
export async function restoreCommand(sub: string | undefined, argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h') || sub === undefined) {
    process.stdout.write(RESTORE_HELP + '\n');
    return sub === undefined ? 2 : 0;
  }
  const cmd = `restore ${sub}`;
  const { values } = parseFlags(cmd, argv, {
    pd: { type: 'string' },
    storage: { type: 'string', short: 's' },
    'full-backup-storage': { type: 'string' },
    'restored-ts': { type: 'string' },
    'dry-run': { type: 'boolean' },
    yes: { type: 'boolean', short: 'y' },
  });
  const io = stdIo(!!values.json);
  const ep = () => pdEndpoint(required(cmd, 'pd', values.pd), resolveDataDir(values['data-dir']));
  if (sub === 'verify') {
    const v = await call(ep(), 'restore:verify', {});
    emit(io, v, () => describeVerification(v));
    return v.ok ? 0 : 1;
  }
  if (sub === 'status') {
    const s = await call(ep(), 'restore:status', {});
    emit(io, s, () => `${s.state}: ${bar(s.progress)}${s.error ? `\n${s.error.message}` : ''}`);
    return 0;
  }
  if (sub !== 'point') throw new PitrError(ErrorCode.InvalidArgument, `unknown command \`pitr restore ${sub}\`; see \`pitr restore --help\``);
  const restored = values['restored-ts'];
  if (restored !== undefined) parseTs(restored, 'restored-ts'); // fail before any request
  const e = ep();
  const { plan, started } = await call(e, 'restore:point', {
    storage: storageFlag(cmd, values.storage),
    full_backup_storage: storageFlag(cmd, values['full-backup-storage'], 'full-backup-storage'),
    ...(restored !== undefined ? { restored_ts: restored } : {}),
    dry_run: !!values['dry-run'],
  });
  const describePlan = () =>
    [
      `restore ${plan.restore_id}${plan.resume ? ' (resuming from its checkpoint)' : ''}: to ${plan.restored_ts} (${formatTs(BigInt(plan.restored_ts))})`,
      `  snapshot: ts ${plan.snapshot_ts} (${formatTs(BigInt(plan.snapshot_ts))}), ${plan.snapshot_files} files`,
      `  log: ${plan.log_files} files (${plan.log_blocks} blocks) of window [${plan.log_min_ts}, ${plan.log_max_ts}]`,
      `  total: ${plan.files} files, ${mb(plan.bytes)}, ${plan.kvs} KVs; estimated ${formatDuration(plan.estimated_duration_s * 1000)}`,
      `  not restored: ${plan.skipped_tables.join(', ')}`,
    ].join('\n');
  if (values['dry-run']) {
    emit(io, plan, describePlan);
    return 0;
  }
  if (!io.json) process.stderr.write(describePlan() + '\n');
  if (!started && !io.json) process.stderr.write('(this restore is already running; following it)\n');
  let status: RestoreStatus;
  const tty = process.stderr.isTTY && !io.json;
  for (;;) {
    status = await call(e, 'restore:status', { restore_id: plan.restore_id });
    if (io.json) io.out(JSON.stringify({ event: 'progress', ...status.progress }));
    else if (tty) process.stderr.write(`\r${bar(status.progress)}`);
    if (status.state !== 'running') break;
    await sleep(300);
  }
  if (tty) process.stderr.write('\n');
  if (status.state === 'failed' || !status.result) {
    throw new PitrError(status.error?.code ?? ErrorCode.Internal, `${status.error?.message ?? 'the restore failed'}; run the same command again to resume from its checkpoint`);
  }
  const r = status.result;
  emit(io, r, () => `restored to ${r.restored_ts} (${formatTs(BigInt(r.restored_ts))}) from snapshot ${r.snapshot_ts}: ${r.kvs} KVs, ${mb(r.bytes)}, ${r.files} files in ${formatDuration(r.duration_s * 1000)}\n${describeVerification(r.verification)}`);
  return r.verification.ok ? 0 : 1;
}
