import { test, expect } from '@playwright/test';
// Dana (the owner of acme) opens her digests from her own page, sets up a weekly digest of a
// unit, mails herself the week so far, and unsubscribes from it through the mail's link while
// signed out (the link asks first). Back on the page the digest is off; she removes it. Axe-clean.
import { DEMO, signIn, hydrated, expectAccessible, watchConsole, mailTo } from './helpers';

test('an owner sets up a unit digest, receives it, and unsubscribes through its link', async ({ page, browser }) => {
  test.setTimeout(120_000);
  const errors = watchConsole(page);
  await signIn(page, DEMO, '/o/acme/me');
  await page.getByRole('link', { name: 'Your digests: how often you receive them' }).click();
  await expect(page.getByRole('heading', { name: 'Digests', level: 1 })).toBeVisible();
  await hydrated(page);
  await expectAccessible(page);
  await expect(page.getByRole('heading', { name: "The organization's default" })).toBeVisible();

  const unitSelect = page.locator('#dg-new-unit');
  const unit = (await unitSelect.locator('option').first().innerText()).trim();
  await unitSelect.selectOption({ label: unit });
  await page.locator('#dg-new-frequency').selectOption({ label: 'weekly' });
  await page.getByRole('button', { name: 'Set up' }).click();
  await expect(page.getByRole('status')).toHaveText('Saved.');
  const row = page.locator('table.digests tbody tr', { hasText: unit });
  await expect(row).toContainText('Nothing sent yet');

  await row.getByRole('button', { name: `Mail me the period so far for ${unit}` }).click();
  await expect(page.getByRole('status')).toContainText('on its way');
  let mail = '';
  await expect.poll(async () => { mail = await mailTo(DEMO.email); return mail.includes(`Weekly digest: ${unit} (Acme`); }, { timeout: 30_000 }).toBe(true);
  expect(mail).toContain('Active members now');
  const link = /https?:\/\/\S+\/digests\/unsubscribe\?\S+/.exec(mail)![0];

  // Signed out, in another browser context: the link asks before it unsubscribes.
  const other = await browser.newContext();
  const anon = await other.newPage();
  await anon.goto(link);
  await expect(anon.getByRole('heading', { name: 'Unsubscribe from a digest', level: 1 })).toBeVisible();
  await expect(anon.getByText(`Stop receiving the digest of ${unit}`)).toBeVisible();
  await expectAccessible(anon);
  await anon.getByRole('button', { name: 'Unsubscribe' }).click();
  await expect(anon.getByText(`You no longer receive the digest of ${unit}`)).toBeVisible();
  await other.close();

  await page.reload();
  await hydrated(page);
  await expect(row.locator('select')).toHaveValue('off');
  await row.getByRole('button', { name: `Remove the digest of ${unit}` }).click();
  await expect(page.getByRole('status')).toHaveText('Saved.');
  await expect(page.locator('table.digests tbody tr', { hasText: unit })).toHaveCount(0);
  expect(errors).toEqual([]);
});
