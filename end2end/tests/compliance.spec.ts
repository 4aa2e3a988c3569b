import { test, expect, Browser, Page } from '@playwright/test';
// In acme (Dana is its owner): a compliance manager and a contractor join by invitation; Dana
// ends the contractor's membership; the compliance manager opens the mailed link in a fresh
// browser, signs in, sees what is linked to the person, sets a reminder and anonymizes by
// typing the pseudonym. Afterwards the person's name appears on none of the pages.
import { DEMO, signIn, hydrated, expectAccessible, watchConsole, mailTo } from './helpers';

async function join(page: Page, browser: Browser, email: string, name: string, password: string) {
  await page.goto('/o/acme/invitations');
  await page.getByLabel(/^Email/).fill(email);
  await page.getByRole('textbox', { name: 'Name', exact: true }).fill(name);
  await page.getByRole('button', { name: 'Send invitation' }).click();
  await expect(page.getByRole('status')).toHaveText('Saved.');
  const invite = /(https?:\/\/\S+\/invitation\?token=\S+)/.exec(await mailTo(email))![1];
  const ctx = await browser.newContext({ locale: 'en-US' });
  const p = await ctx.newPage();
  await p.goto(invite);
  await p.getByLabel('New password', { exact: true }).fill(password);
  await p.getByLabel('Repeat the new password').fill(password);
  await p.getByRole('button', { name: 'Accept and join' }).click();
  await expect(p).toHaveURL(/\/o\/acme\/me/);
  return { ctx, page: p };
}

test('a membership ends; the compliance manager opens the mail link, reviews what is linked, sets a reminder and anonymizes', async ({ page, browser }) => {
  test.setTimeout(180_000);
  const errors = watchConsole(page);
  const stamp = Date.now();
  const cmEmail = `carla.${stamp}@example.test`;
  const leaverEmail = `lars.${stamp}@example.test`;
  const leaverName = `Lars Leaver ${stamp}`;
  await signIn(page, DEMO, '/o/acme/dashboard');
  const carla = await join(page, browser, cmEmail, 'Carla Compliance', 'Carlas-Passwort-2026');
  const lars = await join(page, browser, leaverEmail, leaverName, 'Lars-Passwort-2026');
  await carla.ctx.close();

  // Dana appoints Carla compliance manager.
  await page.goto('/o/acme/org-roles');
  await page.getByRole('combobox', { name: 'Organization role' }).selectOption('compliance_manager');
  await page.getByLabel('Email').fill(cmEmail);
  await page.getByRole('button', { name: 'Appoint' }).click();
  await expect(page.getByRole('status')).toHaveText('Saved.');

  // Dana ends Lars's membership from his page.
  await page.goto(`/o/acme/members?q=${encodeURIComponent(leaverName)}`);
  await page.getByRole('link', { name: leaverName }).click();
  await expect(page.getByRole('heading', { name: 'End of membership' })).toBeVisible();
  await hydrated(page);
  await expectAccessible(page);
  await page.getByRole('button', { name: 'End membership now' }).click();
  await expect(page.getByRole('status')).toHaveText('Saved.');
  await expect(page.getByText('This membership has ended.')).toBeVisible();
  // Lars has no access any more.
  const gone = await lars.page.goto('/o/acme/me');
  expect([403, 404]).toContain(gone!.status());
  await lars.ctx.close();

  // Carla's mail carries three links; each opens its page after sign-in.
  await expect.poll(() => mailTo(cmEmail), { timeout: 30_000 }).toContain(`The membership of ${leaverName} in Acme Logistics ended`);
  const mail = await mailTo(cmEmail);
  // Each names the case with a signed token (DECISIONS.md "Email links").
  const links = [...mail.matchAll(/(https?:\/\/\S+\/o\/acme\/compliance\/\d+(?:\/\w+)?\?link=[\w.]+)/g)].map((m) => m[1]);
  expect(links).toHaveLength(3);
  const [anonymizeLink, linkedLink, remindLink] = links;
  expect(anonymizeLink).toMatch(/\/anonymize\?link=/);
  expect(remindLink).toMatch(/\/remind\?link=/);

  const ctx = await browser.newContext({ locale: 'en-US' });
  const cm = await ctx.newPage();
  const errors2 = watchConsole(cm);
  await cm.goto(linkedLink);
  await expect(cm).toHaveURL(/\/sign-in\?next=/);
  await cm.getByLabel('Email').fill(cmEmail);
  await cm.getByLabel('Password').fill('Carlas-Passwort-2026');
  await cm.getByRole('button', { name: 'Sign in' }).click();
  await expect(cm).toHaveURL(new RegExp(linkedLink.replace(/^https?:\/\/[^/]+/, '').replace(/[?.]/g, '\\$&') + '$'));
  await expect(cm.getByRole('heading', { name: `Former member: ${leaverName}` })).toBeVisible();
  await expect(cm.getByRole('row', { name: /Audit events naming them/ })).toContainText('ended a membership');
  await hydrated(cm);
  await expectAccessible(cm);

  // Remind me on a date: after today only.
  await cm.goto(remindLink);
  const tomorrow = new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10);
  await cm.getByLabel('Day').fill(tomorrow);
  await cm.getByRole('button', { name: 'Set reminder' }).click();
  await expect(cm.getByRole('status')).toHaveText('Saved.');
  await expect(cm.locator('dl.facts')).toContainText('Reminder on');
  await expectAccessible(cm);

  // The compliance page and Dana's dashboard list the open case.
  await page.goto('/o/acme/dashboard');
  await expect(page.getByRole('region', { name: /Former members waiting for anonymization/ })).toContainText(leaverName);

  // Anonymize: a wrong confirmation changes nothing; the pseudonym does it.
  await cm.goto(anonymizeLink);
  const pseudonym = (await cm.locator('strong.pseudonym').textContent())!.trim();
  expect(pseudonym).toMatch(/^Former member [0-9A-F]{4,}$/);
  await expectAccessible(cm);
  await cm.getByLabel('Type the pseudonym to confirm').fill(leaverName);
  await cm.getByRole('button', { name: 'Anonymize' }).click();
  await expect(cm.getByRole('alert')).toContainText(`That is not the pseudonym ${pseudonym}. Nothing was changed.`);
  await cm.getByLabel('Type the pseudonym to confirm').fill(pseudonym);
  await cm.getByRole('button', { name: 'Anonymize' }).click();
  await expect(cm.getByRole('status')).toHaveText('Saved.');
  await expect(cm.getByRole('heading', { name: `Former member: ${pseudonym}` })).toBeVisible();
  await expect(cm.locator('main')).not.toContainText(leaverName);

  // Nowhere on the pages any more: the compliance page, the members list, the audit log.
  await cm.goto('/o/acme/compliance');
  await expect(cm.getByRole('region', { name: 'Anonymized' })).toContainText(pseudonym);
  await expect(cm.locator('main')).not.toContainText(leaverName);
  await page.goto(`/o/acme/members?q=${encodeURIComponent(leaverName)}`);
  await expect(page.locator('main')).not.toContainText(leaverName);
  await page.goto('/o/acme/dashboard');
  await expect(page.locator('main')).not.toContainText(leaverName);
  await ctx.close();
  expect(errors).toEqual([]);
  expect(errors2).toEqual([]);
});
