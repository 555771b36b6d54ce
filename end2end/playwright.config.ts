// Playwright configuration for the CRM-IMS browser tests.
//
// Run through `scripts/test.sh` (phase e2e), which starts `crm-ims serve` on a fresh database and
// a free port and sets BASE_URL. By hand, against a running server:
//
//     cd end2end && BASE_URL=http://127.0.0.1:3000 npx playwright test
//
// Browsers cannot be downloaded on these machines, so Playwright drives Debian's chromium
// (`apt-get install chromium`, done by `scripts/setup.sh --with-browser`); CHROMIUM_PATH overrides it.
import { defineConfig, devices } from '@playwright/test';

const baseURL = process.env.BASE_URL ?? 'http://127.0.0.1:3000';
const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export default defineConfig({
  testDir: './tests',
  // scripts/test.sh points this at target/e2e/test-results, next to the server log, so that its run and
  // a run by hand never delete each other's traces.
  outputDir: process.env.E2E_OUTPUT_DIR ?? './test-results',
  fullyParallel: false,
  forbidOnly: !!process.env.CI,
  retries: 0,
  workers: 1,
  reporter: 'list',
  timeout: 30_000,
  expect: { timeout: 10_000 },
  use: {
    baseURL,
    headless: true,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
  projects: [
    {
      name: 'chromium',
      use: {
        ...devices['Desktop Chrome'],
        launchOptions: {
          executablePath,
          args: [
            '--no-sandbox',
            '--disable-gpu',
            '--disable-quic',
            '--no-first-run',
            '--disable-background-networking',
            '--disable-component-update',
            '--disable-sync',
          ],
        },
      },
    },
  ],
});
