//! `/tasks/:id`: the task, edit (inline errors, the 412 prompt), delete and its history.

use crate::api::tasks::{delete_task, get_task, update_task};
use crate::components::FormState;
use crate::components::delete_record::DeleteRecordButton;
use crate::components::form::{FormAlert, FormButtons};
use crate::components::format::{date_time, iso};
use crate::components::history::RecordHistory;
use crate::components::stale::StaleAlert;
use crate::components::user_choices::UserChoices;
use crate::pages::activity::task_form::{TASK_FIELDS, TaskFields, TaskFormFields, patch_between};
use crate::pages::customers::customer_detail::or_dash;
use crate::pages::record_page::{IdRoute, Loaded};
use crate::root::use_session;
use domain::task::{Task, TaskInput, TaskPatch};
use domain::{Action, Resource, TaskId};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;

pub const STALE_MESSAGE: &str =
    "This task was changed by someone else since you opened it. Reload to see the changes.";

#[component]
pub fn TaskDetailPage() -> impl IntoView {
    view! { <IdRoute what="task" page=|id| view! { <TaskDetail id=id /> } /> }
}

#[component]
fn TaskDetail(id: TaskId) -> impl IntoView {
    let loaded = Loaded::new(move || get_task(id));
    let editing = RwSignal::new(false);
    let users = UserChoices::load();
    let reload = Callback::new(move |()| {
        editing.set(false);
        loaded.reload.run(());
    });
    let on_saved = Callback::new(move |t: Task| {
        editing.set(false);
        loaded.saved(t, "Task saved.");
    });
    view! {
        <section class="page">
            <nav class="breadcrumbs" aria-label="Breadcrumb">
                <A href="/tasks">"Tasks"</A>
            </nav>
            {loaded.view(move |t: Task| view! {
                <TaskHeader task=t.clone() editing=editing />
                {if editing.get() {
                    view! {
                        <EditTaskForm
                            task=t
                            users=users
                            on_saved=on_saved
                            on_cancel=move |_| editing.set(false)
                            on_reload=reload
                        />
                    }
                        .into_any()
                } else {
                    view! { <TaskFacts task=t /> }.into_any()
                }}
            })}
            <Show when=move || !loaded.failed()>
                <RecordHistory entity="task" id=id.0 reload_key=loaded.changes />
            </Show>
        </section>
    }
}

#[component]
fn TaskHeader(task: Task, editing: RwSignal<bool>) -> impl IntoView {
    let session = use_session();
    let id = task.id;
    view! {
        <header class="page-header">
            <div>
                <h1>{task.title.clone()}</h1>
                <p class="page-sub">
                    <span class="badge">{task.status.label()}</span>
                    " "
                    <span class=format!("badge badge-priority-{}", task.priority.as_str())>{task.priority.label()}</span>
                    {task.overdue.then(|| view! { " " <span class="badge badge-overdue">"Overdue"</span> })}
                </p>
            </div>
            <div class="page-actions">
                <Show when=move || session.can(Resource::Tasks, Action::Update) && !editing.get()>
                    <button type="button" class="btn btn-secondary" on:click=move |_| editing.set(true)>
                        "Edit"
                    </button>
                </Show>
                <Show when=move || session.can(Resource::Tasks, Action::Delete)>
                    <DeleteRecordButton what="task" name=task.title.clone() back="/tasks" delete=move || delete_task(id) />
                </Show>
            </div>
        </header>
    }
}

#[component]
fn TaskFacts(task: Task) -> impl IntoView {
    let time = |t: Option<chrono::DateTime<chrono::Utc>>| {
        or_dash(t.map(|t| view! { <time datetime=iso(t)>{date_time(t)}</time> }))
    };
    let link = |path: &str, id: Option<uuid::Uuid>, text: &'static str| {
        or_dash(id.map(|id| view! { <A href=format!("/{path}/{id}")>{text}</A> }))
    };
    view! {
        <section class="card" aria-labelledby="facts-title">
            <h2 id="facts-title" class="card-title">"Details"</h2>
            <dl class="facts">
                <div><dt>"Due"</dt><dd>{time(task.due_at)}</dd></div>
                <div><dt>"Reminder"</dt><dd>{time(task.remind_at)}</dd></div>
                <div><dt>"Assignee"</dt><dd>{task.assignee_name.clone().unwrap_or_else(|| "—".into())}</dd></div>
                <div><dt>"Completed"</dt><dd>{time(task.completed_at)}</dd></div>
                <div><dt>"Customer"</dt><dd>{link("customers", task.customer_id.map(|c| c.0), "Open customer")}</dd></div>
                <div><dt>"Lead"</dt><dd>{link("leads", task.lead_id.map(|c| c.0), "Open lead")}</dd></div>
                <div><dt>"Opportunity"</dt><dd>{link("opportunities", task.opportunity_id.map(|c| c.0), "Open opportunity")}</dd></div>
                <div><dt>"Ticket"</dt><dd>{link("tickets", task.ticket_id.map(|c| c.0), "Open ticket")}</dd></div>
                <div><dt>"Created"</dt><dd>{time(Some(task.created_at))}</dd></div>
                <div><dt>"Updated"</dt><dd>{time(Some(task.updated_at))}</dd></div>
            </dl>
            <p class="task-description">{task.description.clone()}</p>
        </section>
    }
}

#[component]
fn EditTaskForm(
    task: Task,
    users: UserChoices,
    #[prop(into)] on_saved: Callback<Task>,
    #[prop(into)] on_cancel: Callback<()>,
    #[prop(into)] on_reload: Callback<()>,
) -> impl IntoView {
    let form = FormState::new();
    let before = TaskInput::from(&task);
    let fields = TaskFields::from_input(&before);
    let (id, version) = (task.id, task.version);
    let unchanged = StoredValue::new(task);
    let before = StoredValue::new(before);
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        let Some(input) = fields.submitted(ev, form) else {
            return;
        };
        let patch = before.with_value(|b| patch_between(b, input));
        if patch == TaskPatch::default() {
            on_saved.run(unchanged.get_value());
            return;
        }
        form.busy.set(true);
        spawn_local(async move {
            let result = update_task(id, version, patch).await;
            form.busy.try_set(false);
            match result {
                Ok(t) => on_saved.run(t),
                Err(e) => {
                    if e.problem().status == 412 {
                        form.status.set(Some(412));
                    } else {
                        form.show_error(&e, &TASK_FIELDS);
                    }
                }
            }
        });
    };
    view! {
        <section class="card" aria-labelledby="edit-title">
            <h2 id="edit-title" class="card-title">"Edit task"</h2>
            <form novalidate on:submit=on_submit>
                <StaleAlert form=form message=STALE_MESSAGE on_reload=on_reload />
                <FormAlert form=form />
                <TaskFormFields fields=fields form=form users=users no_assignee="Unassigned" />
                <FormButtons form=form submit_label="Save" on_cancel=on_cancel />
            </form>
        </section>
    }
}
