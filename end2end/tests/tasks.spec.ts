// Tasks: a reminder that reaches the notification bell, quick-complete, and the Overdue/Today/Upcoming
// sections of "My tasks".
import { expect, test } from '@playwright/test';
import type { Page } from '@playwright/test';
import { login, toast, uid, USERS } from './helpers';

interface TaskJson {
  id: string;
  title: string;
  status: string;
  due_at: string | null;
  remind_at: string | null;
  version: number;
}

/** The value of a `datetime-local` input for `ms` (epoch milliseconds) in the browser's time zone. */
async function localInput(page: Page, ms: number): Promise<string> {
  return page.evaluate((t) => {
    const d = new Date(t);
    const p = (n: number) => String(n).padStart(2, '0');
    return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
  }, ms);
}

/** Creates a task for the logged-in user through the REST API (the page's session cookie). */
async function createTask(page: Page, input: Record<string, unknown>): Promise<TaskJson> {
  const res = await page.request.post('/api/v1/tasks', { data: input });
  expect(res.status(), await res.text()).toBe(201);
  return (await res.json()) as TaskJson;
}

/** One section of the task list ("Overdue", "Today", …). */
function section(page: Page, title: string) {
  return page.locator('section.task-section').filter({
    has: page.getByRole('heading', { level: 2, name: new RegExp(`^${title} \\(\\d+\\)$`) }),
  });
}

function bellCount(label: string | null): number {
  const m = /(\d+) unread/.exec(label ?? '');
  return m ? Number(m[1]) : 0;
}

test('a reminder a minute ahead reaches the notification bell', async ({ page }) => {
  test.setTimeout(150_000);
  const id = uid();
  const title = `Call back ${id}`;

  await login(page, USERS.sales);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Tasks' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'My tasks' })).toBeVisible();
  const bell = page.getByRole('button', { name: /^Notifications, / });
  await expect(bell).toBeVisible();
  const before = bellCount(await bell.getAttribute('aria-label'));

  // --- create through the dialog: due in an hour, reminder in about a minute
  const now = Date.now();
  await page.getByRole('button', { name: 'New task' }).click();
  const dialog = page.getByRole('dialog', { name: 'New task' });
  await expect(dialog).toBeVisible();
  await dialog.getByLabel('Title', { exact: true }).fill(title);
  await dialog.getByLabel('Due', { exact: true }).fill(await localInput(page, now + 3_600_000));
  await dialog.getByLabel('Remind at', { exact: true }).fill(await localInput(page, now + 65_000));
  await dialog.getByLabel('Priority', { exact: true }).selectOption({ label: 'High' });
  await dialog.getByRole('button', { name: 'Create' }).click();
  await expect(dialog).toBeHidden();
  await expect(toast(page, `Task \u201c${title}\u201d created.`)).toBeVisible();
  const row = page.locator('li.task-row').filter({ has: page.getByRole('link', { name: title, exact: true }) });
  await expect(row).toHaveCount(1);
  await expect(row).toContainText('High');

  // --- the bell counts it within its polling interval after the reminder time
  await expect
    .poll(async () => bellCount(await bell.getAttribute('aria-label')), { timeout: 100_000, intervals: [2_000] })
    .toBeGreaterThan(before);
  await expect(bell.locator('.bell-count')).toBeVisible();

  // --- the panel lists it; opening it marks it read and shows the task
  await bell.click();
  const panel = page.getByRole('region', { name: 'Latest notifications' });
  const item = panel.getByRole('button', { name: new RegExp(`Reminder: ${title}`) });
  await expect(item).toBeVisible();
  await expect(item).toContainText(/Due \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC/);
  await item.click();
  await expect(page).toHaveURL(/\/tasks\/[0-9a-f-]{36}$/);
  await expect(page.getByRole('heading', { level: 1, name: title })).toBeVisible();
  await expect.poll(async () => bellCount(await bell.getAttribute('aria-label'))).toBe(before);

  // --- it is listed as read on /notifications
  await page.goto('/notifications');
  const listed = page.locator('li.notification-item').filter({ hasText: `Reminder: ${title}` });
  await expect(listed).toHaveCount(1);
  await expect(listed).not.toHaveClass(/is-unread/);
});

