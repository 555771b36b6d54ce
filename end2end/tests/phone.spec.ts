// Phone width (390 × 844, an ordinary phone): the customers pages must work without sideways scrolling —
// navigation behind the "Menu" button, the list as one card per customer, selection and bulk actions, the
// create dialog inside the screen, and the customer's page with its edit form.
import { expect, test } from '@playwright/test';
import type { Locator, Page } from '@playwright/test';
import { customerTable, fact, login, toast, uid, USERS } from './helpers';

const WIDTH = 390;

test.use({ viewport: { width: WIDTH, height: 844 }, hasTouch: true });

/** Fails when anything on the page makes it wider than the screen (the user would have to scroll sideways). */
async function expectNoSidewaysScroll(page: Page, where: string): Promise<void> {
  const { scroll, client } = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth,
    client: document.documentElement.clientWidth,
  }));
  expect(scroll, `${where}: the page is ${scroll}px wide on a ${client}px screen`).toBeLessThanOrEqual(client);
}

/** The element's box on the page; fails, naming it, when it is not rendered. */
async function boxOf(element: Locator, what: string): Promise<{ x: number; y: number; width: number; height: number }> {
  const box = await element.boundingBox();
  if (box === null) throw new Error(`${what} is not rendered`);
  return box;
}

/** Fails unless the element lies horizontally inside the screen. */
async function expectInsideScreen(element: Locator, what: string): Promise<void> {
  const box = await boxOf(element, what);
  expect(box.x, `${what} starts left of the screen`).toBeGreaterThanOrEqual(0);
  expect(box.x + box.width, `${what} ends right of the screen`).toBeLessThanOrEqual(WIDTH);
}

test('on a phone-width screen a sales user lists, selects, creates, opens and edits customers', async ({ page }) => {
  const name = `Phonetest ${uid()}`;
  await login(page, USERS.sales);

  // --- the navigation folds behind "Menu"
  const nav = page.getByRole('navigation', { name: 'Main' });
  await expect(nav).toBeHidden();
  const menu = page.getByRole('button', { name: 'Menu' });
  await expect(menu).toHaveAttribute('aria-expanded', 'false');
  await menu.click();
  await expect(menu).toHaveAttribute('aria-expanded', 'true');
  await nav.getByRole('link', { name: 'Customers' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Customers' })).toBeVisible();

  // --- the list: one card per customer, the column headers give way to a label in each card
  const rows = customerTable(page).locator('tbody tr');
  await expect(rows.nth(1)).toBeVisible();
  await expectNoSidewaysScroll(page, 'customers list');
  const header = await customerTable(page).locator('thead').boundingBox();
  expect(header?.height ?? 0, 'the column headers are folded away').toBeLessThanOrEqual(1);
  const first = rows.first();
  await expectInsideScreen(first, 'the first customer card');
  const nameCell = await boxOf(first.locator('td[data-label="Name"]'), "the first card's name");
  const statusCell = await boxOf(first.locator('td[data-label="Status"]'), "the first card's status");
  expect(statusCell.y, 'a card stacks its fields (Status below Name)').toBeGreaterThanOrEqual(
    nameCell.y + nameCell.height - 1,
  );

  // --- selection and the bulk actions fit the screen
  await first.getByRole('checkbox').check();
  const bulk = page.getByRole('region', { name: 'Bulk actions' });
  await expect(bulk).toContainText('1 selected');
  await expectInsideScreen(bulk, 'the bulk action bar');
  await expectInsideScreen(bulk.getByLabel('Assign owner'), 'the "Assign owner" choice');
  await expectNoSidewaysScroll(page, 'customers list with a selection');
  await first.getByRole('checkbox').uncheck();

  // --- create in the dialog, inside the screen
  const create = page.getByRole('button', { name: 'New customer' });
  await expectInsideScreen(create, '"New customer"');
  await create.click();
  const dialog = page.getByRole('dialog', { name: 'New customer' });
  await expect(dialog).toBeVisible();
  await expectInsideScreen(dialog, 'the "New customer" dialog');
  await dialog.getByLabel('Name', { exact: true }).fill(name);
  await dialog.getByLabel('Industry', { exact: true }).fill('Mobile');
  const submit = dialog.getByRole('button', { name: 'Create' });
  await submit.scrollIntoViewIfNeeded();
  await expectInsideScreen(submit, 'the dialog\'s "Create" button');
  await submit.click();
  await expect(dialog).toBeHidden();
  await expect(toast(page, `Customer \u201c${name}\u201d created.`)).toBeVisible();

  // --- its page and the edit form
  await customerTable(page).getByRole('link', { name, exact: true }).click();
  await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
  await expect(fact(page, 'Industry')).toHaveText('Mobile');
  await expectNoSidewaysScroll(page, "the customer's page");
  await page.getByRole('button', { name: 'Edit', exact: true }).click();
  const form = page.getByRole('region', { name: 'Edit customer' });
  const industry = form.getByLabel('Industry', { exact: true });
  await expectInsideScreen(industry, 'the Industry field of the edit form');
  await industry.fill('Handheld');
  const save = form.getByRole('button', { name: 'Save' });
  await expectInsideScreen(save, '"Save"');
  await save.click();
  await expect(toast(page, 'Customer saved.')).toBeVisible();
  await expect(fact(page, 'Industry')).toHaveText('Handheld');
  await expectNoSidewaysScroll(page, "the customer's page after saving");
});
