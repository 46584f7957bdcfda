/**
 * The timeline and the Backup browser in the real renderer against a real web-mode host: backups
 * made through the API, then every way of picking a point (typed TSO and datetime, keys, a
 * dragged cursor, buttons) with the picker's refusals and clamping, and the browser's tree,
 * metadata, checksum verification and coverage. (The full journey is journey.spec.ts.)
 */
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { expect, test } from './support/fixtures.ts';
import type { WebHost } from './support/web-host.ts';

/** Calls one channel of the host's API. */
async function api<T>(host: WebHost, channel: string, input: Record<string, unknown>): Promise<T> {
  const res = await fetch(`${host.url}/api/${channel}`, { method: 'POST', headers: { authorization: `Bearer ${host.token}`, 'content-type': 'application/json' }, body: JSON.stringify(input) });
  const env = (await res.json()) as { ok: boolean; result?: T; error?: { message: string } };
  if (!env.ok) throw new Error(`${channel}: ${env.error?.message}`);
  return env.result as T;
}

const picked = async (page: Page) => BigInt((await page.getByTestId('restore-picked-ts').textContent())!.trim());
const typePoint = async (page: Page, text: string) => {
  await page.getByTestId('timeline-input').fill(text);
  await page.getByTestId('timeline-go').click();
};

