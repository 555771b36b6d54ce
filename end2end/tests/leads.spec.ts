// Leads: a sales user's whole path from a new lead to a customer — create (with an inline error first),
// search, edit, convert, and what a converted lead looks like afterwards.
import { expect, test } from '@playwright/test';
import { bearer, createCustomerViaApi, fact, login, logout, toast, uid, USERS } from './helpers';

interface LeadJson {
  id: string;
  name: string;
  company: string | null;
  status: string;
  converted_customer_id: string | null;
  version: number;
}

test('sales creates, finds, edits and converts a lead into a new customer', async ({ page }) => {
  const id = uid();
  const name = `Leadflow ${id}`;
  const company = `Leadco ${id}`;
  const email = `${id}@leadco.example.com`;

  await login(page, USERS.sales);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Leads' }).click();
  await expect(page).toHaveURL(/\/leads$/);
  await expect(page.getByRole('heading', { level: 1, name: 'Leads' })).toBeVisible();
  const table = page.getByRole('table', { name: 'Leads' });
  // The list has loaded (its summary says how many leads there are).
  await expect(page.locator('.page-sub')).toHaveText(/\d+ leads?$/);

  // --- the "New lead" dialog: a bad e-mail is an inline error and nothing is created
  await page.getByRole('button', { name: 'New lead' }).click();
  const dialog = page.getByRole('dialog', { name: 'New lead' });
  await expect(dialog).toBeVisible();
  await dialog.getByLabel('Name', { exact: true }).fill(name);
  await dialog.getByLabel('Company', { exact: true }).fill(company);
  const emailInput = dialog.getByLabel('Email', { exact: true });
  await emailInput.fill('not-an-email');
  await dialog.getByLabel('Source', { exact: true }).selectOption({ label: 'Referral' });
  await dialog.getByLabel('Estimated value', { exact: true }).fill('1200.50');
  await dialog.getByRole('button', { name: 'Create' }).click();
  const emailField = dialog.locator('.field').filter({ has: page.getByLabel('Email', { exact: true }) });
  await expect(emailField.locator('.field-error')).toBeVisible();
  await expect(emailField.locator('.field-error')).not.toBeEmpty();
  await expect(emailInput).toHaveAttribute('aria-invalid', 'true');
  await expect(dialog.locator('.field-error')).toHaveCount(1);
  await expect(dialog).toBeVisible();
  const none = await page.request.get(`/api/v1/leads?q=${id}`);
  expect(((await none.json()) as { data: LeadJson[] }).data).toHaveLength(0);

  // --- fixed: created, the dialog closes with a toast
  await emailInput.fill(email);
  await dialog.getByRole('button', { name: 'Create' }).click();
  await expect(dialog).toBeHidden();
  await expect(toast(page, `Lead \u201c${name}\u201d created.`)).toBeVisible();

  // --- search finds exactly this lead
  const rows = table.locator('tbody tr');
  await page.getByRole('searchbox', { name: 'Search' }).pressSequentially(id, { delay: 20 });
  await expect(rows).toHaveCount(1);
  const row = rows.first();
  await expect(row.getByRole('link', { name, exact: true })).toBeVisible();
  await expect(row).toContainText(company);
  await expect(row).toContainText('New');
  await expect(row).toContainText('Referral');
  await expect(row).toContainText('1200.50 USD');
  await expect(page.getByText('1 lead', { exact: true })).toBeVisible();

  // --- its page
  await row.getByRole('link', { name, exact: true }).click();
  await expect(page).toHaveURL(/\/leads\/[0-9a-f-]{36}$/);
  const leadId = page.url().split('/').pop()!;
  await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
  await expect(fact(page, 'Company')).toHaveText(company);
  await expect(fact(page, 'Email')).toHaveText(email);
  await expect(fact(page, 'Source')).toHaveText('Referral');
  await expect(fact(page, 'Estimated value')).toHaveText('1200.50 USD');

  // --- edit: qualify it and change the phone
  await page.getByRole('button', { name: 'Edit', exact: true }).click();
  const form = page.getByRole('region', { name: 'Edit lead' });
  await expect(form.getByLabel('Name', { exact: true })).toHaveValue(name);
  await form.getByLabel('Phone', { exact: true }).fill('+1 555 0100');
  await form.getByLabel('Status', { exact: true }).selectOption({ label: 'Qualified' });
  await form.getByRole('button', { name: 'Save' }).click();
  await expect(form).toBeHidden();
  await expect(toast(page, 'Lead saved.')).toBeVisible();
  await expect(fact(page, 'Phone')).toHaveText('+1 555 0100');
  await expect(page.locator('.page-header .badge')).toHaveText('Qualified');
  await page.reload();
  await expect(fact(page, 'Phone')).toHaveText('+1 555 0100');
  await expect(page.locator('.page-header .badge')).toHaveText('Qualified');

  // --- convert into a new customer (named after the company)
  await page.getByRole('button', { name: 'Convert', exact: true }).click();
  const convert = page.getByRole('dialog', { name: 'Convert lead' });
  await expect(convert).toBeVisible();
  const newCustomer = convert.getByLabel(`Create a new customer \u201c${company}\u201d`);
  await expect(newCustomer).toBeChecked();
  // The duplicate search has answered (nothing like this unique company exists).
  await expect(convert.getByText('No similar customers found.')).toBeVisible();
  await expect(convert.getByLabel('Amount', { exact: true })).toHaveValue('1200.50');
  await convert.getByLabel('Create an opportunity', { exact: true }).uncheck();
  await expect(convert.getByLabel('Amount', { exact: true })).toBeHidden();
  await convert.getByRole('button', { name: 'Convert', exact: true }).click();
  await expect(convert).toBeHidden();
  await expect(toast(page, `Converted: customer \u201c${company}\u201d is ready.`)).toBeVisible();

  // --- a converted lead: its links, and no second conversion (nor edits)
  const converted = page.getByRole('region', { name: 'Converted' });
  await expect(converted).toBeVisible();
  await expect(page.locator('.page-header .badge')).toHaveText('Converted');
  await expect(converted.getByRole('link', { name: 'Open the customer' })).toBeVisible();
  await expect(converted.getByRole('link', { name: 'Open the opportunity' })).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Convert', exact: true })).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Edit', exact: true })).toHaveCount(0);
  await page.reload();
  await expect(converted.getByRole('link', { name: 'Open the customer' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Convert', exact: true })).toHaveCount(0);
  const again = await page.request.post(`/api/v1/leads/${leadId}/convert`, { data: {} });
  expect(again.status(), await again.text()).toBe(409);

  const stored = (await (await page.request.get(`/api/v1/leads/${leadId}`)).json()) as LeadJson;
  expect(stored.status).toBe('converted');
  expect(stored.converted_customer_id).toMatch(/^[0-9a-f-]{36}$/);

  // --- the link opens the new customer, which carries the lead's details
  await converted.getByRole('link', { name: 'Open the customer' }).click();
  await expect(page).toHaveURL(new RegExp(`/customers/${stored.converted_customer_id}$`));
  await expect(page.getByRole('heading', { level: 1, name: company })).toBeVisible();
  await expect(fact(page, 'Email')).toHaveText(email);
});

test('a lead that was converted with an opportunity links to both', async ({ page }) => {
  const id = uid();
  await login(page, USERS.sales);
  const res = await page.request.post('/api/v1/leads', {
    data: { name: `Oppflow ${id}`, company: `Oppco ${id}`, estimated_value: '900.00' },
  });
  expect(res.status(), await res.text()).toBe(201);
  const lead = (await res.json()) as LeadJson;

  await page.goto(`/leads/${lead.id}`);
  await expect(page.getByRole('heading', { level: 1, name: `Oppflow ${id}` })).toBeVisible();
  await page.getByRole('button', { name: 'Convert', exact: true }).click();
  const convert = page.getByRole('dialog', { name: 'Convert lead' });
  await expect(convert.getByLabel('Create an opportunity', { exact: true })).toBeChecked();
  await convert.getByLabel('Opportunity name', { exact: true }).fill(`Deal ${id}`);
  await convert.getByRole('button', { name: 'Convert', exact: true }).click();
  await expect(convert).toBeHidden();

  const converted = page.getByRole('region', { name: 'Converted' });
  await expect(converted.getByRole('link', { name: 'Open the customer' })).toBeVisible();
  await expect(converted.getByRole('link', { name: 'Open the opportunity' })).toHaveAttribute(
    'href',
    /^\/opportunities\/[0-9a-f-]{36}$/,
  );
  await expect(page.getByRole('button', { name: 'Convert', exact: true })).toHaveCount(0);
});

test('converting onto a suggested existing customer links the lead to that customer', async ({ page }) => {
  const id = uid();
  await login(page, USERS.sales);
  const existing = await createCustomerViaApi(page.request, {
    name: `Samefirm ${id}`,
    email: `office@${id}.example.com`,
  });
  const res = await page.request.post('/api/v1/leads', {
    data: { name: `Pat Buyer ${id}`, company: `Samefirm ${id}`, email: `pat@${id}.example.com` },
  });
  expect(res.status(), await res.text()).toBe(201);
  const lead = (await res.json()) as LeadJson;

  await page.goto(`/leads/${lead.id}`);
  await page.getByRole('button', { name: 'Convert', exact: true }).click();
  const convert = page.getByRole('dialog', { name: 'Convert lead' });
  // The customer with the same company domain is suggested; choose it instead of a new one.
  const suggestion = convert.getByRole('radio', { name: new RegExp(`^Samefirm ${id}`) });
  await expect(suggestion).toBeVisible();
  await expect(suggestion).not.toBeChecked();
  await suggestion.check();
  await expect(convert.getByRole('radio', { name: /^Create a new customer/ })).not.toBeChecked();
  await convert.getByLabel('Create an opportunity', { exact: true }).uncheck();
  await convert.getByRole('button', { name: 'Convert', exact: true }).click();
  await expect(convert).toBeHidden();
  await expect(toast(page, `Converted: customer \u201cSamefirm ${id}\u201d is ready.`)).toBeVisible();

  await page.getByRole('region', { name: 'Converted' }).getByRole('link', { name: 'Open the customer' }).click();
  await expect(page).toHaveURL(new RegExp(`/customers/${existing.id}$`));
  await expect(page.getByRole('heading', { level: 1, name: `Samefirm ${id}` })).toBeVisible();
  // The lead's person became a contact of that customer.
  const contacts = page.getByRole('region', { name: 'Contacts' });
  await expect(contacts.getByRole('row').filter({ hasText: `Pat Buyer ${id}` })).toHaveCount(1);
});

test('converting into a new customer whose e-mail is taken says which customer has it', async ({ page }) => {
  const id = uid();
  await login(page, USERS.sales);
  await createCustomerViaApi(page.request, { name: `Holder ${id}`, email: `taken@${id}.example.com` });
  const res = await page.request.post('/api/v1/leads', {
    data: { name: `Taker ${id}`, email: `taken@${id}.example.com` },
  });
  expect(res.status(), await res.text()).toBe(201);
  const lead = (await res.json()) as LeadJson;

  await page.goto(`/leads/${lead.id}`);
  await page.getByRole('button', { name: 'Convert', exact: true }).click();
  const convert = page.getByRole('dialog', { name: 'Convert lead' });
  await expect(convert.getByRole('radio', { name: new RegExp(`^Holder ${id}`) })).toBeVisible();
  await expect(convert.getByRole('radio', { name: /^Create a new customer/ })).toBeChecked();
  await convert.getByLabel('Create an opportunity', { exact: true }).uncheck();
  await convert.getByRole('button', { name: 'Convert', exact: true }).click();
  await expect(convert.getByRole('alert').filter({ hasText: `Holder ${id}` })).toBeVisible();
  await expect(convert).toBeVisible();
  const stored = (await (await page.request.get(`/api/v1/leads/${lead.id}`)).json()) as LeadJson;
  expect(stored.status).toBe('new');
  await convert.getByRole('button', { name: 'Cancel' }).click();
  await expect(convert).toBeHidden();
  await expect(page.getByRole('region', { name: 'Converted' })).toHaveCount(0);
});

test('a read-only user sees leads without actions; another sales team gets the not-found view', async ({ page, request }) => {
  const id = uid();
  const headers = await bearer(request, USERS.sales);
  const res = await request.post('/api/v1/leads', { data: { name: `Private ${id}` }, headers });
  expect(res.status(), await res.text()).toBe(201);
  const lead = (await res.json()) as LeadJson;

  await login(page, USERS.viewer);
  await page.goto(`/leads/${lead.id}`);
  await expect(page.getByRole('heading', { level: 1, name: `Private ${id}` })).toBeVisible();
  await expect(page.getByRole('region', { name: 'Details' })).toBeVisible();
  for (const action of ['Convert', 'Edit', 'Delete']) {
    await expect(page.getByRole('button', { name: action, exact: true })).toHaveCount(0);
  }
  await page.goto('/leads');
  await expect(page.getByRole('heading', { level: 1, name: 'Leads' })).toBeVisible();
  await expect(page.locator('.page-sub')).toHaveText(/\d+ leads?$|Showing the first \d+ leads/);
  await expect(page.getByRole('button', { name: 'New lead' })).toHaveCount(0);

  await logout(page);
  await login(page, USERS.sales2);
  await page.goto(`/leads/${lead.id}`);
  const notFound = page.getByRole('alert').filter({ hasText: 'Not found.' });
  await expect(notFound).toBeVisible();
  await expect(page.getByText(`Private ${id}`)).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Convert', exact: true })).toHaveCount(0);
});

test('bulk actions on the lead list: disqualify with a reason, then delete', async ({ page }) => {
  const id = uid();
  await login(page, USERS.sales);
  for (const who of ['Ann', 'Bob']) {
    const res = await page.request.post('/api/v1/leads', { data: { name: `${who} Bulk ${id}` } });
    expect(res.status(), await res.text()).toBe(201);
  }

  await page.goto('/leads');
  const table = page.getByRole('table', { name: 'Leads' });
  const rows = table.locator('tbody tr');
  await page.getByRole('searchbox', { name: 'Search' }).pressSequentially(id, { delay: 20 });
  await expect(rows).toHaveCount(2);
  await table.getByRole('checkbox', { name: 'Select all leads' }).check();
  const bar = page.getByRole('region', { name: 'Bulk actions' });
  await expect(bar).toContainText('2 selected');

  await bar.getByLabel('Set status', { exact: true }).selectOption({ label: 'Disqualified' });
  await bar.getByLabel('Reason', { exact: true }).fill('No budget');
  await bar.getByRole('button', { name: 'Set status' }).click();
  await expect(toast(page, '2 leads updated.')).toBeVisible();
  await expect(bar).toBeHidden();
  await expect(rows.filter({ hasText: 'Disqualified' })).toHaveCount(2);
  await rows.first().getByRole('link').click();
  await expect(fact(page, 'Why disqualified')).toHaveText('No budget');
  // A disqualified lead cannot be converted.
  await expect(page.getByRole('button', { name: 'Convert', exact: true })).toHaveCount(0);
  await page.goBack();

  await expect(page.getByRole('searchbox', { name: 'Search' })).toHaveValue(id);
  await expect(rows).toHaveCount(2);
  await table.getByRole('checkbox', { name: 'Select all leads' }).check();
  await bar.getByRole('button', { name: 'Delete selected' }).click();
  await page.getByRole('dialog', { name: 'Delete leads' }).getByRole('button', { name: 'Delete' }).click();
  await expect(toast(page, '2 leads deleted.')).toBeVisible();
  await expect(page.getByText('No leads match these filters.')).toBeVisible();
});

test('the lead list keeps its search, filters and sort in the address', async ({ page }) => {
  const id = uid();
  await login(page, USERS.sales);
  const leads = [
    { name: `Small ${id}`, status: 'new', estimated_value: '100.00' },
    { name: `Large ${id}`, status: 'qualified', estimated_value: '9000.00' },
    { name: `Medium ${id}`, status: 'qualified', estimated_value: '500.00' },
  ];
  for (const data of leads) {
    const res = await page.request.post('/api/v1/leads', { data });
    expect(res.status(), await res.text()).toBe(201);
  }

  await page.goto('/leads');
  await expect(page.getByRole('button', { name: 'New lead' })).toBeVisible();
  // "n" opens the create dialog; Escape closes it.
  await page.locator('body').press('n');
  await expect(page.getByRole('dialog', { name: 'New lead' })).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(page.getByRole('dialog', { name: 'New lead' })).toBeHidden();

  const rows = page.getByRole('table', { name: 'Leads' }).locator('tbody tr');
  await page.getByRole('searchbox', { name: 'Search' }).pressSequentially(id, { delay: 20 });
  await expect(rows).toHaveCount(3);
  // On a desktop the filters are shown next to the search (the "Filters" toggle is for small screens).
  await page.getByRole('search').getByLabel('Status', { exact: true }).selectOption({ label: 'Qualified' });
  await expect(rows).toHaveCount(2);
  await page.getByRole('button', { name: 'Value' }).click();
  await expect(page).toHaveURL(/[?&]status=qualified/);
  await expect(page).toHaveURL(new RegExp(`[?&]q=${id}`));
  await expect(page).toHaveURL(/[?&]sort=-?estimated_value/);
  // Value sorts the biggest first.
  await expect(rows.first().getByRole('link')).toHaveText(`Large ${id}`);
  await expect(rows.nth(1).getByRole('link')).toHaveText(`Medium ${id}`);
  const url = page.url();

  await page.goto(url);
  await expect(page.getByRole('searchbox', { name: 'Search' })).toHaveValue(id);
  await expect(rows).toHaveCount(2);
  await expect(rows.first().getByRole('link')).toHaveText(`Large ${id}`);
  await expect(page.getByRole('search').getByLabel('Status', { exact: true })).toHaveValue('qualified');
  await expect(rows.filter({ hasText: `Small ${id}` })).toHaveCount(0);
});
