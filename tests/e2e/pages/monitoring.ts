/** Selectors and steps of the Monitoring page. */
import { expect } from '@playwright/test';
import type { Page } from '@playwright/test';
import { readFileSync } from 'node:fs';

/** Opens the Monitoring page and waits for the six alert rules. */
export async function openMonitoring(page: Page): Promise<void> {
  await page.getByTestId('nav-monitoring').click();
  await expect(page.getByTestId('page-monitoring')).toBeVisible();
  await expect(page.locator('[data-testid^="monitoring-alert-state-"]')).toHaveCount(6);
}

/** Clicks an export button; returns the downloaded file's name and text. */
export async function download(page: Page, kind: 'alert-rules' | 'grafana-dashboard' | 'grafana-snapshot'): Promise<{ name: string; text: string }> {
  const [file] = await Promise.all([page.waitForEvent('download'), page.getByTestId(`monitoring-export-${kind}`).click()]);
  const path = await file.path();
  return { name: file.suggestedFilename(), text: readFileSync(path, 'utf8') };
}
