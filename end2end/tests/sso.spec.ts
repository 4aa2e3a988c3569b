import { test, expect, Page, Browser } from '@playwright/test';
// Single sign-on against a real OpenID provider (oidc-provider, started by scripts/test.sh on the
// loopback: end2end/idp/idp.mjs). Dana (acme's owner) adds the provider and maps a group to a
// role; a new hire signs in through it and becomes a member just in time with that role, which
// goes again when the group is gone at the next sign-in. The provider's answers are then bent
// (wrong audience, expired, replayed, unverified), a callback is reused and an address outside
// the allowed domains tried: each is refused with the reason. Last, acme requires single
// sign-on: the new hire's (right) password is refused with the provider's button, while Dana, who
// belongs to other organizations too, is not signed in by acme's provider and keeps her password.
import { DEMO, signIn, hydrated, expectAccessible, watchConsole, mailTo } from './helpers';

const IDP = process.env.GATEHOUSE_E2E_IDP_URL ?? 'http://127.0.0.1:3100';
const CLIENT = { id: 'gatehouse-test', secret: 'gatehouse-test-secret' };
const PROVIDER = 'Acme Login';
const NEW_HIRE = `new.hire.${Date.now()}@acme.example`;

async function idp(path: string, body: object) {
  const r = await fetch(`${IDP}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  expect(r.ok, `test provider ${path}`).toBeTruthy();
}

/** Adds the provider (once) with a mapping of "engineering" to Developer for the whole organization. */
async function ensureProvider(page: Page) {
  await signIn(page, DEMO, '/o/acme/sso');
  await expect(page.getByRole('heading', { name: 'Single sign-on', level: 1 })).toBeVisible();
  await hydrated(page);
  if (await page.getByRole('region', { name: new RegExp(`^${PROVIDER}`) }).count()) return;
  await expectAccessible(page);
  await page.getByLabel('Name shown on the sign-in button').fill(PROVIDER);
  await page.getByLabel('Issuer URL').fill(IDP);
  await page.getByLabel('Client ID').fill(CLIENT.id);
  await page.getByLabel('Client secret').fill(CLIENT.secret);
  await page.getByLabel('Allowed e-mail domains').fill('acme.example, gatehouse.test');
  await page.getByLabel(/just-in-time/).check();
  await page.getByRole('button', { name: 'Add provider' }).click();
  await expect(page.getByRole('status')).toHaveText('Saved.');
  const card = page.getByRole('region', { name: new RegExp(`^${PROVIDER}`) });
  await expect(card).toContainText(IDP);
  await card.getByLabel('Group', { exact: true }).fill('engineering');
  await card.getByLabel('Role', { exact: true }).selectOption({ label: 'Developer' });
  await card.getByRole('button', { name: 'Map group' }).click();
  await expect(page.getByRole('status')).toHaveText('Saved.');
  await expect(page.getByRole('region', { name: new RegExp(`^${PROVIDER}`) }).getByRole('cell', { name: 'engineering', exact: true })).toBeVisible();
  await expectAccessible(page);
}

/** From Gatehouse's sign-in page through the provider's login page; `login` is what is typed there. */
async function ssoSignIn(page: Page, email: string, login = email) {
  await page.goto('/sign-in');
  await page.getByRole('link', { name: 'Sign in with single sign-on' }).click();
  await expect(page.getByRole('heading', { name: 'Single sign-on' })).toBeVisible();
  await page.getByLabel('Email').fill(email);
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByRole('link', { name: `Sign in with ${PROVIDER} (Acme Logistics)` }).click();
  // The provider's own (development) login page.
  await page.waitForURL((u) => u.href.startsWith(IDP));
  await page.getByPlaceholder('Enter any login').fill(login);
  await page.getByPlaceholder('and password').fill('anything');
  await page.getByRole('button', { name: 'Sign-in' }).click();
}

async function fresh(browser: Browser): Promise<Page> {
  const context = await browser.newContext();
  return context.newPage();
}

async function refusedWith(browser: Browser, text: RegExp, email = NEW_HIRE, login = email) {
  const page = await fresh(browser);
  await ssoSignIn(page, email, login);
  await page.waitForURL(/\/sign-in\?error=sso_/);
  await expect(page.getByRole('alert')).toHaveText(text);
  await page.context().close();
}

test.describe.configure({ mode: 'serial' });

test('an owner adds an OpenID provider; a new hire signs in just in time with the role their group maps to, and loses it with the group', async ({ page, browser }) => {
  test.setTimeout(180_000);
  const errors = watchConsole(page);
  await idp('/__test/mode', { mode: 'normal' });
  await ensureProvider(page);

  await idp('/__test/groups', { email: NEW_HIRE, groups: ['engineering', 'unmapped'] });
  const hire = await fresh(browser);
  await ssoSignIn(hire, NEW_HIRE);
  await hire.waitForURL(/\/o\/acme\//);
  await hire.goto('/o/acme/me');
  await hydrated(hire);
  await expect(hire.getByRole('main')).toContainText('Developer');
  await hire.context().close();

  // The group is gone at the provider: the next sign-in takes the role away.
  await idp('/__test/groups', { email: NEW_HIRE, groups: [] });
  const again = await fresh(browser);
  await ssoSignIn(again, NEW_HIRE);
  await again.waitForURL(/\/o\/acme\//);
  await again.goto('/o/acme/me');
  await hydrated(again);
  await expect(again.getByRole('main')).not.toContainText('Developer');
  await again.context().close();

  // Dana sees one person linked to the provider.
  await page.goto('/o/acme/sso');
  await expect(page.getByRole('region', { name: new RegExp(`^${PROVIDER}`) })).toContainText(/People signed in through it\s*1/);
  expect(errors).toEqual([]);
});

test('bent answers of the provider, a reused callback and an address outside the allowed domains are refused with the reason', async ({ page, browser }) => {
  test.setTimeout(240_000);
  await ensureProvider(page);
  try {
    await idp('/__test/mode', { mode: 'wrong_audience' });
    await refusedWith(browser, /failed a check/);
    await idp('/__test/mode', { mode: 'expired' });
    await refusedWith(browser, /failed a check/);
    await idp('/__test/mode', { mode: 'replay' });
    await refusedWith(browser, /failed a check/);
    await idp('/__test/mode', { mode: 'unverified' });
    await refusedWith(browser, /did not confirm a verified e-mail address/);
  } finally {
    await idp('/__test/mode', { mode: 'normal' });
  }
  await refusedWith(browser, /not in a domain this provider may sign in/, NEW_HIRE, 'someone@elsewhere.test');

  // A callback taken once is not taken again (nor in another browser).
  const first = await fresh(browser);
  let callback = '';
  first.on('request', (r) => { if (r.url().includes('/sso/callback')) callback = r.url(); });
  await ssoSignIn(first, NEW_HIRE);
  await first.waitForURL(/\/o\/acme\//);
  expect(callback).toContain('code=');
  await first.context().close();
  const replayer = await fresh(browser);
  await replayer.goto(callback);
  await replayer.waitForURL(/\/sign-in\?error=sso_state/);
  await expect(replayer.getByRole('alert')).toHaveText(/started in another browser/);
  await expectAccessible(replayer);
  await replayer.context().close();
});

test('an organization that requires single sign-on refuses password sign-in with the reason and its provider, to those who belong to it alone', async ({ page, browser }) => {
  test.setTimeout(180_000);
  await ensureProvider(page);
  // Dana belongs to other organizations too: acme's provider does not sign her in.
  await refusedWith(browser, /also used by other organizations/, DEMO.email);
  // The new hire (acme alone) has signed in through it, so Dana can require it.
  await page.goto('/o/acme/sso');
  await hydrated(page);
  await page.getByLabel('Members must sign in through single sign-on').check();
  await page.getByRole('button', { name: 'Save' }).first().click();
  await expect(page.getByRole('status')).toHaveText('Saved.');
  try {
    // The new hire gives themselves a password by mail; it is right, and refused.
    const hire = await fresh(browser);
    await hire.goto('/forgot-password');
    await hire.getByLabel('Email').fill(NEW_HIRE);
    await hire.getByRole('button', { name: 'Send the link' }).click();
    let link: string | undefined;
    await expect.poll(async () => (link = /(https?:\/\/\S+\/reset-password\?token=\S+)/.exec(await mailTo(NEW_HIRE))?.[1]), { timeout: 30_000 }).toBeTruthy();
    await hire.goto(link!);
    await hire.getByLabel('New password', { exact: true }).fill('New-Hire-Password-2026');
    await hire.getByLabel('Repeat the new password').fill('New-Hire-Password-2026');
    await hire.getByRole('button', { name: 'Save the password' }).click();
    await signIn(hire, { email: NEW_HIRE, password: 'New-Hire-Password-2026' });
    await hire.waitForURL(/error=sso_required/);
    await expect(hire.getByRole('alert')).toHaveText(/requires single sign-on/);
    await expect(hire.getByRole('link', { name: new RegExp(PROVIDER) })).toBeVisible();
    await expectAccessible(hire);
    await hire.context().close();
    // Someone who belongs elsewhere too keeps the password.
    const dana = await fresh(browser);
    await signIn(dana, DEMO);
    await dana.waitForURL((u) => !u.pathname.startsWith('/sign-in'));
    await dana.context().close();
  } finally {
    await page.goto('/o/acme/sso');
    await page.getByLabel('Members must sign in through single sign-on').uncheck();
    await page.getByRole('button', { name: 'Save' }).first().click();
    await expect(page.getByRole('status')).toHaveText('Saved.');
  }
});
