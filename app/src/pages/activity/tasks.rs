//! `/tasks`: "My tasks" (or the team's, for managers) in sections Overdue / Today / Upcoming / No due date,
//! with filters, quick-complete, bulk actions and a create dialog ("n").

use crate::api::tasks::{list_tasks, update_task};
use crate::components::format::date_time;
use crate::components::states::Allowed;
use crate::components::timing::on_create_shortcut;
use crate::components::user_choices::UserChoices;
use crate::components::{CheckboxField, PagedList, PagedStates, SelectField, use_toasts};
use crate::pages::activity::task_bulk::{TaskBulkBar, TaskSelection};
use crate::pages::activity::task_form::{NewTaskDialog, priority_options, status_options};
use crate::root::use_session;
use domain::task::{Bucket, Task, TaskPatch, TaskQuery, TaskStatus, bucket_of};
use domain::{Action, CustomerId, Patch, Resource, Role};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;
use std::collections::HashSet;

#[component]
pub fn TasksPage() -> impl IntoView {
    view! {
        <Allowed resource=Resource::Tasks action=Action::Read>
            <TaskList />
        </Allowed>
    }
}

/// Status filter value for "still to do".
const ACTIVE: &str = "open,in_progress";

fn status_filter_options() -> Vec<(String, String)> {
    let mut out = vec![
        (ACTIVE.to_owned(), "To do".to_owned()),
        ("all".to_owned(), "Any status".to_owned()),
    ];
    out.extend(status_options());
    out
}

#[component]
fn TaskList() -> impl IntoView {
    let session = use_session();
    let toasts = use_toasts();
    let users = UserChoices::load();
    let status = RwSignal::new(ACTIVE.to_owned());
    let priority = RwSignal::new(String::new());
    let team = RwSignal::new(false);
    let query = move |cursor: Option<String>| {
        let status = status.get();
        TaskQuery {
            mine: (!team.get()).then(|| "true".to_owned()),
            team: team.get().then(|| "true".to_owned()),
            status: (status != "all").then_some(status),
            priority: Some(priority.get()).filter(|p| !p.is_empty()),
            limit: Some("500".into()),
            cursor,
            ..Default::default()
        }
    };
    let list = PagedList::new(move |cursor| list_tasks(query(cursor)));
    let selection: TaskSelection = RwSignal::new(HashSet::new());
    Effect::new(move |_| {
        query(None);
        selection.set(HashSet::new());
        list.reload();
    });

    // `?customer_id=…` opens the dialog with that customer chosen.
    let url = use_query_map();
    let preset = url.with_untracked(|q| {
        q.get("customer_id")
            .and_then(|s| s.parse::<CustomerId>().ok())
    });
    let can_create = move || session.can(Resource::Tasks, Action::Create);
    let creating = RwSignal::new(preset.is_some());
    on_create_shortcut(creating, can_create);
    let on_created = move |t: Task| {
        creating.set(false);
        toasts.success(format!("Task \u{201c}{}\u{201d} created.", t.title));
        list.reload();
    };
    let team_manager = move || {
        session
            .user()
            .is_some_and(|u| u.role == Role::Manager && u.team.is_some())
    };

    view! {
        <section class="page">
            <header class="page-header">
                <div>
                    <h1>{move || if team.get() { "Team tasks" } else { "My tasks" }}</h1>
                    <p class="page-sub">"Sections follow the UTC day."</p>
                </div>
                <Show when=can_create>
                    <button
                        type="button"
                        class="btn btn-primary"
                        aria-keyshortcuts="n"
                        title="New task (N)"
                        on:click=move |_| creating.set(true)
                    >
                        "New task"
                    </button>
                </Show>
            </header>
            <div class="filters filters-inline" role="search">
                <SelectField label="Status" value=status options=Signal::derive(status_filter_options) class="field-inline" />
                <SelectField
                    label="Priority"
                    value=priority
                    options=Signal::derive(|| {
                        let mut o = vec![(String::new(), "Any priority".to_owned())];
                        o.extend(priority_options());
                        o
                    })
                    class="field-inline"
                />
                <Show when=team_manager>
                    <CheckboxField label="My team" checked=team />
                </Show>
            </div>
            <TaskBulkBar selection=selection users=users on_done=move |_| list.reload() />
            <PagedStates list=list empty_title="No tasks here. Press N to add one.">
                <TaskSections list=list selection=selection />
            </PagedStates>
            <Show when=move || creating.get()>
                <NewTaskDialog
                    users=users
                    customer_id=preset
                    on_close=move |_| creating.set(false)
                    on_created=on_created
                />
            </Show>
        </section>
    }
}

