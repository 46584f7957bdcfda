/** The Log backup page: the task's status card (per-store checkpoints, RPO gap), the wizard, truncate. */
import type { LogTaskStatus } from '../../core/contract/index.ts';
import { Badge, Button, Card, Empty, ErrorBanner, PageHeader, Stat } from '../components/index.ts';
import { formatDateTime, formatDuration, formatTso, formatTsoTime } from '../lib/format.ts';
import { useClusterStore } from '../state/cluster.ts';
import { controlTask, loadWindow, refreshLogStatus, useLogBackupStore } from '../state/logbackup.ts';
import { clearOp, useOp } from '../state/ops.ts';
import { useWatch } from '../state/poll.ts';
import { TruncateCard } from './logbackup-truncate.tsx';
import { StartWizard } from './logbackup-wizard.tsx';

// Checkpoints advance at every flush (seconds): refresh at that pace.
const STATUS_REFRESH_MS = 1000;
const WINDOW_REFRESH_MS = 5000;
// RPO gap tones: under a minute is healthy; the seed's alert fires at 10 minutes of lag.
const GAP_WARN_S = 60;
const GAP_BAD_S = 600;

function gapTone(s: number): 'ok' | 'warn' | 'bad' {
  return s < GAP_WARN_S ? 'ok' : s < GAP_BAD_S ? 'warn' : 'bad';
}

/** One task: `br log status`. */
function TaskCard({ task }: { task: LogTaskStatus }) {
  const window = useLogBackupStore((s) => s.window);
  const ops = { pause: useOp('logbackup:pause'), resume: useOp('logbackup:resume'), stop: useOp('logbackup:stop') };
  const error = ops.pause.error ?? ops.resume.error ?? ops.stop.error;
  return (
    <Card
      title={
        <>
          Task <span data-testid="logbackup-task-name">{task.name}</span> <Badge state={task.status} testId="logbackup-status" />
        </>
      }
      testId="logbackup-status-card"
      actions={
        <>
          {task.status === 'PAUSE' ? (
            <Button onClick={() => void controlTask('resume', task.name)} busy={ops.resume.busy} data-testid="logbackup-resume">
              Resume
            </Button>
          ) : (
            <Button onClick={() => void controlTask('pause', task.name)} busy={ops.pause.busy} data-testid="logbackup-pause">
              Pause
            </Button>
          )}
          <Button kind="danger" onClick={() => void controlTask('stop', task.name)} busy={ops.stop.busy} data-testid="logbackup-stop">
            Stop
          </Button>
        </>
      }
    >
      <div className="stats">
        <Stat label="RPO gap (checkpoint lag)" value={<span data-testid="logbackup-gap">{formatDuration(task.gap_seconds)}</span>} tone={gapTone(task.gap_seconds)} sub="data newer than the checkpoint is not yet restorable" />
        <Stat label="Global checkpoint" value={formatDateTime(task.checkpoint_time).slice(11, 23)} sub={<span data-testid="logbackup-checkpoint">{task.checkpoint}</span>} />
        <Stat label="Start ts" value={formatTsoTime(task.start_ts).slice(0, 19)} sub={task.start_ts} />
        <Stat label="Flush interval" value={formatDuration(task.flush_interval_ms / 1000)} />
      </div>
      <p className="muted">
        Storage: <code data-testid="logbackup-storage">{task.storage}</code>
        {window && (
          <span data-testid="logbackup-window">
            {' '}
            · restorable from {formatDateTime(window.log_min_date)} to {formatDateTime(window.log_max_date)}
          </span>
        )}
      </p>
      {task.pause_message && <div className="banner banner-info">Paused: {task.pause_message}</div>}
      <table className="table" data-testid="logbackup-stores-table">
        <thead>
          <tr>
            <th>Store</th>
            <th>Checkpoint</th>
            <th>Last flush</th>
            <th className="num">Failed flushes</th>
            <th>Last flush error</th>
          </tr>
        </thead>
        <tbody>
          {task.stores.map((s) => (
            <tr key={s.store_id} data-testid={`logbackup-store-row-${s.store_id}`}>
              <td>store {s.store_id}</td>
              <td>{formatTso(s.checkpoint)}</td>
              <td>{s.last_flush_at ? formatDateTime(s.last_flush_at).slice(11, 23) : 'not yet'}</td>
              <td className="num">{s.consecutive_failures}</td>
              <td>{s.last_flush_error ?? '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {task.last_errors.length > 0 && (
        <div className="banner banner-error" data-testid="logbackup-last-errors">
          <div className="banner-text">
            <strong>Last errors</strong>
            {task.last_errors.map((e) => (
              <p key={`${e.store_id}-${e.happen_at}`}>
                store {e.store_id} at {formatDateTime(e.happen_at)}: {e.message} <code>{e.code}</code>
              </p>
            ))}
          </div>
        </div>
      )}
      <ErrorBanner error={error} title="The task did not change" onDismiss={() => ['pause', 'resume', 'stop'].forEach((v) => clearOp(`logbackup:${v}`))} testId="logbackup-control-error" />
    </Card>
  );
}

/** The Log backup page. */
export function LogBackupPage() {
  const current = useClusterStore((s) => s.current);
  const tasks = useLogBackupStore((s) => s.tasks);
  const statusError = useOp('logbackup:status').error;
  useWatch('logbackup:status', refreshLogStatus, STATUS_REFRESH_MS, [current]);
  const storage = tasks[0]?.storage;
  // The window changes with each flush; a slower refresh of it is enough.
  useWatch('logbackup:window', () => (storage === undefined ? undefined : loadWindow(storage)), WINDOW_REFRESH_MS, [storage]);
  return (
    <>
      <PageHeader title="Log backup" lead="Continuous backup of every change (br log): each TiKV store flushes its changes to the backup storage; the global checkpoint is the restorable edge." />
      {!current && <Empty>Create a cluster on the Cluster page first.</Empty>}
      <ErrorBanner error={statusError} title="Could not read the log backup status" onDismiss={() => clearOp('logbackup:status')} testId="logbackup-status-error" />
      {current && tasks.map((t) => <TaskCard key={t.name} task={t} />)}
      {current && tasks.length === 0 && <StartWizard />}
      {current && storage !== undefined && <TruncateCard key={storage} storage={storage} />}
    </>
  );
}
