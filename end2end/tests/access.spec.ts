// Logging in and who may do what: a wrong password, and a viewer who can read but not write.
import { expect, test } from '@playwright/test';
import { customerTable, fillLogin, login, USERS } from './helpers';

test('a wrong password shows an error and stays on the login page', async ({ page }) => {
  await page.goto('/login');
  await fillLogin(page, USERS.viewer, 'not-the-password');
  const error = page.locator('.field-error[role="alert"]');
  await expect(error).toHaveText('The email or password is wrong.');
  await expect(page.getByLabel('Password', { exact: true })).toHaveAttribute('aria-invalid', 'true');
  await expect(page).toHaveURL(/\/login/);
  await expect(page.getByRole('button', { name: 'Log out' })).toHaveCount(0);
});

test('a viewer sees no "New customer" button and the server refuses the viewer\'s write', async ({ page }) => {
  await login(page, USERS.viewer);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Customers' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Customers' })).toBeVisible();
  // The list has loaded (so the header is complete) before checking for the missing button.
  await expect(customerTable(page).locator('tbody tr').first()).toBeVisible();
  await expect(page.getByRole('button', { name: 'New customer' })).toHaveCount(0);
  // The "n" shortcut does not open the dialog either.
  await page.locator('body').press('n');
  await expect(page.getByRole('dialog')).toHaveCount(0);

  // The session cookie authenticates this request: the server itself must say no.
  const status = await page.evaluate(async () => {
    const res = await fetch('/api/v1/customers', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'x' }),
    });
    return res.status;
  });
  expect(status).toBe(403);

  // And the same request is authenticated (not 401): the viewer may read.
  const read = await page.evaluate(async () => (await fetch('/api/v1/customers?limit=1')).status);
  expect(read).toBe(200);
});
