/** Snapshot schedules: cron expressions in cluster time, shown in words; add and remove. */
import { useState } from 'react';
import { Button, Card, Empty, ErrorBanner, Field, TextInput } from '../components/index.ts';
import { formatDateTime } from '../lib/format.ts';
import { clearOp, useOp } from '../state/ops.ts';
import { addSchedule, removeSchedule, useSnapshotsStore } from '../state/snapshots.ts';

// Common choices, so that a DBA need not write cron by hand.
const PRESETS: Array<{ label: string; cron: string }> = [
  { label: 'every day at 02:00', cron: '0 2 * * *' },
  { label: 'every hour', cron: '0 * * * *' },
  { label: 'every 15 minutes', cron: '*/15 * * * *' },
  { label: 'Sundays at 03:30', cron: '30 3 * * 0' },
];

/** The schedules card. */
export function SchedulesCard() {
  const schedules = useSnapshotsStore((s) => s.schedules);
  const [cron, setCron] = useState('0 2 * * *');
  const [storage, setStorage] = useState('');
  const add = useOp('snapshots:schedule-add');
  const remove = useOp('snapshots:schedule-remove');
  return (
    <Card title="Schedules" testId="snapshots-schedules">
      <form
        className="form"
        onSubmit={(e) => {
          e.preventDefault();
          void addSchedule(cron.trim(), storage.trim());
        }}
      >
        <div className="row">
          {PRESETS.map((p) => (
            <Button key={p.cron} kind="ghost" onClick={() => setCron(p.cron)} data-testid={`snapshots-preset-${p.cron.replace(/[^0-9a-z]+/gi, '-')}`}>
              {p.label}
            </Button>
          ))}
        </div>
        <div className="form-row">
          <Field label="Cron (cluster time)" hint="minute hour day-of-month month day-of-week">
            <TextInput value={cron} onChange={(e) => setCron(e.target.value)} className="mono" data-testid="snapshots-schedule-cron" />
          </Field>
          <Field label="Base storage" hint="each run writes a new folder under it">
            <TextInput value={storage} onChange={(e) => setStorage(e.target.value)} placeholder="local:///var/backups/snapshots" data-testid="snapshots-schedule-storage" />
          </Field>
          <Button kind="primary" type="submit" busy={add.busy} disabled={cron.trim() === '' || storage.trim() === ''} data-testid="snapshots-schedule-add">
            Add schedule
          </Button>
        </div>
      </form>
      <ErrorBanner error={add.error} title="Could not add the schedule" onDismiss={() => clearOp('snapshots:schedule-add')} testId="snapshots-schedule-error" />
      <ErrorBanner error={remove.error} title="Could not remove the schedule" onDismiss={() => clearOp('snapshots:schedule-remove')} testId="snapshots-schedule-remove-error" />
      {schedules.length === 0 ? (
        <Empty testId="snapshots-schedules-empty">No schedule: snapshots run only when you start one.</Empty>
      ) : (
        <div className="table-wrap">
        <table className="table" data-testid="snapshots-schedules-table">
          <thead>
            <tr>
              <th>When</th>
              <th>Cron</th>
              <th>Next run</th>
              <th>Storage</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {schedules.map((s) => (
              <tr key={s.id} data-testid={`snapshots-schedule-row-${s.id}`}>
                <td data-testid={`snapshots-schedule-desc-${s.id}`}>{s.description}</td>
                <td className="mono">{s.cron}</td>
                <td>{s.next_run ? formatDateTime(s.next_run) : '—'}</td>
                <td className="mono url" title={s.storage}>
                  {s.storage}
                </td>
                <td>
                  <Button kind="ghost" onClick={() => void removeSchedule(s.id)} data-testid={`snapshots-schedule-remove-${s.id}`}>
                    Remove
                  </Button>
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
