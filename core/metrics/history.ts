/**
 * Metric history in SQLite (the host's `metrics.db`): every sample of every series, stamped
 * with cluster time, kept raw for the last hours and downsampled with age (the last value of
 * each bucket, which keeps counters monotonic for rate() and gauges exact at bucket ends), so
 * that charts and alerts cover days while the file stays bounded.
 */
import Database from 'better-sqlite3';
import type { Labels, MetricValue } from './cluster-metrics.ts';

/** A tier of the history: samples at `resolutionMs` (0 = raw), kept for `retentionMs`. */
export interface HistoryTier {
  resolutionMs: number;
  retentionMs: number;
}

// Raw samples for 6 h of cluster time (the alert rules look back 12 h at most through the
// 1-minute tier), 1-minute buckets for 3 days, 10-minute buckets for 60 days, then gone.
export const DEFAULT_TIERS: readonly HistoryTier[] = [
  { resolutionMs: 0, retentionMs: 6 * 3600_000 },
  { resolutionMs: 60_000, retentionMs: 3 * 86400_000 },
  { resolutionMs: 600_000, retentionMs: 60 * 86400_000 },
];

/** One stored series with its points in time order. */
export interface StoredSeries {
  name: string;
  labels: Labels;
  points: Array<[number, number]>;
}

/** The SQLite history of every cluster of a host. */
export class MetricsHistory {
  private readonly db: Database.Database;
  private readonly seriesIds = new Map<string, number>();
  private readonly s;

