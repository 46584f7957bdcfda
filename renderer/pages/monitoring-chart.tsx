/** One "Backup Log" panel drawn with recharts from the recorded history. */
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { MetricSeries, PanelInfo, PanelUnit } from '../../core/contract/index.ts';
import { Card, Empty } from '../components/index.ts';
import { formatBytes, formatDateTime, formatDuration } from '../lib/format.ts';

// Calm, distinguishable line colours (one per series, cycling).
const COLOURS = ['#2f6fd6', '#37a57f', '#d08a2c', '#8a5cc7', '#c2413b', '#4a9fb5', '#7a8396'];

/** A value in the panel's unit. */
export function formatUnit(v: number, unit: PanelUnit): string {
  if (!Number.isFinite(v)) return '—';
  switch (unit) {
    case 'bytes':
      return formatBytes(Math.round(v));
    case 'Bps':
      return `${formatBytes(Math.round(v))}/s`;
    case 's':
      return formatDuration(v);
    case 'ms':
      return v < 1000 ? `${v.toFixed(0)} ms` : formatDuration(v / 1000);
    case 'ops':
      return `${v.toFixed(v < 10 ? 2 : 0)}/s`;
    case 'percent':
      return `${v.toFixed(1)}%`;
    case 'dateTimeAsIso':
      return v > 0 ? formatDateTime(new Date(v)).slice(5, 19) : '—';
    default:
      return Math.abs(v) >= 1000 ? v.toLocaleString('en-US', { maximumFractionDigits: 0 }) : String(Number(v.toFixed(3)));
  }
}

/** Rows of {t, <legend>: value} for recharts, one per timestamp. */
function toRows(series: MetricSeries[]): Array<Record<string, number>> {
  const rows = new Map<number, Record<string, number>>();
  for (const s of series) {
    for (const [t, v] of s.points) {
      let row = rows.get(t);
      if (!row) rows.set(t, (row = { t }));
      row[s.legend] = v;
    }
  }
  return [...rows.values()].sort((a, b) => a.t! - b.t!);
}

/** The panel card. */
export function PanelChart({ panel, series }: { panel: PanelInfo; series: MetricSeries[] }) {
  const testId = `monitoring-panel-${panel.id}`;
  if (series.length === 0 || series.every((s) => s.points.length === 0)) {
    return (
      <Card title={panel.title} testId={testId}>
        <Empty>No data in this range yet: {panel.description}</Empty>
      </Card>
    );
  }
  if (panel.kind === 'stat') {
    return (
      <Card title={panel.title} testId={testId}>
        <div className="stats">
          {series.map((s) => (
            <div key={s.legend} className="stat">
              <div className="stat-label">{s.legend}</div>
              <div className="stat-value">{formatUnit(s.points[s.points.length - 1]?.[1] ?? NaN, panel.unit)}</div>
            </div>
          ))}
        </div>
      </Card>
    );
  }
  const rows = toRows(series);
  return (
    <Card title={panel.title} testId={testId}>
      <div className="chart" title={panel.description}>
        <ResponsiveContainer width="100%" height="100%">
          <LineChart data={rows} margin={{ top: 4, right: 12, bottom: 0, left: 0 }}>
            <CartesianGrid stroke="#eceff3" vertical={false} />
            <XAxis dataKey="t" type="number" domain={['dataMin', 'dataMax']} scale="time" tickFormatter={(t: number) => formatDateTime(new Date(t)).slice(11, 16)} stroke="#9aa2b1" fontSize={11} />
            <YAxis tickFormatter={(v: number) => formatUnit(v, panel.unit)} stroke="#9aa2b1" fontSize={11} width={72} />
            <Tooltip labelFormatter={(t) => formatDateTime(new Date(Number(t)))} formatter={(v) => formatUnit(Number(v), panel.unit)} />
            <Legend wrapperStyle={{ fontSize: 12 }} />
            {series.map((s, i) => (
              <Line key={s.legend} type="monotone" dataKey={s.legend} stroke={COLOURS[i % COLOURS.length]} dot={false} strokeWidth={1.6} isAnimationActive={false} connectNulls />
            ))}
          </LineChart>
        </ResponsiveContainer>
      </div>
    </Card>
  );
}