test('the quick-complete checkbox finishes a task', async ({ page }) => {
  const id = uid();
  const title = `Finish ${id}`;
  await login(page, USERS.sales);
  const task = await createTask(page, { title, due_at: new Date(Date.now() + 3 * 86_400_000).toISOString() });

  await page.goto('/tasks');
  const row = page.locator('li.task-row').filter({ has: page.getByRole('link', { name: title, exact: true }) });
  await expect(row).toHaveCount(1);
  await expect(row).toContainText('Open');
  const complete = row.getByRole('checkbox', { name: `Complete ${title}` });
  await expect(complete).not.toBeChecked();
  await complete.click();
  await expect(row).toHaveClass(/is-done/);
  await expect(row.getByRole('checkbox', { name: `Reopen ${title}` })).toBeChecked();
  await expect(row).toContainText('Done');
  await expect
    .poll(async () => ((await (await page.request.get(`/api/v1/tasks/${task.id}`)).json()) as TaskJson).status)
    .toBe('done');

  // A finished task leaves "To do" and is listed under "Any status".
  await page.reload();
  await expect(page.getByRole('heading', { level: 1, name: 'My tasks' })).toBeVisible();
  await expect(page.locator('li.task-row').first()).toBeVisible();
  await expect(row).toHaveCount(0);
  await page.getByLabel('Status', { exact: true }).selectOption({ label: 'Any status' });
  await expect(row).toHaveCount(1);
  await expect(row).toHaveClass(/is-done/);
});

test('the Overdue, Today, Upcoming and No due date sections place tasks by due time', async ({ page }) => {
  const id = uid();
  await login(page, USERS.sales);
  const now = Date.now();
  const endOfDay = new Date(now);
  endOfDay.setUTCHours(24, 0, 0, 0);
  // Sections follow the UTC day: halfway to midnight is still today.
  const today = new Date(now + (endOfDay.getTime() - now) / 2);
  const tasks = {
    Overdue: `Late ${id}`,
    Today: `Now ${id}`,
    Upcoming: `Soon ${id}`,
    'No due date': `Someday ${id}`,
  };
  await createTask(page, { title: tasks.Overdue, due_at: new Date(now - 86_400_000).toISOString() });
  await createTask(page, { title: tasks.Today, due_at: today.toISOString() });
  await createTask(page, { title: tasks.Upcoming, due_at: new Date(endOfDay.getTime() + 86_400_000).toISOString() });
  await createTask(page, { title: tasks['No due date'] });

  await page.goto('/tasks');
  for (const [name, title] of Object.entries(tasks)) {
    await expect(section(page, name).getByRole('link', { name: title, exact: true })).toBeVisible();
    for (const other of Object.keys(tasks).filter((n) => n !== name)) {
      await expect(section(page, other).getByRole('link', { name: title, exact: true })).toHaveCount(0);
    }
  }
  const late = section(page, 'Overdue').locator('li.task-row').filter({ hasText: tasks.Overdue });
  await expect(late).toContainText('overdue');

  // Completing the overdue task takes it out of "Overdue".
  await late.getByRole('checkbox', { name: `Complete ${tasks.Overdue}` }).click();
  await expect(section(page, 'Overdue').getByRole('link', { name: tasks.Overdue, exact: true })).toHaveCount(0);
});

test('editing only the title of a task changes nothing else', async ({ page }) => {
  const id = uid();
  await login(page, USERS.sales);
  // Times with seconds, as an API client or an import sets them (the form shows minutes).
  const due = new Date(Date.now() + 2 * 86_400_000);
  due.setUTCSeconds(30, 250);
  const remind = new Date(due.getTime() - 3_600_000);
  const task = await createTask(page, {
    title: `Draft ${id}`,
    due_at: due.toISOString(),
    remind_at: remind.toISOString(),
  });

  await page.goto(`/tasks/${task.id}`);
  await expect(page.getByRole('heading', { level: 1, name: `Draft ${id}` })).toBeVisible();
  await page.getByRole('button', { name: 'Edit', exact: true }).click();
  const form = page.getByRole('region', { name: 'Edit task' });
  await expect(form.getByLabel('Due', { exact: true })).toHaveValue(await localInput(page, due.getTime()));
  await form.getByLabel('Title', { exact: true }).fill(`Final ${id}`);
  await form.getByRole('button', { name: 'Save' }).click();
  await expect(form).toBeHidden();
  await expect(toast(page, 'Task saved.')).toBeVisible();
  await expect(page.getByRole('heading', { level: 1, name: `Final ${id}` })).toBeVisible();

  const history = page.getByRole('region', { name: 'History' });
  const updated = history.locator('li.timeline-item').filter({ hasText: `Updated by ${USERS.sales}` });
  await expect(updated).toHaveCount(1);
  await expect(updated.locator('.change-list > li')).toHaveText([`Title: Draft ${id} → Final ${id}`]);
  const stored = (await (await page.request.get(`/api/v1/tasks/${task.id}`)).json()) as TaskJson;
  expect(new Date(stored.due_at!).getTime()).toBe(due.getTime());
  expect(new Date(stored.remind_at!).getTime()).toBe(remind.getTime());
});

