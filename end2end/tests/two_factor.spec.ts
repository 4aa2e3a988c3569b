import { test, expect, Page } from '@playwright/test';
import * as crypto from 'crypto';
// Dana turns on two-factor authentication from her account page (the code computed here from
// the key the page shows, as an authenticator app would), keeps her recovery codes, signs in
// again with a code, and turns it off at the end.
import { DEMO, signIn, hydrated, expectAccessible, watchConsole } from './helpers';

function base32Decode(s: string): Buffer {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const ch of s.replace(/\s+/g, '').toUpperCase()) bits += alphabet.indexOf(ch).toString(2).padStart(5, '0');
  const bytes: number[] = [];
  for (let i = 0; i + 8 <= bits.length; i += 8) bytes.push(parseInt(bits.slice(i, i + 8), 2));
  return Buffer.from(bytes);
}

/** RFC 6238: HMAC-SHA1, six digits, 30-second steps. */
function totp(key: Buffer, step: number): string {
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(step));
  const h = crypto.createHmac('sha1', key).update(msg).digest();
  const o = h[h.length - 1] & 0xf;
  const n = ((h[o] & 0x7f) << 24) | (h[o + 1] << 16) | (h[o + 2] << 8) | h[o + 3];
  return String(n % 1_000_000).padStart(6, '0');
}

/** A code for a step not used yet (waits for the next step when the current one was used). */
async function freshCode(page: Page, key: Buffer, used: Set<number>): Promise<string> {
  let step = Math.floor(Date.now() / 30_000);
  while (used.has(step)) {
    await page.waitForTimeout(1_000);
    step = Math.floor(Date.now() / 30_000);
  }
  used.add(step);
  return totp(key, step);
}

test('two-factor authentication: set up with the QR code or key, recovery codes shown once, sign in with a code, turn off', async ({ page }) => {
  test.setTimeout(180_000);
  const errors = watchConsole(page);
  const used = new Set<number>();
  await signIn(page, DEMO, '/account');
  await expect(page.getByRole('heading', { name: 'Two-factor authentication' })).toBeVisible();
  await hydrated(page);
  await page.getByRole('button', { name: 'Set up two-factor authentication' }).click();
  await expect(page.getByRole('img', { name: 'QR code for your authenticator app' })).toBeVisible();
  await hydrated(page);
  await expectAccessible(page);
  const key = base32Decode(await page.locator('code.secret-key').innerText());
  expect(key.length).toBe(20);
  await page.getByLabel('Six-digit code from the app').fill(await freshCode(page, key, used));
  await page.getByRole('button', { name: 'Turn on' }).click();
  await expect(page.getByRole('heading', { name: 'Your recovery codes' })).toBeVisible();
  await expectAccessible(page);
  const first = await page.getByLabel('Recovery code 1', { exact: true }).inputValue();
  expect(first).toMatch(/^[a-z2-7]{5}-[a-z2-7]{5}$/);
  await page.getByRole('link', { name: 'Back to your account' }).click();
  await expect(page.getByText(/Recovery codes left: 10/)).toBeVisible();

  // Signing in again takes a code.
  await page.getByRole('button', { name: /^(Sign out|Abmelden)$/ }).click();
  await signIn(page, DEMO, '/o/acme/dashboard');
  await expect(page.getByRole('heading', { name: 'One more step: your code' })).toBeVisible();
  await hydrated(page);
  await expectAccessible(page);
  await page.getByLabel('Code or recovery code').fill('000000');
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page.getByRole('alert')).toContainText('not right');
  await page.getByLabel('Code or recovery code').fill(await freshCode(page, key, used));
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page).toHaveURL(/\/o\/acme\/dashboard/);

  // Off again, with a current code (the other tests sign Dana in with her password only).
  await page.goto('/account');
  await page.getByLabel('Code or recovery code').fill(await freshCode(page, key, used));
  await page.getByRole('button', { name: 'Turn off' }).click();
  await expect(page.getByRole('status')).toHaveText('Two-factor authentication is off.');
  expect(errors).toEqual([]);
});
