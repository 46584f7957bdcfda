/**
 * The on-disk layout of a store: TiKV's three column families as SQLite tables, and the row
 * shapes read from them. Shared by the MVCC engine and the readers built on it (snapshot backup).
 */
import type { MutationOp } from './protocol.ts';

/** Write record types, as in TiKV's WriteType. */
export const WriteType = { Put: 'P', Delete: 'D', Lock: 'L', Rollback: 'R' } as const;


/** A row of the lock CF. */
export interface LockRow {
  key: Buffer;
  primary_key: Buffer;
  start_ts: bigint;
  ttl: bigint;
  op: MutationOp;
  short_value: Buffer | null;
}

/** A row of the write CF. */
export interface WriteRow {
  key: Buffer;
  commit_ts: bigint;
  start_ts: bigint;
  type: string;
  short_value: Buffer | null;
}

/** The tables of one store. */
export const SCHEMA = `
CREATE TABLE IF NOT EXISTS cf_default (
  key BLOB NOT NULL, start_ts INTEGER NOT NULL, value BLOB NOT NULL,
  PRIMARY KEY (key, start_ts)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS cf_write (
  key BLOB NOT NULL, commit_ts INTEGER NOT NULL, start_ts INTEGER NOT NULL, type TEXT NOT NULL,
  short_value BLOB, PRIMARY KEY (key, commit_ts)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS cf_lock (
  key BLOB PRIMARY KEY, primary_key BLOB NOT NULL, start_ts INTEGER NOT NULL, ttl INTEGER NOT NULL,
  op TEXT NOT NULL, short_value BLOB) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS cf_lock_by_ts ON cf_lock (start_ts);
CREATE TABLE IF NOT EXISTS store_meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
`;
