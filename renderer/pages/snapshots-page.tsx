/** The Snapshots page: run a full backup now, cron schedules in words, the history of runs. */
import { useEffect, useState } from 'react';
import { Badge, Button, Card, Empty, ErrorBanner, Field, PageHeader, Progress, Stat, TextInput } from '../components/index.ts';
import { formatBytes, formatCount, formatDateTime, formatDuration, formatTsoTime } from '../lib/format.ts';
import { useClusterStore } from '../state/cluster.ts';
import { clearOp, useOp } from '../state/ops.ts';
import { useWatch } from '../state/poll.ts';
import { followSnapshotRuns, refreshSnapshots, runSnapshot, useSnapshotsStore } from '../state/snapshots.ts';
import type { SnapshotRunStatus } from '../../core/contract/index.ts';
import { SchedulesCard } from './snapshots-schedules.tsx';

// History rows appear when a scheduled run starts: poll it at a gentle pace.
const REFRESH_MS = 2000;

/** Seconds since `since`, ticking while a run goes (for the progress line). */
function useElapsed(since: number | null): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (since === null) return;
    const t = setInterval(() => setNow(Date.now()), 250);
    return () => clearInterval(t);
  }, [since]);
  return since === null ? 0 : Math.max(0, (now - since) / 1000);
}

/** A run's progress by regions, as br's bar counts them, with the data so far and the ETA. */
function RunProgress({ run }: { run: SnapshotRunStatus }) {
  const p = run.progress;
  const by = run.schedule_id === null ? '' : ` (schedule ${run.schedule_id})`;
  return (
    <Progress
      fraction={p.fraction}
      etaS={p.eta_s}
      label={`Backing up every region at one TSO${by}`}
      detail={`${p.regions_done} of ${p.regions_total} regions · ${formatCount(p.kvs)} KVs · ${formatBytes(p.bytes)} · ${p.files} files · ${formatDuration(p.elapsed_s)} elapsed${p.round > 1 ? ` · attempt ${p.round}` : ''}`}
      testId="snapshots-progress"
    />
  );
}

/** `br backup full` now. */
function RunNow() {
  const [storage, setStorage] = useState('');
  const runningSince = useSnapshotsStore((s) => s.runningSince);
  const last = useSnapshotsStore((s) => s.last);
  const run = useSnapshotsStore((s) => s.run);
  const op = useOp('snapshots:run');
  const elapsed = useElapsed(runningSince);
  return (
    <Card title="Snapshot now" testId="snapshots-run-card">
      <form
        className="form-row"
        onSubmit={(e) => {
          e.preventDefault();
          void runSnapshot(storage.trim());
        }}
      >
        <Field label="Storage" hint="--storage of br backup full: a folder of its own (local:///…, or s3://…), not the log backup's">
          <TextInput value={storage} onChange={(e) => setStorage(e.target.value)} placeholder="local:///var/backups/snapshot-1" data-testid="snapshots-storage" />
        </Field>
        <Button kind="primary" type="submit" busy={op.busy} disabled={storage.trim() === ''} data-testid="snapshots-run">
          Run snapshot now
        </Button>
      </form>
      {run?.state === 'running' ? (
        <RunProgress run={run} />
      ) : (
        runningSince !== null && <Progress fraction={null} label="Backing up every region at one TSO" detail={`${formatDuration(elapsed)} elapsed`} testId="snapshots-progress" />
      )}
      {last && (
        <div className="stats" data-testid="snapshots-result">
          <Stat label="Backup ts" value={formatTsoTime(last.backup_ts).slice(11, 19)} sub={<span data-testid="snapshots-result-ts">{last.backup_ts}</span>} tone="ok" />
          <Stat label="KVs" value={formatCount(last.kvs)} sub={formatBytes(last.bytes)} />
          <Stat label="Stored" value={formatBytes(last.size)} sub={`${last.files} files`} />
          <Stat label="Duration" value={formatDuration(last.duration_s)} />
        </div>
      )}
      <ErrorBanner error={op.error} title="The snapshot failed" onDismiss={() => clearOp('snapshots:run')} testId="snapshots-run-error" />
    </Card>
  );
}

/** Past runs, manual and scheduled. */
function History() {
  const history = useSnapshotsStore((s) => s.history);
  return (
    <Card title="History" testId="snapshots-history">
      {history.length === 0 ? (
        <Empty testId="snapshots-history-empty">No snapshot yet.</Empty>
      ) : (
        <div className="table-wrap">
          <table className="table" data-testid="snapshots-history-table">
            <thead>
              <tr>
                <th>Started</th>
                <th>State</th>
                <th>By</th>
                <th>Backup ts</th>
                <th className="num">KVs</th>
                <th className="num">Size</th>
                <th>Storage</th>
              </tr>
            </thead>
            <tbody>
              {history.map((r) => (
                <tr key={r.id} data-testid={`snapshots-history-row-${r.id}`}>
                  <td>{formatDateTime(r.started_at)}</td>
                  <td>
                    <Badge state={r.state} testId={`snapshots-history-state-${r.id}`} />
                    {r.error && <span className="muted"> {r.error}</span>}
                  </td>
                  <td>{r.schedule_id === null ? 'manual' : `schedule ${r.schedule_id}`}</td>
                  <td>{r.backup_ts ? formatTsoTime(r.backup_ts) : '—'}</td>
                  <td className="num">{r.kvs === null ? '—' : formatCount(r.kvs)}</td>
                  <td className="num">{r.bytes === null ? '—' : formatBytes(r.bytes)}</td>
                  <td className="mono url" title={r.storage}>
                    {r.storage}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Card>
  );
}

/** The Snapshots page. */
export function SnapshotsPage() {
  const current = useClusterStore((s) => s.current);
  const refreshError = useOp('snapshots:refresh').error;
  useWatch('snapshots:refresh', refreshSnapshots, REFRESH_MS, [current]);
  useEffect(() => followSnapshotRuns(), []);
  return (
    <>
      <PageHeader title="Snapshots" lead="Full backups (br backup full): every region at one TSO, with checksums. A restore starts from a snapshot and replays the log after it." />
      {!current && <Empty>Create a cluster on the Cluster page first.</Empty>}
      <ErrorBanner error={refreshError} title="Could not read schedules and history" onDismiss={() => clearOp('snapshots:refresh')} testId="snapshots-refresh-error" />
      {current && (
        <>
          <RunNow />
          <SchedulesCard />
          <History />
        </>
      )}
    </>
  );
}