  constructor(
    path: string,
    private readonly tiers: readonly HistoryTier[] = DEFAULT_TIERS,
  ) {
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS series (id INTEGER PRIMARY KEY, cluster TEXT NOT NULL, name TEXT NOT NULL, labels TEXT NOT NULL, UNIQUE (cluster, name, labels));
      CREATE TABLE IF NOT EXISTS samples (series INTEGER NOT NULL, tier INTEGER NOT NULL, t INTEGER NOT NULL, v REAL NOT NULL, PRIMARY KEY (series, tier, t)) WITHOUT ROWID;
      CREATE INDEX IF NOT EXISTS samples_by_time ON samples (tier, t);
      CREATE TABLE IF NOT EXISTS sample_times (cluster TEXT NOT NULL, tier INTEGER NOT NULL, t INTEGER NOT NULL, PRIMARY KEY (cluster, tier, t)) WITHOUT ROWID;
    `);
    this.s = {
      findSeries: this.db.prepare<[string, string, string], { id: number }>('SELECT id FROM series WHERE cluster = ? AND name = ? AND labels = ?'),
      addSeries: this.db.prepare('INSERT INTO series (cluster, name, labels) VALUES (?, ?, ?)'),
      addSample: this.db.prepare('INSERT OR REPLACE INTO samples (series, tier, t, v) VALUES (?, 0, ?, ?)'),
      addTime: this.db.prepare('INSERT OR REPLACE INTO sample_times (cluster, tier, t) VALUES (?, 0, ?)'),
      lastTime: this.db.prepare<[string], { t: number | null }>('SELECT max(t) AS t FROM sample_times WHERE cluster = ?'),
      seriesOf: this.db.prepare<[string, string], { id: number; labels: string }>('SELECT id, labels FROM series WHERE cluster = ? AND name = ?'),
      points: this.db.prepare<[number, number, number], { t: number; v: number }>('SELECT t, v FROM samples WHERE series = ? AND t >= ? AND t <= ? ORDER BY t'),
      times: this.db.prepare<[string, number, number], { t: number }>('SELECT t FROM sample_times WHERE cluster = ? AND t >= ? AND t <= ? ORDER BY t'),
      deleteCluster: this.db.prepare('DELETE FROM series WHERE cluster = ?'),
    };
  }

  private seriesId(cluster: string, name: string, labels: Labels): number {
    const text = JSON.stringify(Object.fromEntries(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))));
    const key = `${cluster}\u0000${name}\u0000${text}`;
    let id = this.seriesIds.get(key);
    if (id === undefined) {
      id = this.s.findSeries.get(cluster, name, text)?.id ?? Number(this.s.addSeries.run(cluster, name, text).lastInsertRowid);
      this.seriesIds.set(key, id);
    }
    return id;
  }

  /** Records one sample of every value of a cluster at cluster time `t`, then downsamples. */
  record(cluster: string, t: number, values: MetricValue[]): void {
    this.db.transaction(() => {
      for (const v of values) if (Number.isFinite(v.value)) this.s.addSample.run(this.seriesId(cluster, v.metricName, v.labels), t, v.value);
      this.s.addTime.run(cluster, t);
      this.compact(cluster, t);
    })();
  }

  /** Moves samples older than each tier's retention into the next tier (or drops them). */
  private compact(cluster: string, now: number): void {
    const ids = `(SELECT id FROM series WHERE cluster = @cluster)`;
    for (let i = 0; i < this.tiers.length; i++) {
      const next = this.tiers[i + 1];
      const res = next?.resolutionMs ?? 1;
      // Aligned to the next tier's buckets: only whole buckets move, and each moves once.
      const cutoff = Math.floor((now - this.tiers[i]!.retentionMs) / res) * res;
      const p = { cluster, tier: i, cutoff, res };
      if (next) {
        // SQLite's bare column with max(): v is the value of the bucket's last sample. The
        // bucket number is cast because bound JS numbers may arrive as REAL (t / res fractional).
        this.db.prepare(`INSERT OR REPLACE INTO samples (series, tier, t, v) SELECT series, @tier + 1, max(t), v FROM samples WHERE tier = @tier AND t < @cutoff AND series IN ${ids} GROUP BY series, CAST(t / @res AS INTEGER)`).run(p);
        this.db.prepare(`INSERT OR REPLACE INTO sample_times (cluster, tier, t) SELECT cluster, @tier + 1, max(t) FROM sample_times WHERE cluster = @cluster AND tier = @tier AND t < @cutoff GROUP BY CAST(t / @res AS INTEGER)`).run(p);
      }
      this.db.prepare(`DELETE FROM samples WHERE tier = @tier AND t < @cutoff AND series IN ${ids}`).run({ tier: i, cutoff, cluster });
      this.db.prepare('DELETE FROM sample_times WHERE cluster = @cluster AND tier = @tier AND t < @cutoff').run({ tier: i, cutoff, cluster });
    }
  }

  /** Cluster time of a cluster's newest sample, or null. */
  lastSampleAt(cluster: string): number | null {
    return this.s.lastTime.get(cluster)?.t ?? null;
  }

  /** The times at which a cluster was sampled in [from, to] (every tier). */
  sampleTimes(cluster: string, from: number, to: number): number[] {
    return this.s.times.all(cluster, from, to).map((r) => r.t);
  }

  /** Every series of a metric (an exposed name: `x`, `x_bucket`, ...) with its points in [from, to]. */
  series(cluster: string, name: string, from: number, to: number): StoredSeries[] {
    return this.s.seriesOf.all(cluster, name).map((s) => ({
      name,
      labels: JSON.parse(s.labels) as Labels,
      points: this.s.points.all(s.id, from, to).map((p): [number, number] => [p.t, p.v]),
    })).filter((s) => s.points.length > 0);
  }

  /** Rows stored (for tests and the bound). */
  counts(): { series: number; samples: number } {
    const one = (sql: string) => (this.db.prepare(sql).get() as { n: number }).n;
    return { series: one('SELECT count(*) AS n FROM series'), samples: one('SELECT count(*) AS n FROM samples') };
  }

  /** Forgets a destroyed cluster. */
  dropCluster(cluster: string): void {
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM samples WHERE series IN (SELECT id FROM series WHERE cluster = ?)').run(cluster);
      this.db.prepare('DELETE FROM sample_times WHERE cluster = ?').run(cluster);
      this.s.deleteCluster.run(cluster);
    })();
    for (const k of [...this.seriesIds.keys()]) if (k.startsWith(`${cluster}\u0000`)) this.seriesIds.delete(k);
  }

  /** Closes the database. */
  close(): void {
    this.db.close();
  }
}
