/** Selectors and steps of the Restore page (R2's page; data-testids listed at the top of restore-page.tsx). */
import { expect } from '@playwright/test';
import type { Page } from '@playwright/test';

/**
 * Opens the Restore page and loads the timeline of the given storages, again until the latest
 * restorable point (picked by default, as br does) reaches `minTs`: the log's checkpoint in the
 * storage trails the live one by up to a flush interval.
 */
export async function loadTimeline(page: Page, logStorage: string, snapshotStorage: string, minTs: bigint): Promise<void> {
  await page.getByTestId('nav-restore').click();
  await expect(page.getByTestId('page-restore')).toBeVisible();
  await page.getByTestId('restore-log-storage').fill(logStorage);
  await page.getByTestId('restore-snapshot-storage').fill(snapshotStorage);
  await expect
    .poll(
      async () => {
        await page.getByTestId('restore-load').click();
        await expect(page.getByTestId('restore-load')).toBeEnabled();
        await expect(page.getByTestId('timeline-canvas')).toBeVisible();
        return ((await pickedTs(page)) ?? 0n) >= minTs;
      },
      { timeout: 60_000, intervals: [1000] },
    )
    .toBe(true);
}

/** The picked TSO, or null when none. */
export async function pickedTs(page: Page): Promise<bigint | null> {
  const el = page.getByTestId('restore-picked-ts');
  if ((await el.count()) === 0) return null;
  const t = (await el.textContent())?.trim();
  return t ? BigInt(t) : null;
}

/** Clicks the timeline at a fraction of its width; returns the picked TSO. */
export async function pickByClick(page: Page, fraction: number): Promise<bigint> {
  const canvas = page.getByTestId('timeline-canvas');
  const box = (await canvas.boundingBox())!;
  await canvas.click({ position: { x: box.width * fraction, y: box.height / 2 } });
  await expect(page.getByTestId('restore-picked-ts')).not.toBeEmpty();
  return (await pickedTs(page))!;
}

/** Types a point (TSO or datetime) into the timeline's input. */
export async function pickByTyping(page: Page, text: string): Promise<void> {
  await page.getByTestId('timeline-input').fill(text);
  await page.getByTestId('timeline-go').click();
}

/** Plans and runs the restore into the proposed new cluster; waits for a passing verification. */
export async function restoreAndVerify(page: Page): Promise<void> {
  await page.getByTestId('restore-plan-button').click();
  await expect(page.getByTestId('restore-plan')).toBeVisible({ timeout: 60_000 });
  await page.getByTestId('restore-start').click();
  await expect(page.getByTestId('restore-progress')).toBeVisible();
  await expect(page.getByTestId('restore-verification-verdict')).toHaveText('PASSED', { timeout: 120_000 });
  await expect(page.getByTestId('restore-state')).toContainText('succeeded');
}
