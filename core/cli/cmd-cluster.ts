/** `pitr cluster create|list|status|destroy|clock|gc`, `pitr region ...`, `pitr store kill`. */
import type { ClusterInfo, ClusterStatus } from '../contract/types.ts';
import { ErrorCode, PitrError } from '../errors.ts';
import { resolveDataDir } from '../host/data-dir.ts';
import { intFlag, numberFlag, parseFlags, required } from './args.ts';
import { call, hostEndpoint, pdEndpoint } from './client.ts';
import type { Endpoint } from './client.ts';
import { emit, stdIo, table } from './output.ts';

/** Help text of the cluster commands. */
export const CLUSTER_HELP = `pitr cluster create [--name N] [--stores 3]   create and start a new cluster
pitr cluster list                             the clusters of the running host
pitr cluster status (--pd A | --name N)       stores, regions, TSO, GC safepoint
pitr cluster destroy (--pd A | --name N) -y   stop a cluster and delete its data
pitr cluster clock --pd A --speed X           run the cluster clock X times faster than real time
pitr cluster gc --pd A                        run GC now (advance the safepoint, drop old versions)
pitr region split --pd A --key K [--raw]      split the region holding K at K
pitr region transfer-leader --pd A --region R --store S
pitr store kill --pd A --store S              kill a store worker (it restarts, as a crashed TiKV would)`;

const target = { pd: { type: 'string' }, name: { type: 'string' } } as const;

/** The endpoint and cluster name a cluster-scoped command talks to. */
function resolveTarget(cmd: string, values: { pd?: string; name?: string; 'data-dir'?: string }): { ep: Endpoint; cluster?: string } {
  const dataDir = resolveDataDir(values['data-dir']);
  if (values.pd !== undefined) return { ep: pdEndpoint(values.pd, dataDir) };
  if (values.name !== undefined) return { ep: hostEndpoint(dataDir), cluster: values.name };
  throw new PitrError(ErrorCode.InvalidArgument, `\`pitr ${cmd}\` needs --pd 127.0.0.1:PORT or --name N; see \`pitr cluster list\``);
}

function describe(c: ClusterInfo): string {
  return [
    `cluster "${c.name}"`,
    `  cluster id: ${c.cluster_id}`,
    `  PD:         ${c.pd}`,
    `  stores:     ${c.stores.map((s) => `${s.store_id} (${s.state}, ${s.leader_count} leaders)`).join(', ')}`,
  ].join('\n');
}

function describeStatus(s: ClusterStatus): string {
  const regions = table(
    ['REGION', 'START', 'END', 'VERSION', 'CONF_VER', 'LEADER', 'KEYS'],
    s.regions.map((r) => [r.region_id, r.start_key || '""', r.end_key || '+inf', r.epoch.version, r.epoch.conf_ver, r.leader_store_id, r.approximate_keys]),
  );
  return [
    describe(s),
    `  TSO:        ${s.tso} (${s.cluster_time}, clock speed ${s.clock_speed}x)`,
    `  GC safepoint: ${s.gc_safe_point} (gc life time ${s.gc_life_time_s}s)`,
    ...s.service_safe_points.map((sp) => `  service safepoint ${sp.service_id}: ${sp.safe_point} until ${sp.expire_at}`),
    ...(s.scheduler_error ? [`  scheduler error: ${s.scheduler_error}`] : []),
    '',
    regions,
  ].join('\n');
}

