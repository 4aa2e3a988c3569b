import { test, expect } from '@playwright/test';
// Imports go to nordwind (Dana is its administrator; it requires a mobile phone): acme's member counts stay as the other specs expect.
import { DEMO, signIn, hydrated, expectAccessible, watchConsole } from './helpers';

test('a CSV of 2000 rows with 5 bad ones shows exactly those 5 errors and imports the rest', async ({ page }) => {
  test.setTimeout(240_000);
  const errors = watchConsole(page);
  const stamp = Date.now();
  const lines = ['email,name,mobile_phone,locale,kind,units,roles'];
  // File line of each bad row (the header is line 1) and what is wrong with it.
  const bad: Record<number, [string, string]> = {
    11: [`broken-${stamp}`, 'is not an email address'],
    402: [`bad-phone-${stamp}@example.test`, 'is not a valid mobile phone number'],
    903: [`no-unit-${stamp}@example.test`, 'There is no unit “Atlantis”.'],
    1504: [`no-role-${stamp}@example.test`, 'There is no role “captain”.'],
    1999: [`p5-${stamp}@example.test`, 'The same address is already on line 7.'],
  };
  for (let i = 0; i < 2000; i++) {
    const line = i + 2;
    const phone = `+49 151 2${String(i).padStart(7, '0')}`;
    switch (line) {
      case 11: lines.push(`${bad[11][0]},Broken Address,${phone},en,employee,,`); break;
      case 402: lines.push(`${bad[402][0]},Bad Phone,12,en,employee,,`); break;
      case 903: lines.push(`${bad[903][0]},No Unit,${phone},de,partner,Atlantis,`); break;
      case 1504: lines.push(`${bad[1504][0]},No Role,${phone},en,employee,,captain`); break;
      case 1999: lines.push(`${bad[1999][0]},Twice,${phone},en,employee,,`); break;
      default: lines.push(`p${i}-${stamp}@example.test,Person ${i},${phone},${i % 2 ? 'en' : 'de'},employee,,`);
    }
  }
  await signIn(page, DEMO, '/o/nordwind/invitations');
  await hydrated(page);
  await page.getByLabel('CSV file', { exact: true }).setInputFiles({ name: 'people.csv', mimeType: 'text/csv', buffer: Buffer.from(lines.join('\n') + '\n') });
  await page.getByRole('button', { name: 'Upload and check' }).click();

  await expect(page.getByRole('heading', { name: 'Import people from a CSV file' })).toBeVisible();
  await expect(page.locator('.import-summary')).toHaveText('2000 rows: 1995 ready to invite, 0 already there, 5 with errors.');
  const table = page.getByRole('table', { name: /Rows with errors/ });
  const rows = table.locator('tbody tr');
  await expect(rows).toHaveCount(5);
  const expected = Object.entries(bad);
  for (let k = 0; k < expected.length; k++) {
    const [line, [email, why]] = expected[k];
    await expect(rows.nth(k).locator('td').nth(0)).toHaveText(line);
    await expect(rows.nth(k).locator('td').nth(1)).toHaveText(email);
    await expect(rows.nth(k).locator('td').nth(3)).toContainText(why);
  }
  await hydrated(page);
  await expectAccessible(page);

  await page.getByRole('button', { name: 'Invite 1995 people' }).click();
  // The page follows the import (a progress bar) until it is finished.
  await expect(page.locator('.import-summary')).toHaveText('Import finished: 1995 invited, 0 skipped, 5 not imported.', { timeout: 180_000 });
  await expect(page.getByRole('progressbar')).toBeVisible();
  await expect(page.getByRole('table', { name: /Rows not invited/ }).locator('tbody tr')).toHaveCount(5);
  await expectAccessible(page);

  // The invited people are waiting in the list of invitations.
  await page.goto('/o/nordwind/invitations');
  await expect(page.getByRole('row', { name: new RegExp(`p1998-${stamp}@example\\.test`) })).toContainText('waiting');
  expect(errors).toEqual([]);
});
