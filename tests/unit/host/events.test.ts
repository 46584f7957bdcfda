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
    const events: Array<{ channel: string; data: RestoreStatus }> = [];
    let buf = '';
    const finished = new Promise<void>((resolve) => {
      res.on('data', (chunk: Buffer) => {
        buf += chunk.toString('utf8');
        for (let i = buf.indexOf('\n\n'); i >= 0; i = buf.indexOf('\n\n')) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const channel = /^event: (.+)$/m.exec(block)?.[1];
          const data = /^data: (.+)$/m.exec(block)?.[1];
          // Other pushes (metrics samples, alert states) share the stream.
          if (channel !== 'restore:progress' || !data) continue;
          const ev = { channel, data: JSON.parse(data) as RestoreStatus };
          events.push(ev);
          if (ev.data.state !== 'running') resolve();
        }
      });
    });
    const { plan } = await host.restore.point('tgt', { logStorage: join(dir, 'log'), snapStorage: join(dir, 'snap') }, false);
    await finished;
    res.destroy();
    assert.ok(events.length >= 1);
    assert.ok(events.every((e) => e.data.restore_id === plan.restore_id));
    const last = events[events.length - 1]!.data;
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
    const events: SnapshotRunStatus[] = [];
    let buf = '';
    const finished = new Promise<void>((resolve) => {
      res.on('data', (chunk: Buffer) => {
        buf += chunk.toString('utf8');
        for (let i = buf.indexOf('\n\n'); i >= 0; i = buf.indexOf('\n\n')) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const data = /^data: (.+)$/m.exec(block)?.[1];
          if (/^event: (.+)$/m.exec(block)?.[1] !== 'backup:progress' || !data) continue;
          const s = JSON.parse(data) as SnapshotRunStatus;
          events.push(s);
          if (s.state !== 'running') resolve();
        }
      });
    });
    const summary = await host.dispatch('backup:full', { cluster: 'src', storage: join(dir, 'snap') });
    await finished;
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
