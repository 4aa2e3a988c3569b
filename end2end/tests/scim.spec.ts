import { test, expect } from '@playwright/test';
// In acme, Dana (the owner) sets up provisioning from an identity provider: a technical user with
// the Company Admin role and a key carrying the SCIM scopes; the provider (here: Playwright's
// request client) creates a User and a Group over SCIM 2.0; Dana sees the person invited on the
// members page, the group as a unit, and the counts on the API keys page; deactivating the User
// ends the invitation.
import { DEMO, signIn, hydrated, expectAccessible, watchConsole } from './helpers';

const SCOPES = ['members.view', 'members.invite', 'members.edit', 'members.terminate', 'units.view', 'units.manage', 'members.move'];
const SCIM = 'application/scim+json';

test('an admin sets up SCIM provisioning and sees what the identity provider provisioned', async ({ page, request }) => {
  test.setTimeout(120_000);
  const errors = watchConsole(page);
  const stamp = Date.now();
  const name = `Directory ${stamp}`;
  await signIn(page, DEMO, '/o/acme/api-keys');
  await hydrated(page);
  const scim = page.getByRole('region', { name: 'Provisioning from an identity provider (SCIM 2.0)' });
  await expect(scim).toBeVisible();
  const base = (await scim.locator('code').innerText()).trim();
  expect(base).toMatch(/\/scim\/v2$/);
  await expectAccessible(page);

  await page.getByLabel('Name', { exact: true }).fill(name);
  await page.getByLabel('What it is for').fill('Provisioning from the identity provider');
  await page.getByRole('button', { name: 'Add technical user' }).click();
  await expect(page.getByRole('status')).toHaveText('Saved.');
  await page.getByRole('region', { name }).getByRole('link', { name: 'Assign roles and see what it may do' }).click();
  await page.getByRole('combobox', { name: 'Role', exact: true }).selectOption({ label: 'Company Admin' });
  await page.getByRole('button', { name: 'Assign role' }).click();
  await expect(page.getByRole('status')).toHaveText('Saved.');

  await page.goto('/o/acme/api-keys');
  await hydrated(page);
  const section = page.getByRole('region', { name });
  await section.getByText('New key').click();
  await section.getByLabel('Key name').fill('scim');
  for (const s of SCOPES) {
    await section.getByRole('checkbox', { name: new RegExp(`${s.replace('.', '\\.')}$`) }).check();
  }
  await section.getByRole('button', { name: 'Create key' }).click();
  await expect(page.getByRole('heading', { name: 'Your new API key' })).toBeVisible();
  const key = await page.getByLabel('Key', { exact: true }).inputValue();
  const headers = { Authorization: `Bearer ${key}`, 'Content-Type': SCIM };

  // The identity provider provisions a person and a group.
  const email = `scim-${stamp}@acme.test`;
  const user = await request.post('/scim/v2/Users', {
    headers,
    data: { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: email, name: { givenName: 'Sina', familyName: `Scim${stamp}` }, emails: [{ value: email, primary: true }] },
  });
  expect(user.status()).toBe(201);
  const userId = (await user.json()).id;
  const group = await request.post('/scim/v2/Groups', {
    headers,
    data: { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: `Provisioned ${stamp}`, members: [{ value: userId }] },
  });
  expect(group.status()).toBe(201);

  // Dana sees the person invited and the unit.
  await page.goto(`/o/acme/members?q=Scim${stamp}`);
  await hydrated(page);
  await expect(page.getByText(`Sina Scim${stamp}`).first()).toBeVisible();
  await page.goto('/o/acme/units');
  await expect(page.getByText(`Provisioned ${stamp}`).first()).toBeVisible();

  // Deactivated by the provider: the invitation is withdrawn; the resource says so.
  const off = await request.patch(`/scim/v2/Users/${userId}`, {
    headers,
    data: { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', path: 'active', value: false }] },
  });
  expect(off.status()).toBe(200);
  expect((await off.json()).active).toBe(false);
  const listed = await request.get(`/scim/v2/Users?filter=${encodeURIComponent(`userName eq "${email}"`)}`, { headers });
  expect((await listed.json()).totalResults).toBe(1);

  await page.goto('/o/acme/api-keys');
  await hydrated(page);
  await expect(page.getByRole('region', { name: 'Provisioning from an identity provider (SCIM 2.0)' })).toContainText(/users [1-9]\d*, groups [1-9]\d*/);
  expect(errors).toEqual([]);
});
