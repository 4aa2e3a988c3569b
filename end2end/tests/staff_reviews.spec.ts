import { test, expect } from '@playwright/test';
// Mia (member of management, created by scripts/test.sh with `gatehouse create-staff`) reviews
// the platform staff's permissions: she starts a review from the staff console, is mailed a
// signed link, opens it, sees the frozen population with what speaks against keeping each role,
// may not decide her own, keeps Cara's customer-success role with a comment, and downloads the
// evidence. The deadline's rule is applied by the minute job (tested over HTTP and on both
// databases).
import { hydrated, expectAccessible, watchConsole, mailTo, staffFirstSignIn } from './helpers';

const MIA = { email: 'mia@ops.gatehouse.test', password: 'gatehouse-staff-2026' };

test('a member of management reviews the platform staff from the mailed link: keeps a role with a comment, never her own', async ({ page }) => {
  test.setTimeout(180_000);
  const errors = watchConsole(page);
  const used = new Set<number>();
  await staffFirstSignIn(page, MIA, used);

  await page.goto('/staff');
  const section = page.getByRole('region', { name: 'Reviews of staff permissions' });
  await expect(section).toContainText('No review yet.');
  await hydrated(page);
  await expectAccessible(page);
  await section.getByRole('button', { name: 'Start a review now' }).click();
  await expect(page).toHaveURL(/\/staff\/reviews\/\d+\?started=1/);
  await expect(page.getByRole('status')).toContainText('The review has started');

  // The mailed link opens the review.
  const mail = await mailTo(MIA.email, 30_000, 'review of platform staff permissions has started');
  const link = /https?:\/\/\S+\/staff\/reviews\/\d+\?link=\S+/.exec(mail)![0];
  await page.goto(new URL(link).pathname + new URL(link).search);
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Review of platform staff permissions');
  const cara = page.getByRole('row').filter({ hasText: 'cara@ops.gatehouse.test' });
  await expect(cara).toContainText('customer success');
  await expect(cara).toContainText('no support sign-in in the last interval');
  const own = page.getByRole('row').filter({ hasText: 'mia@ops.gatehouse.test' });
  await expect(own).toContainText('Nobody reviews their own staff role');
  await expect(own.getByRole('button')).toHaveCount(0);
  await expectAccessible(page);

  await cara.getByLabel('Comment on the review of Cara Success').fill('on the support rota for Acme');
  await cara.getByRole('button', { name: 'Keep' }).click();
  await expect(page.getByRole('status')).toContainText('The review is recorded.');
  const kept = page.getByRole('row').filter({ hasText: 'cara@ops.gatehouse.test' });
  await expect(kept).toContainText('kept');
  await expect(kept).toContainText('on the support rota for Acme');
  await expect(kept.getByRole('button')).toHaveCount(0);

  // The evidence as CSV, and the page in German.
  const csv = await page.request.get(page.url().replace(/\?.*$/, '').replace(/#.*$/, '') + '/evidence.csv');
  expect(csv.status()).toBe(200);
  expect(await csv.text()).toContain('on the support rota for Acme');
  await page.getByRole('link', { name: 'Deutsch' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Prüfung der Berechtigungen der Plattform-Mitarbeitenden');
  await expectAccessible(page);
  await page.goto('/staff');
  await expect(page.getByRole('region', { name: 'Reviews of staff permissions' })).toContainText('1 of 2 decided');
  expect(errors.filter((e) => !e.includes('404'))).toEqual([]);
});
