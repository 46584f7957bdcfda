// Playwright e2e: the real renderer in Debian's Chromium against a real host in web mode
// (tests/e2e/support/fixtures.ts starts one per test). `npx playwright install` cannot download
// here, so the browser is the system's.
import { defineConfig } from '@playwright/test';

export default defineConfig({
  testDir: 'tests/e2e',
  // *.spec.ts: the node:test runner (scripts/run-tests.mjs) takes *.test.ts, Playwright these.
  testMatch: '**/*.spec.ts',
  // PITR_E2E_OUTPUT: a separate folder when several runs share one checkout (Playwright empties it).
  outputDir: process.env.PITR_E2E_OUTPUT ?? 'test-results',
  // A journey creates clusters, backs up and restores: minutes on a loaded 2-core machine.
  timeout: 180_000,
  expect: { timeout: 20_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [['list']],
  use: {
    browserName: 'chromium',
    headless: true,
    viewport: { width: 1360, height: 900 },
    actionTimeout: 20_000,
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: process.env.PITR_CHROMIUM ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
    },
  },
});
