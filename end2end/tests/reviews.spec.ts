import { test, expect } from '@playwright/test';
// Dana (the owner of acme) plans a one-time access review of one role that starts at once; she
// is a reviewer (she may assign roles everywhere), follows the link from the mail, keeps one
// assignment with a comment and revokes another, and reads the outcome; the evidence prints; and
// when the deadline has passed the server's minute job keeps what nobody answered, as the
// background user, and closes the review. Axe-clean.
import { execFileSync } from 'node:child_process';
import { DEMO, signIn, hydrated, expectAccessible, watchConsole, mailTo } from './helpers';

test('an owner plans an access review, opens it from the mail, keeps and revokes, and reads the outcome', async ({ page }) => {
  test.setTimeout(240_000);
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
  await page.emulateMedia({ media: 'screen' });

  // Fourteen days pass: the deadline is moved into the past in the server's database (the one
  // thing the test does behind its back), and the server's own minute job applies the rule for
  // unanswered items — "they are kept" — as the background user, and closes the review.
  const db = process.env.GATEHOUSE_E2E_DB;
  if (!db) throw new Error('GATEHOUSE_E2E_DB is not set: the test moves the review past its deadline in the server database');
  const id = /\/reviews\/(\d+)/.exec(link)![1];
  execFileSync('python3', ['-c', 'import sqlite3, sys\nc = sqlite3.connect(sys.argv[1], timeout=30)\nc.execute("UPDATE review_campaigns SET deadline_at = \'2000-01-01 00:00:00\' WHERE id = ?", (int(sys.argv[2]),))\nc.commit()', db, id]);
  await expect.poll(async () => {
    await page.goto(`/o/acme/reviews/${id}`);
    return page.locator('p.subtitle').innerText();
  }, { timeout: 150_000, intervals: [5_000] }).toMatch(/^closed · /);
  await hydrated(page);
  await expect(page.locator('table.review-items tbody tr', { hasText: 'Background user' }).first()).toBeVisible();
  await expect(page.getByText(/(\d+) of \1 decided: \d+ kept, 1 revoked\./)).toBeVisible();
  await expectAccessible(page);
  expect(errors).toEqual([]);
});
