/**
 * PD's persistence: one SQLite file per cluster holding the cluster id, the TSO high-water
 * mark, the clock, stores, regions, the metadata store and service GC safepoints. Only named
 * statements run against it.
 */
import Database from 'better-sqlite3';
import type { Region } from './regions.ts';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS stores (id INTEGER PRIMARY KEY, state TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS regions (
  id INTEGER PRIMARY KEY, start BLOB NOT NULL, end_key BLOB NOT NULL,
  version INTEGER NOT NULL, conf_ver INTEGER NOT NULL, leader INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS kv (key TEXT PRIMARY KEY, value BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS service_safepoints (
  service_id TEXT PRIMARY KEY, safepoint INTEGER NOT NULL, expire_at_ms INTEGER NOT NULL);
`;

interface RegionRow {
  id: number;
  start: Buffer;
  end_key: Buffer;
  version: number;
  conf_ver: number;
  leader: number;
}

/** A service GC safepoint row. */
export interface ServiceSafePoint {
  serviceId: string;
  safepoint: bigint;
  expireAtMs: number;
}

/** The PD database of one cluster. */
export class PdDb {
  private readonly db: Database.Database;
  private readonly s;

  constructor(path: string) {
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.exec(SCHEMA);
    const p = (sql: string) => this.db.prepare(sql);
    this.s = {
      metaGet: p('SELECT value FROM meta WHERE name = ?'),
      metaPut: p('INSERT OR REPLACE INTO meta (name, value) VALUES (?, ?)'),
      stores: p('SELECT id, state FROM stores ORDER BY id'),
      storePut: p('INSERT OR REPLACE INTO stores (id, state) VALUES (?, ?)'),
      regions: p('SELECT id, start, end_key, version, conf_ver, leader FROM regions'),
      regionPut: p('INSERT OR REPLACE INTO regions (id, start, end_key, version, conf_ver, leader) VALUES (?, ?, ?, ?, ?, ?)'),
      kvGet: p('SELECT value FROM kv WHERE key = ?'),
      kvPut: p('INSERT OR REPLACE INTO kv (key, value) VALUES (?, ?)'),
      kvDel: p('DELETE FROM kv WHERE key = ?'),
      kvScan: p('SELECT key, value FROM kv WHERE key >= ? AND key < ? ORDER BY key'),
      spAll: p('SELECT service_id, safepoint, expire_at_ms FROM service_safepoints').safeIntegers(true),
      spPut: p('INSERT OR REPLACE INTO service_safepoints (service_id, safepoint, expire_at_ms) VALUES (?, ?, ?)'),
      spDel: p('DELETE FROM service_safepoints WHERE service_id = ?'),
    };
  }

  /** Reads a metadata value. */
  getMeta(name: string): string | null {
    const r = this.s.metaGet.get(name) as { value: string } | undefined;
    return r ? r.value : null;
  }

  /** Writes a metadata value. */
  setMeta(name: string, value: string): void {
    this.s.metaPut.run(name, value);
  }

  /** Every store with its state. */
  stores(): Array<{ id: number; state: string }> {
    return this.s.stores.all() as Array<{ id: number; state: string }>;
  }

  /** Saves a store. */
  putStore(id: number, state: string): void {
    this.s.storePut.run(id, state);
  }

  /** Every region. */
  regions(): Region[] {
    return (this.s.regions.all() as RegionRow[]).map((r) => ({
      id: r.id,
      start: r.start,
      end: r.end_key,
      epoch: { version: r.version, confVer: r.conf_ver },
      leader: r.leader,
      approxKeys: 0,
      approxBytes: 0,
      qps: 0,
    }));
  }

  /** Saves regions in one transaction (a split saves both halves together). */
  putRegions(rs: Region[]): void {
    this.db.transaction(() => {
      for (const r of rs) this.s.regionPut.run(r.id, r.start, r.end, r.epoch.version, r.epoch.confVer, r.leader);
    })();
  }

  /** A metadata-store value. */
  kvGet(key: string): Buffer | null {
    const r = this.s.kvGet.get(key) as { value: Buffer } | undefined;
    return r ? r.value : null;
  }

  /** Writes a metadata-store value. */
  kvPut(key: string, value: Buffer): void {
    this.s.kvPut.run(key, value);
  }

  /** Deletes a metadata-store value. */
  kvDelete(key: string): void {
    this.s.kvDel.run(key);
  }

  /** Metadata-store entries whose key starts with prefix, in key order. */
  kvScan(prefix: string): Array<{ key: string; value: Buffer }> {
    return this.s.kvScan.all(prefix, prefix + '\uffff') as Array<{ key: string; value: Buffer }>;
  }

  /** Every service safepoint. */
  serviceSafePoints(): ServiceSafePoint[] {
    return (this.s.spAll.all() as Array<{ service_id: string; safepoint: bigint; expire_at_ms: bigint }>).map((r) => ({
      serviceId: r.service_id,
      safepoint: r.safepoint,
      expireAtMs: Number(r.expire_at_ms),
    }));
  }

  /** Saves a service safepoint. */
  putServiceSafePoint(sp: ServiceSafePoint): void {
    this.s.spPut.run(sp.serviceId, sp.safepoint, sp.expireAtMs);
  }

  /** Removes a service safepoint. */
  deleteServiceSafePoint(serviceId: string): void {
    this.s.spDel.run(serviceId);
  }

  /** Runs fn in one transaction. */
  txn<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  /** Closes the database. */
  close(): void {
    this.db.close();
  }
}
