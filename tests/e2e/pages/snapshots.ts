/** Selectors and steps of the Snapshots page. */
import { expect } from '@playwright/test';
import type { Page } from '@playwright/test';

/** Opens the Snapshots page. */
export async function openSnapshots(page: Page): Promise<void> {
  await page.getByTestId('nav-snapshots').click();
  await expect(page.getByTestId('page-snapshots')).toBeVisible();
}

/** Runs a snapshot now; returns its backup ts once it succeeded. */
export async function runSnapshot(page: Page, storage: string): Promise<string> {
  await openSnapshots(page);
  await page.getByTestId('snapshots-storage').fill(storage);
  await page.getByTestId('snapshots-run').click();
  await expect(page.getByTestId('snapshots-result-ts')).toBeVisible({ timeout: 90_000 });
  await expect(page.getByTestId('snapshots-history-table')).toContainText('succeeded');
  return (await page.getByTestId('snapshots-result-ts').textContent())!;
}

/** Adds the "every day at 02:00" schedule and checks that it is shown in words. */
export async function addDailySchedule(page: Page, storage: string): Promise<void> {
  await openSnapshots(page);
  await page.getByTestId('snapshots-preset-0-2-').click();
  await expect(page.getByTestId('snapshots-schedule-cron')).toHaveValue('0 2 * * *');
  await page.getByTestId('snapshots-schedule-storage').fill(storage);
  await page.getByTestId('snapshots-schedule-add').click();
  await expect(page.getByTestId('snapshots-schedules-table')).toContainText('02:00');
}
