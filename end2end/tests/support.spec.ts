import { test, expect } from '@playwright/test';
// Cara (customer success, created by scripts/test.sh with `gatehouse create-staff`) is sent to set
// up two-factor authentication first, then signs in to acme as an administrator for support with
// a reason: a banner on every page says so, Dana (the owner) is mailed and sees it in her
// settings and in the audit log, and when Cara ends it acme is closed to her again.
import { DEMO, signIn, hydrated, expectAccessible, watchConsole, mailTo, staffFirstSignIn } from './helpers';

const STAFF = { email: 'cara@ops.gatehouse.test', password: 'gatehouse-staff-2026' };

test('a customer-success staff member signs in to an organization as administrator for support, bounded, bannered, mailed and audited', async ({ page, browser }) => {
  test.setTimeout(180_000);
  const errors = watchConsole(page);
  const used = new Set<number>();
  // Staff always sign in with a second factor: set up before anything else.
  await staffFirstSignIn(page, STAFF, used);

  await page.goto('/staff');
  await expect(page.getByRole('heading', { name: 'Staff console' })).toBeVisible();
  await hydrated(page);
  await expectAccessible(page);
  await page.getByText('Sign in to Acme Logistics as administrator').click();
  await page.getByLabel('Reason (ticket, what the customer asked for)').first().fill('Ticket 4711: the import of the new hires fails');
  await page.getByLabel('Minutes').first().selectOption('30');
  await page.getByRole('button', { name: 'Start support session' }).first().click();

  await expect(page).toHaveURL(/\/o\/acme\/dashboard/);
  const banner = page.locator('.banner.support');
  await expect(banner).toContainText('You are acting as an administrator of Acme Logistics');
  await expect(banner).toContainText('Ticket 4711');
  await hydrated(page);
  await expectAccessible(page);
  await page.goto('/o/acme/settings');
  await expect(page.locator('.banner.support')).toBeVisible();
  await expect(page.getByRole('region', { name: 'Support access' })).toContainText('Cara Success since');

  // Dana is told by mail, and the audit log names Cara and the role she acts as.
  await expect.poll(async () => mailTo(DEMO.email), { timeout: 30_000 }).toContain('Cara Success of the Gatehouse support team signed in to Acme Logistics as an administrator');
  const dana = await (await browser.newContext()).newPage();
  await signIn(dana, DEMO, '/o/acme/dashboard');
  await expect(dana.getByRole('main')).toContainText('Cara Success (staff, acting as administrator)');
  await dana.context().close();

  // Cara ends it: acme is closed to her again.
  await page.getByRole('button', { name: 'End support session' }).click();
  await expect(page).toHaveURL(/\/staff\?support_ended=1/);
  await expect(page.getByRole('status').filter({ hasText: 'The support session has ended.' })).toBeVisible();
  await page.goto('/o/acme/dashboard');
  await expect(page.getByRole('heading', { name: 'Not found' })).toBeVisible();
  expect(errors.filter((e) => !e.includes('404'))).toEqual([]);
});
