import { test, expect } from '@playwright/test';
// Dana (the owner of acme) publishes a policy to accept for everyone; Max (a member, German)
// finds it from his own page and accepts it; Dana reads the figures and sees him in the document
// with the date, then retires the policy. Axe-clean.
import { DEMO, MEMBER, signIn, hydrated, expectAccessible, watchConsole } from './helpers';

test('an owner publishes a policy, a member accepts it, the figures and the document show it', async ({ page, browser }) => {
  test.setTimeout(120_000);
  const errors = watchConsole(page);
  const title = `Clean desk policy ${Date.now()}`;
  await signIn(page, DEMO, '/o/acme/dashboard');
  await page.getByRole('link', { name: 'Policies & training' }).click();
  await expect(page.getByRole('heading', { name: 'Policies & training', level: 1 })).toBeVisible();
  await hydrated(page);
  await expectAccessible(page);
  await page.getByLabel('A policy to accept').check();
  await page.getByLabel('Title', { exact: true }).fill(title);
  await page.getByLabel('Text (what it asks, or what the training covers)').fill('Lock your screen and clear your desk when you leave.');
  await page.getByLabel('Asked again').selectOption({ label: 'every year' });
  await page.getByLabel('Days to do it').fill('14');
  await page.getByLabel('Asked of', { exact: true }).selectOption({ label: 'everyone' });
  await page.getByRole('button', { name: 'Publish', exact: true }).click();
  await expect(page.getByRole('status')).toHaveText('Saved.');
  const managed = page.locator('li.policy', { has: page.getByRole('heading', { name: title }) }).last();
  await expect(managed).toContainText(/0 of \d+ done/);

  // Max, in German, from his own page.
  const other = await browser.newContext();
  const max = await other.newPage();
  await signIn(max, MEMBER, '/o/acme/me');
  await max.getByRole('link', { name: 'Von Ihnen erbetene Richtlinien und Schulungen' }).click();
  await expect(max.getByRole('heading', { name: 'Richtlinien & Schulungen', level: 1 })).toBeVisible();
  await hydrated(max);
  await expectAccessible(max);
  const item = max.locator('li.policy', { has: max.getByRole('heading', { name: title }) });
  await expect(item).toContainText('Fällig bis');
  await item.getByText('Lesen', { exact: true }).click();
  await expect(item).toContainText('Lock your screen');
  await item.getByRole('button', { name: 'Ich habe sie gelesen und bestätige sie' }).click();
  await expect(max.getByRole('status')).toHaveText('Gespeichert.');
  await expect(max.locator('li.policy', { has: max.getByRole('heading', { name: title }) })).toContainText('Erledigt am');
  await other.close();

  await page.reload();
  await hydrated(page);
  await expect(page.locator('li.policy', { has: page.getByRole('heading', { name: title }) }).last()).toContainText(/1 of \d+ done/);
  await page.goto('/o/acme/document');
  await expect(page.getByRole('heading', { name: '8. Acknowledgments and training' })).toBeVisible();
  const section = page.locator('section#trainings');
  await expect(section.getByRole('heading', { name: title })).toBeVisible();
  await expect(section.locator('tr', { hasText: 'Max Mitglied' }).first()).toContainText('Done on');

  await page.goto('/o/acme/policies');
  await hydrated(page);
  await page.getByRole('button', { name: `Retire “${title}”` }).click();
  await expect(page.getByRole('status')).toHaveText('Saved.');
  await expect(page.locator('li.policy', { has: page.getByRole('heading', { name: title }) }).last()).toContainText('Retired on');
  expect(errors).toEqual([]);
});
