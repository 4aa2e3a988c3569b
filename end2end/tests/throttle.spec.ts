import { test, expect } from '@playwright/test';
import { MEMBER, signIn, hydrated, expectAccessible, watchConsole, mailTo } from './helpers';

// Runs last (one worker, files in order): it throttles Max's account and ends by signing him in
// with the mailed link, which clears the wait again.
test('someone guesses a password: the owner is slowed down, asks for a sign-in link by mail and is in', async ({ page }) => {
  const errors = watchConsole(page);
  // Six wrong guesses for Max's address; the right password then has to wait.
  for (let i = 0; i < 6; i++) {
    await signIn(page, { email: MEMBER.email, password: `guess-${i}` });
    await expect(page.getByRole('alert')).toHaveText('The email address or password is not correct.');
  }
  await signIn(page, MEMBER, '/o/acme/me');
  await expect(page.getByRole('alert')).toContainText('Too many failed attempts');
  await hydrated(page);
  await expectAccessible(page);
  // The same form asks for a link instead (no password needed for that).
  await page.getByLabel('Email').fill(MEMBER.email);
  await page.getByRole('button', { name: 'Email me a sign-in link' }).click();
  await expect(page.getByRole('status')).toContainText('a sign-in link is on its way');

  const text = await mailTo(MEMBER.email);
  const link = /(https?:\/\/\S+\/sign-in-link\?token=\S+)/.exec(text)?.[1];
  expect(link, text).toBeTruthy();
  await page.goto(link!);
  await expect(page.getByRole('heading', { name: 'Sign in with your link' })).toBeVisible();
  await hydrated(page);
  await expectAccessible(page);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expect(page).toHaveURL(/\/o\/acme\/me$/);
  await expect(page.getByText('Max Mitglied').first()).toBeVisible();
  // The link worked once (Max reads German once signed in).
  await page.goto(link!);
  await expect(page.getByRole('alert')).toContainText(/does not work any more|funktioniert nicht mehr/);
  // And the wait is over: the password works again.
  await page.goto('/o/acme/me');
  await page.getByRole('button', { name: /^(Sign out|Abmelden)$/ }).click();
  await signIn(page, MEMBER);
  await expect(page).toHaveURL(/\/o\/acme\/me$/);
  expect(errors).toEqual([]);
});