test('pick a restore point every way; refusals say why; plan, restore, verify; browse, inspect, verify and see coverage', async ({ app: page, host, backupDir }, info) => {
  const log = `local://${join(backupDir, 'log')}`;
  const snap = `local://${join(backupDir, 'snap')}`;
  await api(host, 'cluster:create', { name: 'source', stores: 2 });
  const put = (k: string) => api(host, 'txn:commit', { cluster: 'source', puts: [{ key: k, value: 'v' }] });
  await put('before-log');
  await api(host, 'log:start', { cluster: 'source', task_name: 'pitr', storage: log, flush_interval_ms: 1000 });
  await put('before-snapshot');
  const { backup_ts: snapshotTs } = await api<{ backup_ts: string }>(host, 'backup:full', { cluster: 'source', storage: snap });
  await put('after-snapshot');
  // The log must reach past the snapshot for anything to be restorable.
  await expect
    .poll(async () => {
      await api(host, 'log:flush', { cluster: 'source' });
      return BigInt((await api<{ log_max_ts: string }>(host, 'log:metadata', { cluster: 'source', storage: log })).log_max_ts) > BigInt(snapshotTs);
    }, { timeout: 60_000 })
    .toBe(true);
  const { log_max_ts: latestText } = await api<{ log_max_ts: string }>(host, 'log:metadata', { cluster: 'source', storage: log });
  const first = BigInt(snapshotTs);

  await page.getByTestId('nav-restore').click();
  // The current cluster's backups fill the storages: its log task's, and its snapshots' folder.
  await page.getByTestId('restore-suggest').click({ timeout: 30_000 });
  await expect(page.getByTestId('restore-log-storage')).toHaveValue(/\/log$/);
  await expect(page.getByTestId('restore-snapshot-storage')).toHaveValue(new RegExp(`${backupDir.split('/').pop()}$`));
  await page.getByTestId('restore-log-storage').fill(log);
  await page.getByTestId('restore-snapshot-storage').fill(snap);
  await page.getByTestId('restore-load').click();
  await expect(page.getByTestId('timeline-canvas')).toBeVisible();
  // The latest restorable point is picked by default, as br restores to the log's max ts (the
  // task keeps flushing, so it is at least what the metadata said a moment ago).
  await expect(page.getByTestId('restore-picked-ts')).toBeVisible();
  const latest = await picked(page);
  expect(latest).toBeGreaterThanOrEqual(BigInt(latestText));

  // After the latest restorable time: refused, clamped to it, with the reason.
  await typePoint(page, (latest + (3_600_000n << 18n)).toString());
  await expect(page.getByTestId('restore-refusal')).toContainText('after the latest restorable time');
  expect(await picked(page)).toBe(latest);
  // Before the snapshot (but inside the log): refused, clamped to the snapshot.
  await typePoint(page, (first - 1n).toString());
  await expect(page.getByTestId('restore-refusal')).toContainText('before the earliest snapshot');
  expect(await picked(page)).toBe(first);
  // Garbage: the input says what it accepts; the picked point stays.
  await typePoint(page, 'yesterday');
  await expect(page.getByTestId('timeline-input-error')).toContainText('neither a TSO nor a datetime');
  // A datetime in ISO form (UTC): picked at that millisecond.
  const midMs = Number(((first + latest) / 2n) >> 18n);
  await typePoint(page, new Date(midMs).toISOString());
  await expect(page.getByTestId('restore-refusal')).toBeHidden();
  expect(await picked(page)).toBe(BigInt(midMs) << 18n);

  // Keys: End jumps to the latest point, Home to the earliest, an arrow moves off it.
  const canvas = page.getByTestId('timeline-canvas');
  await canvas.focus();
  await page.keyboard.press('End');
  await expect.poll(() => picked(page)).toBe(latest);
  await expect(canvas).toHaveAttribute('aria-valuetext', new RegExp(`TSO ${latest}`));
  await page.keyboard.press('Home');
  await expect.poll(() => picked(page)).toBe(first);
  await page.keyboard.press('ArrowRight');
  await expect.poll(async () => (await picked(page)) > first).toBe(true);

  // Zoom buttons change the view; dragging the cursor left moves the point earlier (clamped).
  const span = async () => Number(await canvas.getAttribute('data-view-span-ms'));
  const before = await span();
  await page.getByTestId('timeline-zoom-in').click();
  await expect.poll(span).toBeLessThan(before);
  await page.getByTestId('timeline-fit').click();
  await page.getByTestId('timeline-latest').click();
  await expect.poll(() => picked(page)).toBe(latest);
  const box = (await canvas.boundingBox())!;
  const start = Number(await canvas.getAttribute('data-view-start-ms'));
  const x = box.x + ((Number(latest >> 18n) - start) / (await span())) * box.width;
  await page.mouse.move(x, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(x - box.width * 0.3, box.y + box.height / 2, { steps: 5 });
  await page.mouse.up();
  await expect.poll(async () => (await picked(page)) < latest).toBe(true);
  expect(await picked(page)).toBeGreaterThanOrEqual(first);
  await page.screenshot({ path: info.outputPath('timeline.png'), fullPage: true });

  // Plan (dry run into a new cluster), restore, and the verification report.
  await page.getByTestId('restore-plan-button').click();
  await expect(page.getByTestId('restore-plan')).toBeVisible({ timeout: 60_000 });
  await expect(page.getByTestId('restore-plan-files')).not.toHaveText('0');
  await page.getByTestId('restore-start').click();
  await expect(page.getByTestId('restore-progress')).toBeVisible();
  await expect(page.getByTestId('restore-verification-verdict')).toHaveText('PASSED', { timeout: 120_000 });
  await expect(page.getByTestId('restore-state')).toHaveText('succeeded');
  await expect(page.getByTestId('restore-phase-done')).toHaveClass(/is-done/);
  await page.screenshot({ path: info.outputPath('restore.png'), fullPage: true });

  // The Backup browser: the tree, a file's metadata, verification, coverage.
  await page.getByTestId('nav-browser').click();
  await page.getByTestId('browser-storage').fill(`local://${backupDir}`);
  await page.getByTestId('browser-open').click();
  await page.getByTestId('browser-node-log/').click();
  await page.getByTestId('browser-node-log/backupmeta').click();
  await expect(page.getByTestId('browser-metadata-kind')).toHaveText('log-backupmeta');
  await expect(page.getByTestId('browser-decoded')).toBeVisible();
  await page.getByTestId('browser-verify').click();
  await expect(page.getByTestId('browser-verify-verdict')).toHaveText('PASSED', { timeout: 60_000 });
  await page.getByTestId('browser-coverage-load-log/').click();
  await expect(page.getByTestId('browser-coverage-timeline-canvas')).toBeVisible();
  await page.screenshot({ path: info.outputPath('browser.png'), fullPage: true });
});
