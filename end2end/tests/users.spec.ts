// Administration: an admin creates a user, who can then log in with the password the admin chose.
import { expect, test } from '@playwright/test';
import { customerTable, login, toast, uid, USERS } from './helpers';

test('an admin creates a user who then logs in and sees the customers list', async ({ page }) => {
  const id = uid();
  const email = `${id}@team.example.com`;
  const name = `Nora ${id}`;
  const password = `pw-${id}-Secret!`;

  await login(page, USERS.admin);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Users' }).click();
  await expect(page).toHaveURL(/\/admin\/users$/);
  await page.getByRole('button', { name: 'New user' }).click();
  const dialog = page.getByRole('dialog', { name: 'New user' });
  await dialog.getByLabel('Email', { exact: true }).fill(email);
  await dialog.getByLabel('Name', { exact: true }).fill(name);
  await dialog.getByLabel('Password', { exact: true }).fill(password);
  await dialog.getByLabel('Role', { exact: true }).selectOption({ label: 'Sales' });
  await dialog.getByLabel('Team', { exact: true }).fill('north');
  await dialog.getByRole('button', { name: 'Create' }).click();
  await expect(dialog).toBeHidden();
  await expect(toast(page, `User ${email} created.`)).toBeVisible();
  const row = page.getByRole('row').filter({ has: page.getByRole('button', { name: `Edit ${email}` }) });
  await expect(row).toHaveCount(1);
  await expect(row).toContainText(name);
  await expect(row).toContainText('Sales');
  await expect(row).toContainText('north');

  // Log out: back on the login page, and the app is no longer reachable.
  await page.getByRole('button', { name: 'Log out' }).click();
  await expect(page).toHaveURL(/\/login/);
  await expect(page.getByRole('heading', { name: 'Log in' })).toBeVisible();
  await page.goto('/customers');
  await expect(page).toHaveURL(/\/login\?next=/);

  // The new user logs in with that password and lands on the list of team north's customers.
  await login(page, email, password);
  await expect(page).toHaveURL(/\/customers$/);
  await expect(page.locator('.user-menu')).toContainText(name);
  await expect(page.getByRole('heading', { level: 1, name: 'Customers' })).toBeVisible();
  await expect(customerTable(page).locator('tbody tr').first()).toBeVisible();
  await expect(page.getByRole('button', { name: 'New customer' })).toBeVisible();
  // An admin's links are not there for a sales user.
  await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Users' })).toHaveCount(0);
});
