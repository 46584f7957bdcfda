/** The Monitoring page: the Backup Log panels (recharts), the six alert rules' states, the exports. */
import { useEffect } from 'react';
import { EXPORT_KINDS } from '../../core/contract/index.ts';
import type { AlertInfo, ExportKind } from '../../core/contract/index.ts';
import { Badge, Button, Card, Empty, ErrorBanner, PageHeader } from '../components/index.ts';
import { formatDateTime } from '../lib/format.ts';
import { useClusterStore } from '../state/cluster.ts';
import { exportFile, followMetricsPushes, RANGES, refreshMonitoring, setRange, useMonitoringStore } from '../state/monitoring.ts';
import { clearOp, useOp } from '../state/ops.ts';
import { useWatch } from '../state/poll.ts';
import { PanelChart } from './monitoring-chart.tsx';

// History samples land every few seconds; the charts need not move faster.
const REFRESH_MS = 5000;

const EXPORT_LABELS: Record<ExportKind, string> = {
  'alert-rules': 'Prometheus alert rules',
  'grafana-dashboard': 'Grafana dashboard',
  'grafana-snapshot': 'Grafana snapshot (this range)',
};

function AlertRow({ alert }: { alert: AlertInfo }) {
  return (
    <div className="alert-row" data-testid={`monitoring-alert-${alert.name}`}>
      <div>
        <strong>{alert.name}</strong> <span className="muted">({alert.severity})</span>
        <div className="muted">{alert.description}</div>
        <code className="muted">
          {alert.expr} for {alert.for_seconds}s
        </code>
      </div>
      <div className="num">
        <Badge state={alert.state} testId={`monitoring-alert-state-${alert.name}`} />
        {alert.active_since_ms !== null && <div className="muted">since {formatDateTime(new Date(alert.active_since_ms))}</div>}
      </div>
    </div>
  );
}

function Exports() {
  const exported = useMonitoringStore((s) => s.exported);
  const ops: Record<ExportKind, ReturnType<typeof useOp>> = {
    'alert-rules': useOp('monitoring:export-alert-rules'),
    'grafana-dashboard': useOp('monitoring:export-grafana-dashboard'),
    'grafana-snapshot': useOp('monitoring:export-grafana-snapshot'),
  };
  const error = EXPORT_KINDS.map((k) => ops[k].error).find((e) => e !== null) ?? null;
  return (
    <Card title="Exports" testId="monitoring-exports">
      <div className="row">
        {EXPORT_KINDS.map((k) => (
          <Button key={k} onClick={() => void exportFile(k)} busy={ops[k].busy} data-testid={`monitoring-export-${k}`}>
            {EXPORT_LABELS[k]}
          </Button>
        ))}
      </div>
      {exported && <p className="muted" data-testid="monitoring-export-done">Saved {exported}.</p>}
      <ErrorBanner error={error} title="The export failed" onDismiss={() => EXPORT_KINDS.forEach((k) => clearOp(`monitoring:export-${k}`))} testId="monitoring-export-error" />
    </Card>
  );
}

/** The Monitoring page. */
export function MonitoringPage() {
  const current = useClusterStore((s) => s.current);
  const { panels, history, alerts, rangeKey } = useMonitoringStore();
  const error = useOp('monitoring:refresh').error;
  useWatch('monitoring:refresh', refreshMonitoring, REFRESH_MS, [current, rangeKey]);
  useEffect(() => followMetricsPushes(), []);
  return (
    <>
      <PageHeader
        title="Monitoring"
        lead="The Backup Log panels of TiKV's Grafana dashboard, drawn from the recorded history, and the six recommended alert rules evaluated in the app."
        actions={
          <div className="row">
            {RANGES.map((r) => (
              <Button key={r.key} kind={r.key === rangeKey ? 'primary' : 'ghost'} onClick={() => setRange(r.key)} data-testid={`monitoring-range-${r.key}`}>
                {r.label}
              </Button>
            ))}
          </div>
        }
      />
      {!current && <Empty>Create a cluster on the Cluster page first.</Empty>}
      <ErrorBanner error={error} title="Could not read the metrics" onDismiss={() => clearOp('monitoring:refresh')} testId="monitoring-error" />
      {current && (
        <>
          <Card title="Alerts" testId="monitoring-alerts">
            {alerts === null ? <Empty>Evaluating the rules…</Empty> : alerts.alerts.map((a) => <AlertRow key={a.name} alert={a} />)}
          </Card>
          <div className="grid-2">
            {panels.map((p) => (
              <PanelChart key={p.id} panel={p} series={history?.series.filter((s) => s.panel_id === p.id) ?? []} />
            ))}
          </div>
          <Exports />
        </>
      )}
    </>
  );
}
