import { test, expect } from '@playwright/test';
// In nordwind (Dana is its administrator): a new employee joins by invitation, asks for a
// role, Dana decides from the mailed link, the employee's access changes and they are told.
import { DEMO, signIn, hydrated, expectAccessible, watchConsole, mailTo } from './helpers';

test('an employee requests a role; the approver opens the mail link, signs in and approves; the role works and the employee is mailed', async ({ page, browser }) => {
  test.setTimeout(120_000);
  const errors = watchConsole(page);
  const email = `ella.${Date.now()}@example.test`;
  // Dana invites Ella (a plain employee: no roles).
  await signIn(page, DEMO, '/o/nordwind/invitations');
  await page.getByLabel(/^Email/).fill(email);
  await page.getByRole('textbox', { name: 'Name', exact: true }).fill('Ella Employee');
  await page.getByLabel(/^Mobile phone/).fill('+49 151 3456 7890');
  await page.getByRole('button', { name: 'Send invitation' }).click();
  await expect(page.getByRole('status')).toHaveText('Saved.');
  const invite = /(https?:\/\/\S+\/invitation\?token=\S+)/.exec(await mailTo(email))![1];

  const ella = await browser.newContext({ locale: 'en-US' });
  const p2 = await ella.newPage();
  const errors2 = watchConsole(p2);
  await p2.goto(invite);
  await p2.getByLabel('New password', { exact: true }).fill('Ellas-Passwort-2026');
  await p2.getByLabel('Repeat the new password').fill('Ellas-Passwort-2026');
  await p2.getByRole('button', { name: 'Accept and join' }).click();
  await expect(p2).toHaveURL(/\/o\/nordwind\/me/);

  // Ella asks for the requestable role.
  await p2.getByRole('link', { name: 'Access requests' }).click();
  await expect(p2.getByRole('heading', { name: 'Access requests', level: 1 })).toBeVisible();
  await hydrated(p2);
  await expectAccessible(p2);
  await p2.getByRole('combobox', { name: 'Role' }).selectOption({ label: 'Sec Manager' });
  await p2.getByLabel('Reason').fill('I stand in for the control room in December.');
  await p2.getByRole('button', { name: 'Send the request' }).click();
  await expect(p2.getByRole('heading', { name: 'Access request', exact: true })).toBeVisible();
  await expect(p2.getByRole('status')).toHaveText('Saved.');
  await expect(p2.locator('.req-state')).toHaveText('waiting');

  // Dana's dashboard lists it as waiting for her decision.
  await page.goto('/o/nordwind/dashboard');
  await expect(page.getByRole('region', { name: /Waiting for your decision/ })).toContainText('Ella Employee: role “Sec Manager” organization-wide');

  // Dana reads the mail, opens the link in a fresh browser, signs in, lands on the request.
  const mail = await mailTo(DEMO.email, 30_000, 'Ella Employee asks for: role “Sec Manager” organization-wide');
  // The link names the request with a signed token (DECISIONS.md "Email links").
  const link = /(https?:\/\/\S+\/o\/nordwind\/requests\/\d+\?link=[\w.]+)/.exec(mail)![1];
  const approver = await browser.newContext({ locale: 'en-US' });
  const p3 = await approver.newPage();
  const errors3 = watchConsole(p3);
  await p3.goto(link);
  await expect(p3).toHaveURL(/\/sign-in\?next=/);
  await p3.getByLabel('Email').fill(DEMO.email);
  await p3.getByLabel('Password').fill(DEMO.password);
  await p3.getByRole('button', { name: 'Sign in' }).click();
  await expect(p3).toHaveURL(new RegExp(link.replace(/^https?:\/\/[^/]+/, '').replace(/[?.]/g, '\\$&') + '$'));
  await expect(p3.getByText('I stand in for the control room in December.')).toBeVisible();
  await hydrated(p3);
  await expectAccessible(p3);
  await p3.getByLabel(/^Comment/).fill('Granted for December.');
  await p3.getByRole('button', { name: 'Approve' }).click();
  await expect(p3.getByRole('status')).toHaveText('Saved.');
  await expect(p3.locator('.req-state')).toHaveText('approved');

  // A link altered on the way opens nothing (its page answers 400); the page itself is offered.
  const p4 = await approver.newPage();
  const altered = link.replace(/.$/, (c) => (c === '0' ? '1' : '0'));
  expect((await p4.goto(altered))!.status()).toBe(400);
  await expect(p4.getByRole('heading', { name: 'This link is not valid' })).toBeVisible();
  await expect(p4.getByText('I stand in for the control room in December.')).toHaveCount(0);
  await expectAccessible(p4);
  await p4.getByRole('link', { name: 'Open the page in the portal' }).click();
  await expect(p4.locator('.req-state')).toHaveText('approved');

  // Ella is told, and her access changed: the role is hers now.
  await expect.poll(() => mailTo(email), { timeout: 30_000 }).toContain('Dana Demo approved your request for: role “Sec Manager”');
  await p2.goto('/o/nordwind/me');
  await expect(p2.getByText('Sec Manager').first()).toBeVisible();
  await p2.goto('/o/nordwind/requests');
  await expect(p2.getByRole('row', { name: /Sec Manager/ })).toContainText('approved');

  // Dana takes it back before its end: Ella is told why, and the role no longer works.
  await p3.reload();
  await p3.getByLabel(/^Reason for revoking/).fill('December is over.');
  await p3.getByRole('button', { name: 'Revoke access' }).click();
  await expect(p3.getByRole('status')).toHaveText('Saved.');
  await expect(p3.locator('.req-state')).toHaveText('revoked');
  await expectAccessible(p3);
  await expect.poll(() => mailTo(email), { timeout: 30_000 }).toContain('Dana Demo revoked what your request had granted: role “Sec Manager”');
  await p2.goto('/o/nordwind/requests');
  await expect(p2.getByRole('row', { name: /Sec Manager/ })).toContainText('revoked');
  await ella.close();
  await approver.close();
  expect(errors).toEqual([]);
  expect(errors2).toEqual([]);
  expect(errors3).toEqual([]);
});
