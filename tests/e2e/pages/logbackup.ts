/** Selectors and steps of the Log backup page. */
import { expect } from '@playwright/test';
import type { Page } from '@playwright/test';

/** Opens the Log backup page. */
export async function openLogBackup(page: Page): Promise<void> {
  await page.getByTestId('nav-logbackup').click();
  await expect(page.getByTestId('page-logbackup')).toBeVisible();
}

/** Fills the wizard's storage and runs the connection test (does not wait for the outcome). */
export async function testConnection(page: Page, storage: string): Promise<void> {
  await openLogBackup(page);
  await page.getByTestId('logbackup-start-storage').fill(storage);
  await page.getByTestId('logbackup-start-test').click();
}

/** Starts a log backup through the wizard and waits for a NORMAL task whose checkpoint moved. */
export async function startLogBackup(page: Page, taskName: string, storage: string): Promise<void> {
  await testConnection(page, storage);
  await expect(page.getByTestId('logbackup-start-test-ok')).toBeVisible();
  await page.getByTestId('logbackup-start-task-name').fill(taskName);
  await page.getByTestId('logbackup-start-submit').click();
  await expect(page.getByTestId('logbackup-status')).toHaveText('NORMAL');
  await expect(page.getByTestId('logbackup-task-name')).toHaveText(taskName);
  await expect(page.getByTestId('logbackup-store-row-1')).toBeVisible();
}

/** Waits until the global checkpoint passes `tso` (the log covers up to there). */
export async function waitCheckpointPast(page: Page, tso: string): Promise<void> {
  await openLogBackup(page);
  await expect
    .poll(async () => BigInt((await page.getByTestId('logbackup-checkpoint').textContent()) ?? '0') > BigInt(tso), { timeout: 60_000 })
    .toBe(true);
}

/** Pauses the task, then resumes it, checking the status badge each time. */
export async function pauseAndResume(page: Page): Promise<void> {
  await openLogBackup(page);
  await page.getByTestId('logbackup-pause').click();
  await expect(page.getByTestId('logbackup-status')).toHaveText('PAUSE');
  await page.getByTestId('logbackup-resume').click();
  await expect(page.getByTestId('logbackup-status')).toHaveText('NORMAL');
}

/** Truncates the log until `until`: dry run first, then the confirmed truncate; returns the files removed. */
export async function truncateWithDryRun(page: Page, until: string): Promise<number> {
  await openLogBackup(page);
  await page.getByTestId('logbackup-truncate-until').fill(until);
  await page.getByTestId('logbackup-truncate-preview').click();
  await expect(page.getByTestId('logbackup-truncate-plan')).toBeVisible();
  const count = Number(await page.getByTestId('logbackup-truncate-count').textContent());
  await page.getByTestId('logbackup-truncate-confirm').click();
  await expect(page.getByTestId('logbackup-truncate-done')).toContainText(`Removed ${count} files`);
  return count;
}
