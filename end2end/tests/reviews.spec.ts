import { test, expect } from '@playwright/test';
// Dana (the owner of acme) plans a one-time access review of one role that starts at once; she
// is a reviewer (she may assign roles everywhere), follows the link from the mail, keeps one
// assignment with a comment and revokes another, and reads the outcome. Axe-clean.
import { DEMO, signIn, hydrated, expectAccessible, watchConsole, mailTo } from './helpers';

test('an owner plans an access review, opens it from the mail, keeps and revokes, and reads the outcome', async ({ page }) => {
  test.setTimeout(120_000);
  const errors = watchConsole(page);
  const name = `Developer check ${Date.now()}`;
  await signIn(page, DEMO, '/o/acme/dashboard');
  await page.getByRole('link', { name: 'Access reviews' }).click();
  await expect(page.getByRole('heading', { name: 'Access reviews', level: 1 })).toBeVisible();
  await hydrated(page);
  await expectAccessible(page);

  await page.getByLabel('Name', { exact: true }).fill(name);
  await page.getByLabel('Every assignment of these roles').check();
  await page.getByLabel('Roles', { exact: true }).selectOption({ label: 'Developer' });
  await page.getByLabel('How often').selectOption({ label: 'once' });
  await page.getByLabel('What happens to unanswered items').selectOption({ label: 'they are kept' });
  await page.getByRole('button', { name: 'Plan the review' }).click();
  await expect(page.getByRole('status')).toHaveText('Saved.');
  await expect(page.getByRole('link', { name })).toBeVisible();

  // The mail to Dana, with the signed link.
  // (The outbox delivers in the background: wait for this review's mail, not an older one.)
  let mail = '';
  await expect.poll(async () => { mail = await mailTo(DEMO.email); return mail.includes(name); }, { timeout: 30_000 }).toBe(true);
  const link = /https?:\/\/\S+\/o\/acme\/reviews\/\d+\?link=\S+/.exec(mail)![0];
  await page.goto(link);
  await expect(page.getByRole('heading', { name, level: 1 })).toBeVisible();
  await hydrated(page);
  await expectAccessible(page);

  const rows = page.locator('table.review-items tbody tr');
  const first = rows.first();
  const firstName = (await first.locator('th').innerText()).trim();
  await first.getByPlaceholder('Comment').fill('still on the team');
  await first.getByRole('button', { name: 'Keep' }).click();
  await expect(page.getByRole('status')).toHaveText('Saved.');
  // A random member's assignment at the end of the list (not one the other tests sign in as).
  await rows.last().getByRole('button', { name: 'Revoke' }).click();
  await expect(page.getByRole('status')).toHaveText('Saved.');
  await expect(page.getByText(/2 of \d+ decided: 1 kept, 1 revoked\./)).toBeVisible();
  await expect(page.locator('table.review-items tbody tr', { hasText: firstName }).first()).toContainText('Dana Demo');

  // The evidence as CSV: one line per frozen assignment, the two decisions in it.
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download the evidence (CSV)' }).click()]);
  const csv = Buffer.concat(await (await download.createReadStream()).toArray()).toString('utf8');
  expect(csv.split('\n')[0]).toMatch(/^review,state,started_at/);
  expect(csv).toContain('still on the team');
  expect(csv).toMatch(/,final,revoke,Dana Demo,/);

  // And as a printable page: every frozen assignment with its decision; print media hides the bar.
  await page.getByRole('link', { name: 'The evidence as a printable page' }).click();
  await expect(page.getByRole('heading', { name: `Access review “${name}”: the evidence`, level: 1 })).toBeVisible();
  await expect(page.locator('main tr', { hasText: 'still on the team' })).toContainText('Dana Demo');
  await expectAccessible(page);
  await page.emulateMedia({ media: 'print' });
  await expect(page.locator('nav.doc-bar')).toBeHidden();
  expect(errors).toEqual([]);
});
