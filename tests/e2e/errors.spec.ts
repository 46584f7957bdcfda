/** Error paths: what the user sees when something is wrong, and that it says what to do. */
import { expect, test } from './support/fixtures.ts';
import { createCluster } from './pages/cluster.ts';
import { testConnection } from './pages/logbackup.ts';

test('an unreachable S3 endpoint fails the wizard connection test, says what to do, and hides the secret', async ({ app }) => {
  await createCluster(app, 'errors', 1);
  // Port 9 (discard) on loopback: nothing listens there.
  const secret = 'SECRETKEY123';
  await testConnection(app, `s3://bucket/log?endpoint=http://127.0.0.1:9&region=us-east-1&force-path-style=true&access-key=AK&secret-access-key=${secret}`);
  const banner = app.getByTestId('logbackup-start-test-error');
  await expect(banner).toBeVisible({ timeout: 60_000 });
  await expect(app.getByTestId('logbackup-start-test-error-message')).not.toBeEmpty();
  await expect(banner).not.toContainText(secret);
  await expect(app.getByTestId('logbackup-start-submit')).toBeDisabled();
});

test('a malformed cron expression shows the API message', async ({ app }) => {
  await createCluster(app, 'errors', 1);
  await app.getByTestId('nav-snapshots').click();
  await app.getByTestId('snapshots-schedule-cron').fill('every tuesday');
  await app.getByTestId('snapshots-schedule-storage').fill('local:///tmp/pitr-e2e-never');
  await app.getByTestId('snapshots-schedule-add').click();
  await expect(app.getByTestId('snapshots-schedule-error-message')).toContainText(/cron/i);
});
