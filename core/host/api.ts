/**
 * The handlers behind every API channel. Inputs arrive already validated by the channel's
 * schema; keys and timestamps are decoded here so that every client gets the same errors.
 */
import { escapeKey, isUserKey, unescapeKey, USER_KEY_RANGE, userKey, userKeyFromEncoded } from '../cluster/catalog/keys.ts';
import type { Cluster } from '../cluster/cluster.ts';
import type { Handlers } from '../contract/schemas.ts';
import type { ClusterInfo, ClusterStatus } from '../contract/types.ts';
import { ErrorCode, PitrError } from '../errors.ts';
import { formatTsIso, logicalOf, parseTs, physicalOf } from '../tso/index.ts';
import { logBackupHandlers } from './api-logbackup.ts';
import { metricsHandlers } from './api-metrics.ts';
import { browseHandlers } from './api-browse.ts';
import { restoreHandlers } from './api-restore.ts';
import { snapshotHandlers } from './api-snapshot.ts';
import type { ClusterHost } from './host.ts';

const VERSION = '0.1.0';

/** A value as text: UTF-8 when it is valid UTF-8, else escaped like a key. */
export function valueText(v: Buffer): string {
  const s = v.toString('utf8');
  return Buffer.from(s, 'utf8').equals(v) ? s : escapeKey(v);
}

function encodeKey(key: string, raw: boolean): Buffer {
  return raw ? unescapeKey(key) : userKey(Buffer.from(key, 'utf8'));
}

function showKey(key: Buffer, raw: boolean): string {
  return raw || !isUserKey(key) ? escapeKey(key) : userKeyFromEncoded(key).toString('utf8');
}

function readTs(c: Cluster, ts: string | undefined): bigint {
  const t = ts === undefined ? c.pd.tso() : parseTs(ts, 'ts');
  if (t < c.pd.gcSafePoint) {
    throw new PitrError(ErrorCode.GcTooEarly, `ts ${t} is older than the GC safepoint ${c.pd.gcSafePoint}: that history was garbage-collected; read at a later ts`);
  }
  return t;
}

function info(host: ClusterHost, c: Cluster): ClusterInfo {
  const regions = c.pd.regions.all();
  return {
    name: c.name,
    cluster_id: c.pd.clusterId.toString(),
    pd: host.pdAddress(c.name),
    stores: c.pd.stores().map((s) => {
      const led = regions.filter((r) => r.leader === s.id);
      const up = c.store(s.id).up;
      return {
        store_id: s.id,
        state: up ? s.state : 'Down',
        leader_count: led.length,
        approximate_keys: led.reduce((n, r) => n + r.approxKeys, 0),
        approximate_size: led.reduce((n, r) => n + r.approxBytes, 0),
      };
    }),
  };
}

function status(host: ClusterHost, c: Cluster): ClusterStatus {
  const now = c.pd.clock.now();
  const gc = c.scheduler.lastGc;
  return {
    ...info(host, c),
    tso: c.pd.tso().toString(),
    cluster_time: new Date(now).toISOString(),
    clock_speed: c.pd.clock.speed,
    gc_safe_point: c.pd.gcSafePoint.toString(),
    gc_life_time_s: c.pd.gcLifeTimeMs / 1000,
    service_safe_points: c.pd.serviceSafePoints().map((sp) => ({
      service_id: sp.serviceId,
      safe_point: sp.safepoint.toString(),
      expire_at: new Date(sp.expireAtMs).toISOString(),
    })),
    regions: c.pd.regions.all().map((r) => ({
      region_id: r.id,
      start_key: escapeKey(r.start),
      end_key: escapeKey(r.end),
      epoch: { version: r.epoch.version, conf_ver: r.epoch.confVer },
      leader_store_id: r.leader,
      approximate_keys: r.approxKeys,
      approximate_size: r.approxBytes,
    })),
    last_gc: gc
      ? { at: new Date(gc.at).toISOString(), safe_point: gc.safepoint.toString(), removed_versions: gc.removedVersions, resolved_locks: gc.resolvedLocks }
      : null,
    scheduler_error: c.scheduler.lastError,
  };
}

