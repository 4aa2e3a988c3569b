import { test, expect } from '@playwright/test';
// Dana (the owner of acme) opens the users, roles & responsibilities document from the Roles
// page: written from the live configuration, in English and in German, axe-clean, and its
// printed copy leaves out the navigation.
import { DEMO, signIn, hydrated, expectAccessible, watchConsole } from './helpers';

test('the users, roles & responsibilities document is written from the live configuration, in both languages, and prints', async ({ page }) => {
  const errors = watchConsole(page);
  await signIn(page, DEMO, '/o/acme/roles');
  await hydrated(page);
  await page.getByRole('link', { name: 'Users, roles & responsibilities (document)' }).click();
  await expect(page).toHaveURL(/\/o\/acme\/document$/);
  await expect(page.getByRole('heading', { name: 'Users, roles, responsibilities & training', level: 1 })).toBeVisible();
  for (const h of ['Introduction', 'Technical users', 'Organization roles', 'Role descriptions', 'Who holds which role', 'Platform support access', 'Access reviews']) {
    await expect(page.getByRole('heading', { name: new RegExp(h), level: 2 })).toBeVisible();
  }
  // The roles of the permission-matrix template, and who holds them.
  await expect(page.getByRole('heading', { name: 'Company Admin', level: 3 })).toBeVisible();
  await expect(page.locator('table.doc-holders tbody tr').first()).toBeVisible();
  await expectAccessible(page);

  // Printed: the navigation is left out.
  await page.emulateMedia({ media: 'print' });
  await expect(page.locator('.doc-bar')).toBeHidden();
  await page.emulateMedia({ media: 'screen' });

  await page.getByRole('link', { name: 'Deutsch' }).click();
  await expect(page.getByRole('heading', { name: 'Benutzer, Rollen, Verantwortlichkeiten & Schulung', level: 1 })).toBeVisible();
  await expect(page.getByRole('heading', { name: /Wer welche Rolle innehat/, level: 2 })).toBeVisible();
  await expectAccessible(page);
  expect(errors).toEqual([]);
});
