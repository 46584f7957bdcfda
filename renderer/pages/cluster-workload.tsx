/** The Cluster page's workload control: start a workload kind at a rate, see its figures, stop it. */
import { useState } from 'react';
import { WORKLOAD_KINDS } from '../../core/contract/index.ts';
import type { WorkloadKindName } from '../../core/contract/index.ts';
import { Badge, Button, Card, Empty, ErrorBanner, Field, Select, TextInput } from '../components/index.ts';
import { formatCount, formatDateTime } from '../lib/format.ts';
import { startWorkload, stopWorkload, useClusterStore } from '../state/cluster.ts';
import { clearOp, useOp } from '../state/ops.ts';

const KIND_HELP: Record<WorkloadKindName, string> = {
  bank: 'transfers between accounts; the total never changes (an invariant a restore must keep)',
  insert: 'new rows',
  update: 'updates of existing rows',
  delete: 'deletes of existing rows',
  mixed: 'inserts, updates and deletes',
  ddl: 'CREATE / ALTER / DROP TABLE now and then',
  'large-txn': 'a few very large transactions',
};

/** Workload control and status. */
export function WorkloadCard() {
  const workloads = useClusterStore((s) => s.workloads);
  const [kind, setKind] = useState<WorkloadKindName>('bank');
  const [rate, setRate] = useState('');
  const start = useOp('workload:start');
  const stop = useOp('workload:stop');
  const running = workloads.filter((w) => w.state === 'running' || w.state === 'stopping');
  return (
    <Card
      title="Workload"
      testId="cluster-workload"
      actions={
        running.length > 0 && (
          <Button kind="danger" onClick={() => void stopWorkload()} busy={stop.busy} data-testid="cluster-workload-stop-all">
            Stop all
          </Button>
        )
      }
    >
      <form
        className="form-row"
        onSubmit={(e) => {
          e.preventDefault();
          void startWorkload(kind, rate.trim() === '' ? undefined : Number(rate));
        }}
      >
        <Field label="Kind" hint={KIND_HELP[kind]}>
          <Select value={kind} onChange={(e) => setKind(e.target.value as WorkloadKindName)} data-testid="cluster-workload-kind">
            {WORKLOAD_KINDS.map((k) => (
              <option key={k}>{k}</option>
            ))}
          </Select>
        </Field>
        <Field label="Target rate (txn/s)" hint="empty = the kind's default">
          <TextInput inputMode="decimal" value={rate} onChange={(e) => setRate(e.target.value)} placeholder="default" data-testid="cluster-workload-rate" />
        </Field>
        <Button kind="primary" type="submit" busy={start.busy} data-testid="cluster-workload-start">
          Start workload
        </Button>
      </form>
      <ErrorBanner error={start.error} title="Could not start the workload" onDismiss={() => clearOp('workload:start')} testId="cluster-workload-error" />
      <ErrorBanner error={stop.error} title="Could not stop the workload" onDismiss={() => clearOp('workload:stop')} testId="cluster-workload-stop-error" />
      {workloads.length === 0 ? (
        <Empty testId="cluster-workload-empty">No workload has run on this cluster yet.</Empty>
      ) : (
        <table className="table" data-testid="cluster-workload-table">
          <thead>
            <tr>
              <th>Kind</th>
              <th>State</th>
              <th className="num">Committed</th>
              <th className="num">txn/s</th>
              <th className="num">Aborted</th>
              <th className="num">Errors</th>
              <th>Started</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {workloads.map((w) => (
              <tr key={w.kind} data-testid={`cluster-workload-row-${w.kind}`}>
                <td>{w.kind}</td>
                <td>
                  <Badge state={w.state} testId={`cluster-workload-state-${w.kind}`} />
                  {w.last_error && <span className="muted"> {w.last_error}</span>}
                </td>
                <td className="num" data-testid={`cluster-workload-committed-${w.kind}`}>
                  {formatCount(w.committed)}
                </td>
                <td className="num">{w.committed_per_sec.toFixed(1)}</td>
                <td className="num">{formatCount(w.aborted)}</td>
                <td className="num">{formatCount(w.errors)}</td>
                <td>{formatDateTime(w.started_at).slice(11, 19)}</td>
                <td>
                  {w.state === 'running' && (
                    <Button kind="ghost" onClick={() => void stopWorkload(w.kind)} data-testid={`cluster-workload-stop-${w.kind}`}>
                      Stop
                    </Button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Card>
  );
}
