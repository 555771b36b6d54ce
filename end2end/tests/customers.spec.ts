// Customers: the whole life of one record in the browser, as a sales user, and the edit conflict (412),
// the history timeline and team scoping on the customer's page.
import { expect, test } from '@playwright/test';
import {
  bearer,
  createCustomerViaApi,
  type CustomerJson,
  customerTable,
  fact,
  login,
  toast,
  uid,
  USERS,
} from './helpers';

test('sales creates a customer, adds a contact, finds, edits and deletes it', async ({ page }) => {
  const id = uid();
  const name = `Flowtest ${id}`;
  const email = `${id}@flow.example.com`;

  await login(page, USERS.sales);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Customers' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Customers' })).toBeVisible();
  // The team's demo customers are listed before anything is searched.
  await expect(customerTable(page).locator('tbody tr').nth(1)).toBeVisible();

  // --- create through the "New customer" dialog
  await page.getByRole('button', { name: 'New customer' }).click();
  const dialog = page.getByRole('dialog', { name: 'New customer' });
  await expect(dialog).toBeVisible();
  await dialog.getByLabel('Name', { exact: true }).fill(name);
  await dialog.getByLabel('Email', { exact: true }).fill(email);
  await dialog.getByLabel('Industry', { exact: true }).fill('Testing');
  await dialog.getByRole('button', { name: 'Create' }).click();
  await expect(dialog).toBeHidden();
  await expect(toast(page, `Customer \u201c${name}\u201d created.`)).toBeVisible();

  // --- its page: add a contact
  await customerTable(page).getByRole('link', { name, exact: true }).click();
  await expect(page).toHaveURL(/\/customers\/[0-9a-f-]{36}$/);
  const customerUrl = page.url();
  const customerId = customerUrl.split('/').pop()!;
  await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
  await expect(fact(page, 'Email')).toHaveText(email);
  await expect(fact(page, 'Industry')).toHaveText('Testing');

  const contacts = page.getByRole('region', { name: 'Contacts' });
  await expect(contacts.getByText('No contacts yet.')).toBeVisible();
  await contacts.getByRole('button', { name: 'Add contact' }).click();
  const contactDialog = page.getByRole('dialog', { name: 'New contact' });
  await contactDialog.getByLabel('First name', { exact: true }).fill('Ada');
  await contactDialog.getByLabel('Last name', { exact: true }).fill(`Lovelace${id}`);
  await contactDialog.getByLabel('Email', { exact: true }).fill(`ada.${id}@flow.example.com`);
  await contactDialog.getByLabel('Job title', { exact: true }).fill('Chief engineer');
  await contactDialog.getByRole('button', { name: 'Create' }).click();
  await expect(contactDialog).toBeHidden();
  await expect(toast(page, 'Contact added.')).toBeVisible();
  const contactRow = contacts.getByRole('row').filter({ hasText: `Ada Lovelace${id}` });
  await expect(contactRow).toHaveCount(1);
  await expect(contactRow).toContainText('Chief engineer');
  await expect(contactRow).toContainText(`ada.${id}@flow.example.com`);
  await expect(contacts.getByRole('button', { name: `Edit Ada Lovelace${id}` })).toBeVisible();

  // --- find it with search-as-you-type on the list
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Customers' }).click();
  await expect(page).toHaveURL(/\/customers$/);
  const rows = customerTable(page).locator('tbody tr');
  await expect(rows.nth(1)).toBeVisible();
  const search = page.getByRole('searchbox', { name: 'Search' });
  await search.pressSequentially(id, { delay: 20 });
  await expect(rows).toHaveCount(1);
  await expect(rows.first().getByRole('link', { name, exact: true })).toBeVisible();
  await expect(page.getByText('1 customer', { exact: true })).toBeVisible();

  // --- edit: change the industry; the page shows the new value, also after a reload
  await rows.first().getByRole('link', { name, exact: true }).click();
  await expect(page).toHaveURL(customerUrl);
  await page.getByRole('button', { name: 'Edit', exact: true }).click();
  const form = page.getByRole('region', { name: 'Edit customer' });
  await expect(form.getByLabel('Name', { exact: true })).toHaveValue(name);
  await form.getByLabel('Industry', { exact: true }).fill('Robotics');
  await form.getByRole('button', { name: 'Save' }).click();
  await expect(form).toBeHidden();
  await expect(toast(page, 'Customer saved.')).toBeVisible();
  await expect(fact(page, 'Industry')).toHaveText('Robotics');
  await page.reload();
  await expect(fact(page, 'Industry')).toHaveText('Robotics');

  // --- a bad email: an inline error next to the field, and nothing is saved
  await page.getByRole('button', { name: 'Edit', exact: true }).click();
  await expect(form).toBeVisible();
  const emailInput = form.getByLabel('Email', { exact: true });
  await expect(emailInput).toHaveValue(email);
  await emailInput.fill('not-an-email');
  await form.getByRole('button', { name: 'Save' }).click();
  const emailField = form.locator('.field').filter({ has: page.getByLabel('Email', { exact: true }) });
  await expect(emailField.locator('.field-error')).toBeVisible();
  await expect(emailField.locator('.field-error')).not.toBeEmpty();
  await expect(emailInput).toHaveAttribute('aria-invalid', 'true');
  // Only the email field complains, and the form stays open.
  await expect(form.locator('.field-error')).toHaveCount(1);
  await expect(form).toBeVisible();
  const stored = await page.request.get(`/api/v1/customers/${customerId}`);
  expect(stored.status()).toBe(200);
  expect(((await stored.json()) as CustomerJson).email).toBe(email);
  await form.getByRole('button', { name: 'Cancel' }).click();
  await expect(form).toBeHidden();
  await expect(fact(page, 'Email')).toHaveText(email);

  // --- delete: confirm, back on the list, and a search finds nothing
  await page.getByRole('button', { name: 'Delete', exact: true }).click();
  const confirm = page.getByRole('dialog', { name: 'Delete customer' });
  await expect(confirm).toContainText(name);
  await confirm.getByRole('button', { name: 'Delete' }).click();
  await expect(page).toHaveURL(/\/customers$/);
  await expect(toast(page, 'Customer deleted.')).toBeVisible();
  await expect(page.getByRole('heading', { level: 1, name: 'Customers' })).toBeVisible();
  await page.getByRole('searchbox', { name: 'Search' }).pressSequentially(id, { delay: 20 });
  await expect(page.getByText('No customers match these filters.')).toBeVisible();
  await expect(customerTable(page)).toHaveCount(0);
  const gone = await page.request.get(`/api/v1/customers/${customerId}`);
  expect(gone.status()).toBe(404);
});

