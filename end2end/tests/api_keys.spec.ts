import { test, expect } from '@playwright/test';
// In acme, Dana (the owner) adds a technical user, gives it a role on its member page, makes a
// key that carries "view members"; the key is shown once, reads members through the JSON API,
// is never shown again, and stops at once when Dana revokes it (a problem document in German
// for a German caller).
import { DEMO, signIn, hydrated, expectAccessible, watchConsole } from './helpers';

test('a technical user gets a role and a key that is shown once, reads members through the API, and stops when revoked', async ({ page, request }) => {
  test.setTimeout(120_000);
  const errors = watchConsole(page);
  const name = `Reporting ${Date.now()}`;
  await signIn(page, DEMO, '/o/acme/dashboard');
  await page.getByRole('link', { name: 'API keys' }).click();
  await expect(page.getByRole('heading', { name: 'Technical users and API keys' })).toBeVisible();
  await hydrated(page);
  await expectAccessible(page);
  await page.getByLabel('Name', { exact: true }).fill(name);
  await page.getByLabel('What it is for').fill('Nightly HR report');
  await page.getByRole('button', { name: 'Add technical user' }).click();
  await expect(page.getByRole('status')).toHaveText('Saved.');

  // Its roles are given on its member page, as a person's are.
  await page.getByRole('region', { name }).getByRole('link', { name: 'Assign roles and see what it may do' }).click();
  await expect(page.getByRole('heading', { name })).toBeVisible();
  await page.getByRole('combobox', { name: 'Role', exact: true }).selectOption({ label: 'Company Admin' });
  await page.getByRole('button', { name: 'Assign role' }).click();
  await expect(page.getByRole('status')).toHaveText('Saved.');

  await page.goto('/o/acme/api-keys');
  await hydrated(page);
  const section = page.getByRole('region', { name });
  await expect(section.getByText('Company Admin')).toBeVisible();
  await section.getByText('New key').click();
  await section.getByLabel('Key name').fill('hr-report');
  await section.getByRole('checkbox', { name: /members\.view$/ }).check();
  await section.getByRole('button', { name: 'Create key' }).click();
  await expect(page.getByRole('heading', { name: 'Your new API key' })).toBeVisible();
  await expectAccessible(page);
  const key = await page.getByLabel('Key', { exact: true }).inputValue();
  expect(key).toMatch(/^ghk_[0-9a-f]{16}_[0-9a-f]{64}$/);

  const ok = await request.get('/api/v1/members?limit=5', { headers: { Authorization: `Bearer ${key}` } });
  expect(ok.status()).toBe(200);
  const body = await ok.json();
  expect(body.items.length).toBe(5);
  expect(body.next).toBeTruthy();
  const scoped = await request.get('/api/v1/audit-events', { headers: { Authorization: `Bearer ${key}` } });
  expect(scoped.status()).toBe(403);
  expect((await scoped.json()).type).toBe('urn:gatehouse:problem:out-of-scope');

  await page.getByRole('link', { name: 'Back to API keys' }).click();
  await hydrated(page);
  expect(await page.content()).not.toContain(key);
  const again = page.getByRole('region', { name });
  await expect(again.getByRole('cell', { name: 'hr-report', exact: true })).toBeVisible();
  await again.getByRole('button', { name: 'Revoke hr-report' }).click();
  await expect(page.getByRole('status')).toHaveText('Saved.');
  await expect(page.getByRole('region', { name }).getByText(/^revoked/)).toBeVisible();

  const refused = await request.get('/api/v1/members', { headers: { Authorization: `Bearer ${key}`, 'Accept-Language': 'de' } });
  expect(refused.status()).toBe(401);
  expect(refused.headers()['content-type']).toBe('application/problem+json');
  expect((await refused.json()).title).toContain('API-Schlüssel');
  expect(errors).toEqual([]);
});
