/**
 * What crosses between the host and a store worker. Keys are bytes (memcomparable); on the
 * wire they are Uint8Arrays (structured clone turns Buffers into them), so both ends rewrap.
 */
import type { ErrorObject } from '../../errors.ts';

/** A region's epoch: `version` grows on split/merge, `confVer` on membership change (moves). */
export interface RegionEpoch {
  version: number;
  confVer: number;
}

/** A region as a store sees it: the key range [start, end) it leads; empty end = +infinity. */
export interface RegionMeta {
  id: number;
  start: Uint8Array;
  end: Uint8Array;
  epoch: RegionEpoch;
}

/** Which region (and which epoch of it) a request is addressed to, as in kvrpcpb.Context. */
export interface RegionCtx {
  regionId: number;
  epoch: RegionEpoch;
}

/** Mutation ops of a prewrite, as in kvrpcpb.Op. */
export type MutationOp = 'Put' | 'Delete' | 'Lock';

/** One mutation of a prewrite. */
export interface Mutation {
  op: MutationOp;
  key: Uint8Array;
  value?: Uint8Array;
}

/** A lock as reported in a KeyIsLocked error (kvrpcpb.LockInfo). */
export interface LockInfo {
  key: Uint8Array;
  primary: Uint8Array;
  startTs: bigint;
  ttl: number;
  op: MutationOp;
}

/** Outcome of CheckTxnStatus on a primary key. */
export type TxnStatus =
  | { state: 'locked'; ttl: number; lockTs: bigint }
  | { state: 'committed'; commitTs: bigint }
  | { state: 'rolledback' };

/** A key/value pair returned by a scan. */
export interface KvPair {
  key: Uint8Array;
  value: Uint8Array;
}

/** Approximate size of a region on a store, reported in heartbeats. */
export interface RegionStat {
  regionId: number;
  keys: number;
  bytes: number;
  /** Requests served since the previous report (for load-based split and hot scheduling). */
  requests: number;
}

/** A row of any column family, used to move a region between stores. */
export interface CfRow {
  cf: 'default' | 'write' | 'lock';
  key: Uint8Array;
  /** start_ts for default and lock, commit_ts for write. */
  ts: bigint;
  startTs: bigint;
  type: string;
  value: Uint8Array | null;
  primary?: Uint8Array | null;
  ttl?: number;
}

/** The one message envelope between host and worker (STYLE.md habit 5). */
export type Envelope =
  | { id: number; type: 'request'; method: string; args: unknown }
  | { id: number; type: 'reply'; result: unknown }
  | { id: number; type: 'error'; error: ErrorObject }
  | { id: 0; type: 'push'; event: string; data: unknown };

/** One sub-request of a batch, and its outcome. */
export interface SubRequest {
  method: string;
  args: unknown;
}

/** The outcome of one sub-request of a batch. */
export type SubResult = { ok: true; result: unknown } | { ok: false; error: ErrorObject };

/** Rewraps wire bytes as a Buffer without copying. */
export function buf(u: Uint8Array): Buffer {
  return Buffer.isBuffer(u) ? u : Buffer.from(u.buffer, u.byteOffset, u.byteLength);
}