test('saving over a change made elsewhere shows the conflict message (412)', async ({ page }) => {
  const id = uid();
  await login(page, USERS.sales);
  // page.request carries the browser's session cookie: the same user, changing the record "elsewhere".
  const customer = await createCustomerViaApi(page.request, { name: `Conflict ${id}`, industry: 'Retail' });

  await page.goto(`/customers/${customer.id}`);
  await expect(page.getByRole('heading', { level: 1, name: `Conflict ${id}` })).toBeVisible();
  await page.getByRole('button', { name: 'Edit', exact: true }).click();
  const form = page.getByRole('region', { name: 'Edit customer' });
  await form.getByLabel('Industry', { exact: true }).fill('Mine');

  const other = await page.request.patch(`/api/v1/customers/${customer.id}`, {
    data: { industry: 'Theirs' },
    headers: { 'if-match': `"${customer.version}"` },
  });
  expect(other.status(), await other.text()).toBe(200);

  await form.getByRole('button', { name: 'Save' }).click();
  const stale = form.getByRole('alert').filter({
    hasText: 'This customer was changed by someone else since you opened it. Reload to see the changes.',
  });
  await expect(stale).toBeVisible();
  await expect(form).toBeVisible();
  // The stored record keeps the other change.
  const stored = await page.request.get(`/api/v1/customers/${customer.id}`);
  expect(((await stored.json()) as CustomerJson).industry).toBe('Theirs');

  // "Reload" loads the other change into the form and clears the message.
  await stale.getByRole('button', { name: 'Reload' }).click();
  await expect(stale).toBeHidden();
  await expect(form.getByLabel('Industry', { exact: true })).toHaveValue('Theirs');
});

test('the customer page shows the history of an edit', async ({ page }) => {
  const id = uid();
  await login(page, USERS.sales);
  const customer = await createCustomerViaApi(page.request, { name: `History ${id}`, industry: 'Retail' });

  await page.goto(`/customers/${customer.id}`);
  const history = page.getByRole('region', { name: 'History' });
  await expect(history.getByRole('listitem').filter({ hasText: `Created by ${USERS.sales}` })).toBeVisible();
  await expect(history.getByText(/^Updated by/)).toHaveCount(0);

  await page.getByRole('button', { name: 'Edit', exact: true }).click();
  const form = page.getByRole('region', { name: 'Edit customer' });
  await form.getByLabel('Industry', { exact: true }).fill('Wholesale');
  await form.getByRole('button', { name: 'Save' }).click();
  await expect(form).toBeHidden();

  const updated = history.locator('li.timeline-item').filter({ hasText: `Updated by ${USERS.sales}` });
  await expect(updated).toHaveCount(1);
  await expect(updated.locator('.change-list > li')).toHaveText(['Industry: Retail → Wholesale']);
});

test('a sales user of another team gets the not-found view for a customer', async ({ page, request }) => {
  const id = uid();
  // A customer of team north (owned by sales@example.com).
  const north = await createCustomerViaApi(request, { name: `North ${id}` }, await bearer(request, USERS.sales));

  await login(page, USERS.sales2);
  await page.goto(`/customers/${north.id}`);
  const notFound = page.getByRole('alert').filter({ hasText: 'Not found.' });
  await expect(notFound).toBeVisible();
  await expect(notFound).toContainText('No customer with that id.');
  // One not-found view: no record, and no contacts or history sections for it.
  await expect(notFound).toHaveCount(1);
  await expect(page.getByRole('heading', { level: 1, name: `North ${id}` })).toHaveCount(0);
  await expect(page.getByText(`North ${id}`)).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Edit', exact: true })).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Add contact' })).toHaveCount(0);
  const res = await page.request.get(`/api/v1/customers/${north.id}`);
  expect(res.status()).toBe(404);
});
