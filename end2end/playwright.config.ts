import { defineConfig } from '@playwright/test';

// Debian's Chromium, never a downloaded browser. The server is started by scripts/test.sh
// (or scripts/e2e.sh) on a fresh demo database and its URL passed in GATEHOUSE_E2E_URL.
export default defineConfig({
  testDir: './tests',
  timeout: 60_000,
  expect: { timeout: 15_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [['list']],
  use: {
    baseURL: process.env.GATEHOUSE_E2E_URL ?? 'http://127.0.0.1:3000',
    locale: 'en-US',
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: [
        '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync',
      ],
    },
    trace: 'off',
    screenshot: 'only-on-failure',
  },
});
