/**
 * Pushes from the host (STYLE.md habit 3: requests and pushes in separate maps). Served as
 * server-sent events at `GET /api/events` (token required); Electron forwards the same events
 * over IPC.
 */
import type { RestoreStatus } from './restore.ts';
import type { SnapshotRunStatus } from './snapshot.ts';
import type { MetricsEvents } from './metrics.ts';

/** Every push channel and what it carries. */
export interface ServerEvents extends MetricsEvents {
  /** A restore's phased progress (and its end, with the result or the error). */
  'restore:progress': RestoreStatus;
  /** A snapshot run's progress (manual or scheduled), and its end with the result or the error. */
  'backup:progress': SnapshotRunStatus;
}

/** A push channel name. */
export type EventChannel = keyof ServerEvents;
