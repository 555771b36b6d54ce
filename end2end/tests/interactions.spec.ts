// Interactions: log a call on a customer's timeline, find it by a word of its notes, edit it on its page.
import { expect, test } from '@playwright/test';
import { bearer, createCustomerViaApi, fact, login, logout, toast, uid, USERS } from './helpers';

test('sales logs a call on the timeline, finds it on /interactions and edits it', async ({ page }) => {
  const id = uid();
  const word = uid();
  const subject = `Intro call ${id}`;
  const body = `Talked about the ${word} rollout and next steps.`;

  await login(page, USERS.sales);
  const customer = await createCustomerViaApi(page.request, { name: `Timeline ${id}` });
  await page.goto(`/customers/${customer.id}`);
  await expect(page.getByRole('heading', { level: 1, name: `Timeline ${id}` })).toBeVisible();
  const timeline = page.getByRole('region', { name: 'Timeline' });
  // The feed has loaded (the customer's creation is in it).
  await expect(timeline.locator('li.timeline-item').first()).toBeVisible();

  // --- the dialog: an empty subject is an inline error, and nothing is logged
  await timeline.getByRole('button', { name: 'Log interaction' }).click();
  const dialog = page.getByRole('dialog', { name: 'Log interaction' });
  await expect(dialog).toBeVisible();
  await expect(dialog.getByLabel('Kind', { exact: true })).toHaveValue('call');
  await dialog.getByLabel('Notes', { exact: true }).fill(body);
  await dialog.getByRole('button', { name: 'Log', exact: true }).click();
  const subjectInput = dialog.getByLabel('Subject', { exact: true });
  const subjectField = dialog.locator('.field').filter({ has: page.getByLabel('Subject', { exact: true }) });
  await expect(subjectField.locator('.field-error')).toBeVisible();
  await expect(subjectField.locator('.field-error')).not.toBeEmpty();
  await expect(subjectInput).toHaveAttribute('aria-invalid', 'true');
  await expect(dialog.locator('.field-error')).toHaveCount(1);
  await expect(dialog).toBeVisible();
  const none = await page.request.get(`/api/v1/interactions?customer_id=${customer.id}`);
  expect(((await none.json()) as { data: unknown[] }).data).toHaveLength(0);

  // --- fixed: logged, and at the top of the timeline
  await subjectInput.fill(subject);
  await dialog.getByLabel('Duration (minutes)', { exact: true }).fill('15');
  await dialog.getByRole('button', { name: 'Log', exact: true }).click();
  await expect(dialog).toBeHidden();
  await expect(toast(page, 'Interaction logged.')).toBeVisible();
  const first = timeline.locator('li.timeline-item').first();
  await expect(first.getByRole('link', { name: subject, exact: true })).toBeVisible();
  await expect(first).toContainText('Call');
  await expect(first).toContainText(body);
  await expect(first).toContainText('by Sam Sales');
  // Also after a reload (the server's order, not only the optimistic insert).
  await page.reload();
  await expect(timeline.locator('li.timeline-item').first().getByRole('link', { name: subject, exact: true })).toBeVisible();

  // --- /interactions: a word of the notes finds it
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Interactions' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Interactions' })).toBeVisible();
  const table = page.getByRole('table', { name: 'Interactions' });
  await expect(table.locator('tbody tr').first()).toBeVisible();
  await page.getByRole('searchbox', { name: 'Search' }).pressSequentially(word, { delay: 20 });
  await expect(page).toHaveURL(new RegExp(`[?&]q=${word}`));
  const rows = table.locator('tbody tr');
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText('Call');
  await expect(rows.first().getByRole('link', { name: `Timeline ${id}`, exact: true })).toBeVisible();

  // --- its page: edit the subject and kind
  await rows.first().getByRole('link', { name: subject, exact: true }).click();
  await expect(page).toHaveURL(/\/interactions\/[0-9a-f-]{36}$/);
  const url = page.url();
  await expect(page.getByRole('heading', { level: 1, name: subject })).toBeVisible();
  await expect(fact(page, 'Duration')).toHaveText('15 min');
  await expect(fact(page, 'Logged by')).toHaveText('Sam Sales');
  await expect(page.getByRole('region', { name: 'Details' }).getByText(body)).toBeVisible();

  await page.getByRole('button', { name: 'Edit', exact: true }).click();
  const edit = page.getByRole('dialog', { name: 'Edit interaction' });
  await expect(edit.getByLabel('Subject', { exact: true })).toHaveValue(subject);
  await expect(edit.getByLabel('Notes', { exact: true })).toHaveValue(body);
  await edit.getByLabel('Subject', { exact: true }).fill(`Follow-up meeting ${id}`);
  await edit.getByLabel('Kind', { exact: true }).selectOption({ label: 'Meeting' });
  await edit.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(edit).toBeHidden();
  await expect(toast(page, 'Interaction saved.')).toBeVisible();
  await expect(page.getByRole('heading', { level: 1, name: `Follow-up meeting ${id}` })).toBeVisible();
  await expect(page.locator('.page-header .badge')).toHaveText('Meeting');
  // The edit kept what was not touched.
  await expect(fact(page, 'Duration')).toHaveText('15 min');
  await page.reload();
  await expect(page).toHaveURL(url);
  await expect(page.getByRole('heading', { level: 1, name: `Follow-up meeting ${id}` })).toBeVisible();
  await expect(page.getByRole('region', { name: 'Details' }).getByText(body)).toBeVisible();
  // The history names exactly what changed (the time was left alone).
  const history = page.getByRole('region', { name: 'History' });
  const updated = history.locator('li.timeline-item').filter({ hasText: `Updated by ${USERS.sales}` });
  await expect(updated).toHaveCount(1);
  await expect(updated.locator('.change-list > li')).toHaveCount(2);
  await expect(updated.locator('.change-list > li').filter({ hasText: /^Kind: / })).toHaveCount(1);
  await expect(updated.locator('.change-list > li').filter({ hasText: /^Subject: / })).toHaveCount(1);

  // Back on the customer's page the edited call is still the newest entry.
  await page.getByRole('region', { name: 'Details' }).getByRole('link', { name: `Timeline ${id}`, exact: true }).click();
  await expect(page).toHaveURL(new RegExp(`/customers/${customer.id}$`));
  const top = timeline.locator('li.timeline-item').first();
  await expect(top.getByRole('link', { name: `Follow-up meeting ${id}`, exact: true })).toBeVisible();
  await expect(top).toContainText('Meeting');
});

