/**
 * A host restart keeps everything: data, the region layout, the cluster id, the PD address
 * (the port is reused, so runbooks and scripts keep working) and a TSO that never goes back.
 * First after a clean stop (SIGTERM), then after a crash (SIGKILL), on the same data dir.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ClusterInfo, ClusterStatus, TsoResult, TxnResult } from '../../core/contract/types.ts';
import { pitrJson, pitrOk, removeTempDirs, startServer, tempDir, waitFor } from '../helpers/cli.ts';
import type { ServerHandle } from '../helpers/cli.ts';

interface Pair {
  key: string;
  value: string;
}

/** What must survive a restart. */
interface Snapshot {
  cluster: ClusterInfo;
  layout: Array<{ region_id: number; start_key: string; end_key: string; version: number; conf_ver: number }>;
  pairs: Pair[];
  /** The largest TSO seen before the restart (TSOs, commit ts, status). */
  maxTs: bigint;
}

function layoutOf(s: ClusterStatus): Snapshot['layout'] {
  return s.regions
    .map((r) => ({ region_id: r.region_id, start_key: r.start_key, end_key: r.end_key, version: r.epoch.version, conf_ver: r.epoch.conf_ver }))
    .sort((a, b) => a.region_id - b.region_id);
}

describe('host restart', () => {
  let dataDir: string;
  let server: ServerHandle;
  let pd: string;
  const o = () => ({ dataDir });
  let maxTs = 0n;
  const seen = (ts: string) => {
    const t = BigInt(ts);
    if (t > maxTs) maxTs = t;
  };

  /** Waits until the background scheduler leaves the layout alone, then records the state. */
  async function snapshot(): Promise<Snapshot> {
    let prev = '';
    const status = await waitFor(
      'a stable region layout',
      async () => {
        const s = await pitrJson<ClusterStatus>(['cluster', 'status', '--pd', pd], o());
        seen(s.tso);
        const cur = JSON.stringify(layoutOf(s));
        const stable = cur === prev;
        prev = cur;
        return stable ? s : undefined;
      },
      20_000,
      1200, // longer than one scheduler heartbeat (1 s)
    );
    const list = await pitrJson<ClusterInfo[]>(['cluster', 'list'], o());
    assert.equal(list.length, 1);
    const pairs = (await pitrOk(['scan', '--pd', pd, '--json'], o())).lines<Pair>();
    for (let i = 0; i < 3; i++) seen((await pitrJson<TsoResult>(['tso', '--pd', pd], o())).tso);
    return { cluster: list[0]!, layout: layoutOf(status), pairs, maxTs };
  }

  /** Starts a new host on the same data dir and checks that everything came back. */
  async function restartAndVerify(before: Snapshot): Promise<void> {
    server = await startServer({ dataDir });
    const list = await pitrJson<ClusterInfo[]>(['cluster', 'list'], o());
    assert.equal(list.length, 1, 'the cluster is listed again');
    const c = list[0]!;
    assert.equal(c.name, before.cluster.name);
    assert.equal(c.cluster_id, before.cluster.cluster_id, 'same cluster id');
    assert.equal(c.pd, before.cluster.pd, 'same PD address: the port is reused');
    assert.deepEqual(
      c.stores.map((s) => s.store_id),
      before.cluster.stores.map((s) => s.store_id),
    );
    // The first TSO after the restart is above every TSO handed out before it.
    const t = await pitrJson<TsoResult>(['tso', '--pd', pd], o());
    assert.ok(BigInt(t.tso) > before.maxTs, `new TSO ${t.tso} > ${before.maxTs} from before the restart`);
    seen(t.tso);
    const status = await pitrJson<ClusterStatus>(['cluster', 'status', '--pd', pd], o());
    assert.deepEqual(layoutOf(status), before.layout, 'the same regions, boundaries and epochs');
    for (const s of status.stores) assert.equal(s.state, 'Up');
    const pairs = (await pitrOk(['scan', '--pd', pd, '--json'], o())).lines<Pair>();
    assert.deepEqual(pairs, before.pairs, 'the same data');
    // And the cluster takes writes again.
    const w = await pitrJson<TxnResult>(['txn', '--pd', pd, '--put', 'after-restart=yes'], o());
    assert.ok(BigInt(w.start_ts) > before.maxTs);
    seen(w.commit_ts);
    assert.equal((await pitrJson<{ value: string | null }>(['get', '--pd', pd, 'after-restart'], o())).value, 'yes');
  }

  before(async () => {
    dataDir = tempDir();
    server = await startServer({ dataDir });
    const c = await pitrJson<ClusterInfo>(['cluster', 'create', '--name', 'keep', '--stores', '3'], o());
    pd = c.pd;
    const puts = ['alpha=1', 'beta=2', 'gamma=3', 'somekey=here', 'zeta=26'].flatMap((p) => ['--put', p]);
    seen((await pitrJson<TxnResult>(['txn', '--pd', pd, ...puts], o())).commit_ts);
    seen((await pitrJson<TxnResult>(['txn', '--pd', pd, '--put', 'beta=two', '--delete', 'gamma'], o())).commit_ts);
  });

  after(async () => {
    try {
      await server?.stop();
    } finally {
      removeTempDirs();
    }
  });

  test('region split at a user key', async () => {
    const beforeSplit = await pitrJson<ClusterStatus>(['cluster', 'status', '--pd', pd], o());
    const r = await pitrJson<{ region_ids: number[] }>(['region', 'split', '--pd', pd, '--key', 'somekey'], o());
    assert.equal(r.region_ids.length, 2);
    const s = await pitrJson<ClusterStatus>(['cluster', 'status', '--pd', pd], o());
    assert.equal(s.regions.length, beforeSplit.regions.length + 1);
    assert.ok(
      s.regions.some((x) => x.start_key === 'usomekey'),
      'a region starts at the split key',
    );
    assert.ok(s.regions.some((x) => x.end_key === 'usomekey'));
  });

  test('clean stop (SIGTERM) and start on the same data dir', async () => {
    const before = await snapshot();
    assert.deepEqual(
      before.pairs.map((p) => p.key),
      ['alpha', 'beta', 'somekey', 'zeta'],
    );
    assert.ok(before.layout.some((r) => r.start_key === 'usomekey'));
    await server.stop();
    assert.equal(server.proc.exitCode, 0, `pitr server exits 0 on SIGTERM; stderr: ${server.stderr()}`);
    assert.ok(!existsSync(join(dataDir, 'host.json')), 'a clean stop removes host.json');
    // Nobody listens any more.
    const down = await pitrOk(['cluster', 'list'], o()).catch((e: Error) => e);
    assert.ok(down instanceof Error && /no host is running/.test(down.message), 'no host while stopped');
    await restartAndVerify(before);
  });

  test('crash (SIGKILL) right after a write, and start on the same data dir', async () => {
    seen((await pitrJson<TxnResult>(['txn', '--pd', pd, '--put', 'last=write', '--delete', 'alpha'], o())).commit_ts);
    const before = await snapshot();
    assert.ok(before.pairs.some((p) => p.key === 'last' && p.value === 'write'));
    assert.ok(!before.pairs.some((p) => p.key === 'alpha'));
    // The very last thing before the crash: more TSOs (PD may hand them out from a window in memory).
    for (let i = 0; i < 5; i++) seen((await pitrJson<TsoResult>(['tso', '--pd', pd], o())).tso);
    before.maxTs = maxTs;
    await server.kill();
    assert.equal(server.proc.signalCode, 'SIGKILL');
    assert.ok(existsSync(join(dataDir, 'host.json')), 'a crash leaves a stale host.json behind');
    await restartAndVerify(before);
  });
});
