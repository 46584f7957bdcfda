import assert from 'node:assert/strict';
import { test } from 'node:test';
import { build } from 'esbuild';
import { INVOKE_CHANNEL, PUSH_CHANNEL } from '../../../electron/common/ipc.ts';
import { exposeBridge } from '../../../electron/preload/bridge.ts';
import type { IpcRendererLike } from '../../../electron/preload/bridge.ts';
import type { PitrBridge } from '../../../core/contract/bridge.ts';
import { ErrorCode } from '../../../core/errors.ts';

type PushListener = (event: unknown, ...args: unknown[]) => void;

/** A fake ipcRenderer whose invoke answers with `answer`, and which can deliver pushes. */
function fakeIpcRenderer(answer: (channel: string, ...args: unknown[]) => Promise<unknown>) {
  const listeners = new Map<string, PushListener[]>();
  const invoked: unknown[][] = [];
  const ipc: IpcRendererLike = {
    invoke: (channel, ...args) => {
      invoked.push([channel, ...args]);
      return answer(channel, ...args);
    },
    on: (channel, l) => listeners.set(channel, [...(listeners.get(channel) ?? []), l]),
    removeListener: (channel, l) => listeners.set(channel, (listeners.get(channel) ?? []).filter((x) => x !== l)),
  };
  const push = (...args: unknown[]) => {
    for (const l of listeners.get(PUSH_CHANNEL) ?? []) l({ sender: 'the ipc event must not leak' }, ...args);
  };
  return { ipc, invoked, push, listeners };
}

function exposed(ipc: IpcRendererLike): { key: string; api: PitrBridge; calls: number } {
  const seen: { key: string; api: PitrBridge }[] = [];
  exposeBridge({ exposeInMainWorld: (key, api) => void seen.push({ key, api: api as PitrBridge }) }, ipc);
  assert.equal(seen.length, 1, 'exposeInMainWorld is called once');
  return { ...seen[0]!, calls: seen.length };
}

test('the preload exposes exactly window.pitrApi with invoke and subscribe, and no ipcRenderer', () => {
  const { ipc } = fakeIpcRenderer(async () => ({ ok: true, result: null }));
  const { key, api } = exposed(ipc);
  assert.equal(key, 'pitrApi');
  assert.deepEqual(Object.keys(api).sort(), ['invoke', 'subscribe']);
  for (const value of Object.values(api)) assert.equal(typeof value, 'function');
  assert.ok(!Object.values(api).includes(ipc as never));
});

test('invoke goes over the one pitr:invoke channel and returns main’s envelope as is', async () => {
  const envelope = { ok: true, result: [{ name: 'c1' }] };
  const { ipc, invoked } = fakeIpcRenderer(async () => envelope);
  const { api } = exposed(ipc);
  assert.deepEqual(await api.invoke('cluster:list', {}), envelope);
  assert.deepEqual(invoked, [[INVOKE_CHANNEL, 'cluster:list', {}]]);
});

test('invoke never throws: a broken IPC answers with the envelope, telling to restart', async () => {
  const { ipc } = fakeIpcRenderer(async () => {
    throw new Error('render frame was disposed');
  });
  const { api } = exposed(ipc);
  const answer = await api.invoke('cluster:list', {});
  assert.equal(answer.ok, false);
  assert.equal(!answer.ok && answer.error.code, ErrorCode.Unreachable);
  assert.match(!answer.ok ? answer.error.message : '', /restart PiTR Studio/);
});

test('subscribe hands pushes to the listener without the IPC event, and stops when asked', () => {
  const { ipc, push, listeners } = fakeIpcRenderer(async () => null);
  const { api } = exposed(ipc);
  const got: unknown[][] = [];
  const stop = api.subscribe((channel, data) => void got.push([channel, data]));
  push('restore:progress', { restore_id: 'r1' });
  assert.deepEqual(got, [['restore:progress', { restore_id: 'r1' }]]);
  stop();
  assert.equal(listeners.get(PUSH_CHANNEL)?.length, 0);
  push('restore:progress', { restore_id: 'r2' });
  assert.equal(got.length, 1);
});

test('the preload bundles to CommonJS that requires nothing but electron (a sandboxed preload can load no more)', async () => {
  const out = await build({
    entryPoints: ['electron/preload/index.ts'],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    external: ['electron'],
    write: false,
    logLevel: 'silent',
  });
  const code = out.outputFiles[0]!.text;
  const required = [...code.matchAll(/\brequire\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1]);
  assert.deepEqual(required, ['electron']);
  assert.doesNotMatch(code, /\bimport\s*[{*(]|\bexport\s/);
});
