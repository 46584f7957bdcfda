/** `pitr workload start|stop|status`. */
import { WORKLOAD_KINDS } from '../contract/types.ts';
import type { WorkloadKindName, WorkloadStatusInfo } from '../contract/types.ts';
import { ErrorCode, PitrError } from '../errors.ts';
import { resolveDataDir } from '../host/data-dir.ts';
import { durationFlag, intFlag, numberFlag, parseFlags, required } from './args.ts';
import { call, pdEndpoint } from './client.ts';
import { emit, stdIo, table } from './output.ts';

/** Help text of the workload commands. */
export const WORKLOAD_HELP = `pitr workload start --pd A --kind ${WORKLOAD_KINDS.join('|')}
        [--rate N] [--concurrency N] [--accounts N] [--keys N] [--duration 30s]
    --rate N: target transactions per second (0 = as fast as possible)
pitr workload stop --pd A [--kind K]     stop one workload kind, or all
pitr workload status --pd A              committed, aborted, committed/s per workload`;

function kindOf(v: string | undefined): WorkloadKindName | undefined {
  if (v === undefined) return undefined;
  if (!(WORKLOAD_KINDS as readonly string[]).includes(v)) {
    throw new PitrError(ErrorCode.InvalidArgument, `--kind must be one of ${WORKLOAD_KINDS.join(', ')}; got "${v}"`);
  }
  return v as WorkloadKindName;
}

function rows(list: WorkloadStatusInfo[]): string {
  if (list.length === 0) return 'no workloads: start one with `pitr workload start --pd A --kind bank`';
  return table(
    ['KIND', 'STATE', 'TARGET/S', 'COMMITTED/S', 'COMMITTED', 'ABORTED', 'ERRORS', 'LAST ERROR'],
    list.map((w) => [w.kind, w.state, w.target_rate, w.committed_per_sec.toFixed(1), w.committed, w.aborted, w.errors, w.last_error ?? '']),
  );
}

/** Runs a workload subcommand. */
export async function workloadCommand(sub: string | undefined, argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(WORKLOAD_HELP + '\n');
    return 0;
  }
  const cmd = `workload ${sub ?? ''}`.trim();
  const { values } = parseFlags(cmd, argv, {
    pd: { type: 'string' },
    kind: { type: 'string' },
    rate: { type: 'string' },
    concurrency: { type: 'string' },
    accounts: { type: 'string' },
    keys: { type: 'string' },
    duration: { type: 'string' },
  });
  const io = stdIo(!!values.json);
  const ep = () => pdEndpoint(required(cmd, 'pd', values.pd), resolveDataDir(values['data-dir']));
  if (sub === 'start') {
    const kind = kindOf(required(cmd, 'kind', values.kind)) as WorkloadKindName;
    const rate = numberFlag('rate', values.rate);
    const concurrency = intFlag('concurrency', values.concurrency, 1);
    const accounts = intFlag('accounts', values.accounts, 2);
    const keys = intFlag('keys', values.keys, 1);
    const duration = durationFlag('duration', values.duration);
    const w = await call(ep(), 'workload:start', {
      kind,
      ...(rate !== undefined ? { rate } : {}),
      ...(concurrency !== undefined ? { concurrency } : {}),
      ...(accounts !== undefined ? { accounts } : {}),
      ...(keys !== undefined ? { keys } : {}),
      ...(duration !== undefined ? { duration_ms: duration } : {}),
    });
    emit(io, w, () => `${w.kind} workload started (target ${w.target_rate === 0 ? 'unlimited' : `${w.target_rate} txn/s`}, concurrency ${w.concurrency})`);
  } else if (sub === 'stop') {
    const kind = kindOf(values.kind);
    const list = await call(ep(), 'workload:stop', kind ? { kind } : {});
    emit(io, list, () => rows(list));
  } else if (sub === 'status') {
    const list = await call(ep(), 'workload:status', {});
    emit(io, list, () => rows(list));
  } else {
    throw new PitrError(ErrorCode.InvalidArgument, `unknown command \`pitr ${cmd}\`: use start, stop or status`);
  }
  return 0;
}
