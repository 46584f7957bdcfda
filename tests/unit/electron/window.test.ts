import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AppWindows } from '../../../electron/main/app-windows.ts';
import { createMainWindow } from '../../../electron/main/window.ts';
import { FakeBrowserWindow, FakeWebContents } from './fakes.ts';

test("the window's webPreferences are locked down and it loads the app's own origin", () => {
  const windows = new AppWindows();
  const win = createMainWindow({ BrowserWindow: FakeBrowserWindow, windows, preload: '/app/dist/electron-preload.cjs', warn: () => {} }) as FakeBrowserWindow;
  const prefs = win.options.webPreferences;
  assert.equal(prefs.contextIsolation, true);
  assert.equal(prefs.sandbox, true);
  assert.equal(prefs.nodeIntegration, false);
  assert.equal(prefs.nodeIntegrationInWorker, false);
  assert.equal(prefs.nodeIntegrationInSubFrames, false);
  assert.equal(prefs.webSecurity, true);
  assert.equal(prefs.allowRunningInsecureContent, false);
  assert.equal(prefs.webviewTag, false);
  assert.equal(prefs.experimentalFeatures, false);
  assert.equal(prefs.preload, '/app/dist/electron-preload.cjs');
  assert.equal(win.webContents.getURL(), 'app://pitr/index.html');
  assert.equal(win.options.show, false, 'shown only once painted');
  win.emit('ready-to-show');
  assert.equal(win.shown, true);
});

test('the window is one of the app windows from before it loads, and forgotten once closed', () => {
  const windows = new AppWindows();
  let ownedAtLoad = false;
  class Probe extends FakeBrowserWindow {
    override loadURL(url: string): Promise<void> {
      ownedAtLoad = windows.owns(this.webContents);
      return super.loadURL(url);
    }
  }
  const win = createMainWindow({ BrowserWindow: Probe, windows, preload: '/p.cjs', warn: () => {} }) as FakeBrowserWindow;
  assert.equal(ownedAtLoad, true);
  assert.equal(windows.owns(new FakeWebContents()), false);
  win.close();
  assert.equal(windows.owns(win.webContents), false);
});
