import { test, expect } from '@playwright/test';
import { DEMO, MEMBER, signIn, hydrated, expectAccessible, watchConsole } from './helpers';

test('roles: the list, the editor matrix, the overview matrix with CSV, who can', async ({ page }) => {
  const errors = watchConsole(page);
  await signIn(page, DEMO, '/o/acme/roles');
  await expect(page.getByRole('heading', { name: 'Roles', exact: true })).toBeVisible();
  await hydrated(page);
  await expectAccessible(page);
  await page.getByRole('link', { name: 'Company Admin' }).click();
  await expect(page.getByRole('heading', { name: 'Company Admin' })).toBeVisible();
  // The matrix: company-wide audit log, no licence purchase (payment user's).
  await expect(page.getByRole('checkbox', { name: 'Read the audit log — organization' })).toBeChecked();
  await expect(page.getByRole('checkbox', { name: 'Change the number of seats — organization' })).not.toBeChecked();
  await expectAccessible(page);

  await page.goto('/o/acme/roles/matrix');
  await expect(page.getByRole('heading', { name: 'Role matrix' })).toBeVisible();
  await expectAccessible(page);
  const download = page.waitForEvent('download');
  await page.getByRole('link', { name: 'Export as CSV' }).click();
  const file = await download;
  expect(file.suggestedFilename()).toBe('acme-roles.csv');

  await page.goto('/o/acme/who-can');
  await page.getByRole('combobox', { name: 'Permission' }).selectOption('audit.view');
  await page.getByRole('button', { name: 'Ask' }).click();
  await expect(page).toHaveURL(/permission=audit.view/);
  await expect(page.getByRole('row', { name: /Dana Demo/ })).toContainText('owners hold every permission');
  await expectAccessible(page);
  expect(errors).toEqual([]);
});

test('an owner edits a role, assigns it with an end date and sees why a member may do something', async ({ page }) => {
  const errors = watchConsole(page);
  await signIn(page, DEMO, '/o/acme/roles');
  // A new role copied from the template's team manager.
  await page.getByLabel('Name', { exact: true }).fill('Shift lead');
  await page.getByLabel('Key', { exact: true }).fill('shift_lead');
  await page.getByRole('combobox', { name: 'Start from' }).selectOption({ label: 'Team Manager' });
  await page.getByRole('button', { name: 'Create role' }).click();
  await expect(page.getByRole('heading', { name: 'Shift lead' })).toBeVisible();
  await expect(page.getByRole('status')).toHaveText('Saved.');
  // Take one permission away and save: the difference to the template is listed.
  await page.getByRole('checkbox', { name: 'Invite people — unit' }).uncheck();
  await page.getByRole('button', { name: 'Save role' }).click();
  await expect(page.getByRole('heading', { name: 'Differences to the template' })).toBeVisible();
  await expectAccessible(page);

  // Assign it to Max at Operations until a date.
  await page.goto('/o/acme/members?q=mitglied');
  await page.getByRole('link', { name: 'Max Mitglied' }).click();
  await expect(page.getByRole('heading', { name: 'Access' })).toBeVisible();
  await page.getByRole('combobox', { name: 'Role', exact: true }).selectOption({ label: 'Shift lead' });
  await page.locator('form.row-form select[name="unit"]').first().selectOption({ label: 'Operations' });
  await page.getByLabel('Until').fill('2031-12-31');
  await page.getByRole('button', { name: 'Assign role' }).click();
  await expect(page.getByRole('status')).toHaveText('Saved.');
  const row = page.locator('#access table').first().getByRole('row', { name: /Shift lead/ });
  await expect(row).toContainText('Operations');
  // Effective permissions say why.
  const eff = page.locator('table.effective').getByRole('row', { name: /Edit members/ }).first();
  await eff.getByText('Why?').click();
  await expect(eff).toContainText('Role Shift lead at Operations and below.');
  await expectAccessible(page);
  expect(errors).toEqual([]);
});

