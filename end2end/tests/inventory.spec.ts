// Inventory in the browser (issue #5): the inventory user creates a vendor and an asset, orders 10, receives 6
// then 4, allocates 3 to a project, returns 1, and sees the stock levels and the depreciation schedule; an
// over-allocation shows the server's 409 in the dialog and changes nothing.
import { expect, test } from '@playwright/test';
import type { Page } from '@playwright/test';
import { bearer, login, toast, uid, USERS } from './helpers';

const INVENTORY = 'inventory@example.com';

async function stock(page: Page, testid: string) {
  return page.getByTestId(testid);
}

test('vendor, asset, order 10, receive 6 + 4, allocate 3 to a project, return 1', async ({ page, request }) => {
  const id = uid();
  const vendorName = `Vendor ${id}`;
  const sku = `E2E-${id.toUpperCase()}`;
  const assetName = `Dock ${id}`;

  // A project to allocate to, made by the manager through the API for a demo customer.
  const manager = await bearer(request, USERS.manager);
  const customers = await request.get('/api/v1/customers?limit=1&sort=name', { headers: manager });
  expect(customers.status()).toBe(200);
  const customer = (await customers.json()).data[0];
  const projectName = `Rollout ${id}`;
  const project = await request.post('/api/v1/projects', {
    headers: manager,
    data: { name: projectName, customer_id: customer.id },
  });
  expect(project.status(), await project.text()).toBe(201);

  await login(page, INVENTORY);

  // --- vendor
  await page.goto('/vendors');
  await page.getByRole('button', { name: 'New vendor' }).click();
  const vendorDialog = page.getByRole('dialog', { name: 'New vendor' });
  await vendorDialog.getByLabel('Name', { exact: true }).fill(vendorName);
  await vendorDialog.getByLabel('Lead time (days)', { exact: true }).fill('5');
  await vendorDialog.getByRole('button', { name: 'Create vendor' }).click();
  await expect(vendorDialog).toBeHidden();
  await expect(toast(page, `Vendor ${vendorName} created.`)).toBeVisible();
  // ... with a contact person, added on its page
  await page.getByRole('table', { name: 'Vendors' }).getByRole('link', { name: vendorName }).click();
  const addContact = page.getByRole('form', { name: 'Add contact' });
  await addContact.getByLabel('Contact name', { exact: true }).fill('Ann Lee');
  await addContact.getByLabel('Contact e-mail', { exact: true }).fill('not-an-email');
  await addContact.getByRole('button', { name: 'Add contact' }).click();
  await expect(addContact.getByLabel('Contact e-mail', { exact: true })).toHaveAttribute('aria-invalid', 'true');
  await addContact.getByLabel('Contact e-mail', { exact: true }).fill('ann@vendor.example');
  await addContact.getByRole('button', { name: 'Add contact' }).click();
  await expect(page.getByTestId('vendor-contacts')).toContainText('Ann Lee');

  // --- asset: first with a missing name (inline error), then complete
  await page.goto('/assets');
  await page.getByRole('button', { name: 'New asset' }).click();
  const assetDialog = page.getByRole('dialog', { name: 'New asset' });
  await assetDialog.getByLabel('SKU', { exact: true }).fill(sku);
  await assetDialog.getByRole('button', { name: 'Create asset' }).click();
  await expect(assetDialog.getByLabel('Name', { exact: true })).toHaveAttribute('aria-invalid', 'true');
  await assetDialog.getByLabel('Name', { exact: true }).fill(assetName);
  await assetDialog.getByLabel('Kind', { exact: true }).selectOption('hardware');
  await assetDialog.getByLabel('Tracking', { exact: true }).selectOption('quantity');
  await assetDialog.getByLabel('Category', { exact: true }).fill('Hardware/Docks');
  const vendorPicker = assetDialog.getByLabel('Vendor', { exact: true });
  await expect(vendorPicker.locator('option', { hasText: vendorName })).toHaveCount(1);
  await vendorPicker.selectOption({ label: vendorName });
  await assetDialog.getByLabel('Reorder point', { exact: true }).fill('2');
  await assetDialog.getByLabel('Purchase price', { exact: true }).fill('240.00');
  await assetDialog.getByLabel('Purchase date', { exact: true }).fill('2026-01-01');
  await assetDialog.getByLabel('Useful life (months)', { exact: true }).fill('12');
  await assetDialog.getByLabel('Salvage value', { exact: true }).fill('0.00');
  await assetDialog.getByRole('button', { name: 'Create asset' }).click();
  await expect(assetDialog).toBeHidden();
  await expect(toast(page, `Asset ${sku} created.`)).toBeVisible();

  // --- purchase order for 10, sent
  await page.goto('/purchase-orders');
  await page.getByRole('button', { name: 'New purchase order' }).click();
  const poDialog = page.getByRole('dialog', { name: 'New purchase order' });
  const poVendor = poDialog.getByLabel('Vendor', { exact: true });
  await expect(poVendor.locator('option', { hasText: vendorName })).toHaveCount(1);
  await poVendor.selectOption({ label: vendorName });
  const line = poDialog.getByRole('group', { name: 'Line 1' });
  const assetPicker = line.getByLabel('Asset', { exact: true });
  await expect(assetPicker.locator('option', { hasText: sku })).toHaveCount(1);
  await assetPicker.selectOption({ label: `${sku} — ${assetName}` });
  await line.getByLabel('Quantity', { exact: true }).fill('10');
  await poDialog.getByRole('button', { name: 'Create purchase order' }).click();
  await expect(page).toHaveURL(/\/purchase-orders\/[0-9a-f-]{36}$/);
  await expect(page.getByTestId('po-total')).toHaveText('2400.00 USD');
  await page.getByRole('button', { name: 'Send order' }).click();
  await expect(page.getByTestId('po-status').first()).toHaveText('Ordered');

  // --- receive 6 (more than outstanding first: the line's error), then 4
  const receive = async (quantity: string) => {
    await page.getByRole('button', { name: 'Receive', exact: true }).click();
    const field = page.getByLabel(`Quantity received (${sku})`, { exact: true });
    await field.fill(quantity);
    await page.getByRole('button', { name: 'Receive goods' }).click();
  };
  await receive('11');
  await expect(page.getByLabel(`Quantity received (${sku})`, { exact: true })).toHaveAttribute('aria-invalid', 'true');
  await page.getByLabel(`Quantity received (${sku})`, { exact: true }).fill('6');
  await page.getByRole('button', { name: 'Receive goods' }).click();
  await expect(page.getByTestId('po-status').first()).toHaveText('Partially received');
  await receive('4');
  await expect(page.getByTestId('po-status').first()).toHaveText('Received');

  // --- the asset: 10 in stock; allocating 11 is refused with the server's message
  await page.goto(`/assets?q=${sku}`);
  await page.getByRole('table', { name: 'Assets' }).getByRole('link', { name: sku }).click();
  await expect(await stock(page, 'total-quantity')).toHaveText('10');
  await expect(await stock(page, 'available-quantity')).toHaveText('10');

  await page.getByRole('button', { name: 'Allocate', exact: true }).click();
  const allocate = page.getByRole('dialog', { name: `Allocate ${assetName}` });
  await allocate.getByLabel('Quantity', { exact: true }).fill('11');
  await allocate.getByLabel('Allocate to', { exact: true }).selectOption('project');
  const projectPicker = allocate.getByLabel('Project', { exact: true });
  await expect(projectPicker.locator('option', { hasText: projectName })).toHaveCount(1);
  await projectPicker.selectOption({ label: projectName });
  await allocate.getByRole('button', { name: 'Allocate', exact: true }).click();
  await expect(allocate.getByText(/Only 10 of .* available; 11 requested/)).toBeVisible();
  await allocate.getByLabel('Quantity', { exact: true }).fill('3');
  await allocate.getByRole('button', { name: 'Allocate', exact: true }).click();
  await expect(allocate).toBeHidden();
  await expect(await stock(page, 'available-quantity')).toHaveText('7');
  await expect(await stock(page, 'allocated-quantity')).toHaveText('3');

  // --- return 1 in good condition
  const allocations = page.getByTestId('allocations-table');
  await expect(allocations).toContainText(projectName);
  await allocations.getByRole('button', { name: /^Return from/ }).click();
  const ret = page.getByRole('dialog', { name: /^Return from/ });
  await ret.getByLabel('Quantity', { exact: true }).fill('1');
  await ret.getByLabel('Condition', { exact: true }).selectOption('good');
  await ret.getByRole('button', { name: 'Return', exact: true }).click();
  await expect(ret).toBeHidden();
  await expect(await stock(page, 'available-quantity')).toHaveText('8');
  await expect(await stock(page, 'allocated-quantity')).toHaveText('2');

  // --- the ledger shows both receipts, the allocation and the return
  const ledger = page.getByTestId('movements-table');
  await expect(ledger.locator('tbody tr')).toHaveCount(4);

  // --- depreciation: 12 monthly rows, ending at the salvage value
  await page.getByText('Schedule (12 months)').click();
  const schedule = page.getByTestId('depreciation-schedule');
  await expect(schedule.locator('tbody tr')).toHaveCount(12);
  await expect(schedule.locator('tbody tr').last()).toContainText('0.00');

  // --- stock levels: the list's badge and the report agree
  await page.goto(`/assets?q=${sku}`);
  await expect(page.getByRole('table', { name: 'Assets' }).getByRole('row', { name: new RegExp(sku) })).toContainText('8');
  const levels = await page.request.get(`/api/v1/reports/stock-levels?q=${sku}`);
  expect(levels.status()).toBe(200);
  const row = (await levels.json()).data[0];
  expect([row.sku, row.total_quantity, row.available_quantity, row.allocated_quantity]).toEqual([sku, 10, 8, 2]);

  // --- the project's page lists what it got (3 allocated, 2 still out)
  const projectId = (await project.json()).id;
  await page.goto(`/projects/${projectId}`);
  const allocated = page.getByTestId('allocated-table');
  await expect(allocated.getByRole('row', { name: new RegExp(sku) })).toContainText('3');
  await expect(allocated.getByRole('row', { name: new RegExp(sku) }).locator('td[data-label="Outstanding"]')).toHaveText('2');

  // --- valuation: after the end of its 12-month life the new asset adds its salvage (0.00) to Hardware
  await page.goto('/inventory/reports');
  const valuation = page.getByTestId('valuation-table');
  await expect(valuation.getByRole('row', { name: /^Hardware/ })).toBeVisible();
  await page.getByLabel('As of', { exact: true }).fill('2030-01-01');
  await expect(valuation.getByRole('row', { name: /^Hardware/ })).toBeVisible();
  const csv = await page.request.get('/api/v1/reports/stock-levels?format=csv');
  expect(csv.headers()['content-type']).toContain('text/csv');
  expect(await csv.text()).toContain(sku);
});

test('a viewer sees assets without write buttons and the server refuses an allocation', async ({ page, request }) => {
  await login(page, USERS.viewer);
  await page.goto('/assets');
  await expect(page.getByRole('heading', { level: 1, name: 'Assets' })).toBeVisible();
  await expect(page.getByRole('table', { name: 'Assets' }).locator('tbody tr').first()).toBeVisible();
  await expect(page.getByRole('button', { name: 'New asset' })).toHaveCount(0);
  await page.getByRole('table', { name: 'Assets' }).locator('tbody tr a').first().click();
  await expect(page.getByTestId('available-quantity')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Allocate', exact: true })).toHaveCount(0);
  const assetId = page.url().split('/').pop();
  const viewer = await bearer(request, USERS.viewer);
  const me = await (await request.get('/api/v1/users/me', { headers: viewer })).json();
  const res = await request.post(`/api/v1/assets/${assetId}/allocate`, {
    headers: viewer,
    data: { quantity: 1, user_id: me.id },
  });
  expect(res.status()).toBe(403);
});
