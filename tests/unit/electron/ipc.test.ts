import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ErrorCode } from '../../../core/errors.ts';
import { ClusterHost } from '../../../core/host/host.ts';
import { INVOKE_CHANNEL } from '../../../electron/common/ipc.ts';
import { AppWindows } from '../../../electron/main/app-windows.ts';
import { setupIpc } from '../../../electron/main/ipc.ts';
import type { IpcDeps } from '../../../electron/main/ipc.ts';
import { FakeBrowserWindow, FakeIpcMain, FakeWebContents, topFrame } from './fakes.ts';

const APP_PAGE = 'app://pitr/index.html';

/** An ipcMain with the handler installed, one own window on the app's page, and a dispatch log. */
function rig(dispatch: IpcDeps['dispatch'] = async () => ({ answered: true })) {
  const ipcMain = new FakeIpcMain();
  const windows = new AppWindows();
  const win = new FakeBrowserWindow({} as never);
  windows.add(win);
  win.webContents.url = APP_PAGE;
  const calls: { channel: string; input: unknown }[] = [];
  const warnings: string[] = [];
  setupIpc({
    ipcMain,
    windows,
    dispatch: (channel, input) => {
      calls.push({ channel, input });
      return dispatch(channel, input);
    },
    warn: (m) => warnings.push(m),
  });
  const call = (channel: unknown, input: unknown, sender = win.webContents as FakeWebContents, frame = topFrame(APP_PAGE)) =>
    ipcMain.invoke(sender, frame, INVOKE_CHANNEL, channel, input) as Promise<{ ok: boolean; result?: unknown; error?: { code: string; message: string } }>;
  return { ipcMain, windows, win, calls, warnings, call };
}

test('a call from a web contents the app did not create is refused and never reaches the host', async () => {
  const { call, calls, warnings } = rig();
  const stranger = new FakeWebContents();
  stranger.url = APP_PAGE; // even showing our page, it is not our window
  const answer = await call('cluster:list', {}, stranger);
  assert.equal(answer.ok, false);
  assert.equal(answer.error?.code, ErrorCode.Unauthorized);
  assert.match(answer.error?.message ?? '', /window the app did not create/);
  assert.equal(calls.length, 0);
  assert.equal(warnings.length, 1);
});

test('a call from a foreign page or a sub-frame inside our own window is refused', async () => {
  const { call, calls, win } = rig();
  const fromWeb = await call('cluster:list', {}, win.webContents, topFrame('https://evil.example/x'));
  assert.equal(fromWeb.error?.code, ErrorCode.Unauthorized);
  const fromFile = await call('cluster:list', {}, win.webContents, topFrame('file:///tmp/index.html'));
  assert.equal(fromFile.error?.code, ErrorCode.Unauthorized);
  const lookalike = await call('cluster:list', {}, win.webContents, topFrame('app://pitr.evil/index.html'));
  assert.equal(lookalike.error?.code, ErrorCode.Unauthorized);
  const subFrame = await call('cluster:list', {}, win.webContents, { url: APP_PAGE, parent: topFrame(APP_PAGE) });
  assert.equal(subFrame.error?.code, ErrorCode.Unauthorized);
  const gone = await call('cluster:list', {}, win.webContents, null as never);
  assert.equal(gone.error?.code, ErrorCode.Unauthorized);
  assert.equal(calls.length, 0);
});

test('a closed window is forgotten: its web contents id is no longer trusted', async () => {
  const { call, calls, win } = rig();
  win.close();
  const answer = await call('cluster:list', {}, win.webContents);
  assert.equal(answer.error?.code, ErrorCode.Unauthorized);
  assert.equal(calls.length, 0);
});

test('an unknown channel is refused with the envelope, naming the channels that exist', async () => {
  const { call, calls } = rig();
  for (const channel of ['cluster:explode', '__proto__', 'toString', 42, undefined]) {
    const answer = await call(channel, {});
    assert.equal(answer.ok, false, String(channel));
    assert.equal(answer.error?.code, ErrorCode.NotFound);
    assert.match(answer.error?.message ?? '', /unknown API channel.*cluster:create/);
  }
  assert.equal(calls.length, 0);
});

test('a malformed payload is refused with the zod error, before the host sees it', async () => {
  const { call, calls } = rig();
  const wrongType = await call('cluster:create', { stores: 'three' });
  assert.deepEqual(Object.keys(wrongType).sort(), ['error', 'ok']);
  assert.equal(wrongType.error?.code, ErrorCode.InvalidArgument);
  assert.match(wrongType.error?.message ?? '', /invalid cluster:create request: stores:/);
  const extraKey = await call('cluster:list', { evil: true });
  assert.equal(extraKey.error?.code, ErrorCode.InvalidArgument);
  const notObject = await call('cluster:status', 'cluster-1');
  assert.equal(notObject.error?.code, ErrorCode.InvalidArgument);
  assert.equal(calls.length, 0);
});

test('a valid call reaches dispatch and its result comes back as the HTTP API would send it', async () => {
  const { call, calls } = rig(async () => ({ tso: 449_000_000_000_000_001n, gone: undefined, at: new Date(0) }));
  const answer = await call('tso:get', { cluster: 'c1' });
  assert.deepEqual(calls, [{ channel: 'tso:get', input: { cluster: 'c1' } }]);
  assert.deepEqual(answer, { ok: true, result: { tso: '449000000000000001', at: '1970-01-01T00:00:00.000Z' } });
});

test('a host error comes back as the envelope with its code, not as a thrown IPC error', async () => {
  const { call } = rig(async () => {
    throw Object.assign(new Error('boom'), {});
  });
  const answer = await call('cluster:list', {});
  assert.deepEqual(answer, { ok: false, error: { code: ErrorCode.Internal, message: 'boom' } });
});

test('through a real ClusterHost: host:info and cluster:list answer, a missing cluster is the host error', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pitr-electron-ipc-'));
  const host = await ClusterHost.start({ dataDir: join(dir, 'data') });
  try {
    const { call } = rig((channel, input) => host.dispatch(channel, input));
    const info = await call('host:info', {});
    assert.equal(info.ok, true);
    assert.equal(typeof (info.result as { version?: unknown }).version, 'string');
    assert.deepEqual(await call('cluster:list', {}), { ok: true, result: [] });
    const missing = await call('cluster:status', { cluster: 'nope' });
    assert.equal(missing.error?.code, ErrorCode.ClusterNotFound);
  } finally {
    await host.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('saved credentials are filled into the call sent to the host and kept after a passing test', async () => {
  const ipcMain = new FakeIpcMain();
  const windows = new AppWindows();
  const win = new FakeBrowserWindow({} as never);
  windows.add(win);
  win.webContents.url = APP_PAGE;
  const seen: unknown[] = [];
  const remembered: string[] = [];
  setupIpc({
    ipcMain,
    windows,
    dispatch: async (_c, input) => void seen.push(input),
    warn: () => {},
    credentials: { fill: (input) => ({ ...(input as object), filled: true }), remember: (channel) => void remembered.push(channel) },
  });
  await ipcMain.invoke(win.webContents, topFrame(APP_PAGE), INVOKE_CHANNEL, 'storage:test', { storage: 's3://b/p' });
  assert.deepEqual(seen, [{ storage: 's3://b/p', filled: true }]);
  assert.deepEqual(remembered, ['storage:test']);
});
