/**
 * Grafana exports of the Backup Log panels: an importable dashboard (a Prometheus data source
 * variable, the panels' PromQL) and a snapshot document for Grafana's snapshot API
 * (`POST /api/snapshots`), the same panels with the data recorded by the app embedded as data
 * frames, so it opens without any data source.
 */
import type { PanelInfo } from '../contract/metrics.ts';
import { BACKUP_LOG_PANELS } from './panels.ts';
import type { RangeSeries } from './query.ts';
import { fillLegend } from './query.ts';

/** The dashboard's uid (stable, so a re-import replaces the previous one). */
export const DASHBOARD_UID = 'pitr-backup-log';
const DS = { type: 'prometheus', uid: '${datasource}' };
const PANEL_WIDTH = 12;
const PANEL_HEIGHT = 8;

function panelJson(p: PanelInfo, i: number): Record<string, unknown> {
  return {
    id: i + 2,
    type: p.kind === 'stat' ? 'stat' : 'timeseries',
    title: p.title,
    description: p.description,
    datasource: DS,
    gridPos: { h: PANEL_HEIGHT, w: PANEL_WIDTH, x: (i % 2) * PANEL_WIDTH, y: 1 + Math.floor(i / 2) * PANEL_HEIGHT },
    fieldConfig: { defaults: { unit: p.unit }, overrides: [] },
    options: { legend: { displayMode: 'list', placement: 'bottom', showLegend: true }, tooltip: { mode: 'multi', sort: 'none' } },
    targets: p.targets.map((t) => ({ refId: t.ref_id, expr: t.expr, legendFormat: t.legend, datasource: DS, range: true })),
  };
}

/** The importable dashboard (the `dashboard` object of Grafana's dashboard JSON model). */
export function dashboardModel(title = 'PiTR Studio / Backup Log'): Record<string, unknown> {
  return {
    uid: DASHBOARD_UID,
    title,
    tags: ['pitr', 'tikv', 'log-backup'],
    timezone: 'browser',
    editable: true,
    schemaVersion: 39,
    version: 1,
    refresh: '30s',
    time: { from: 'now-6h', to: 'now' },
    templating: {
      list: [{ name: 'datasource', label: 'Data source', type: 'datasource', query: 'prometheus', current: {}, hide: 0, refresh: 1, regex: '', options: [] }],
    },
    annotations: { list: [] },
    panels: [
      { id: 1, type: 'row', title: 'Backup Log', collapsed: false, gridPos: { h: 1, w: 24, x: 0, y: 0 }, panels: [] },
      ...BACKUP_LOG_PANELS.map(panelJson),
    ],
  };
}

/** The dashboard file: pretty JSON, importable in Grafana (Dashboards → Import). */
export function dashboardJson(): string {
  return `${JSON.stringify(dashboardModel(), null, 2)}\n`;
}

/** One panel target's recorded result. */
export interface SnapshotTargetData {
  panelId: string;
  refId: string;
  series: RangeSeries[];
}

/** A Grafana data frame of one series (the shape panels' `snapshotData` carries). */
function frame(refId: string, legend: string, s: RangeSeries): Record<string, unknown> {
  const name = fillLegend(legend, s.labels) || 'Value';
  return {
    refId,
    name,
    fields: [
      { name: 'Time', type: 'time', config: {}, values: s.points.map((p) => p[0]) },
      { name: 'Value', type: 'number', labels: s.labels, config: { displayNameFromDS: name }, values: s.points.map((p) => p[1]) },
    ],
  };
}

/** The body of `POST /api/snapshots`: the dashboard over [from, to] with the data embedded. */
export function snapshotDocument(cluster: string, from: number, to: number, data: SnapshotTargetData[]): Record<string, unknown> {
  const model = dashboardModel(`PiTR Studio / Backup Log / ${cluster}`);
  const panels = (model.panels as Array<Record<string, unknown>>).map((p, i) => {
    if (i === 0) return p;
    const info = BACKUP_LOG_PANELS[i - 1]!;
    const frames = info.targets.flatMap((t) => data.filter((d) => d.panelId === info.id && d.refId === t.ref_id).flatMap((d) => d.series.map((s) => frame(t.ref_id, t.legend, s))));
    return { ...p, snapshotData: frames };
  });
  return {
    name: `PiTR ${cluster} ${new Date(from).toISOString()} – ${new Date(to).toISOString()}`,
    expires: 0,
    dashboard: { ...model, uid: `${DASHBOARD_UID}-${cluster}`, panels, time: { from: new Date(from).toISOString(), to: new Date(to).toISOString() }, refresh: '', snapshot: { timestamp: new Date(to).toISOString() } },
  };
}
