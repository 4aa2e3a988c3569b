import { test, expect } from '@playwright/test';
// The dashboard's charts: drawn as SVG on the server, the same figures in a table for screen
// readers; the current month's active members are the dashboard's own figure. Axe-clean, German too.
import { DEMO, signIn, hydrated, expectAccessible, watchConsole } from './helpers';

test('the dashboard charts members over time and requests by state, with a table for screen readers', async ({ page }) => {
  const errors = watchConsole(page);
  await signIn(page, DEMO, '/o/acme/dashboard');
  await hydrated(page);
  const members = page.locator('figure#chart-members');
  await expect(members.locator('figcaption')).toHaveText('Active members, month by month');
  await expect(members.locator('svg rect.bar')).toHaveCount(12);
  const rows = members.locator('table tbody tr');
  await expect(rows).toHaveCount(12);
  const current = (await rows.last().locator('td').innerText()).trim();
  expect(current).toBe((await page.locator('#fig-active').innerText()).trim());
  const requests = page.locator('figure#chart-requests');
  await expect(requests.locator('table tbody tr')).toHaveCount(6);
  await expect(requests.locator('table tbody tr').first().locator('th')).toHaveText('waiting');
  await expectAccessible(page);
  expect(errors).toEqual([]);
});
