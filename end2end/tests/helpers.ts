// Shared helpers for the CRM-IMS browser tests.
//
// The tests run serially against one database seeded with `crm-ims seed --demo` (scripts/test.sh, phase e2e):
// every record a test creates gets a unique name from `uid()`, and no test depends on counts.
import { expect } from '@playwright/test';
import type { APIRequestContext, Locator, Page } from '@playwright/test';

/** The password of every demo login (`crm-ims seed --demo`). */
export const DEMO_PASSWORD = 'crm-ims-demo';

export const USERS = {
  admin: 'admin@example.com',
  manager: 'manager@example.com',
  sales: 'sales@example.com', // team north
  sales2: 'sales2@example.com', // team south
  viewer: 'viewer@example.com',
} as const;

let counter = 0;

/**
 * A unique word of lowercase letters only (no digits), e.g. `qmzkdwbtxa`: one full-text token that no seeded
 * name resembles, so a search for it finds exactly the records of this test, and a fuzzy (trigram) fallback
 * finds nothing once they are gone.
 */
export function uid(): string {
  const letters = 'abcdefghijklmnopqrstuvwxyz';
  let n = Date.now() * 1000 + (counter++ % 1000);
  let out = '';
  while (n > 0) {
    out = letters[n % 26] + out;
    n = Math.floor(n / 26);
  }
  for (let i = 0; i < 3; i++) out += letters[Math.floor(Math.random() * 26)];
  return out;
}

/** Logs in through the login form and waits until the app has left the login page. */
export async function login(page: Page, email: string, password: string = DEMO_PASSWORD): Promise<void> {
  await page.goto('/login');
  await fillLogin(page, email, password);
  await expect(page.getByRole('button', { name: 'Log out' })).toBeVisible();
  await expect(page).not.toHaveURL(/\/login/);
}

/** Logs out with the header button and waits for the login page (so that a next `login` starts logged out). */
export async function logout(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Log out' }).click();
  await expect(page).toHaveURL(/\/login/);
  await expect(page.getByRole('form', { name: 'Log in' })).toBeVisible();
}

/** Fills and submits the login form (no waiting for the outcome). */
export async function fillLogin(page: Page, email: string, password: string): Promise<void> {
  const form = page.getByRole('form', { name: 'Log in' });
  await form.getByLabel('Email', { exact: true }).fill(email);
  await form.getByLabel('Password', { exact: true }).fill(password);
  await form.getByRole('button', { name: 'Log in' }).click();
}

/** The customers list page's table (its caption is "Customers"). */
export function customerTable(page: Page): Locator {
  return page.getByRole('table', { name: 'Customers' });
}

/** The value shown for `term` in the "Details" card of a customer's page. */
export function fact(page: Page, term: string): Locator {
  return page
    .getByRole('region', { name: 'Details' })
    .locator('dl.facts > div')
    .filter({ has: page.locator('dt', { hasText: new RegExp(`^${term}$`) }) })
    .locator('dd');
}

/** A success toast (role=status) with exactly this text. */
export function toast(page: Page, text: string): Locator {
  return page.locator('.toasts').getByRole('status').filter({ hasText: text });
}

export interface CustomerJson {
  id: string;
  name: string;
  email: string | null;
  industry: string | null;
  version: number;
}

/** An API client logged in as `email` with a Bearer token (independent of any browser session). */
export async function bearer(request: APIRequestContext, email: string): Promise<Record<string, string>> {
  const res = await request.post('/api/v1/auth/login', { data: { email, password: DEMO_PASSWORD } });
  expect(res.status(), await res.text()).toBe(200);
  const body = await res.json();
  return { authorization: `Bearer ${body.access_token}` };
}

/** Creates a customer through the REST API (`headers`: a Bearer token; none when `request` is a page's, which carries the session cookie). */
export async function createCustomerViaApi(
  request: APIRequestContext,
  input: Record<string, unknown>,
  headers: Record<string, string> = {},
): Promise<CustomerJson> {
  const res = await request.post('/api/v1/customers', { data: input, headers });
  expect(res.status(), await res.text()).toBe(201);
  return (await res.json()) as CustomerJson;
}