/** Builds the handler map of a host. */
export function makeHandlers(host: ClusterHost): Handlers {
  return {
    ...logBackupHandlers(host),
    ...restoreHandlers(host),
    ...snapshotHandlers(host),
    ...metricsHandlers(host),
    ...browseHandlers(host),
    'host:info': async () => ({ version: VERSION, data_dir: host.dataDir, url: host.url, clusters: host.clusters().length }),
    'cluster:create': async (i) => info(host, await host.createCluster(i.name, i.stores)),
    'cluster:list': async () => host.clusters().map((c) => info(host, c)),
    'cluster:status': async (i) => status(host, host.cluster(i.cluster)),
    'cluster:destroy': async (i) => {
      const c = host.cluster(i.cluster);
      await host.destroyCluster(c.name);
      return { name: c.name };
    },
    'cluster:set-clock': async (i) => {
      const c = host.cluster(i.cluster);
      c.pd.setClockSpeed(i.speed);
      return status(host, c);
    },
    'cluster:gc': async (i) => {
      const r = await host.cluster(i.cluster).scheduler.runGc();
      return { safe_point: r.safepoint.toString(), resolved_locks: r.resolvedLocks, removed_versions: r.removedVersions, deleted_ranges: r.deletedRanges };
    },
    'region:split': async (i) => {
      const regions = await host.cluster(i.cluster).splitAt(encodeKey(i.key, i.raw));
      return { region_ids: regions.map((r) => r.id) };
    },
    'region:transfer-leader': async (i) => {
      const c = host.cluster(i.cluster);
      c.store(i.store_id);
      const r = await c.moveRegion(i.region_id, i.store_id);
      return { region_id: r.id, store_id: r.leader };
    },
    'store:kill': async (i) => {
      await host.cluster(i.cluster).store(i.store_id).kill();
      return { store_id: i.store_id };
    },
    'txn:commit': async (i) => {
      if (i.puts.length + i.deletes.length === 0) {
        throw new PitrError(ErrorCode.InvalidArgument, 'nothing to write: give at least one --put K=V or --delete K');
      }
      const c = host.cluster(i.cluster);
      const txn = c.txn.begin();
      for (const p of i.puts) txn.put(encodeKey(p.key, false), Buffer.from(p.value, 'utf8'));
      for (const d of i.deletes) txn.delete(encodeKey(d, false));
      const r = await txn.commit(i.crash_after ? { crashAfter: i.crash_after } : {});
      return { start_ts: r.startTs.toString(), commit_ts: r.commitTs.toString() };
    },
    'kv:get': async (i) => {
      const c = host.cluster(i.cluster);
      const v = await c.txn.get(encodeKey(i.key, i.raw), readTs(c, i.ts));
      return { key: i.key, value: v === null ? null : valueText(v) };
    },
    'kv:scan': async (i) => {
      const c = host.cluster(i.cluster);
      const ts = readTs(c, i.ts);
      const start = i.start !== undefined ? encodeKey(i.start, i.raw) : i.raw ? Buffer.alloc(0) : USER_KEY_RANGE.start;
      const end = i.end !== undefined ? encodeKey(i.end, i.raw) : i.raw ? Buffer.alloc(0) : USER_KEY_RANGE.end;
      const pairs = await c.txn.scan(start, end, ts, i.limit);
      return { ts: ts.toString(), pairs: pairs.map((p) => ({ key: showKey(p.key, i.raw), value: valueText(p.value) })) };
    },
    'tso:get': async (i) => {
      const ts = host.cluster(i.cluster).pd.tso();
      return { tso: ts.toString(), physical: physicalOf(ts), logical: logicalOf(ts), time: formatTsIso(ts) };
    },
    'workload:start': async (i) => {
      const c = host.cluster(i.cluster);
      const opts = {
        ...(i.rate !== undefined ? { rate: i.rate } : {}),
        ...(i.concurrency !== undefined ? { concurrency: i.concurrency } : {}),
        ...(i.accounts !== undefined ? { accounts: i.accounts } : {}),
        ...(i.keys !== undefined ? { keys: i.keys } : {}),
        ...(i.duration_ms !== undefined ? { durationMs: i.duration_ms } : {}),
      };
      return c.workloads.start(i.kind, opts);
    },
    'workload:stop': async (i) => host.cluster(i.cluster).workloads.stop(i.kind),
    'workload:status': async (i) => host.cluster(i.cluster).workloads.status(),
  };
}
