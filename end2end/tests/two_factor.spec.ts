import { test, expect } from '@playwright/test';
// Dana turns on two-factor authentication from her account page (the code computed here from
// the key the page shows, as an authenticator app would), keeps her recovery codes, signs in
// again with a code, and turns it off at the end.
import { DEMO, signIn, hydrated, expectAccessible, watchConsole, base32Decode, freshCode } from './helpers';

test('two-factor authentication: set up with the QR code or key, recovery codes shown once, sign in with a code, turn off', async ({ page }) => {
  test.setTimeout(180_000);
  const errors = watchConsole(page);
  const used = new Set<number>();
  await signIn(page, DEMO, '/account');
  await expect(page.getByRole('heading', { name: 'Two-factor authentication' })).toBeVisible();
  await hydrated(page);
  await page.getByRole('button', { name: 'Set up two-factor authentication' }).click();
  await expect(page.getByRole('img', { name: 'QR code for your authenticator app' })).toBeVisible();
  await hydrated(page);
  await expectAccessible(page);
  const key = base32Decode(await page.locator('code.secret-key').innerText());
  expect(key.length).toBe(20);
  await page.getByLabel('Six-digit code from the app').fill(await freshCode(page, key, used));
  await page.getByRole('button', { name: 'Turn on' }).click();
  await expect(page.getByRole('heading', { name: 'Your recovery codes' })).toBeVisible();
  await expectAccessible(page);
  const first = await page.getByLabel('Recovery code 1', { exact: true }).inputValue();
  expect(first).toMatch(/^[a-z2-7]{5}-[a-z2-7]{5}$/);
  await page.getByRole('link', { name: 'Back to your account' }).click();
  await expect(page.getByText(/Recovery codes left: 10/)).toBeVisible();

  // Signing in again takes a code.
  await page.getByRole('button', { name: /^(Sign out|Abmelden)$/ }).click();
  await signIn(page, DEMO, '/o/acme/dashboard');
  await expect(page.getByRole('heading', { name: 'One more step: your code' })).toBeVisible();
  await hydrated(page);
  await expectAccessible(page);
  await page.getByLabel('Code or recovery code').fill('000000');
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page.getByRole('alert')).toContainText('not right');
  await page.getByLabel('Code or recovery code').fill(await freshCode(page, key, used));
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page).toHaveURL(/\/o\/acme\/dashboard/);

  // Off again, with a current code (the other tests sign Dana in with her password only).
  await page.goto('/account');
  await page.getByLabel('Code or recovery code').fill(await freshCode(page, key, used));
  await page.getByRole('button', { name: 'Turn off' }).click();
  await expect(page.getByRole('status')).toHaveText('Two-factor authentication is off.');
  expect(errors).toEqual([]);
});
