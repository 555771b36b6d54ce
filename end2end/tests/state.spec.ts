import { expect, test } from '@playwright/test';
import { USERS, createCustomerViaApi, customerTable, login, toast, uid } from './helpers';

test('the customers list restores its search, filters and sort from the address', async ({ page }) => {
  const id = uid();
  await login(page, USERS.sales);
  await createCustomerViaApi(page.request, { name: `Alpha ${id}`, status: 'active' });
  await createCustomerViaApi(page.request, { name: `Beta ${id}`, status: 'prospect' });
  await createCustomerViaApi(page.request, { name: `Gamma ${id}`, status: 'active' });

  // A shared link: only the active ones, by name descending.
  await page.goto(`/customers?q=${id}&status=active&sort=-name`);
  await expect(page.getByLabel('Search', { exact: true })).toHaveValue(id);
  await expect(page.getByLabel('Status', { exact: true })).toHaveValue('active');
  const rows = customerTable(page).getByRole('link');
  await expect(rows).toHaveText([`Gamma ${id}`, `Alpha ${id}`]);

  // Changing a filter changes the address, and a reload keeps the list as it is now.
  await page.getByLabel('Status', { exact: true }).selectOption('');
  await expect(page).not.toHaveURL(/status=/);
  await expect(rows).toHaveText([`Gamma ${id}`, `Beta ${id}`, `Alpha ${id}`]);
  await page.reload();
  await expect(page.getByLabel('Search', { exact: true })).toHaveValue(id);
  await expect(rows).toHaveCount(3);
  // Back returns to the filtered list.
  await page.goBack();
  await expect(page).toHaveURL(/status=active/);
  await expect(rows).toHaveText([`Gamma ${id}`, `Alpha ${id}`]);
});

test('a contact can be created from the contacts page', async ({ page }) => {
  const id = uid();
  await login(page, USERS.sales);
  await createCustomerViaApi(page.request, { name: `Picker ${id}` });
  await page.goto('/contacts');
  await page.getByRole('button', { name: 'New contact' }).click();
  const dialog = page.getByRole('dialog', { name: 'New contact' });
  // Without a customer the server names the missing field inline.
  await dialog.getByLabel('First name', { exact: true }).fill(`Ada${id}`);
  await dialog.getByRole('button', { name: 'Create' }).click();
  await expect(dialog.locator('.field-error').first()).toBeVisible();
  await dialog.getByLabel('Find by name', { exact: true }).fill(`Picker ${id}`);
  await dialog.getByLabel('Customer', { exact: true }).selectOption({ label: `Picker ${id}` });
  await dialog.getByRole('button', { name: 'Create' }).click();
  await expect(dialog).toBeHidden();
  await expect(toast(page, 'Contact added.')).toBeVisible();
  await expect(page.getByText(`Ada${id}`)).toBeVisible();
  const api = await page.request.get(`/api/v1/contacts?q=ada${id}`);
  const found = (await api.json()).data;
  expect(found).toHaveLength(1);
  expect(found[0].customer_name).toBe(`Picker ${id}`);
});
