/**
 * Playwright fixtures (bruno's habit): every test gets its own temp data dir and a real web-mode
 * host, a page signed in through the one-time code, and a folder for backups.
 */
import { test as base, expect } from '@playwright/test';
import type { Page } from '@playwright/test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startS3rver } from '../../helpers/s3.ts';
import type { TestS3 } from '../../helpers/s3.ts';
import { startWebHost } from './web-host.ts';
import type { WebHost } from './web-host.ts';

/** The fixtures of the e2e tests. */
export interface E2eFixtures {
  host: WebHost;
  /** A page of the app, signed in, showing the shell. */
  app: Page;
  /** A temp folder for backups (removed after the test). */
  backupDir: string;
  /** A real S3 server on loopback (s3rver). */
  s3: TestS3;
}

/** `test` with the e2e fixtures. */
export const test = base.extend<E2eFixtures>({
  // eslint-disable-next-line no-empty-pattern
  host: async ({}, use) => {
    const host = await startWebHost();
    try {
      await use(host);
    } finally {
      await host.stop();
    }
  },
  app: async ({ page, host }, use) => {
    await page.goto(host.appUrl);
    await expect(page.getByTestId('nav-cluster')).toBeVisible();
    await use(page);
  },
  // eslint-disable-next-line no-empty-pattern
  backupDir: async ({}, use) => {
    const dir = mkdtempSync(join(tmpdir(), 'pitr-e2e-backup-'));
    try {
      await use(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
    }
  },
  // eslint-disable-next-line no-empty-pattern
  s3: async ({}, use) => {
    const s3 = await startS3rver('pitr-e2e');
    try {
      await use(s3);
    } finally {
      await s3.stop();
    }
  },
});

export { expect };