const SECTIONS: [(Option<Bucket>, &str); 5] = [
    (Some(Bucket::Overdue), "Overdue"),
    (Some(Bucket::Today), "Today"),
    (Some(Bucket::Upcoming), "Upcoming"),
    (Some(Bucket::NoDueDate), "No due date"),
    (None, "Earlier"),
];

#[component]
fn TaskSections(list: PagedList<Task>, selection: TaskSelection) -> impl IntoView {
    let now = chrono::Utc::now();
    SECTIONS
        .into_iter()
        .map(|(bucket, title)| {
            let rows = Memo::new(move |_| {
                list.rows.with(|all| {
                    all.iter()
                        .filter(|t| bucket_of(t.due_at, t.status, now) == bucket)
                        .cloned()
                        .collect::<Vec<_>>()
                })
            });
            let heading_id = format!("tasks-{}", title.to_lowercase().replace(' ', "-"));
            view! {
                <Show when=move || rows.with(|r| !r.is_empty())>
                    <section class="card task-section" aria-labelledby=heading_id.clone()>
                        <h2 class="card-title" id=heading_id.clone()>
                            {title} " " <span class="muted">{move || format!("({})", rows.with(Vec::len))}</span>
                        </h2>
                        <ul class="task-list">
                            <For each=move || rows.get() key=|t| (t.id, t.version, t.status) let:task>
                                <TaskRow task=task list=list selection=selection />
                            </For>
                        </ul>
                    </section>
                </Show>
            }
        })
        .collect_view()
}

/// Replaces one task in the list.
fn put(list: PagedList<Task>, task: Task) {
    list.rows.update(|rows| {
        if let Some(r) = rows.iter_mut().find(|r| r.id == task.id) {
            *r = task;
        }
    });
}

#[component]
fn TaskRow(task: Task, list: PagedList<Task>, selection: TaskSelection) -> impl IntoView {
    let session = use_session();
    let toasts = use_toasts();
    let id = task.id;
    let can_update = move || session.can(Resource::Tasks, Action::Update);
    let selected = move || selection.with(|s| s.contains(&id));
    let done = task.status == TaskStatus::Done;
    // Optimistic: the row changes at once and goes back if the server refuses.
    let before = task.clone();
    let toggle_done = move |_| {
        let status = if done {
            TaskStatus::Open
        } else {
            TaskStatus::Done
        };
        let previous = before.clone();
        put(
            list,
            Task {
                status,
                ..previous.clone()
            },
        );
        let patch = TaskPatch {
            status: Patch::Value(status),
            ..Default::default()
        };
        spawn_local(async move {
            match update_task(previous.id, previous.version, patch).await {
                Ok(saved) => put(list, saved),
                Err(e) => {
                    put(list, previous);
                    toasts.error(crate::components::form::problem_message(e.problem(), &[]));
                }
            }
        });
    };
    let toggle_selected = move |ev: leptos::ev::Event| {
        let on = event_target_checked(&ev);
        selection.update(|s| {
            if on {
                s.insert(id);
            } else {
                s.remove(&id);
            }
        });
    };
    let title = task.title.clone();
    let complete_label = format!(
        "{} {}",
        if done { "Reopen" } else { "Complete" },
        task.title
    );
    view! {
        <li class="task-row" class:is-done=done class:is-selected=selected>
            <Show when=can_update>
                <input type="checkbox" aria-label=format!("Select {title}") prop:checked=selected on:change=toggle_selected />
                <input
                    type="checkbox"
                    class="task-complete"
                    aria-label=complete_label.clone()
                    title=if done { "Reopen" } else { "Mark done" }
                    prop:checked=done
                    on:change=toggle_done.clone()
                />
            </Show>
            <div class="task-main">
                <A href=format!("/tasks/{id}")>{task.title.clone()}</A>
                <div class="cell-sub">
                    {task.due_at.map(|d| format!("Due {} · ", date_time(d)))}
                    {task.assignee_name.clone().unwrap_or_else(|| "Unassigned".into())}
                    {task.overdue.then_some(" · overdue")}
                </div>
            </div>
            <span class=format!("badge badge-priority-{}", task.priority.as_str())>{task.priority.label()}</span>
            <span class="badge">{task.status.label()}</span>
        </li>
    }
}
