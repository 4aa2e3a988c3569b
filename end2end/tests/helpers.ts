import { expect, Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import * as crypto from 'crypto';

export const DEMO = { email: 'demo@gatehouse.test', password: 'gatehouse-demo' };
export const MEMBER = { email: 'member@gatehouse.test', password: 'gatehouse-demo' };

/** Fails the test on any console error (a CSP violation, a hydration panic). */
export function watchConsole(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(String(e)));
  return errors;
}

export async function signIn(page: Page, who = DEMO, next?: string) {
  await page.goto(next ? `/sign-in?next=${encodeURIComponent(next)}` : '/sign-in');
  await page.getByLabel(/^(Email|E-Mail)$/).fill(who.email);
  await page.getByLabel(/^(Password|Passwort)$/).fill(who.password);
  await page.getByRole('button', { name: /^(Sign in|Anmelden)$/ }).click();
}

export async function hydrated(page: Page) {
  await expect(page.locator('body[data-hydrated="true"]')).toHaveCount(1);
}

/** axe-core with zero violations, WCAG 2.x A and AA rules. */
export async function expectAccessible(page: Page) {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  const summary = results.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
  expect(summary, `axe violations on ${page.url()}`).toEqual([]);
}

import * as fs from 'fs';
import * as path from 'path';

/** Decodes one MIME part's body by its Content-Transfer-Encoding. */
function decodePart(headers: string, body: string): string {
  const enc = (/content-transfer-encoding:\s*([\w-]+)/i.exec(headers)?.[1] ?? '7bit').toLowerCase();
  if (enc === 'base64') return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  if (enc === 'quoted-printable') {
    const bytes = body.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/gi, (_, h) => String.fromCharCode(parseInt(h, 16)));
    return Buffer.from(bytes, 'latin1').toString('utf8');
  }
  return body;
}

/** The text part of the newest mail captured for `to` by the test SMTP server
 * (scripts/smtp_capture.py writes one file per message into GATEHOUSE_E2E_MAILDIR); with
 * `containing`, the newest that contains it — waited for, since the outbox delivers in the
 * background and an older message may be the newest for a while. */
export async function mailTo(to: string, timeoutMs = 30_000, containing?: string): Promise<string> {
  const dir = process.env.GATEHOUSE_E2E_MAILDIR;
  if (!dir) throw new Error('GATEHOUSE_E2E_MAILDIR is not set: the server must send to the capture server');
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const files = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.eml')).sort().reverse() : [];
    for (const f of files) {
      const raw = fs.readFileSync(path.join(dir, f), 'utf8');
      const envelope = /^X-Envelope-To: (.*)$/m.exec(raw)?.[1] ?? '';
      if (!envelope.split(',').map((s) => s.trim().toLowerCase()).includes(to.toLowerCase())) continue;
      const boundary = /boundary="?([^";\r\n]+)"?/i.exec(raw)?.[1];
      const parts = boundary ? raw.split('--' + boundary) : [raw];
      for (const p of parts) {
        const [headers, ...rest] = p.split(/\r?\n\r?\n/);
        if (!/content-type:\s*text\/plain/i.test(headers)) continue;
        const text = decodePart(headers, rest.join('\n\n'));
        if (containing === undefined || text.includes(containing)) return text;
      }
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`no mail to ${to} within ${timeoutMs} ms`);
}

// Two-factor codes as an authenticator app computes them.
export function base32Decode(s: string): Buffer {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const ch of s.replace(/\s+/g, '').toUpperCase()) bits += alphabet.indexOf(ch).toString(2).padStart(5, '0');
  const bytes: number[] = [];
  for (let i = 0; i + 8 <= bits.length; i += 8) bytes.push(parseInt(bits.slice(i, i + 8), 2));
  return Buffer.from(bytes);
}

/** RFC 6238: HMAC-SHA1, six digits, 30-second steps. */
export function totp(key: Buffer, step: number): string {
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(step));
  const h = crypto.createHmac('sha1', key).update(msg).digest();
  const o = h[h.length - 1] & 0xf;
  const n = ((h[o] & 0x7f) << 24) | (h[o + 1] << 16) | (h[o + 2] << 8) | h[o + 3];
  return String(n % 1_000_000).padStart(6, '0');
}

/** A code for a step not used yet (waits for the next step when the current one was used). */
export async function freshCode(page: Page, key: Buffer, used: Set<number>): Promise<string> {
  let step = Math.floor(Date.now() / 30_000);
  while (used.has(step)) {
    await page.waitForTimeout(1_000);
    step = Math.floor(Date.now() / 30_000);
  }
  used.add(step);
  return totp(key, step);
}


/** A staff member's first sign-in: sent to set up two-factor authentication before anything
 * else, which is done here with a code as an authenticator app computes it. Returns the key. */
export async function staffFirstSignIn(page: Page, who: { email: string; password: string }, used: Set<number>): Promise<Buffer> {
  await signIn(page, who);
  await expect(page).toHaveURL(/\/account\?two_factor=required/);
  await hydrated(page);
  await page.getByRole('button', { name: 'Set up two-factor authentication' }).click();
  const key = base32Decode(await page.locator('code.secret-key').innerText());
  await page.getByLabel('Six-digit code from the app').fill(await freshCode(page, key, used));
  await page.getByRole('button', { name: 'Turn on' }).click();
  await expect(page.getByRole('heading', { name: 'Your recovery codes' })).toBeVisible();
  return key;
}
