/**
 * The pages of the app, in the order of the navigation. A page registers by adding one entry
 * here: its id (the hash route `#/<id>` and the prefix of its data-testids) and its component.
 */
import type { ComponentType } from 'react';
import { ClusterPage } from '../pages/cluster-page.tsx';
import { LogBackupPage } from '../pages/logbackup-page.tsx';
import { SnapshotsPage } from '../pages/snapshots-page.tsx';
import { BrowserPage } from '../pages/browser-page.tsx';
import { RestorePage } from '../pages/restore-page.tsx';
import { MonitoringPage } from '../pages/monitoring-page.tsx';

/** One page of the navigation. */
export interface Route {
  id: string;
  label: string;
  /** One line under the label, in TiDB's words. */
  blurb: string;
  Page: ComponentType;
}

/** Every page. */
export const ROUTES: readonly Route[] = [
  { id: 'cluster', label: 'Cluster', blurb: 'PD, TiKV stores, regions, TSO', Page: ClusterPage },
  { id: 'logbackup', label: 'Log backup', blurb: 'br log start / status / truncate', Page: LogBackupPage },
  { id: 'snapshots', label: 'Snapshots', blurb: 'br backup full, schedules', Page: SnapshotsPage },
  { id: 'browser', label: 'Backup browser', blurb: 'files, metadata, checksums', Page: BrowserPage },
  { id: 'restore', label: 'Restore', blurb: 'br restore point', Page: RestorePage },
  { id: 'monitoring', label: 'Monitoring', blurb: 'Backup Log panels, alerts', Page: MonitoringPage },
];

/** The page shown for an unknown or empty route. */
export const DEFAULT_ROUTE = 'cluster';
