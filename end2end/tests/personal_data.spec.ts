import { test, expect } from '@playwright/test';
// Max, a member of acme, downloads what the organization holds about him from his own page;
// Dana (the owner) produces the same for him from his member page. Axe-clean.
import { DEMO, MEMBER, signIn, hydrated, expectAccessible, watchConsole } from './helpers';

async function downloaded(page: import('@playwright/test').Page, link: string) {
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: link }).click()]);
  const chunks = await (await download.createReadStream()).toArray();
  return { name: download.suggestedFilename(), doc: JSON.parse(Buffer.concat(chunks).toString('utf8')) };
}

test('a member downloads their own data, and an owner produces it for them', async ({ page, browser }) => {
  test.setTimeout(90_000);
  const errors = watchConsole(page);
  await signIn(page, MEMBER, '/o/acme/me');
  await hydrated(page);
  await expectAccessible(page);
  // Max reads German.
  const own = await downloaded(page, 'Meine Daten herunterladen (JSON)');
  expect(own.name).toBe('acme-my-data.json');
  expect(own.doc.format).toBe('gatehouse-personal-data/1');
  expect(own.doc.member.email).toBe(MEMBER.email);
  expect(errors).toEqual([]);

  const admin = await browser.newPage();
  await signIn(admin, DEMO, '/o/acme/members?q=Mitglied');
  await hydrated(admin);
  await admin.getByRole('link', { name: 'Max Mitglied' }).first().click();
  await expect(admin.getByRole('heading', { name: 'Max Mitglied', level: 1 })).toBeVisible();
  await hydrated(admin);
  const theirs = await downloaded(admin, "Download this member's data (JSON)");
  expect(theirs.doc.member.email).toBe(MEMBER.email);
  expect(theirs.doc.audit_events.some((e: { action: string }) => e.action === 'member.data_exported')).toBe(true);
});
