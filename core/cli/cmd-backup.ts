/** `pitr backup full|schedule|history|propose-layout`: snapshot backups, as `br backup full`. */
import type { BackupRunInfo, FullBackupSummary, ScheduleInfo, SnapshotProgress, SnapshotRunStatus } from '../contract/snapshot.ts';
import { ErrorCode, PitrError } from '../errors.ts';
import { resolveDataDir } from '../host/data-dir.ts';
import { formatDuration, parseTs } from '../tso/index.ts';
import { intFlag, numberFlag, parseFlags, required, storageFlag } from './args.ts';
import { call, pdEndpoint } from './client.ts';
import { emit, stdIo, table } from './output.ts';

/** Help text of the backup commands. */
export const BACKUP_HELP = `pitr backup full --pd A -s|--storage URL [--backupts TS] [--ratelimit MiB/s]
    snapshot backup of the whole cluster at one TSO (default now) into an empty folder
    (local path, local:///abs/path or s3://bucket/prefix?endpoint=...); GC is held while it runs;
    --ratelimit caps each store's backup speed, as br's
pitr backup schedule add --pd A --cron "0 0 * * *" -s|--storage BASE
    snapshot on a cron schedule (cluster time, UTC) into BASE/backup-<cluster-id>/snapshot-YYYYMMDDhhmmss
pitr backup schedule list --pd A           the cluster's schedules and their next runs
pitr backup schedule remove --pd A --id N  remove a schedule
pitr backup status --pd A                  progress of the running snapshot run (else the last one)
pitr backup history --pd A [--limit N]     recent snapshot runs (manual and scheduled)
pitr backup propose-layout --pd A -s BASE  the recommended log backup and snapshot folders under BASE`;

const FLAGS = {
  pd: { type: 'string' },
  storage: { type: 'string', short: 's' },
  backupts: { type: 'string' },
  ratelimit: { type: 'string' },
  cron: { type: 'string' },
  id: { type: 'string' },
  limit: { type: 'string' },
} as const;

/** Sizes as br prints them (decimal units, four significant digits): `2.052MB`. */
export function humanSize(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let v = bytes;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return i === 0 ? `${v}B` : `${Number(v.toPrecision(4))}${units[i]}`;
}

function summary(r: FullBackupSummary): string {
  const speed = r.duration_s > 0 ? `${humanSize(r.bytes / r.duration_s)}/s` : 'n/a';
  return [
    `Full Backup <${'-'.repeat(60)}> 100.00%`,
    `[INFO] ["Full Backup success summary"] [total-take=${r.duration_s}s] [BackupTS=${r.backup_ts}] [total-kv=${r.kvs}] ` +
      `[total-kv-size=${humanSize(r.bytes)}] [average-speed=${speed}] [backup-data-size(after-compressed)=${humanSize(r.size)}] [files=${r.files}]`,
    `backup saved to ${r.storage}`,
  ].join('\n');
}

// How often a terminal's progress bar is redrawn while `backup full` runs.
const PROGRESS_POLL_MS = 300;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** br's progress bar, with the regions, the data so far and the ETA. */
function progressBar(p: SnapshotProgress): string {
  const width = 60;
  const fill = Math.round(p.fraction * width);
  const eta = p.eta_s === null ? '' : ` ETA ${formatDuration(p.eta_s * 1000)}`;
  return `Full Backup <${'-'.repeat(fill)}${' '.repeat(width - fill)}> ${(p.fraction * 100).toFixed(2)}% ${p.regions_done}/${p.regions_total} regions ${humanSize(p.bytes)}${eta}`;
}

function runStatus(s: SnapshotRunStatus | null): string {
  if (s === null) return 'no snapshot run since the host started: see `pitr backup history`';
  const head = `run ${s.run_id} (${s.schedule_id === null ? 'manual' : `schedule ${s.schedule_id}`}) into ${s.storage}: ${s.state}, started ${s.started_at}${s.backup_ts ? `, BackupTS=${s.backup_ts}` : ''}`;
  const tail = s.result ? summary(s.result) : s.error ? `error: ${s.error.message}` : `${formatDuration(s.progress.elapsed_s * 1000)} elapsed`;
  return [head, progressBar(s.progress), tail].join('\n');
}

/** Draws the running backup's progress on a terminal until `done` settles. */
async function followOnTerminal(status: () => Promise<SnapshotRunStatus | null>, done: Promise<unknown>): Promise<void> {
  let finished = false;
  void done.finally(() => (finished = true)).catch(() => undefined);
  while (!finished) {
    await Promise.race([sleep(PROGRESS_POLL_MS), done.catch(() => undefined)]);
    if (finished) break;
    const s = await status().catch(() => null);
    if (s?.state === 'running') process.stderr.write(`\r${progressBar(s.progress)}`);
  }
  process.stderr.write('\r\x1b[K');
}