test('a member is refused screens beyond their roles in their language, and sees what they may do', async ({ page }) => {
  await signIn(page, MEMBER);
  const r = await page.goto('/o/acme/units');
  expect(r?.status()).toBe(403);
  await expect(page.getByRole('heading', { name: 'Kein Zugriff' })).toBeVisible();
  await expect(page.locator('ul.why')).toContainText('Keine Rolle gewährt');
  await expect(page.locator('.contact')).toContainText('Dana Demo');
  // The refusal offers to ask for access.
  await expect(page.getByRole('link', { name: 'Zugriff anfragen' })).toHaveAttribute('href', '/o/acme/requests?kind=permission&permission=units.view#ask');
  await expectAccessible(page);
  // Their own page lists what they may do, in German.
  await page.goto('/o/acme/me');
  await expect(page.getByRole('heading', { name: 'Wirksame Berechtigungen' })).toBeVisible();
  await expectAccessible(page);
});

test('organization roles: appointing follows the seed rules and refusals say why', async ({ page }) => {
  await signIn(page, DEMO, '/o/acme/org-roles');
  await expect(page.getByRole('heading', { name: 'Organization roles' })).toBeVisible();
  await expectAccessible(page);
  // The main administrator needs two administrators; acme's seed has them, but the main
  // owner needs a co-owner chosen among owners: Max is neither.
  await page.getByRole('combobox', { name: 'Organization role' }).selectOption('main_owner');
  await page.getByLabel('Email').fill(MEMBER.email);
  await page.getByRole('button', { name: 'Appoint' }).click();
  await expect(page.getByRole('alert')).toContainText('The main owner is chosen from the owner and the co-owners.');
  await expect(page.getByLabel('Email')).toHaveValue(MEMBER.email);
  await page.getByRole('combobox', { name: 'Organization role' }).selectOption('support_team');
  await page.getByRole('button', { name: 'Appoint' }).click();
  await expect(page.getByRole('status')).toHaveText('Saved.');
  await expect(page.getByRole('row', { name: /Support team/ })).toContainText('Max Mitglied');
});

test('content browser: create, rename and delete an item; administrators see no content', async ({ page }) => {
  const errors = watchConsole(page);
  await signIn(page, DEMO, '/o/acme/content/tournaments');
  await expect(page.getByRole('heading', { name: 'Tournaments' })).toBeVisible();
  await page.getByLabel('Title').fill('Autumn cup');
  await page.getByRole('button', { name: 'Create' }).click();
  await expect(page.getByRole('status')).toHaveText('Saved.');
  const row = page.getByRole('row', { name: /Dana Demo/ }).filter({ has: page.locator('input[value="Autumn cup"]') });
  await row.getByRole('textbox', { name: 'Title' }).fill('Autumn cup 2027');
  await row.getByRole('button', { name: 'Save' }).click();
  await expect(page.locator('input[value="Autumn cup 2027"]')).toHaveCount(1);
  // Invite Max: he is now "invited" to it.
  await page.getByRole('textbox', { name: 'Invite by email — Autumn cup 2027' }).fill(MEMBER.email);
  await page.getByRole('button', { name: 'Invite' }).click();
  await expect(page.getByRole('status')).toHaveText('Saved.');
  await expect(page.locator('table.items')).toContainText('Max Mitglied');
  await expectAccessible(page);
  await page.getByRole('button', { name: 'Delete Autumn cup 2027' }).click();
  await expect(page.locator('input[value="Autumn cup 2027"]')).toHaveCount(0);
  // In nordwind Dana is an administrator: she manages the organization but sees no content.
  await page.goto('/o/nordwind/content/alerts');
  await expect(page.getByText('Administrators manage the organization but do not see its content.')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Create' })).toHaveCount(0);
  await expectAccessible(page);
  expect(errors).toEqual([]);
});

test('the mail page lists the organization mail by status', async ({ page }) => {
  await signIn(page, DEMO, '/o/acme/mail');
  await expect(page.getByRole('heading', { name: 'Mail', exact: true })).toBeVisible();
  await page.getByRole('link', { name: 'Failed' }).click();
  await expect(page).toHaveURL(/status=failed/);
  await expectAccessible(page);
});
