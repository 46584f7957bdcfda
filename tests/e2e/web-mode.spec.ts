/** Web mode itself: sign-in by one-time code, the CSP, the token never in the HTML, pushes. */
import { expect, test } from './support/fixtures.ts';

test('the one-time code signs in once; the served HTML holds no token', async ({ page, host }) => {
  const res = await page.goto(host.appUrl);
  const html = (await res!.text()) ?? '';
  expect(html).not.toContain(host.token);
  expect(res!.headers()['content-security-policy']).toContain("script-src 'self'");
  await expect(page.getByTestId('nav-cluster')).toBeVisible();
  // The code is spent: a second tab that opens the same address is asked to sign in.
  const other = await page.context().browser()!.newContext();
  const second = await other.newPage();
  await second.goto(host.appUrl);
  await expect(second.getByTestId('signin')).toBeVisible();
  await expect(second.getByTestId('error-banner-message')).toContainText('already used or expired');
  await second.getByTestId('signin-token').fill(host.token);
  await second.getByTestId('signin-submit').click();
  await expect(second.getByTestId('nav-cluster')).toBeVisible();
  await other.close();
});
