/**
 * The CLI session of the issue, as a user types it: create a cluster, write and read keys at
 * several timestamps, scan, take TSOs, destroy a cluster, run a workload.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ClusterInfo, ClusterStatus, KvResult, TsoResult, TxnResult, WorkloadStatusInfo } from '../../core/contract/types.ts';
import { pitrJson, pitrOk, removeTempDirs, startServer, tempDir, unescapeKey, waitFor } from '../helpers/cli.ts';
import type { ServerHandle } from '../helpers/cli.ts';

const DECIMAL = /^\d+$/;

/** 'YYYY-MM-DD HH:MM:SS+0000' of a Date, in UTC. */
function utcDatetime(d: Date): string {
  return d.toISOString().replace('T', ' ').replace(/\.\d{3}Z$/, '+0000');
}

describe('pitr CLI session', () => {
  let server: ServerHandle;
  let dataDir: string;
  let pd: string;
  let clusterId: string;
  const o = () => ({ dataDir });
  const get = (args: string[]) => pitrJson<KvResult>(['get', '--pd', pd, ...args], o());
  // Set by the txn test, read by the ones after it.
  let first: TxnResult;

  before(async () => {
    dataDir = tempDir();
    server = await startServer({ dataDir });
  });

  after(async () => {
    try {
      await server?.stop();
    } finally {
      removeTempDirs();
    }
  });

  test('cluster create --json prints name, cluster id, PD address and stores', async () => {
    const c = await pitrJson<ClusterInfo>(['cluster', 'create', '--name', 'demo', '--stores', '3'], o());
    assert.equal(c.name, 'demo');
    assert.match(c.cluster_id, DECIMAL);
    assert.ok(BigInt(c.cluster_id) > 0n, 'cluster id is non-zero');
    assert.match(c.pd, /^127\.0\.0\.1:\d{2,5}$/);
    assert.equal(c.stores.length, 3);
    assert.deepEqual(
      c.stores.map((s) => s.store_id).sort((a, b) => a - b),
      [1, 2, 3],
    );
    for (const s of c.stores) assert.equal(s.state, 'Up');
    pd = c.pd;
    clusterId = c.cluster_id;
  });

  test('cluster list --json shows the cluster', async () => {
    const list = await pitrJson<ClusterInfo[]>(['cluster', 'list'], o());
    assert.equal(list.length, 1);
    assert.equal(list[0]?.name, 'demo');
    assert.equal(list[0]?.cluster_id, clusterId);
    assert.equal(list[0]?.pd, pd);
  });

  test('cluster status --pd A --json shows regions covering the key space, TSO and GC safepoint', async () => {
    const s = await pitrJson<ClusterStatus>(['cluster', 'status', '--pd', pd], o());
    assert.equal(s.name, 'demo');
    assert.equal(s.cluster_id, clusterId);
    assert.match(s.tso, DECIMAL);
    assert.ok(BigInt(s.tso) > 0n);
    assert.match(s.gc_safe_point, DECIMAL);
    assert.ok(s.regions.length >= 1);
    const ids = new Set(s.regions.map((r) => r.region_id));
    assert.equal(ids.size, s.regions.length, 'region ids are unique');
    // Sorted by start key, the regions tile the key space: '' .. end = start of next .. ''.
    const sorted = [...s.regions].sort((a, b) => Buffer.compare(unescapeKey(a.start_key), unescapeKey(b.start_key)));
    assert.equal(sorted[0]?.start_key, '');
    assert.equal(sorted.at(-1)?.end_key, '');
    for (let i = 1; i < sorted.length; i++) assert.equal(sorted[i]?.start_key, sorted[i - 1]?.end_key);
    for (const r of s.regions) {
      assert.ok(r.epoch.version >= 1 && r.epoch.conf_ver >= 1);
      assert.ok([1, 2, 3].includes(r.leader_store_id));
    }
  });

  test('txn --put k1=v1 --put k2=v2 commits with commit_ts > start_ts', async () => {
    first = await pitrJson<TxnResult>(['txn', '--pd', pd, '--put', 'k1=v1', '--put', 'k2=v2'], o());
    assert.match(first.start_ts, DECIMAL);
    assert.match(first.commit_ts, DECIMAL);
    assert.ok(BigInt(first.commit_ts) > BigInt(first.start_ts), `commit_ts ${first.commit_ts} > start_ts ${first.start_ts}`);
  });

  test('get reads the latest value, and the value at a TSO', async () => {
    assert.deepEqual(await get(['k1']), { key: 'k1', value: 'v1' });
    assert.deepEqual(await get(['k2']), { key: 'k2', value: 'v2' });
    assert.deepEqual(await get(['nope']), { key: 'nope', value: null });
    // Before the commit (at the txn's own start_ts) the key does not exist yet.
    assert.deepEqual(await get(['k1', '--ts', first.start_ts]), { key: 'k1', value: null });
    assert.deepEqual(await get(['k1', '--ts', first.commit_ts]), { key: 'k1', value: 'v1' });
  });

  test('a delete hides the key now but not at an earlier commit ts', async () => {
    const del = await pitrJson<TxnResult>(['txn', '--pd', pd, '--delete', 'k1'], o());
    assert.ok(BigInt(del.commit_ts) > BigInt(first.commit_ts));
    assert.deepEqual(await get(['k1']), { key: 'k1', value: null });
    assert.deepEqual(await get(['k1', '--ts', del.commit_ts]), { key: 'k1', value: null });
    assert.deepEqual(await get(['k1', '--ts', (BigInt(del.commit_ts) - 1n).toString()]), { key: 'k1', value: 'v1' });
    assert.deepEqual(await get(['k1', '--ts', first.commit_ts]), { key: 'k1', value: 'v1' });
    // The delete touched only k1.
    assert.deepEqual(await get(['k2']), { key: 'k2', value: 'v2' });
  });

  test('get --ts takes a datetime', async () => {
    const future = utcDatetime(new Date(Date.now() + 60_000));
    assert.deepEqual(await get(['k2', '--ts', future]), { key: 'k2', value: 'v2' });
    // A datetime long before the cluster existed: nothing there (so the datetime is really used).
    assert.deepEqual(await get(['k2', '--ts', '2022-05-15 18:00:00+0800']), { key: 'k2', value: null });
  });

  test('scan --json prints one {key,value} per line of the user key space, in key order', async () => {
    await pitrOk(['txn', '--pd', pd, '--put', 'b=2', '--put', 'a=1', '--put', 'c=3', '--put', 'k10=ten'], o());
    const r = await pitrOk(['scan', '--pd', pd, '--json'], o());
    const lines = r.stdout.trim().split('\n');
    const pairs = lines.map((l) => JSON.parse(l) as { key: string; value: string });
    assert.deepEqual(pairs, [
      { key: 'a', value: '1' },
      { key: 'b', value: '2' },
      { key: 'c', value: '3' },
      { key: 'k10', value: 'ten' },
      { key: 'k2', value: 'v2' },
    ]);
    // A bounded scan at the first commit sees that snapshot only.
    const old = (await pitrOk(['scan', '--pd', pd, '--ts', first.commit_ts, '--json'], o())).lines<{ key: string; value: string }>();
    assert.deepEqual(old, [
      { key: 'k1', value: 'v1' },
      { key: 'k2', value: 'v2' },
    ]);
    const ranged = (await pitrOk(['scan', '--pd', pd, '--start', 'b', '--end', 'k2', '--json'], o())).lines<{ key: string }>();
    assert.deepEqual(
      ranged.map((p) => p.key),
      ['b', 'c', 'k10'],
    );
  });

  test('scan --raw includes meta and table keys, escaped, in byte order', async () => {
    const pairs = (await pitrOk(['scan', '--pd', pd, '--raw', '--json'], o())).lines<{ key: string; value: string }>();
    const keys = pairs.map((p) => p.key);
    assert.ok(
      keys.some((k) => k.startsWith('m')),
      'a meta key',
    );
    assert.ok(
      keys.some((k) => k.startsWith('t\\x80')),
      'a table key, escaped',
    );
    assert.ok(keys.includes('uk2'), 'user keys carry their u prefix');
    assert.ok(!keys.includes('uk1'), 'the deleted key is gone');
    const bytes = keys.map(unescapeKey);
    for (let i = 1; i < bytes.length; i++) {
      assert.ok(Buffer.compare(bytes[i - 1]!, bytes[i]!) < 0, `raw keys in byte order: ${keys[i - 1]} < ${keys[i]}`);
    }
  });

  test('tso --pd A --json is strictly increasing', async () => {
    let prev = 0n;
    for (let i = 0; i < 4; i++) {
      const t = await pitrJson<TsoResult>(['tso', '--pd', pd], o());
      assert.match(t.tso, DECIMAL);
      const ts = BigInt(t.tso);
      assert.ok(ts > prev, `${ts} > ${prev}`);
      assert.equal(BigInt(t.physical) * 262144n + BigInt(t.logical), ts);
      prev = ts;
    }
    assert.ok(prev > BigInt(first.commit_ts));
  });

  test('tso encode and decode round trip', async () => {
    const enc = await pitrJson<TsoResult>(['tso', 'encode', '2022-05-15 18:00:00+0800'], o());
    assert.equal(enc.tso, '433221481267200000');
    const dec = await pitrJson<TsoResult>(['tso', 'decode', '433221481267200000'], o());
    assert.equal(dec.tso, '433221481267200000');
    assert.equal(dec.physical, Date.UTC(2022, 4, 15, 10, 0, 0));
    assert.equal(dec.logical, 0);
    assert.equal(new Date(dec.time).getTime(), dec.physical);
    // A live TSO with a logical part: decode, then encode its time, gives the TSO without it.
    const live = await pitrJson<TsoResult>(['tso', '--pd', pd], o());
    const d = await pitrJson<TsoResult>(['tso', 'decode', live.tso], o());
    assert.equal(d.physical, live.physical);
    assert.equal(d.logical, live.logical);
    const back = await pitrJson<TsoResult>(['tso', 'encode', d.time], o());
    assert.equal(BigInt(back.tso), (BigInt(live.tso) >> 18n) << 18n);
    // decode(encode(x)) keeps a logical part too.
    const withLogical = ((BigInt(enc.tso) >> 18n) << 18n) + 7n;
    const d7 = await pitrJson<TsoResult>(['tso', 'decode', withLogical.toString()], o());
    assert.equal(d7.logical, 7);
    assert.equal(d7.physical, dec.physical);
  });

  test('cluster destroy --name X -y removes a second cluster and only it', async () => {
    const second = await pitrJson<ClusterInfo>(['cluster', 'create', '--name', 'second', '--stores', '1'], o());
    assert.notEqual(second.pd, pd);
    assert.notEqual(second.cluster_id, clusterId);
    let list = await pitrJson<ClusterInfo[]>(['cluster', 'list'], o());
    assert.deepEqual(list.map((c) => c.name).sort(), ['demo', 'second']);
    assert.ok(existsSync(join(dataDir, 'clusters', 'second')));
    const r = await pitrJson<{ name: string }>(['cluster', 'destroy', '--name', 'second', '-y'], o());
    assert.equal(r.name, 'second');
    list = await pitrJson<ClusterInfo[]>(['cluster', 'list'], o());
    assert.deepEqual(
      list.map((c) => c.name),
      ['demo'],
    );
    assert.ok(!existsSync(join(dataDir, 'clusters', 'second')), 'its data is deleted');
    // The first cluster is untouched.
    assert.deepEqual(await get(['k2']), { key: 'k2', value: 'v2' });
  });

  test('workload start, status, stop', async () => {
    const w = await pitrJson<WorkloadStatusInfo>(['workload', 'start', '--pd', pd, '--kind', 'bank', '--rate', '200'], o());
    assert.equal(w.kind, 'bank');
    assert.equal(w.state, 'running');
    assert.equal(w.target_rate, 200);
    const running = await waitFor(
      'the bank workload to commit',
      async () => {
        const list = await pitrJson<WorkloadStatusInfo[]>(['workload', 'status', '--pd', pd], o());
        const bank = list.find((x) => x.kind === 'bank');
        assert.ok(bank, 'workload status lists bank');
        assert.equal(bank.state, 'running', `bank is running (last error: ${bank.last_error})`);
        return bank.committed > 0 ? bank : undefined;
      },
      20_000,
      300,
    );
    assert.ok(running.committed > 0);
    const stopped = await pitrJson<WorkloadStatusInfo[]>(['workload', 'stop', '--pd', pd], o());
    const bank = stopped.find((x) => x.kind === 'bank');
    assert.ok(bank, 'workload stop lists bank');
    assert.ok(['stopped', 'stopping'].includes(bank.state), `state after stop: ${bank.state}`);
    assert.ok(bank.committed >= running.committed);
    // Stopped means stopped: the count no longer grows.
    const a = (await pitrJson<WorkloadStatusInfo[]>(['workload', 'status', '--pd', pd], o())).find((x) => x.kind === 'bank');
    await new Promise((r) => setTimeout(r, 500));
    const b = (await pitrJson<WorkloadStatusInfo[]>(['workload', 'status', '--pd', pd], o())).find((x) => x.kind === 'bank');
    assert.ok(a && b, 'a stopped workload stays listed');
    assert.notEqual(b.state, 'running');
    assert.equal(b.committed, a.committed);
  });
});
