/**
 * Snapshot schedules and the history of runs, kept by the host in `<dataDir>/host.db`
 * (better-sqlite3). Only named prepared statements run here, and the schema is migrated on open
 * from the version recorded in `schema_version` (one row per component, since other parts of
 * the host may keep their own tables in the same file).
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import type { BackupRunInfo, BackupRunState } from '../contract/snapshot.ts';
import { ErrorCode, PitrError } from '../errors.ts';

const COMPONENT = 'snapshot';

// Each entry moves the schema from the previous version to its index + 1; never edit one that
// shipped, add another.
const MIGRATIONS: readonly string[] = [
  `CREATE TABLE snapshot_schedules (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     cluster TEXT NOT NULL,
     cron TEXT NOT NULL,
     storage TEXT NOT NULL,
     enabled INTEGER NOT NULL DEFAULT 1,
     created_at TEXT NOT NULL);
   CREATE TABLE snapshot_runs (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     schedule_id INTEGER,
     cluster TEXT NOT NULL,
     started_at TEXT NOT NULL,
     finished_at TEXT,
     state TEXT NOT NULL CHECK (state IN ('running', 'succeeded', 'failed', 'skipped')),
     backup_ts TEXT,
     storage TEXT NOT NULL,
     kvs INTEGER,
     bytes INTEGER,
     error TEXT);
   CREATE INDEX snapshot_runs_by_cluster ON snapshot_runs (cluster, id);`,
];

const STATEMENTS = {
  insertSchedule: 'INSERT INTO snapshot_schedules (cluster, cron, storage, enabled, created_at) VALUES (@cluster, @cron, @storage, 1, @created_at)',
  schedulesOf: 'SELECT * FROM snapshot_schedules WHERE cluster = ? ORDER BY id',
  allSchedules: 'SELECT * FROM snapshot_schedules WHERE enabled = 1 ORDER BY id',
  deleteSchedule: 'DELETE FROM snapshot_schedules WHERE id = ? AND cluster = ?',
  insertRun: `INSERT INTO snapshot_runs (schedule_id, cluster, started_at, finished_at, state, backup_ts, storage, error)
              VALUES (@schedule_id, @cluster, @started_at, @finished_at, @state, NULL, @storage, @error)`,
  finishRun: `UPDATE snapshot_runs SET finished_at = @finished_at, state = @state, backup_ts = @backup_ts, kvs = @kvs, bytes = @bytes, error = @error
              WHERE id = @id`,
  runsOf: 'SELECT * FROM snapshot_runs WHERE cluster = ? ORDER BY id DESC LIMIT ?',
  abandonRuns: "UPDATE snapshot_runs SET state = 'failed', error = ?, finished_at = started_at WHERE state = 'running'",
  getVersion: 'SELECT version FROM schema_version WHERE component = ?',
  setVersion: 'INSERT OR REPLACE INTO schema_version (component, version) VALUES (?, ?)',
} as const;

/** A schedule row. */
export interface ScheduleRow {
  id: number;
  cluster: string;
  cron: string;
  storage: string;
  enabled: number;
  created_at: string;
}

/** A run row: stored exactly as the contract shows it. */
export type RunRow = BackupRunInfo;

/** How a run ended. */
export interface RunEnd {
  finished_at: string;
  state: Exclude<BackupRunState, 'running'>;
  backup_ts: string | null;
  kvs: number | null;
  bytes: number | null;
  error: string | null;
}

type Statements = { [K in keyof typeof STATEMENTS]: Database.Statement };

/** The schedules and runs of a host. */
export class ScheduleDb {
  private readonly db: Database.Database;
  private readonly s: Statements;

  /** Opens (creating and migrating) `<dataDir>/host.db`. */
  constructor(dataDir: string) {
    this.db = new Database(join(dataDir, 'host.db'));
    this.db.pragma('journal_mode = WAL');
    this.db.exec('CREATE TABLE IF NOT EXISTS schema_version (component TEXT PRIMARY KEY, version INTEGER NOT NULL)');
    this.migrate();
    this.s = Object.fromEntries(Object.entries(STATEMENTS).map(([k, sql]) => [k, this.db.prepare(sql)])) as Statements;
    // A run still "running" was cut short when the host stopped: say so instead of showing it forever.
    this.s.abandonRuns.run('the host stopped while this backup was running; its folder holds an incomplete backup');
  }

  private migrate(): void {
    const row = this.db.prepare(STATEMENTS.getVersion).get(COMPONENT) as { version: number } | undefined;
    const current = row?.version ?? 0;
    if (current > MIGRATIONS.length) {
      throw new PitrError(ErrorCode.Internal, `host.db holds snapshot schedules of schema version ${current}, newer than this build knows (${MIGRATIONS.length}): use a newer PiTR Studio`);
    }
    for (let v = current; v < MIGRATIONS.length; v++) {
      this.db.transaction(() => {
        this.db.exec(MIGRATIONS[v]!);
        this.db.prepare(STATEMENTS.setVersion).run(COMPONENT, v + 1);
      })();
    }
  }

  /** Closes the database. */
  close(): void {
    this.db.close();
  }

  /** Adds a schedule and returns it. */
  addSchedule(cluster: string, cron: string, storage: string, createdAt: string): ScheduleRow {
    const id = Number(this.s.insertSchedule.run({ cluster, cron, storage, created_at: createdAt }).lastInsertRowid);
    return { id, cluster, cron, storage, enabled: 1, created_at: createdAt };
  }

  /** A cluster's schedules. */
  schedules(cluster: string): ScheduleRow[] {
    return this.s.schedulesOf.all(cluster) as ScheduleRow[];
  }

  /** Every enabled schedule of every cluster. */
  enabledSchedules(): ScheduleRow[] {
    return this.s.allSchedules.all() as ScheduleRow[];
  }

  /** Removes a cluster's schedule; false when it has no such schedule. */
  removeSchedule(cluster: string, id: number): boolean {
    return this.s.deleteSchedule.run(id, cluster).changes > 0;
  }

  /** Records a run that starts now (or a skipped one, already finished); returns its id. */
  startRun(r: { schedule_id: number | null; cluster: string; started_at: string; storage: string; state: 'running' | 'skipped'; error?: string }): number {
    const finished = r.state === 'skipped' ? r.started_at : null;
    return Number(this.s.insertRun.run({ ...r, finished_at: finished, error: r.error ?? null }).lastInsertRowid);
  }

  /** Records how a run ended. */
  finishRun(id: number, end: RunEnd): void {
    this.s.finishRun.run({ id, ...end });
  }

  /** A cluster's runs, newest first. */
  runs(cluster: string, limit: number): RunRow[] {
    return this.s.runsOf.all(cluster, limit) as RunRow[];
  }
}