function schedules(list: ScheduleInfo[]): string {
  if (list.length === 0) return 'no snapshot schedules: add one with `pitr backup schedule add --pd A --cron "0 0 * * *" -s BASE`';
  return table(
    ['ID', 'CRON', 'WHEN (cluster time, UTC)', 'NEXT RUN', 'STORAGE'],
    list.map((s) => [s.id, s.cron, s.description, s.next_run ?? '(cluster not running)', s.storage]),
  );
}

function history(list: BackupRunInfo[]): string {
  if (list.length === 0) return 'no snapshot runs yet: run one with `pitr backup full --pd A -s URL`';
  return table(
    ['ID', 'SCHEDULE', 'STATE', 'STARTED', 'FINISHED', 'BACKUP_TS', 'KVS', 'KV SIZE', 'STORAGE', 'ERROR'],
    list.map((r) => [r.id, r.schedule_id ?? 'manual', r.state, r.started_at, r.finished_at ?? '', r.backup_ts ?? '', r.kvs ?? '', r.bytes === null ? '' : humanSize(r.bytes), r.storage, r.error ?? '']),
  );
}

/** Runs a backup subcommand (argv after `backup`). */
export async function backupCommand(argv: string[]): Promise<number> {
  const words: string[] = [];
  for (const a of argv) {
    if (a.startsWith('-') || words.length >= 2 || (words[0] !== 'schedule' && words.length >= 1)) break;
    words.push(a);
  }
  const rest = argv.slice(words.length);
  if (words.length === 0 || rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(BACKUP_HELP + '\n');
    return 0;
  }
  const cmd = `backup ${words.join(' ')}`;
  const { values } = parseFlags(cmd, rest, FLAGS);
  const io = stdIo(!!values.json);
  const ep = () => pdEndpoint(required(cmd, 'pd', values.pd), resolveDataDir(values['data-dir']));
  switch (words.join(' ')) {
    case 'full': {
      // Checked before any request: a malformed TSO or datetime must not start anything.
      if (values.backupts !== undefined) parseTs(values.backupts, '--backupts');
      const ratelimit = numberFlag('ratelimit', values.ratelimit);
      if (ratelimit === 0) throw new PitrError(ErrorCode.InvalidArgument, '--ratelimit must be above 0 MiB/s (omit it for no limit)');
      const storage = storageFlag(cmd, values.storage);
      const running = call(ep(), 'backup:full', {
        storage,
        ...(values.backupts !== undefined ? { backupts: values.backupts } : {}),
        ...(ratelimit !== undefined ? { ratelimit } : {}),
      });
      // On a terminal the bar moves as the stores go (stdout keeps only the summary).
      if (process.stderr.isTTY && !io.json) await followOnTerminal(() => call(ep(), 'backup:status', {}), running);
      const r = await running;
      emit(io, { backup_ts: r.backup_ts, kvs: r.kvs, bytes: r.bytes, size: r.size, files: r.files, duration_s: r.duration_s, storage: r.storage }, () => summary(r));
      break;
    }
    case 'schedule add': {
      const cron = required(cmd, 'cron', values.cron);
      const s = await call(ep(), 'backup:schedule-add', { cron, storage: storageFlag(cmd, values.storage) });
      emit(io, s, () => `schedule ${s.id} added: ${s.description} (cluster time, UTC), next run ${s.next_run ?? 'when the cluster runs'}, into ${s.storage}/backup-<cluster-id>/snapshot-YYYYMMDDhhmmss`);
      break;
    }
    case 'schedule list': {
      const list = await call(ep(), 'backup:schedule-list', {});
      emit(io, list, () => schedules(list));
      break;
    }
    case 'schedule remove': {
      const id = intFlag('id', required(cmd, 'id', values.id), 1) as number;
      const r = await call(ep(), 'backup:schedule-remove', { id });
      emit(io, r, () => `schedule ${r.id} removed`);
      break;
    }
    case 'status': {
      const st = await call(ep(), 'backup:status', {});
      emit(io, st, () => runStatus(st));
      break;
    }
    case 'history': {
      const limit = intFlag('limit', values.limit, 1);
      const list = await call(ep(), 'backup:history', limit !== undefined ? { limit } : {});
      emit(io, list, () => history(list));
      break;
    }
    case 'propose-layout': {
      const r = await call(ep(), 'backup:propose-layout', { base: storageFlag(cmd, values.storage) });
      emit(io, r, () => `log backup: ${r.log}\nsnapshot:   ${r.snapshot}`);
      break;
    }
    default:
      throw new PitrError(ErrorCode.InvalidArgument, `unknown command \`pitr ${cmd}\`: use backup full, backup status, backup schedule add|list|remove, backup history or backup propose-layout`);
  }
  return 0;
}
