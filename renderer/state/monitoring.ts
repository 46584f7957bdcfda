/**
 * The monitoring slice: the "Backup Log" panel definitions, their recorded history for the chosen
 * range, the six alert rules' states (pushed by the host when they change), and the exports.
 */
import { create } from 'zustand';
import type { AlertsResult, ExportKind, MetricsHistory, PanelInfo } from '../../core/contract/index.ts';
import { invoke, onPush } from '../client/index.ts';
import { currentCluster } from './cluster.ts';
import { failOp, runOp } from './ops.ts';

/** The ranges offered, in cluster time. */
export const RANGES = [
  { key: '15m', label: 'Last 15 minutes', ms: 15 * 60_000 },
  { key: '1h', label: 'Last hour', ms: 3600_000 },
  { key: '6h', label: 'Last 6 hours', ms: 6 * 3600_000 },
  { key: '24h', label: 'Last day', ms: 24 * 3600_000 },
  { key: '7d', label: 'Last week', ms: 7 * 86400_000 },
] as const;

/** What the monitoring slice holds. */
export interface MonitoringSlice {
  panels: PanelInfo[];
  rangeKey: (typeof RANGES)[number]['key'];
  history: MetricsHistory | null;
  alerts: AlertsResult | null;
  /** The last export saved (file name), to confirm the download. */
  exported: string | null;
}

/** The monitoring store. */
export const useMonitoringStore = create<MonitoringSlice>(() => ({ panels: [], rangeKey: '15m', history: null, alerts: null, exported: null }));

/** Loads the panel definitions (once: they are the same for every cluster). */
async function loadPanels(): Promise<PanelInfo[]> {
  const have = useMonitoringStore.getState().panels;
  if (have.length > 0) return have;
  const { panels } = await invoke('metrics:panels', {});
  useMonitoringStore.setState({ panels });
  return panels;
}

/** Refreshes the panels' history and the alert states of the current cluster. */
export async function refreshMonitoring(): Promise<void> {
  const cluster = currentCluster();
  if (cluster === null) return;
  try {
    const panels = await loadPanels();
    const range = RANGES.find((r) => r.key === useMonitoringStore.getState().rangeKey) ?? RANGES[0];
    const [history, alerts] = await Promise.all([
      invoke('metrics:history', { cluster, panels: panels.map((p) => p.id), last_ms: range.ms, max_points: 240 }),
      invoke('metrics:alerts', { cluster }),
    ]);
    if (currentCluster() === cluster) useMonitoringStore.setState({ history, alerts });
  } catch (err) {
    failOp('monitoring:refresh', err);
  }
}

/** Picks the time range of the charts. */
export function setRange(rangeKey: MonitoringSlice['rangeKey']): void {
  useMonitoringStore.setState({ rangeKey, history: null });
  void refreshMonitoring();
}

/** Exports a file (rules, dashboard, or a snapshot of the shown range) and hands it to the browser. */
export async function exportFile(kind: ExportKind): Promise<void> {
  const cluster = currentCluster() ?? undefined;
  const h = useMonitoringStore.getState().history;
  const range = kind === 'grafana-snapshot' && h ? { from: h.from_ms, to: h.to_ms } : {};
  const file = await runOp(`monitoring:export-${kind}`, () => invoke('metrics:export', { cluster, kind, ...range }));
  if (!file) return;
  const url = URL.createObjectURL(new Blob([file.content], { type: file.content_type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = file.filename;
  a.click();
  // The click starts the download synchronously; the URL can go right after.
  setTimeout(() => URL.revokeObjectURL(url), 0);
  useMonitoringStore.setState({ exported: file.filename });
}

/** Starts following the host's metrics pushes (alerts as they change). Called once at start. */
export function followMetricsPushes(): () => void {
  return onPush('metrics:alerts', (alerts) => {
    if (alerts.cluster === currentCluster()) useMonitoringStore.setState({ alerts });
  });
}
