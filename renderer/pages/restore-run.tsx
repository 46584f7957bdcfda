/** The Restore page's plan (dry run) and the running restore's phased progress. */
import type { RestoreProgress } from '../../core/contract/index.ts';
import { Badge, Button, Card, Empty, ErrorBanner, Field, Progress, Stat, TextInput } from '../components/index.ts';
import { formatBytes, formatCount, formatDuration } from '../lib/format.ts';
import { clearOp, useOp } from '../state/ops.ts';
import { useWatch } from '../state/poll.ts';
import { newTarget, planRestore, refreshRestoreStatus, setRestoreField, startRestore, useRestoreStore } from '../state/restore.ts';
import { formatTsText } from '../timeline/tso-text.ts';

// Pushes carry progress every 250 ms; polling is the fallback when a push is missed.
const STATUS_POLL_MS = 1000;

/** br's phases, in order, with the names its progress bars use. */
const PHASES: Array<[RestoreProgress['phase'], string]> = [
  ['plan', 'Plan'],
  ['prepare', 'Split & Scatter'],
  ['snapshot', 'Full Restore'],
  ['meta', 'Restore Meta Files'],
  ['kv', 'Restore KV Files'],
  ['verify', 'Verify'],
  ['done', 'Done'],
];

/** The target cluster and the plan. */
export function PlanCard() {
  const picked = useRestoreStore((s) => s.picked);
  const target = useRestoreStore((s) => s.target);
  const plan = useRestoreStore((s) => s.plan);
  const status = useRestoreStore((s) => s.status);
  const planOp = useOp('restore:plan');
  const startOp = useOp('restore:start');
  const running = status?.state === 'running';
  return (
    <Card title="Plan" testId="restore-plan-card">
      <form
        className="form-row"
        onSubmit={(e) => {
          e.preventDefault();
          void planRestore();
        }}
      >
        <Field label="New target cluster" hint="created when you plan; a restore goes only into a new, empty cluster">
          <TextInput value={target} onChange={(e) => setRestoreField('target', e.target.value)} data-testid="restore-target" disabled={running} />
        </Field>
        <Button type="submit" busy={planOp.busy} disabled={picked === null || running} data-testid="restore-plan-button">
          Plan (dry run)
        </Button>
        <Button kind="primary" onClick={() => void startRestore()} busy={startOp.busy} disabled={picked === null || running || plan === null || status?.state === 'succeeded'} data-testid="restore-start">
          Restore into {target}
        </Button>
        {status && !running && (
          <Button kind="ghost" onClick={newTarget} data-testid="restore-new-target">
            Restore again into another cluster
          </Button>
        )}
      </form>
      <ErrorBanner error={planOp.error} title="The restore cannot be planned" onDismiss={() => clearOp('restore:plan')} testId="restore-plan-error" />
      <ErrorBanner error={startOp.error} title="The restore did not start" onDismiss={() => clearOp('restore:start')} testId="restore-start-error" />
      {plan ? (
        <div data-testid="restore-plan">
          <div className="stats">
            <Stat label="Snapshot" value={<span data-testid="restore-plan-snapshot">{formatTsText(BigInt(plan.snapshot_ts))}</span>} sub={`backup ts ${plan.snapshot_ts}`} />
            <Stat label="Files" value={<span data-testid="restore-plan-files">{formatCount(plan.files)}</span>} sub={`${plan.snapshot_files} snapshot, ${plan.log_files} log (${plan.log_blocks} blocks)`} />
            <Stat label="Bytes" value={<span data-testid="restore-plan-bytes">{formatBytes(plan.bytes)}</span>} />
            <Stat label="KVs" value={<span data-testid="restore-plan-kvs">{formatCount(plan.kvs)}</span>} />
            <Stat label="Estimated duration" value={<span data-testid="restore-plan-eta">{formatDuration(plan.estimated_duration_s)}</span>} />
          </div>
          <p className="muted">
            Restores to {formatTsText(BigInt(plan.restored_ts))} (restored-ts {plan.restored_ts}); the log window is {formatTsText(BigInt(plan.log_min_ts))} to {formatTsText(BigInt(plan.log_max_ts))}. Not restored, as in TiDB:{' '}
            {plan.skipped_tables.join(', ')}.{plan.resume ? ' An interrupted restore into this cluster resumes from its checkpoint.' : ''}
          </p>
        </div>
      ) : (
        <Empty testId="restore-plan-empty">Pick a point, then plan: the plan lists the snapshot, the files, bytes and KVs, and how long it should take, before anything is written.</Empty>
      )}
    </Card>
  );
}

/** Polls the status while a restore runs (pushes do the fast updates). */
function StatusWatch() {
  useWatch('restore:status', () => refreshRestoreStatus(), STATUS_POLL_MS);
  return null;
}

/** Phased progress with bytes, rate and ETA. */
export function ProgressCard() {
  const status = useRestoreStore((s) => s.status);
  if (!status) return null;
  const p = status.progress;
  const at = PHASES.findIndex(([ph]) => ph === p.phase);
  const fraction = p.phase === 'done' ? 1 : p.total_bytes > 0 ? p.done_bytes / p.total_bytes : null;
  const label = PHASES[at]?.[1] ?? p.phase;
  return (
    <Card title={`Restore into ${status.target}`} testId="restore-progress" actions={<Badge state={status.state} testId="restore-state" />}>
      {status.state === 'running' && <StatusWatch />}
      <ol className="phase-list">
        {PHASES.map(([ph, name], i) => (
          <li key={ph} className={i < at || status.state === 'succeeded' ? 'is-done' : i === at ? 'is-current' : ''} data-testid={`restore-phase-${ph}`}>
            {name}
          </li>
        ))}
      </ol>
      <Progress
        testId="restore-progress-bar"
        fraction={fraction}
        label={label}
        etaS={status.state === 'running' ? p.eta_s : null}
        detail={`${formatBytes(p.done_bytes)} of ${formatBytes(p.total_bytes)}, ${formatBytes(p.rate_bytes_per_s)}/s · ${p.done_files}/${p.total_files} files · ${formatCount(p.kvs)} KVs · ${formatDuration(p.elapsed_s)} elapsed`}
      />
      {status.error && (
        <div className="banner banner-error" role="alert" data-testid="restore-run-error">
          <div className="banner-text">
            <strong>The restore failed</strong>
            <p>{status.error.message}</p>
            <p className="banner-hint">Run it again with the same arguments: it resumes from its checkpoint.</p>
            <code className="banner-code">{status.error.code}</code>
          </div>
        </div>
      )}
    </Card>
  );
}
