import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ServerEvents } from '../../../core/contract/events.ts';
import { PUSH_CHANNEL } from '../../../electron/common/ipc.ts';
import { AppWindows } from '../../../electron/main/app-windows.ts';
import { setupPushes } from '../../../electron/main/pushes.ts';
import { FakeBrowserWindow, FakeWebContents } from './fakes.ts';

test("pushes reach the app's own windows on the app's page, and no other web contents", () => {
  const windows = new AppWindows();
  const own = new FakeBrowserWindow({} as never);
  const wandered = new FakeBrowserWindow({} as never);
  const closed = new FakeBrowserWindow({} as never);
  for (const w of [own, wandered, closed]) {
    windows.add(w);
    w.webContents.url = 'app://pitr/index.html';
  }
  wandered.webContents.url = 'https://example.com/';
  closed.close();
  const stranger = new FakeWebContents();
  stranger.url = 'app://pitr/index.html';

  let send: ((channel: keyof ServerEvents, data: unknown) => void) | undefined;
  let unsubscribed = false;
  const stop = setupPushes({
    subscribe: ((s: typeof send) => {
      send = s;
      return () => void (unsubscribed = true);
    }) as never,
    windows,
  });
  send!('restore:progress', { restore_id: 'r1', restored_ts: 449_000_000_000_000_001n });
  assert.deepEqual(own.webContents.sent, [{ channel: PUSH_CHANNEL, args: ['restore:progress', { restore_id: 'r1', restored_ts: '449000000000000001' }] }]);
  assert.deepEqual(wandered.webContents.sent, []);
  assert.deepEqual(closed.webContents.sent, []);
  assert.deepEqual(stranger.sent, []);
  stop();
  assert.equal(unsubscribed, true);
});
