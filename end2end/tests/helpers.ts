import { expect, Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';

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
