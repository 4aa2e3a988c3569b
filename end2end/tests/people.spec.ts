import { test, expect } from '@playwright/test';
// Invites go to nordwind (Dana is its administrator): acme's member counts stay as the other specs expect.
import { DEMO, signIn, hydrated, expectAccessible, watchConsole, mailTo } from './helpers';

test('an admin invites a person, who follows the link from the mail, sets a password, signs in and changes their email address', async ({ page, browser }) => {
  const errors = watchConsole(page);
  const email = `nina.${Date.now()}@example.test`;
  await signIn(page, DEMO, '/o/nordwind/invitations');
  await expect(page.getByRole('heading', { name: 'Invitations', exact: true })).toBeVisible();
  await hydrated(page);
  await expectAccessible(page);
  await page.getByLabel(/^Email/).fill(email);
  await page.getByRole('textbox', { name: 'Name', exact: true }).fill('Nina Neumann');
  await page.getByLabel(/^Mobile phone/).fill('+49 151 2345 6789');
  await page.getByRole('combobox', { name: 'Kind' }).selectOption('partner');
  await page.getByRole('button', { name: 'Send invitation' }).click();
  await expect(page.getByRole('status')).toHaveText('Saved.');
  await expect(page.getByRole('row', { name: new RegExp(email.replace('.', '\\.')) })).toContainText('waiting');
  // A typo is refused in words, with what was typed kept.
  await page.getByLabel(/^Email/).fill('not-an-address');
  await page.getByRole('textbox', { name: 'Name', exact: true }).fill('Typo Tom');
  await page.getByLabel(/^Mobile phone/).fill('+49 151 1111 2222');
  await page.getByLabel(/^Email/).evaluate((e: HTMLInputElement) => (e.type = 'text'));
  await page.getByRole('button', { name: 'Send invitation' }).click();
  await expect(page.getByRole('alert')).toContainText('is not an email address');
  await expect(page.getByRole('textbox', { name: 'Name', exact: true })).toHaveValue('Typo Tom');

  // The invitation as it arrived at the SMTP server.
  const text = await mailTo(email);
  expect(text).toContain('Dana Demo invites you to join Nordwind Energie GmbH');
  const link = /(https?:\/\/\S+\/invitation\?token=\S+)/.exec(text)?.[1];
  expect(link, text).toBeTruthy();

  const invitee = await browser.newContext({ locale: 'en-US' });
  const p2 = await invitee.newPage();
  const errors2 = watchConsole(p2);
  await p2.goto(link!);
  await expect(p2.getByRole('heading', { name: 'Join Nordwind Energie GmbH' })).toBeVisible();
  await hydrated(p2);
  await expectAccessible(p2);
  await p2.getByLabel('New password', { exact: true }).fill('Ninas-Passwort-2026');
  await p2.getByLabel('Repeat the new password').fill('Ninas-Passwort-2026');
  await p2.getByRole('button', { name: 'Accept and join' }).click();
  await expect(p2).toHaveURL(/\/o\/nordwind\//);
  // Signed in: sign out and back in with the new password.
  await p2.getByRole('button', { name: 'Sign out' }).click();
  await signIn(p2, { email, password: 'Ninas-Passwort-2026' });
  await expect(p2).toHaveURL(/\/o\/nordwind\//);
  // The link worked once.
  await p2.goto(link!);
  await expect(p2.getByRole('alert')).toContainText('no longer works');

  // Nina changes her email address from her account page: the new address confirms from its
  // mail, the old address is told, and she signs in with the new one.
  const newEmail = `nina.new.${Date.now()}@example.test`;
  await p2.goto('/o/nordwind/me');
  await p2.getByRole('link', { name: 'Nina Neumann' }).click();
  await expect(p2.getByRole('heading', { name: 'Your account' })).toBeVisible();
  await hydrated(p2);
  await expectAccessible(p2);
  await p2.getByLabel('New email address').fill(newEmail);
  await p2.getByLabel('Current password').fill('Ninas-Passwort-2026');
  await p2.getByRole('button', { name: 'Send the confirmation link' }).click();
  await expect(p2.getByRole('status')).toContainText('Check the new address');
  await expect(p2.getByText(`Waiting for confirmation: ${newEmail}`)).toBeVisible();
  const confirmMail = await mailTo(newEmail);
  const confirmLink = /(https?:\/\/\S+\/confirm-email\?token=\S+)/.exec(confirmMail)?.[1];
  expect(confirmLink, confirmMail).toBeTruthy();
  await p2.goto(confirmLink!);
  await expect(p2.getByRole('heading', { name: 'Confirm your new email address' })).toBeVisible();
  await expectAccessible(p2);
  await p2.getByRole('button', { name: 'Confirm the new address' }).click();
  await expect(p2.getByRole('status')).toContainText('Your email address was changed');
  await expect.poll(() => mailTo(email), { timeout: 30_000 }).toContain(`now uses ${newEmail}`);
  await p2.goto('/orgs');
  await p2.getByRole('button', { name: 'Sign out' }).click();
  await signIn(p2, { email: newEmail, password: 'Ninas-Passwort-2026' });
  await expect(p2).toHaveURL(/\/o\/nordwind\//);

  // Not Nina after all? The old address undoes the change from that mail: every session ends,
  // the password is cleared, and a link to set a new one goes to the old address.
  const changedMail = await mailTo(email);
  const undoLink = /(https?:\/\/\S+\/cancel-email-change\?token=\S+)/.exec(changedMail)?.[1];
  expect(undoLink, changedMail).toBeTruthy();
  const oldBox = await browser.newContext({ locale: 'en-US' });
  const p3 = await oldBox.newPage();
  await p3.goto(undoLink!);
  await expect(p3.getByRole('heading', { name: 'Undo the address change' })).toBeVisible();
  await expectAccessible(p3);
  await p3.getByRole('button', { name: 'Undo the change' }).click();
  await expect(p3.getByRole('status')).toContainText('The change was undone');
  await expect.poll(() => mailTo(email), { timeout: 30_000 }).toContain(`uses ${email} again`);
  const resetLink = /(https?:\/\/\S+\/reset-password\?token=\S+)/.exec(await mailTo(email))?.[1];
  await p3.goto(resetLink!);
  await p3.getByLabel('New password', { exact: true }).fill('Ninas-Neues-Passwort-2026');
  await p3.getByLabel('Repeat the new password').fill('Ninas-Neues-Passwort-2026');
  await p3.getByRole('button', { name: 'Save the password' }).click();
  await signIn(p3, { email, password: 'Ninas-Neues-Passwort-2026' });
  await expect(p3).toHaveURL(/\/o\/nordwind\//);
  await p2.goto('/orgs');
  await expect(p2).toHaveURL(/\/sign-in/);
  await oldBox.close();
  await invitee.close();

  await page.goto('/o/nordwind/invitations?show=closed');
  await expect(page.getByRole('row', { name: new RegExp(email.replace('.', '\\.')) })).toContainText('accepted');
  expect(errors).toEqual([]);
  expect(errors2).toEqual([]);
});
