import { expect, test } from '@playwright/test';
import { USERS, login } from './helpers';

test('health endpoint answers 200', async ({ request }) => {
  const response = await request.get('/healthz');
  expect(response.status()).toBe(200);
});

test('the web app loads with its title', async ({ page }) => {
  const response = await page.goto('/');
  expect(response?.ok()).toBeTruthy();
  await expect(page).toHaveTitle(/CRM-IMS/);
});

/** Every Content-Security-Policy violation the page reports, from its console. */
function cspViolations(page: import('@playwright/test').Page): string[] {
  const seen: string[] = [];
  page.on('console', (message) => {
    if (/Content Security Policy|Refused to (execute|load|apply|compile)/i.test(message.text())) {
      seen.push(message.text());
    }
  });
  return seen;
}

test('the app, its charts and the API reference run under the Content-Security-Policy', async ({ page }) => {
  const violations = cspViolations(page);
  const response = await page.goto('/login');
  expect(response?.headers()['content-security-policy']).toContain("frame-ancestors 'none'");
  await login(page, USERS.manager);
  await page.goto('/dashboard');
  // A chart drew (ECharts renders into a canvas) and the app answers clicks.
  await expect(page.locator('canvas').first()).toBeVisible({ timeout: 15_000 });
  await page.goto('/api/docs');
  await expect(page.getByText('CRM-IMS API', { exact: false }).first()).toBeVisible({ timeout: 15_000 });
  await expect(page.locator('.opblock').first()).toBeVisible();
  expect(violations).toEqual([]);
});
