/** The Cluster page's controls: the TSO clock speed and a GC run change what PD reports. */
import { expect, test } from './support/fixtures.ts';
import { createCluster } from './pages/cluster.ts';

test('the TSO clock speeds up and GC runs from the Cluster page', async ({ app }) => {
  await createCluster(app, 'clock', 2);
  await expect(app.getByTestId('cluster-clock-value')).toHaveText('1×');
  await expect(app.getByTestId('cluster-regions-table')).toBeVisible();
  await expect(app.getByTestId('cluster-region-count')).not.toHaveText('0');
  await app.getByTestId('cluster-clock-speed').selectOption('3600');
  await app.getByTestId('cluster-clock-apply').click();
  await expect(app.getByTestId('cluster-clock-value')).toHaveText('3600×');
  // At an hour per second the TSO runs far ahead of the wall clock: more than a minute in 2 s.
  const tso = async () => BigInt((await app.getByTestId('cluster-tso').textContent())!);
  const first = await tso();
  await expect.poll(async () => (await tso()) - first > 60_000n << 18n, { timeout: 20_000 }).toBe(true);
  await app.getByTestId('cluster-gc-run').click();
  await expect(app.getByTestId('cluster-gc-safepoint')).not.toHaveText('none yet');
  await expect(app.getByTestId('cluster-gc-error')).toBeHidden();
});