test('an interaction is private to the customer\'s team, read-only for viewers, and can be deleted', async ({ page, request }) => {
  const id = uid();
  const headers = await bearer(request, USERS.sales);
  const customer = await createCustomerViaApi(request, { name: `Quiet ${id}` }, headers);
  const res = await request.post('/api/v1/interactions', {
    data: { customer_id: customer.id, kind: 'note', subject: `Secret note ${id}`, body: `Remember ${id}.` },
    headers,
  });
  expect(res.status(), await res.text()).toBe(201);
  const interaction = (await res.json()) as { id: string };

  // Another team's sales user: not found by search, and the not-found view on its page.
  await login(page, USERS.sales2);
  await page.goto(`/interactions?q=${id}`);
  await expect(page.getByRole('searchbox', { name: 'Search' })).toHaveValue(id);
  await expect(page.getByText('No interactions match this search.')).toBeVisible();
  await page.goto(`/interactions/${interaction.id}`);
  await expect(page.getByRole('alert').filter({ hasText: 'Not found.' })).toBeVisible();
  await expect(page.getByText(`Secret note ${id}`)).toHaveCount(0);
  await logout(page);

  // A viewer reads it, without actions.
  await login(page, USERS.viewer);
  await page.goto(`/customers/${customer.id}`);
  const timeline = page.getByRole('region', { name: 'Timeline' });
  await expect(timeline.getByRole('link', { name: `Secret note ${id}`, exact: true })).toBeVisible();
  await expect(timeline.getByRole('button', { name: 'Log interaction' })).toHaveCount(0);
  await timeline.getByRole('link', { name: `Secret note ${id}`, exact: true }).click();
  await expect(page.getByRole('heading', { level: 1, name: `Secret note ${id}` })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Edit', exact: true })).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Delete', exact: true })).toHaveCount(0);
  await logout(page);

  // Its owner deletes it: back on the list, and it is gone from the timeline.
  await login(page, USERS.sales);
  await page.goto(`/interactions/${interaction.id}`);
  await page.getByRole('button', { name: 'Delete', exact: true }).click();
  const confirm = page.getByRole('dialog', { name: 'Delete interaction' });
  await confirm.getByRole('button', { name: 'Delete' }).click();
  await expect(page).toHaveURL(/\/interactions$/);
  await expect(toast(page, 'Interaction deleted.')).toBeVisible();
  await page.getByRole('searchbox', { name: 'Search' }).pressSequentially(id, { delay: 20 });
  await expect(page.getByText('No interactions match this search.')).toBeVisible();
  await page.goto(`/customers/${customer.id}`);
  await expect(page.getByRole('heading', { level: 1, name: `Quiet ${id}` })).toBeVisible();
  await expect(page.getByRole('region', { name: 'Timeline' }).locator('li.timeline-item').first()).toBeVisible();
  await expect(page.getByRole('region', { name: 'Timeline' }).getByText(`Secret note ${id}`)).toHaveCount(0);
});

test('saving an interaction changed elsewhere says so in the dialog (412)', async ({ page }) => {
  const id = uid();
  await login(page, USERS.sales);
  const customer = await createCustomerViaApi(page.request, { name: `Busy ${id}` });
  const res = await page.request.post('/api/v1/interactions', {
    data: { customer_id: customer.id, kind: 'email', subject: `Proposal ${id}`, body: 'Sent the proposal.' },
  });
  expect(res.status(), await res.text()).toBe(201);
  const interaction = (await res.json()) as { id: string; version: number };

  await page.goto(`/interactions/${interaction.id}`);
  await expect(page.getByRole('heading', { level: 1, name: `Proposal ${id}` })).toBeVisible();
  await page.getByRole('button', { name: 'Edit', exact: true }).click();
  const edit = page.getByRole('dialog', { name: 'Edit interaction' });
  await edit.getByLabel('Subject', { exact: true }).fill(`Mine ${id}`);
  const other = await page.request.patch(`/api/v1/interactions/${interaction.id}`, {
    data: { subject: `Theirs ${id}` },
    headers: { 'if-match': `"${interaction.version}"` },
  });
  expect(other.status(), await other.text()).toBe(200);
  await edit.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(edit.getByRole('alert').filter({ hasText: 'This interaction was changed by someone else' })).toBeVisible();
  await expect(edit).toBeVisible();
  await edit.getByRole('button', { name: 'Cancel' }).click();
  await page.reload();
  await expect(page.getByRole('heading', { level: 1, name: `Theirs ${id}` })).toBeVisible();
});
