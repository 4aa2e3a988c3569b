import { test, expect } from '@playwright/test';
// Dana (the owner of acme) opens the audit log from the menu, filters it by what happened and by
// who, sees a change's before and after, pages to older events, is told in words when a date is
// not a date (what she typed stays), and downloads the filtered log as CSV. Axe-clean.
import { DEMO, signIn, hydrated, expectAccessible, watchConsole } from './helpers';

test('an owner filters the audit log, reads before and after, pages back and exports the filtered log as CSV', async ({ page }) => {
  test.setTimeout(90_000);
  const errors = watchConsole(page);
  // Something of Dana's to find: a technical user added on the API keys page.
  const name = `Audit probe ${Date.now()}`;
  await signIn(page, DEMO, '/o/acme/api-keys');
  await hydrated(page);
  await page.getByLabel('Name', { exact: true }).fill(name);
  await page.getByRole('button', { name: 'Add technical user' }).click();
  await expect(page.getByRole('status')).toHaveText('Saved.');

  await page.getByRole('link', { name: 'Audit log' }).click();
  await expect(page.getByRole('heading', { name: 'Audit log', level: 1 })).toBeVisible();
  await hydrated(page);
  await expectAccessible(page);
  const rows = page.locator('table.audit-log tbody tr');
  await expect(rows).toHaveCount(50);
  await expect(page.getByRole('link', { name: 'Older events' })).toBeVisible();

  // Only technical users added, by Dana: hers is there with what it was made with.
  await page.getByLabel('What happened').selectOption({ label: 'added a technical user' });
  await page.getByLabel('Who').fill('Dana');
  await page.getByRole('button', { name: 'Apply' }).click();
  await expect(page).toHaveURL(/action=technical_user\.created/);
  await hydrated(page);
  expect(await rows.count()).toBeGreaterThan(0);
  for (const cell of await page.locator('table.audit-log tbody tr td:nth-child(3)').allInnerTexts()) {
    expect(cell).toBe('added a technical user');
  }
  await expect(rows.first().locator('dl.audit-diff')).toContainText(name);
  await expectAccessible(page);

  // The whole log again, one page back.
  await page.getByRole('link', { name: 'Clear the filter' }).click();
  await hydrated(page);
  const firstId = await rows.first().getAttribute('id');
  await page.getByRole('link', { name: 'Older events' }).click();
  await expect(page).toHaveURL(/before=\d+/);
  await hydrated(page);
  expect(await rows.first().getAttribute('id')).not.toBe(firstId);
  await page.getByRole('link', { name: 'Newest events' }).click();
  await expect(page).not.toHaveURL(/before=/);

  // A date that is no date: said in words, the typed name kept, nothing listed.
  await page.goto('/o/acme/audit?who=Dana&from=2026-02-30');
  await hydrated(page);
  await expect(page.getByRole('alert')).toContainText('2026-02-30');
  await expect(page.getByLabel('Who')).toHaveValue('Dana');
  await expect(rows).toHaveCount(0);

  // The filtered log as CSV.
  await page.goto('/o/acme/audit?action=technical_user.created');
  await hydrated(page);
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Export as CSV' }).click()]);
  expect(download.suggestedFilename()).toBe('acme-audit-log.csv');
  const text = await (await download.createReadStream()).toArray().then((chunks) => Buffer.concat(chunks).toString('utf8'));
  const lines = text.trim().split('\n');
  expect(lines[0]).toMatch(/^id,occurred_at,actor_kind/);
  expect(lines.length).toBeGreaterThan(1);
  for (const l of lines.slice(1)) expect(l).toContain(',technical_user.created,');
  expect(text).toContain(name);
  expect(errors).toEqual([]);
});