test('a task linked to a customer in the dialog shows on that customer\'s timeline', async ({ page }) => {
  const id = uid();
  const title = `Send quote ${id}`;
  await login(page, USERS.sales);
  const res = await page.request.post('/api/v1/customers', { data: { name: `Taskfirm ${id}` } });
  expect(res.status(), await res.text()).toBe(201);
  const customer = (await res.json()) as { id: string };

  await page.goto('/tasks');
  await page.getByRole('button', { name: 'New task' }).click();
  const dialog = page.getByRole('dialog', { name: 'New task' });
  await dialog.getByLabel('Title', { exact: true }).fill(title);
  await dialog.getByRole('searchbox', { name: 'Find customer' }).pressSequentially(id, { delay: 20 });
  const select = dialog.getByLabel('Customer', { exact: true });
  await expect(select.locator('option', { hasText: `Taskfirm ${id}` })).toHaveCount(1);
  await select.selectOption({ label: `Taskfirm ${id}` });
  await expect(select).toHaveValue(customer.id);
  await dialog.getByRole('button', { name: 'Create' }).click();
  await expect(dialog).toBeHidden();
  await expect(toast(page, `Task \u201c${title}\u201d created.`)).toBeVisible();

  await page.goto(`/customers/${customer.id}`);
  const timeline = page.getByRole('region', { name: 'Timeline' });
  const entry = timeline.locator('li.timeline-item').filter({ hasText: title });
  await expect(entry).toHaveCount(1);
  await expect(entry).toContainText('Task');
  await entry.getByRole('link', { name: title, exact: true }).click();
  await expect(page).toHaveURL(/\/tasks\/[0-9a-f-]{36}$/);
  await expect(page.getByRole('heading', { level: 1, name: title })).toBeVisible();
  await page.getByRole('region', { name: 'Details' }).getByRole('link', { name: 'Open customer' }).click();
  await expect(page).toHaveURL(new RegExp(`/customers/${customer.id}$`));
  await expect(page.getByRole('heading', { level: 1, name: `Taskfirm ${id}` })).toBeVisible();
});

test('a reminder after the due time is an inline error in the dialog', async ({ page }) => {
  const id = uid();
  await login(page, USERS.sales);
  await page.goto('/tasks');
  await page.getByRole('button', { name: 'New task' }).click();
  const dialog = page.getByRole('dialog', { name: 'New task' });
  const now = Date.now();
  await dialog.getByLabel('Title', { exact: true }).fill(`Backwards ${id}`);
  await dialog.getByLabel('Due', { exact: true }).fill(await localInput(page, now + 3_600_000));
  await dialog.getByLabel('Remind at', { exact: true }).fill(await localInput(page, now + 7_200_000));
  await dialog.getByRole('button', { name: 'Create' }).click();
  const remindField = dialog.locator('.field').filter({ has: page.getByLabel('Remind at', { exact: true }) });
  await expect(remindField.locator('.field-error')).toBeVisible();
  await expect(dialog.getByLabel('Remind at', { exact: true })).toHaveAttribute('aria-invalid', 'true');
  await expect(dialog.locator('.field-error')).toHaveCount(1);
  await expect(dialog).toBeVisible();
  const found = await page.request.get(`/api/v1/tasks?q=${id}`);
  expect(((await found.json()) as { data: TaskJson[] }).data).toHaveLength(0);
});

