/**
 * The requests a store worker answers, named after TiKV's kvrpc (KvGet, KvPrewrite, ...) plus
 * the few that PD and the host need (region sizes, split keys, region moves, GC).
 */
import type { MvccStore } from './mvcc.ts';
import type { CfRow, Mutation, RegionCtx, RegionMeta } from './protocol.ts';
import type { RegionGuard } from './region-guard.ts';
import { restoreStoreHandlers } from '../../restore/store-restore.ts';
import { snapshotStoreHandlers } from '../../snapshot/store-backup.ts';

/** A store request handler: plain data in, plain data out (structured-cloneable). */
export type StoreHandler = (args: never) => unknown;

/** Builds the handler table of one store. */
export function storeHandlers(mvcc: MvccStore, guard: RegionGuard): Record<string, StoreHandler> {
  return {
    kvGet: (a: { ctx: RegionCtx; key: Uint8Array; ts: bigint }) => {
      guard.check(a.ctx, [a.key]);
      return mvcc.get(a.key, a.ts);
    },
    kvBatchGet: (a: { ctx: RegionCtx; keys: Uint8Array[]; ts: bigint }) => {
      guard.check(a.ctx, a.keys);
      return a.keys.map((k) => mvcc.get(k, a.ts));
    },
    kvScan: (a: { ctx: RegionCtx; start: Uint8Array; end: Uint8Array; ts: bigint; limit: number; keyOnly?: boolean }) => {
      guard.check(a.ctx, [a.start]);
      return mvcc.scan(a.start, a.end, a.ts, a.limit, a.keyOnly ?? false);
    },
    kvPrewrite: (a: { ctx: RegionCtx; mutations: Mutation[]; primary: Uint8Array; startTs: bigint; ttl: number }) => {
      guard.check(a.ctx, a.mutations.map((m) => m.key));
      mvcc.prewrite(a.mutations, a.primary, a.startTs, a.ttl);
      return null;
    },
    kvCommit: (a: { ctx: RegionCtx; keys: Uint8Array[]; startTs: bigint; commitTs: bigint }) => {
      const r = guard.check(a.ctx, a.keys);
      guard.addSize(r, a.keys.length, mvcc.commit(a.keys, a.startTs, a.commitTs));
      return null;
    },
    kvRollback: (a: { ctx: RegionCtx; keys: Uint8Array[]; startTs: bigint }) => {
      guard.check(a.ctx, a.keys);
      mvcc.rollback(a.keys, a.startTs);
      return null;
    },
    kvCheckTxnStatus: (a: { ctx: RegionCtx; primary: Uint8Array; lockTs: bigint; currentTs: bigint; rollbackIfNotExist?: boolean }) => {
      guard.check(a.ctx, [a.primary]);
      return mvcc.checkTxnStatus(a.primary, a.lockTs, a.currentTs, a.rollbackIfNotExist ?? true);
    },
    kvResolveLock: (a: { ctx: RegionCtx; startTs: bigint; commitTs: bigint; keys: Uint8Array[] }) => {
      guard.check(a.ctx, a.keys);
      return mvcc.resolveLock(a.startTs, a.commitTs, a.keys);
    },
    kvTxnHeartbeat: (a: { ctx: RegionCtx; primary: Uint8Array; startTs: bigint; ttl: number }) => {
      guard.check(a.ctx, [a.primary]);
      return mvcc.txnHeartbeat(a.primary, a.startTs, a.ttl);
    },
    kvScanLock: (a: { start: Uint8Array; end: Uint8Array; maxTs: bigint; limit: number }) =>
      mvcc.scanLocks(a.start, a.end, a.maxTs, a.limit),
    minLockTs: () => mvcc.minLockTs(),
    setRegions: (a: { regions: RegionMeta[] }) => {
      guard.setRegions(a.regions);
      return null;
    },
    regionStats: () => guard.stats(),
    middleKey: (a: { regionId: number }) => {
      const r = guard.get(a.regionId);
      return r ? mvcc.middleKey(r.start, r.end) : null;
    },
    exportRange: (a: { start: Uint8Array; end: Uint8Array }) => mvcc.exportRange(a.start, a.end),
    importRows: (a: { rows: CfRow[] }) => {
      mvcc.importRows(a.rows);
      return a.rows.length;
    },
    deleteRange: (a: { start: Uint8Array; end: Uint8Array }) => {
      mvcc.deleteRange(a.start, a.end);
      return null;
    },
    gc: (a: { safepoint: bigint; from: Uint8Array; limit: number }) => mvcc.gc(a.safepoint, a.from, a.limit),
    getMeta: (a: { name: string }) => mvcc.getMeta(a.name),
    setMeta: (a: { name: string; value: string }) => {
      mvcc.setMeta(a.name, a.value);
      return null;
    },
    ...snapshotStoreHandlers(mvcc, guard),
    ...restoreStoreHandlers(mvcc, guard),
  };
}
