import { test, expect } from '@playwright/test';
import { DEMO, MEMBER, signIn, hydrated, expectAccessible, watchConsole } from './helpers';

test('signed-out visitors are sent to sign-in, and come back where they wanted to go', async ({ page }) => {
  const errors = watchConsole(page);
  await page.goto('/o/acme/members?status=invited');
  await expect(page).toHaveURL(/\/sign-in\?next=/);
  await expect(page.getByRole('heading', { name: 'Sign in to Gatehouse' })).toBeVisible();
  await expectAccessible(page);
  await page.getByLabel('Email').fill(DEMO.email);
  await page.getByLabel('Password').fill('wrong password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toHaveText('The email address or password is not correct.');
  await page.getByLabel('Email').fill(DEMO.email);
  await page.getByLabel('Password').fill(DEMO.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/o\/acme\/members\?status=invited$/);
  await expect(page.locator('#member-count')).toContainText('members');
  expect(errors).toEqual([]);
});

test('sign-in works before the WASM has loaded (plain form post)', async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await signIn(page, DEMO, '/o/acme/dashboard');
  await expect(page).toHaveURL(/\/o\/acme\/dashboard$/);
  await expect(page.getByRole('heading', { name: 'Dashboard' })).toBeVisible();
  await context.close();
});

test('the dashboard shows figures from the database that match the members list', async ({ page }) => {
  const errors = watchConsole(page);
  await signIn(page, DEMO, '/o/acme/dashboard');
  await expect(page.getByRole('heading', { name: 'Dashboard' })).toBeVisible();
  await hydrated(page);
  await expectAccessible(page);
  const invited = (await page.locator('#fig-invited').innerText()).trim();
  expect(Number(invited)).toBeGreaterThan(0);
  await page.locator('#fig-invited').click();
  await expect(page).toHaveURL(/status=invited/);
  await expect(page.locator('#member-count')).toHaveText(`${invited} members`);
  await expect(page.getByRole('heading', { name: 'Recent activity' })).toHaveCount(0); // now on the members page
  expect(errors).toEqual([]);
});

test('members: search, filter, sort and page through the list', async ({ page }) => {
  const errors = watchConsole(page);
  await signIn(page, DEMO, '/o/acme/members');
  // 300 seeded; other specs (compliance) may have added a few people before this one.
  await expect(page.locator('#member-count')).toHaveText(/^30\d members$/);
  await expect(page.getByText(/^Page 1 of 1[23]$/)).toBeVisible();
  await expectAccessible(page);
  await page.getByRole('link', { name: 'Next' }).click();
  await expect(page.getByText(/^Page 2 of 1[23]$/)).toBeVisible();
  await expect(page).toHaveURL(/page=2/);

  await page.getByLabel('Kind').selectOption('auditor');
  await page.getByRole('button', { name: 'Apply' }).click();
  await expect(page).toHaveURL(/kind=auditor/);
  const rows = page.locator('table.members tbody tr');
  const n = await rows.count();
  expect(n).toBeGreaterThan(0);
  for (let i = 0; i < n; i++) await expect(rows.nth(i).locator('td').nth(2)).toHaveText('Auditor');

  await page.getByRole('link', { name: 'Reset' }).click();
  await page.getByLabel('Search').fill('DEMO@gatehouse');
  await page.getByRole('button', { name: 'Apply' }).click();
  await expect(page.locator('#member-count')).toHaveText('1 members');
  await expect(rows.first()).toContainText('Dana Demo');

  await page.getByRole('link', { name: 'Reset' }).click();
  await page.getByRole('link', { name: /^Email/ }).click();
  await expect(page).toHaveURL(/sort=email/);
  const first = await rows.nth(0).locator('td').nth(1).innerText();
  const second = await rows.nth(1).locator('td').nth(1).innerText();
  expect(first.localeCompare(second)).toBeLessThanOrEqual(0);

  // Unit filter includes every unit below the chosen one.
  await page.getByLabel('Unit').selectOption({ label: 'Operations' });
  await page.getByRole('button', { name: 'Apply' }).click();
  await expect(page).toHaveURL(/unit=\d+/);
  const opsText = await page.locator('#member-count').innerText();
  expect(Number(opsText.split(' ')[0])).toBeGreaterThan(0);

  // Member detail.
  await page.locator('table.members tbody tr td a').first().click();
  await expect(page.getByRole('heading', { name: 'Member details' })).toBeVisible();
  await expectAccessible(page);
  expect(errors).toEqual([]);
});

test('units tree folds and unfolds once hydrated', async ({ page }) => {
  const errors = watchConsole(page);
  await signIn(page, DEMO, '/o/acme/units');
  await expect(page.getByRole('heading', { name: 'Organization structure' })).toBeVisible();
  const hamburg = page.locator('li[data-unit="Hamburg hub"]');
  await expect(hamburg).toBeVisible();
  await hydrated(page);
  await expectAccessible(page);
  await page.getByRole('button', { name: 'Collapse all' }).click();
  await expect(hamburg).toBeHidden();
  await expect(page.locator('li[data-unit="Operations"]')).toBeVisible();
  const toggle = page.getByRole('button', { name: 'Show or hide units below Operations' });
  await expect(toggle).toHaveAttribute('aria-expanded', 'false');
  await toggle.click();
  await expect(hamburg).toBeVisible();
  await expect(toggle).toHaveAttribute('aria-expanded', 'true');
  await expect(page.locator('li[data-unit="Inbound"]').first()).toBeHidden(); // Hamburg hub is still folded
  await page.getByRole('button', { name: 'Expand all' }).click();
  await expect(page.locator('li[data-unit="Inbound"]').first()).toBeVisible();
  expect(errors).toEqual([]);
});

