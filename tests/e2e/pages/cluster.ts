/** Selectors and steps of the Cluster page (bruno's habit: selectors live in page modules). */
import { expect } from '@playwright/test';
import type { Page } from '@playwright/test';

/** Opens the Cluster page. */
export async function openCluster(page: Page): Promise<void> {
  await page.getByTestId('nav-cluster').click();
  await expect(page.getByTestId('page-cluster')).toBeVisible();
}

/** Creates a cluster and waits until its stores are Up. */
export async function createCluster(page: Page, name: string, stores = 3): Promise<void> {
  await openCluster(page);
  await page.getByTestId('cluster-create-name').fill(name);
  await page.getByTestId('cluster-create-stores').selectOption(String(stores));
  await page.getByTestId('cluster-create-submit').click();
  await expect(page.getByTestId('shell-cluster-select')).toHaveValue(name);
  for (let id = 1; id <= stores; id++) await expect(page.getByTestId(`cluster-store-state-${id}`)).toHaveText('Up');
}

/** Starts a workload and waits until it has committed transactions. */
export async function startWorkload(page: Page, kind: string, rate?: number): Promise<void> {
  await openCluster(page);
  await page.getByTestId('cluster-workload-kind').selectOption(kind);
  if (rate !== undefined) await page.getByTestId('cluster-workload-rate').fill(String(rate));
  await page.getByTestId('cluster-workload-start').click();
  await expect(page.getByTestId(`cluster-workload-state-${kind}`)).toHaveText('running');
  await expect.poll(async () => Number((await page.getByTestId(`cluster-workload-committed-${kind}`).textContent())?.replace(/,/g, '')), { timeout: 30_000 }).toBeGreaterThan(0);
}

/** Stops every workload. */
export async function stopWorkloads(page: Page): Promise<void> {
  await openCluster(page);
  await page.getByTestId('cluster-workload-stop-all').click();
  await expect(page.getByTestId('cluster-workload-stop-all')).toBeHidden();
}