test('saving a task changed elsewhere shows the conflict prompt (412)', async ({ page }) => {
  const id = uid();
  await login(page, USERS.sales);
  const task = await createTask(page, { title: `Shared ${id}` });
  await page.goto(`/tasks/${task.id}`);
  await page.getByRole('button', { name: 'Edit', exact: true }).click();
  const form = page.getByRole('region', { name: 'Edit task' });
  await form.getByLabel('Title', { exact: true }).fill(`Mine ${id}`);
  const other = await page.request.patch(`/api/v1/tasks/${task.id}`, {
    data: { title: `Theirs ${id}` },
    headers: { 'if-match': `"${task.version}"` },
  });
  expect(other.status(), await other.text()).toBe(200);
  await form.getByRole('button', { name: 'Save' }).click();
  const stale = form.getByRole('alert').filter({ hasText: 'This task was changed by someone else' });
  await expect(stale).toBeVisible();
  const stored = (await (await page.request.get(`/api/v1/tasks/${task.id}`)).json()) as TaskJson;
  expect(stored.title).toBe(`Theirs ${id}`);
  await stale.getByRole('button', { name: 'Reload' }).click();
  await expect(page.getByRole('heading', { level: 1, name: `Theirs ${id}` })).toBeVisible();
});

test('"Mark all read" on the notifications page clears the bell', async ({ page }) => {
  const id = uid();
  await login(page, USERS.sales);
  // A reminder that is already due: the job worker delivers it within a second or two.
  await createTask(page, {
    title: `Overdue reminder ${id}`,
    due_at: new Date(Date.now() + 3_600_000).toISOString(),
    remind_at: new Date(Date.now() - 60_000).toISOString(),
  });
  await expect
    .poll(
      async () => {
        const res = await page.request.get('/api/v1/notifications?unread=true&limit=100');
        const body = (await res.json()) as { data: { title: string }[] };
        return body.data.some((n) => n.title === `Reminder: Overdue reminder ${id}`);
      },
      { timeout: 20_000 },
    )
    .toBe(true);

  await page.goto('/notifications');
  const bell = page.getByRole('button', { name: /^Notifications, / });
  await expect(bell).toHaveAttribute('aria-label', /Notifications, \d+ unread/);
  const item = page.locator('li.notification-item').filter({ hasText: `Reminder: Overdue reminder ${id}` });
  await expect(item).toHaveClass(/is-unread/);
  await page.getByLabel('Unread only', { exact: true }).check();
  await expect(item).toHaveCount(1);
  await page.getByRole('main').getByRole('button', { name: 'Mark all read' }).click();
  await expect(bell).toHaveAttribute('aria-label', 'Notifications, none unread');
  await expect(item).toHaveCount(0);
  await page.getByLabel('Unread only', { exact: true }).uncheck();
  await expect(item).toHaveCount(1);
  await expect(item).not.toHaveClass(/is-unread/);
});

test('bulk actions on tasks: set a status, then delete', async ({ page }) => {
  const id = uid();
  await login(page, USERS.sales);
  const titles = [`First bulk ${id}`, `Second bulk ${id}`];
  for (const title of titles) await createTask(page, { title });

  await page.goto('/tasks');
  const rows = page.locator('li.task-row').filter({ hasText: id });
  await expect(rows).toHaveCount(2);
  for (const title of titles) await page.getByRole('checkbox', { name: `Select ${title}`, exact: true }).check();
  const bar = page.getByRole('region', { name: 'Bulk actions' });
  await expect(bar).toContainText('2 selected');
  await bar.getByLabel('Status', { exact: true }).selectOption({ label: 'In progress' });
  await bar.getByRole('button', { name: 'Set status' }).click();
  await expect(toast(page, '2 tasks updated.')).toBeVisible();
  await expect(rows.filter({ hasText: 'In progress' })).toHaveCount(2);
  for (const title of titles) {
    const stored = await page.request.get(`/api/v1/tasks?q=${encodeURIComponent(title)}`);
    const data = ((await stored.json()) as { data: TaskJson[] }).data.filter((t) => t.title === title);
    expect(data.map((t) => t.status)).toEqual(['in_progress']);
  }

  for (const title of titles) await page.getByRole('checkbox', { name: `Select ${title}`, exact: true }).check();
  await bar.getByRole('button', { name: /^Delete/ }).click();
  await page.getByRole('dialog', { name: 'Delete tasks' }).getByRole('button', { name: 'Delete' }).click();
  await expect(toast(page, '2 tasks deleted.')).toBeVisible();
  await expect(rows).toHaveCount(0);
});
