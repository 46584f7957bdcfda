import assert from 'node:assert/strict';
import { request } from 'node:http';
import type { IncomingMessage } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { RestoreStatus } from '../../../core/contract/restore.ts';
import type { SnapshotRunStatus } from '../../../core/contract/snapshot.ts';
import { ClusterHost } from '../../../core/host/host.ts';
import { runFullBackup } from '../../../core/snapshot/backup.ts';

function openEvents(url: string, token: string | null): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = token === null ? {} : { authorization: `Bearer ${token}` };
    request(`${url}/api/events`, { headers }, resolve).on('error', reject).end();
  });
}

/**
 * Follows one push channel of an open event stream (other pushes share it) until `done` says a
 * push is the last; resolves with every push of the channel.
 */
function follow<T>(res: IncomingMessage, channel: string, done: (data: T) => boolean): Promise<T[]> {
  const got: T[] = [];
  let buf = '';
  return new Promise((resolve) => {
    res.on('data', (chunk: Buffer) => {
      buf += chunk.toString('utf8');
      for (let i = buf.indexOf('\n\n'); i >= 0; i = buf.indexOf('\n\n')) {
        const block = buf.slice(0, i);
        buf = buf.slice(i + 2);
        const data = /^data: (.+)$/m.exec(block)?.[1];
        if (/^event: (.+)$/m.exec(block)?.[1] !== channel || !data) continue;
        const d = JSON.parse(data) as T;
        got.push(d);
        if (done(d)) resolve(got);
      }
    });
  });
}

test('restore progress is pushed as server-sent events to token holders only', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pitr-events-'));
  const host = await ClusterHost.start({ dataDir: join(dir, 'data') });
  try {
    const denied = await openEvents(host.url, null);
    assert.equal(denied.statusCode, 401);
    denied.resume();

    const src = await host.createCluster('src', 2);
    await host.logBackup('src').start({ name: 't', storage: join(dir, 'log'), flushIntervalMs: 1000 });
    await src.txn.run(async (txn) => txn.put(Buffer.from('ua'), Buffer.from('1')));
    await runFullBackup(src, { storage: join(dir, 'snap') });
    await src.txn.run(async (txn) => txn.put(Buffer.from('ub'), Buffer.from('2')));
    await host.logBackup('src').flushAll();
    await host.logBackup('src').flushAll();
    await host.createCluster('tgt', 1);

    const res = await openEvents(host.url, host.token);
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-type']), /text\/event-stream/);
    const finished = follow<RestoreStatus>(res, 'restore:progress', (d) => d.state !== 'running');
    const { plan } = await host.restore.point('tgt', { logStorage: join(dir, 'log'), snapStorage: join(dir, 'snap') }, false);
    const events = await finished;
    res.destroy();
    assert.ok(events.length >= 1);
    assert.ok(events.every((e) => e.restore_id === plan.restore_id));
    const last = events[events.length - 1]!;
    assert.equal(last.state, 'succeeded', JSON.stringify(last.error));
    assert.equal(last.progress.phase, 'done');
    assert.equal(last.result?.verification.ok, true);
  } finally {
    await host.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('snapshot progress is pushed as server-sent events, and backup:status answers the same', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pitr-events-'));
  const host = await ClusterHost.start({ dataDir: join(dir, 'data') });
  try {
    const src = await host.createCluster('src', 2);
    await src.txn.run(async (txn) => txn.put(Buffer.from('ua'), Buffer.from('1')));
    const res = await openEvents(host.url, host.token);
    assert.equal(res.statusCode, 200);
    const finished = follow<SnapshotRunStatus>(res, 'backup:progress', (s) => s.state !== 'running');
    const summary = await host.dispatch('backup:full', { cluster: 'src', storage: join(dir, 'snap') });
    const events = await finished;
    res.destroy();
    assert.equal(events[0]?.state, 'running');
    const last = events.at(-1)!;
    assert.equal(last.state, 'succeeded');
    assert.equal(last.cluster, 'src');
    assert.deepEqual(last.result, summary);
    assert.deepEqual(await host.dispatch('backup:status', { cluster: 'src' }), last);
  } finally {
    await host.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
