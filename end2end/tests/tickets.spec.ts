// Tickets in the browser: support opens one for a demo customer, comments (public and internal), moves it
// through the workflow (only the allowed buttons shown) and reopens it; a sales user of the customer's team
// reads it without the internal note and without any way to change it.
import { expect, test } from '@playwright/test';
import type { Locator, Page } from '@playwright/test';
import { bearer, type CustomerJson, fact, login, uid, USERS } from './helpers';

const SUPPORT = 'support@example.com';
const WORKFLOW = ['Start', 'Resolve', 'Close', 'Back to open', 'Reopen'];

/** The buttons of the ticket page's header (workflow, Edit, Delete). */
function actions(page: Page): Locator {
  return page.locator('header.page-header .page-actions');
}

/** Exactly these workflow buttons are offered, in this order. */
async function expectWorkflow(page: Page, buttons: string[]): Promise<void> {
  const shown = actions(page)
    .getByRole('button')
    .filter({ hasText: new RegExp(`^(${WORKFLOW.join('|')})$`) });
  await expect(shown).toHaveText(buttons);
}

function statusBadge(page: Page): Locator {
  return page.locator('header.page-header .page-sub .badge[class*="badge-ticket-"]');
}

test('support works a ticket; the owning sales team reads it without internal notes', async ({ page, request }) => {
  const id = uid();
  const subject = `Printer jam ${id}`;
  const publicText = `We are sending a technician ${id}.`;
  const internalText = `Internal: the toner batch ${id} is faulty.`;

  // A demo customer of team north (sales@example.com sees it, so it is owned by the team).
  const list = await request.get('/api/v1/customers?limit=1&sort=name', { headers: await bearer(request, USERS.sales) });
  expect(list.status()).toBe(200);
  const customer = ((await list.json()) as { data: CustomerJson[] }).data[0];
  expect(customer, 'the demo seed gives team north customers').toBeTruthy();

  // --- as support: the create dialog, first with an empty subject
  await login(page, SUPPORT);
  await page.goto('/tickets');
  await expect(page.getByRole('heading', { level: 1, name: 'Tickets' })).toBeVisible();
  await page.getByRole('button', { name: 'New ticket' }).click();
  const dialog = page.getByRole('dialog', { name: 'New ticket' });
  await expect(dialog).toBeVisible();
  await dialog.getByRole('button', { name: 'Create' }).click();
  const subjectField = dialog.locator('.field').filter({ has: page.getByLabel('Subject', { exact: true }) });
  await expect(subjectField.locator('.field-error')).toBeVisible();
  await expect(subjectField.locator('.field-error')).not.toBeEmpty();
  await expect(dialog.getByLabel('Subject', { exact: true })).toHaveAttribute('aria-invalid', 'true');
  await expect(dialog).toBeVisible();

  await dialog.getByLabel('Find by name', { exact: true }).fill(customer.name);
  const picker = dialog.getByLabel('Customer', { exact: true });
  await expect(picker.locator(`option[value="${customer.id}"]`)).toHaveCount(1);
  await picker.selectOption(customer.id);
  await dialog.getByLabel('Subject', { exact: true }).fill(subject);
  await dialog.getByLabel('Priority', { exact: true }).selectOption({ label: 'High' });
  await dialog.getByLabel('Description', { exact: true }).fill('The printer on floor 2 jams on every page.');
  await dialog.getByRole('button', { name: 'Create' }).click();
  await expect(dialog).toBeHidden();
  await expect(page.locator('.toasts').getByRole('status').filter({ hasText: /Ticket #\d+ created\./ })).toBeVisible();

  // --- found in the list, opened
  await page.getByRole('searchbox', { name: 'Search' }).fill(id);
  const link = page.getByRole('link', { name: new RegExp(`^#\\d+ ${subject}$`) });
  await expect(link).toHaveCount(1);
  await link.click();
  await expect(page).toHaveURL(/\/tickets\/[0-9a-f-]{36}$/);
  const ticketUrl = page.url();
  await expect(page.getByRole('heading', { level: 1, name: new RegExp(`^#\\d+ ${subject}$`) })).toBeVisible();
  await expect(statusBadge(page)).toHaveText('Open');
  await expect(fact(page, 'Customer')).toHaveText(customer.name);
  await expect(fact(page, 'Priority')).toHaveText('High');
  await expect(fact(page, 'First response')).toHaveText('—');
  await expectWorkflow(page, ['Start', 'Resolve', 'Close']);

  // --- a public comment and an internal note
  const comments = page.getByRole('region', { name: 'Comments' });
  await expect(comments.getByText('No comments yet.')).toBeVisible();
  await comments.getByLabel('Add a comment', { exact: true }).fill(publicText);
  await comments.getByRole('button', { name: 'Post comment' }).click();
  const publicComment = comments.locator('li.comment').filter({ hasText: publicText });
  await expect(publicComment).toHaveCount(1);
  await expect(publicComment).toContainText('Pat Support');
  await expect(publicComment.getByText('Internal note', { exact: true })).toHaveCount(0);
  await expect(comments.getByLabel('Add a comment', { exact: true })).toHaveValue('');
  // A staff reply is the first response.
  await expect(fact(page, 'First response')).not.toHaveText('—');

  await comments.getByLabel('Add a comment', { exact: true }).fill(internalText);
  await comments.getByRole('checkbox', { name: 'Internal note (hidden from sales)' }).check();
  await comments.getByRole('button', { name: 'Post comment' }).click();
  const note = comments.locator('li.comment').filter({ hasText: internalText });
  await expect(note).toHaveCount(1);
  await expect(note.getByText('Internal note', { exact: true })).toBeVisible();
  await expect(comments.getByRole('checkbox', { name: 'Internal note (hidden from sales)' })).not.toBeChecked();
  await expect(comments.locator('li.comment')).toHaveCount(2);

  // An empty comment is refused on its field.
  await comments.getByRole('button', { name: 'Post comment' }).click();
  await expect(comments.locator('.field-error')).toBeVisible();
  await expect(comments.locator('li.comment')).toHaveCount(2);

  // --- the workflow: Start → Resolve, only the allowed moves offered at each step, then reopen
  await actions(page).getByRole('button', { name: 'Start', exact: true }).click();
  await expect(statusBadge(page)).toHaveText('In progress');
  await expectWorkflow(page, ['Back to open', 'Resolve', 'Close']);

  await actions(page).getByRole('button', { name: 'Resolve', exact: true }).click();
  await expect(statusBadge(page)).toHaveText('Resolved');
  await expectWorkflow(page, ['Close', 'Reopen']);
  await expect(fact(page, 'Resolved')).not.toHaveText('—');
  await page.reload();
  await expect(statusBadge(page)).toHaveText('Resolved');
  await expectWorkflow(page, ['Close', 'Reopen']);

  await actions(page).getByRole('button', { name: 'Reopen', exact: true }).click();
  await expect(statusBadge(page)).toHaveText('Open');
  await expectWorkflow(page, ['Start', 'Resolve', 'Close']);
  await expect(fact(page, 'Resolved')).toHaveText('—');
  // The history has the status changes.
  const history = page.getByRole('region', { name: 'History' });
  await expect(history.locator('li.timeline-item').filter({ hasText: `Updated by ${SUPPORT}` }).first()).toBeVisible();

  // --- as sales of the customer's team: readable, without the internal note, and read-only
  await page.getByRole('button', { name: 'Log out' }).click();
  await expect(page).toHaveURL(/\/login/);
  await login(page, USERS.sales);
  await page.goto(ticketUrl);
  await expect(page.getByRole('heading', { level: 1, name: new RegExp(`^#\\d+ ${subject}$`) })).toBeVisible();
  await expect(statusBadge(page)).toHaveText('Open');
  const readOnly = page.getByRole('region', { name: 'Comments' });
  await expect(readOnly.locator('li.comment').filter({ hasText: publicText })).toHaveCount(1);
  await expect(readOnly.locator('li.comment')).toHaveCount(1);
  await expect(page.getByText(internalText)).toHaveCount(0);
  await expect(page.getByText('Internal note', { exact: true })).toHaveCount(0);
  await expect(readOnly.getByLabel('Add a comment')).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Post comment' })).toHaveCount(0);
  await expect(actions(page).getByRole('button')).toHaveCount(0);
  // Nor does the history reveal the note.
  await expect(page.getByRole('region', { name: 'History' })).not.toContainText(internalText);

  // --- a sales user of another team gets the not-found view
  await page.getByRole('button', { name: 'Log out' }).click();
  await expect(page).toHaveURL(/\/login/);
  await login(page, USERS.sales2);
  await page.goto(ticketUrl);
  await expect(page.getByRole('alert').filter({ hasText: 'Not found.' })).toBeVisible();
  await expect(page.getByText(subject)).toHaveCount(0);
  await expect(page.getByText(publicText)).toHaveCount(0);
});