test('language switch: German everywhere, kept on the account', async ({ page }) => {
  await signIn(page, DEMO, '/o/acme/dashboard');
  await page.getByLabel('Language').selectOption('de');
  await page.getByRole('button', { name: 'Change' }).click();
  await expect(page.getByRole('heading', { name: 'Übersicht' })).toBeVisible();
  await expect(page.locator('html')).toHaveAttribute('lang', 'de');
  await expectAccessible(page);
  await page.getByRole('link', { name: 'Mitglieder' }).first().click();
  await expect(page.locator('#member-count')).toHaveText(/^30\d Mitglieder$/);
  await page.getByLabel('Sprache').selectOption('en');
  await page.getByRole('button', { name: 'Wechseln' }).click();
  await expect(page.locator('#member-count')).toHaveText(/^30\d members$/);
});

test('organization switcher moves between organizations', async ({ page }) => {
  await signIn(page, DEMO);
  await expect(page).toHaveURL(/\/orgs$/);
  await expect(page.getByRole('heading', { name: 'Your organizations' })).toBeVisible();
  await expectAccessible(page);
  await page.getByRole('link', { name: 'Acme Logistics' }).click();
  await expect(page.getByRole('heading', { name: 'Dashboard' })).toBeVisible();
  await page.getByText('Switch organization').click();
  await page.getByRole('link', { name: 'Nordwind Energie GmbH' }).click();
  await expect(page).toHaveURL(/\/o\/nordwind\/dashboard$/);
  await expect(page.locator('.org-name')).toHaveText('Nordwind Energie GmbH');
  // A plain member there: only their own page.
  await page.getByText('Switch organization').click();
  await page.getByRole('link', { name: 'Example Health' }).click();
  await expect(page).toHaveURL(/\/o\/example-health\/me$/);
  await expect(page.getByRole('link', { name: 'Dashboard' })).toHaveCount(0);
  await expectAccessible(page);
});

test('a member sees their own page, is refused admin pages with a contact, and never sees another organization', async ({ page }) => {
  const errors = watchConsole(page);
  await signIn(page, MEMBER);
  await expect(page).toHaveURL(/\/o\/acme\/me$/);
  await expect(page.getByRole('heading', { name: 'Max Mitglied' })).toBeVisible();
  await expectAccessible(page);
  const refused = await page.goto('/o/acme/dashboard');
  expect(refused?.status()).toBe(403);
  await expect(page.getByRole('heading', { name: 'Kein Zugriff' })).toBeVisible(); // Max reads German
  await expect(page.locator('.contact')).toContainText('Dana Demo');
  await expectAccessible(page);
  const other = await page.goto('/o/nordwind/dashboard');
  expect(other?.status()).toBe(404);
  await expect(page.getByRole('heading', { name: 'Nicht gefunden' })).toBeVisible();
  await expectAccessible(page);
  expect(errors.filter((e) => !e.includes('status of 40'))).toEqual([]);
});

test('an admin cannot open a member of another organization by URL', async ({ page, request }) => {
  await signIn(page, DEMO, '/o/nordwind/members');
  const link = page.locator('table.members tbody tr td a').first();
  const href = await link.getAttribute('href');
  const id = href!.split('/').pop();
  const resp = await page.goto(`/o/example-health/members/${id}`);
  expect(resp?.status()).toBe(403); // demo is a plain member of example-health
  const resp2 = await page.goto(`/o/acme/members/${id}`);
  expect(resp2?.status()).toBe(404); // the id belongs to nordwind
  await expect(page.getByRole('heading', { name: 'Not found' })).toBeVisible();
});

test('sign out ends the session', async ({ page }) => {
  await signIn(page, DEMO, '/o/acme/dashboard');
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page.getByText('You have been signed out.')).toBeVisible();
  await page.goto('/o/acme/dashboard');
  await expect(page).toHaveURL(/\/sign-in/);
});

test('forgot password: the same answer for any address, pages accessible in both languages', async ({ page }) => {
  await page.goto('/sign-in');
  await page.getByRole('link', { name: 'Forgot your password?' }).click();
  await expect(page.getByRole('heading', { name: 'Forgot your password?' })).toBeVisible();
  await expectAccessible(page);
  await page.getByLabel('Email').fill('nobody@nowhere.test');
  await page.getByRole('button', { name: 'Send the link' }).click();
  await expect(page.getByRole('status')).toContainText('If the address belongs to an account');
  await page.goto('/reset-password?token=not-a-real-token');
  await expect(page.getByRole('alert')).toContainText('This link has expired or was already used.');
  await expectAccessible(page);
});
