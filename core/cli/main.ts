/**
 * `pitr`: the lab's command line. Its verbs and flags mirror br's so that a runbook written
 * here reads like one for TiDB; errors go to stderr with a non-zero exit code.
 */
import { ErrorCode, PitrError, toErrorObject } from '../errors.ts';
import { clusterCommand, CLUSTER_HELP } from './cmd-cluster.ts';
import { kvCommand, KV_HELP } from './cmd-kv.ts';
import { logCommand, LOG_HELP } from './cmd-log.ts';
import { exportCommand, EXPORT_HELP } from './cmd-export.ts';
import { metricsCommand, METRICS_HELP } from './cmd-metrics.ts';
import { restoreCommand, RESTORE_HELP } from './cmd-restore.ts';
import { serverCommand, SERVER_HELP } from './cmd-server.ts';
import { backupCommand, BACKUP_HELP } from './cmd-backup.ts';
import { workloadCommand, WORKLOAD_HELP } from './cmd-workload.ts';

const HELP = `pitr: PiTR Studio's command line (br's verbs, plus the lab's own)

${SERVER_HELP}

${CLUSTER_HELP}

${KV_HELP}

${WORKLOAD_HELP}

${BACKUP_HELP}

${LOG_HELP}

${RESTORE_HELP}

${METRICS_HELP}

${EXPORT_HELP}

Every command takes --json (machine-readable output) and --data-dir D (else PITR_DATA_DIR, else
the per-user app data dir), which holds the host's access token. TSOs in JSON are decimal strings.`;

async function run(argv: string[]): Promise<number> {
  const [cmd, sub, ...rest] = argv;
  if (cmd === undefined || cmd === '--help' || cmd === '-h' || cmd === 'help') {
    process.stdout.write(HELP + '\n');
    return 0;
  }
  switch (cmd) {
    case 'server':
      return serverCommand(argv.slice(1));
    case 'cluster':
    case 'region':
    case 'store':
      return clusterCommand(cmd, sub?.startsWith('-') ? undefined : sub, sub?.startsWith('-') ? argv.slice(1) : rest);
    case 'txn':
    case 'get':
    case 'scan':
    case 'tso':
      return kvCommand(cmd, argv.slice(1));
    case 'log':
      return logCommand(sub?.startsWith('-') ? undefined : sub, sub?.startsWith('-') ? argv.slice(1) : rest);
    case 'backup':
      return backupCommand(argv.slice(1));
    case 'restore':
      return restoreCommand(sub?.startsWith('-') ? undefined : sub, sub?.startsWith('-') ? argv.slice(1) : rest);
    case 'metrics':
      return metricsCommand(sub?.startsWith('-') ? undefined : sub, sub?.startsWith('-') ? argv.slice(1) : rest);
    case 'export':
      return exportCommand(sub?.startsWith('-') ? undefined : sub, sub?.startsWith('-') ? argv.slice(1) : rest);
    case 'workload':
      return workloadCommand(sub?.startsWith('-') ? undefined : sub, sub?.startsWith('-') ? argv.slice(1) : rest);
    default:
      throw new PitrError(ErrorCode.InvalidArgument, `unknown command "${cmd}"; see \`pitr --help\``);
  }
}

const argv = process.argv.slice(2);
run(argv).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    const e = toErrorObject(err);
    if (argv.includes('--json')) process.stderr.write(JSON.stringify({ error: e }) + '\n');
    else process.stderr.write(`pitr: ${e.message} [${e.code}]\n`);
    process.exitCode = e.code === ErrorCode.InvalidArgument || e.code === ErrorCode.InvalidTs ? 2 : 1;
  },
);
