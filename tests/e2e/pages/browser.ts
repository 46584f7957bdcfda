/** Selectors and steps of the Backup browser page (R2's page; data-testids listed at the top of browser-page.tsx). */
import { expect } from '@playwright/test';
import type { Page } from '@playwright/test';

/** Opens a storage in the browser, expands a folder and opens one file's decoded metadata. */
export async function openFileMetadata(page: Page, storage: string, folder: string, file: string): Promise<void> {
  await page.getByTestId('nav-browser').click();
  await expect(page.getByTestId('page-browser')).toBeVisible();
  await page.getByTestId('browser-storage').fill(storage);
  await page.getByTestId('browser-open').click();
  await page.getByTestId(`browser-node-${folder}`).click();
  await page.getByTestId(`browser-node-${folder}${file}`).click();
  await expect(page.getByTestId('browser-metadata-path')).toContainText(file);
  await expect(page.getByTestId('browser-decoded')).toBeVisible();
}
