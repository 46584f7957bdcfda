/**
 * The whole journey of a DBA in the real renderer against a real host in web mode: a cluster, a
 * workload, a log backup, a snapshot, a schedule, the backup browser, a restore point picked on
 * the timeline, the restore with progress and a passing verification. Once to a local folder,
 * once to S3 (s3rver). A screenshot of every page is kept in test-results/.
 */
import { join } from 'node:path';
import type { Page, TestInfo } from '@playwright/test';
import { expect, test } from './support/fixtures.ts';
import { createCluster, startWorkload, stopWorkloads } from './pages/cluster.ts';
import { pauseAndResume, startLogBackup, truncateWithDryRun, waitCheckpointPast } from './pages/logbackup.ts';
import { openFileMetadata } from './pages/browser.ts';
import { addDailySchedule, runSnapshot } from './pages/snapshots.ts';
import { download, openMonitoring } from './pages/monitoring.ts';
import { loadTimeline, pickByClick, pickByTyping, pickedTs, restoreAndVerify } from './pages/restore.ts';

/** Saves a full-page screenshot as a test artifact. */
async function shoot(page: Page, info: TestInfo, name: string): Promise<void> {
  await page.screenshot({ path: info.outputPath(`${name}.png`), fullPage: true });
}

/** The journey, against `storage(kind)` URLs of one backend (`root` holds them all); returns the latest restorable TSO it saw. */
async function journey(page: Page, info: TestInfo, storage: (kind: 'log' | 'snapshot' | 'scheduled' | 'root') => string): Promise<string> {
  await createCluster(page, 'source');
  await startWorkload(page, 'bank', 50);
  await shoot(page, info, 'cluster');
  await startLogBackup(page, 'pitr', storage('log'));
  const snapshotTs = await runSnapshot(page, storage('snapshot'));
  await addDailySchedule(page, storage('scheduled'));
  await shoot(page, info, 'snapshots');
  await pauseAndResume(page);
  await waitCheckpointPast(page, snapshotTs);
  await shoot(page, info, 'logbackup');
  await stopWorkloads(page);

  // The Backup browser: the storage's tree and the decoded metadata of the snapshot's backupmeta.
  await openFileMetadata(page, storage('root'), 'snapshot/', 'backupmeta');
  await shoot(page, info, 'browser');

  // Restore: the timeline of both storages; a point by click, then one typed as a TSO.
  await loadTimeline(page, storage('log'), storage('snapshot'), BigInt(snapshotTs));
  const latest = (await pickedTs(page))!;
  const clicked = await pickByClick(page, 0.5);
  // A click is clamped to what can be restored: between the snapshot and the latest point.
  expect(clicked >= BigInt(snapshotTs) && clicked <= latest).toBe(true);
  const typed = (BigInt(snapshotTs) + clicked) / 2n;
  await pickByTyping(page, typed.toString());
  await expect(page.getByTestId('restore-refusal')).toBeHidden();
  expect(await pickedTs(page)).toBe(typed < BigInt(snapshotTs) ? BigInt(snapshotTs) : typed);
  // A point before the snapshot is outside the window: refused, with the reason.
  await pickByTyping(page, (BigInt(snapshotTs) - (3600_000n << 18n)).toString());
  await expect(page.getByTestId('restore-refusal')).toBeVisible();
  await pickByTyping(page, typed.toString());
  await expect(page.getByTestId('restore-refusal')).toBeHidden();
  await restoreAndVerify(page);
  await shoot(page, info, 'restore');

  await openMonitoring(page);
  const dashboard = await download(page, 'grafana-dashboard');
  expect(dashboard.name).toMatch(/\.json$/);
  expect(JSON.parse(dashboard.text)).toHaveProperty('panels');
  await shoot(page, info, 'monitoring');
  return latest.toString();
}

test('journey to a local folder', async ({ app, backupDir }, info) => {
  const latest = await journey(app, info, (kind) => `local://${kind === 'root' ? backupDir : join(backupDir, kind)}`);
  // Truncate the log up to the latest point the restore offered (the restore is done): a dry run,
  // then the confirmed truncate; the files of the flushes before it go.
  expect(await truncateWithDryRun(app, latest)).toBeGreaterThan(0);
});

test('journey to S3 (s3rver)', async ({ app, s3 }, info) => {
  await journey(app, info, (kind) => s3.url(kind === 'root' ? '' : kind));
});