/** Runs a cluster/region/store subcommand. */
export async function clusterCommand(group: string, sub: string | undefined, argv: string[]): Promise<number> {
  const cmd = `${group} ${sub ?? ''}`.trim();
  const run = async (): Promise<void> => {
    if (group === 'cluster' && sub === 'create') {
      const { values } = parseFlags(cmd, argv, { name: { type: 'string' }, stores: { type: 'string' } });
      const ep = hostEndpoint(resolveDataDir(values['data-dir']));
      const stores = intFlag('stores', values.stores, 1) ?? 3;
      const c = await call(ep, 'cluster:create', { ...(values.name !== undefined ? { name: values.name } : {}), stores });
      emit(stdIo(!!values.json), c, () => `${describe(c)}\ncreated; address it with --pd ${c.pd}`);
    } else if (group === 'cluster' && sub === 'list') {
      const { values } = parseFlags(cmd, argv, {});
      const list = await call(hostEndpoint(resolveDataDir(values['data-dir'])), 'cluster:list', {});
      emit(stdIo(!!values.json), list, () =>
        list.length === 0 ? 'no clusters yet: create one with `pitr cluster create`' : table(['NAME', 'CLUSTER ID', 'PD', 'STORES'], list.map((c) => [c.name, c.cluster_id, c.pd, c.stores.length])),
      );
    } else if (group === 'cluster' && sub === 'status') {
      const { values } = parseFlags(cmd, argv, target);
      const t = resolveTarget(cmd, values);
      const s = await call(t.ep, 'cluster:status', t.cluster ? { cluster: t.cluster } : {});
      emit(stdIo(!!values.json), s, () => describeStatus(s));
    } else if (group === 'cluster' && sub === 'destroy') {
      const { values } = parseFlags(cmd, argv, { ...target, yes: { type: 'boolean', short: 'y' } });
      const t = resolveTarget(cmd, values);
      if (!values.yes) throw new PitrError(ErrorCode.InvalidArgument, 'this stops the cluster and deletes all its data; add -y to confirm');
      const r = await call(t.ep, 'cluster:destroy', t.cluster ? { cluster: t.cluster } : {});
      emit(stdIo(!!values.json), r, () => `cluster "${r.name}" destroyed`);
    } else if (group === 'cluster' && sub === 'clock') {
      const { values } = parseFlags(cmd, argv, { ...target, speed: { type: 'string' } });
      const t = resolveTarget(cmd, values);
      const speed = numberFlag('speed', required(cmd, 'speed', values.speed)) as number;
      const s = await call(t.ep, 'cluster:set-clock', { ...(t.cluster ? { cluster: t.cluster } : {}), speed });
      emit(stdIo(!!values.json), s, () => `cluster clock now runs at ${s.clock_speed}x (cluster time ${s.cluster_time})`);
    } else if (group === 'cluster' && sub === 'gc') {
      const { values } = parseFlags(cmd, argv, target);
      const t = resolveTarget(cmd, values);
      const r = await call(t.ep, 'cluster:gc', t.cluster ? { cluster: t.cluster } : {});
      emit(stdIo(!!values.json), r, () => `GC safepoint ${r.safe_point}: removed ${r.removed_versions} versions, resolved ${r.resolved_locks} locks, deleted ${r.deleted_ranges} dropped-table ranges`);
    } else if (group === 'region' && sub === 'split') {
      const { values } = parseFlags(cmd, argv, { ...target, key: { type: 'string' }, raw: { type: 'boolean' } });
      const t = resolveTarget(cmd, values);
      const r = await call(t.ep, 'region:split', { ...(t.cluster ? { cluster: t.cluster } : {}), key: required(cmd, 'key', values.key), raw: !!values.raw });
      emit(stdIo(!!values.json), r, () => `regions now: ${r.region_ids.join(', ')}`);
    } else if (group === 'region' && sub === 'transfer-leader') {
      const { values } = parseFlags(cmd, argv, { ...target, region: { type: 'string' }, store: { type: 'string' } });
      const t = resolveTarget(cmd, values);
      const region_id = intFlag('region', required(cmd, 'region', values.region), 1) as number;
      const store_id = intFlag('store', required(cmd, 'store', values.store), 1) as number;
      const r = await call(t.ep, 'region:transfer-leader', { ...(t.cluster ? { cluster: t.cluster } : {}), region_id, store_id });
      emit(stdIo(!!values.json), r, () => `region ${r.region_id} is now led by store ${r.store_id}`);
    } else if (group === 'store' && sub === 'kill') {
      const { values } = parseFlags(cmd, argv, { ...target, store: { type: 'string' } });
      const t = resolveTarget(cmd, values);
      const store_id = intFlag('store', required(cmd, 'store', values.store), 1) as number;
      const r = await call(t.ep, 'store:kill', { ...(t.cluster ? { cluster: t.cluster } : {}), store_id });
      emit(stdIo(!!values.json), r, () => `store ${r.store_id} killed; the host restarts it`);
    } else {
      throw new PitrError(ErrorCode.InvalidArgument, `unknown command \`pitr ${cmd}\`; see \`pitr --help\``);
    }
  };
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(CLUSTER_HELP + '\n');
    return 0;
  }
  await run();
  return 0;
}
