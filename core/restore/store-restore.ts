/**
 * The restore executor of a store (TiKV's import/restore side): writes backed-up MVCC records
 * of the regions it leads, keeping their original commit and start ts, so that the restored
 * cluster reads exactly what the source read at the restored ts.
 */
import type { MvccStore } from '../cluster/store/mvcc.ts';
import type { CfRow, RegionCtx } from '../cluster/store/protocol.ts';
import type { RegionGuard } from '../cluster/store/region-guard.ts';

/** One record to restore (the kv-file entry plus its column family). */
export interface RestoreEntry {
  cf: 'write' | 'default';
  key: Uint8Array;
  ts: bigint;
  startTs: bigint;
  type: 'P' | 'D';
  value: Uint8Array;
}

/** The restore handlers of a store. */
export function restoreStoreHandlers(mvcc: MvccStore, guard: RegionGuard) {
  return {
    restoreApply: (a: { ctx: RegionCtx; entries: RestoreEntry[] }) => {
      const region = guard.check(a.ctx, a.entries.map((e) => e.key));
      const rows: CfRow[] = a.entries.map((e) =>
        e.cf === 'write'
          ? { cf: 'write', key: e.key, ts: e.ts, startTs: e.startTs, type: e.type, value: e.value }
          : { cf: 'default', key: e.key, ts: e.startTs, startTs: e.startTs, type: '', value: e.value },
      );
      mvcc.importRows(rows);
      // Restored data counts toward the region's size, so PD splits big regions as they fill.
      const writes = a.entries.filter((e) => e.cf === 'write');
      guard.addSize(region, writes.length, a.entries.reduce((n, e) => n + e.key.length + e.value.length, 0));
      return rows.length;
    },
  };
}
