/**
 * The Restore page (br restore point): choose the log and snapshot storages, load the timeline,
 * pick a point (clamped to what can be restored, with the reason when refused), see the plan,
 * restore into a new cluster with phased progress and ETA, then the verification report.
 *
 * data-testids (the e2e journey selects by these):
 *   restore-log-storage, restore-snapshot-storage, restore-suggest, restore-load,
 *   restore-timeline-error(-message), restore-problems,
 *   timeline (+ timeline-canvas [data-view-start-ms, data-view-span-ms], timeline-input,
 *   timeline-go, timeline-input-error, timeline-zoom-in, timeline-zoom-out, timeline-fit,
 *   timeline-latest, timeline-hover, timeline-legend),
 *   restore-picked-ts (the TSO), restore-picked-time, restore-picked-snapshot, restore-refusal,
 *   restore-window-earliest, restore-window-latest, restore-window-files,
 *   restore-target, restore-new-target, restore-plan-button, restore-plan, restore-plan-error(-message),
 *   restore-plan-snapshot, restore-plan-files, restore-plan-bytes, restore-plan-kvs, restore-plan-eta,
 *   restore-start, restore-start-error(-message), restore-progress, restore-progress-bar(-percent),
 *   restore-state, restore-phase-<phase>, restore-run-error,
 *   restore-verification, restore-verification-verdict (PASSED | FAILED), restore-verification-table,
 *   restore-table-row-<table>, restore-source-comparison, restore-verify-again, restore-verify-error.
 */
import { Button, Card, Empty, ErrorBanner, Field, PageHeader, Stat, TextInput } from '../components/index.ts';
import { formatCount } from '../lib/format.ts';
import { loadTimeline, pickPoint, setRestoreField, suggestStorages, useRestoreStore } from '../state/restore.ts';
import { useClusterStore } from '../state/cluster.ts';
import { clearOp, useOp } from '../state/ops.ts';
import { Timeline } from '../timeline/timeline.tsx';
import { formatTsText } from '../timeline/tso-text.ts';
import { PlanCard, ProgressCard } from './restore-run.tsx';
import { VerificationCard } from './restore-verification.tsx';

/** Where the backups are. */
function StoragesCard() {
  const logStorage = useRestoreStore((s) => s.logStorage);
  const snapshotStorage = useRestoreStore((s) => s.snapshotStorage);
  const cluster = useClusterStore((s) => s.current);
  const load = useOp('restore:timeline');
  const suggest = useOp('restore:suggest');
  return (
    <Card
      title="Backups to restore from"
      testId="restore-storages"
      actions={
        cluster && (
          <Button onClick={() => void suggestStorages()} busy={suggest.busy} data-testid="restore-suggest">
            Use the backups of {cluster}
          </Button>
        )
      }
    >
      <form
        className="form"
        onSubmit={(e) => {
          e.preventDefault();
          void loadTimeline();
        }}
      >
        <Field label="Log backup storage (-s)" hint="local:///abs/path/backup-<id>/log-backup or s3://bucket/prefix?endpoint=…&access-key=…">
          <TextInput value={logStorage} onChange={(e) => setRestoreField('logStorage', e.target.value)} placeholder="local:///backups/backup-1/log-backup" data-testid="restore-log-storage" />
        </Field>
        <Field label="Snapshot storage (--full-backup-storage)" hint="one snapshot's folder, or the folder holding several (backup-<id>); every snapshot found is drawn">
          <TextInput value={snapshotStorage} onChange={(e) => setRestoreField('snapshotStorage', e.target.value)} placeholder="local:///backups/backup-1" data-testid="restore-snapshot-storage" />
        </Field>
        <div>
          <Button kind="primary" type="submit" busy={load.busy} disabled={logStorage.trim() === ''} data-testid="restore-load">
            Load timeline
          </Button>
        </div>
      </form>
      <ErrorBanner error={suggest.error} title="Could not find the cluster's backups" onDismiss={() => clearOp('restore:suggest')} testId="restore-suggest-error" />
      <ErrorBanner error={load.error} title="Could not read the backups" onDismiss={() => clearOp('restore:timeline')} testId="restore-timeline-error" />
    </Card>
  );
}

/** The timeline, the picked point and why a point was refused. */
function TimelineCard() {
  const timeline = useRestoreStore((s) => s.timeline);
  const model = useRestoreStore((s) => s.model);
  const picked = useRestoreStore((s) => s.picked);
  const refusal = useRestoreStore((s) => s.refusal);
  const snapshot = useRestoreStore((s) => s.snapshot);
  if (!timeline || !model) {
    return (
      <Card title="Timeline" testId="restore-timeline-card">
        <Empty testId="restore-timeline-empty">Load the timeline of a log backup to pick a restore point.</Empty>
      </Card>
    );
  }
  const earliest = timeline.earliest_restorable_ts ?? model.window.snapshots[0]?.ts.toString() ?? null;
  return (
    <Card title="Timeline" testId="restore-timeline-card">
      <div className="stats">
        <Stat label="Earliest restorable" value={<span data-testid="restore-window-earliest">{earliest ? formatTsText(BigInt(earliest)) : '—'}</span>} />
        <Stat label="Latest restorable" value={<span data-testid="restore-window-latest">{formatTsText(BigInt(timeline.log_max_ts))}</span>} sub="the log backup's global checkpoint" />
        <Stat label="Log files" value={<span data-testid="restore-window-files">{formatCount(timeline.log_files.count)}</span>} sub={`${formatCount(model.snapshots.length)} snapshots, ${model.gaps.length} gaps`} />
      </div>
      <Timeline model={model} picked={picked} onPick={pickPoint} />
      {refusal && (
        <div className="banner banner-error" role="alert" data-testid="restore-refusal">
          <div className="banner-text">
            <strong>That point cannot be restored</strong>
            <p>{refusal}</p>
            {picked !== null && <p className="banner-hint">The picker moved to the nearest restorable point instead.</p>}
          </div>
        </div>
      )}
      {picked !== null && (
        <dl className="kv">
          <dt>Restore to</dt>
          <dd data-testid="restore-picked-time">{formatTsText(picked)}</dd>
          <dt>restored-ts (TSO)</dt>
          <dd data-testid="restore-picked-ts">{picked.toString()}</dd>
          <dt>From snapshot</dt>
          <dd data-testid="restore-picked-snapshot">{snapshot ? `${formatTsText(snapshot.ts)} · ${snapshot.storage}` : '—'}</dd>
        </dl>
      )}
      {timeline.problems.length > 0 && (
        <ul className="muted" data-testid="restore-problems">
          {timeline.problems.map((p) => (
            <li key={p}>{p}</li>
          ))}
        </ul>
      )}
    </Card>
  );
}

/** The Restore page. */
export function RestorePage() {
  return (
    <>
      <PageHeader title="Restore" lead="br restore point: pick a moment on the timeline and restore it into a new, empty cluster, then prove it exact." />
      <StoragesCard />
      <TimelineCard />
      <PlanCard />
      <ProgressCard />
      <VerificationCard />
    </>
  );
}
