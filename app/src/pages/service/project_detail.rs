//! `/projects/:id`: the project with its progress, edit, delete, milestones (add, mark done, edit, delete,
//! overdue flag) and history.

use crate::ApiError;
use crate::api::projects::{
    create_milestone, delete_milestone, delete_project, get_project, list_milestones,
    update_milestone, update_project,
};
use crate::components::form::{FormAlert, problem_message};
use crate::components::format::{date_time, iso};
use crate::components::history::RecordHistory;
use crate::components::user_choices::UserChoices;
use crate::components::{ConfirmDialog, ErrorState, FormState, Loading, TextField, use_toasts};
use crate::pages::customers::customer_detail::or_dash;
use crate::pages::record_page::{IdRoute, Loaded, delete_and_leave};
use crate::pages::service::projects::{
    PROJECT_FIELDS, ProgressBar, ProjectFields, ProjectFormFields, ProjectStatusBadge,
};
use crate::pages::service::ticket_detail::{SaveButtons, StaleAlert};
use crate::root::use_session;
use domain::project::{
    Milestone, MilestoneInput, MilestonePatch, MilestoneStatus, Project, ProjectPatch,
};
use domain::{Action, Patch, ProjectId, Resource};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;

const STALE_PROJECT: &str =
    "This project was changed by someone else since you opened it. Reload to see the changes.";

#[component]
pub fn ProjectDetailPage() -> impl IntoView {
    view! { <IdRoute what="project" page=|id| view! { <ProjectDetail id=id /> } /> }
}

#[component]
fn ProjectDetail(id: ProjectId) -> impl IntoView {
    let loaded = Loaded::new(move || get_project(id));
    let editing = RwSignal::new(false);
    let users = UserChoices::load();
    let reload = loaded.reload;
    let on_saved = Callback::new(move |p: Project| {
        editing.set(false);
        loaded.saved(p, "Project saved.");
    });
    view! {
        <section class="page">
            <nav class="breadcrumbs" aria-label="Breadcrumb"><A href="/projects">"Projects"</A></nav>
            {loaded.view(move |p: Project| view! {
                <ProjectHeader project=p.clone() editing=editing />
                {if editing.get() {
                    view! { <EditProjectForm project=p users=users on_saved=on_saved on_cancel=move |_| editing.set(false) on_reload=reload /> }.into_any()
                } else {
                    view! { <ProjectFacts project=p /> }.into_any()
                }}
            })}
            <Show when=move || !loaded.failed()>
                <Milestones project=id on_change=move |_| reload.run(()) />
                <crate::pages::service::project_demands::ProjectDemandsCard project=id />
                <crate::pages::inventory::allocations_card::AllocationsCard to=crate::pages::inventory::allocations_card::AllocatedTo::Project(id) />
                <RecordHistory entity="project" id=id.0 reload_key=loaded.changes />
            </Show>
        </section>
    }
}

#[component]
fn ProjectHeader(project: Project, editing: RwSignal<bool>) -> impl IntoView {
    let session = use_session();
    let toasts = use_toasts();
    let navigate = use_navigate();
    let confirming = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let (id, name) = (project.id, project.name.clone());
    let on_delete = move |_| {
        let done = ("Project deleted.", "/projects");
        delete_and_leave(
            delete_project(id),
            done,
            (busy, confirming),
            toasts,
            navigate.clone(),
        );
    };
    view! {
        <header class="page-header">
            <div>
                <h1>{project.name.clone()}</h1>
                <p class="page-sub"><ProjectStatusBadge status=project.status /></p>
            </div>
            <div class="page-actions">
                <Show when=move || session.can(Resource::Projects, Action::Update) && !editing.get()>
                    <button type="button" class="btn btn-secondary" on:click=move |_| editing.set(true)>"Edit"</button>
                </Show>
                <Show when=move || session.can(Resource::Projects, Action::Delete)>
                    <button type="button" class="btn btn-danger-outline" on:click=move |_| confirming.set(true)>"Delete"</button>
                </Show>
            </div>
        </header>
        <Show when=move || confirming.get()>
            <ConfirmDialog
                title="Delete project"
                message=format!("Delete \u{201c}{name}\u{201d} and its milestones? This cannot be undone.")
                confirm_label="Delete"
                busy=busy
                on_confirm=on_delete.clone()
                on_cancel=move |_| confirming.set(false)
            />
        </Show>
    }
}

#[component]
fn ProjectFacts(project: Project) -> impl IntoView {
    let date = |d: Option<chrono::NaiveDate>| d.map_or_else(|| "—".to_owned(), |d| d.to_string());
    let customer_name = project.customer_name.clone().unwrap_or_default();
    view! {
        <section class="card" aria-labelledby="facts-title">
            <h2 id="facts-title" class="card-title">"Details"</h2>
            <dl class="facts">
                <div>
                    <dt>"Customer"</dt>
                    <dd><A href=format!("/customers/{}", project.customer_id)>{customer_name}</A></dd>
                </div>
                <div><dt>"Manager"</dt><dd>{project.manager_name.clone().unwrap_or_else(|| "—".into())}</dd></div>
                <div><dt>"Start"</dt><dd>{date(project.start_date)}</dd></div>
                <div><dt>"End"</dt><dd>{date(project.end_date)}</dd></div>
                <div><dt>"Budget"</dt><dd>{or_dash(project.budget.map(|b| format!("{b} {}", project.currency)))}</dd></div>
                <div><dt>"Progress"</dt><dd><ProgressBar project=project.clone() /></dd></div>
                <div><dt>"Created"</dt><dd><time datetime=iso(project.created_at)>{date_time(project.created_at)}</time></dd></div>
                <div class="span-2"><dt>"Description"</dt><dd class="pre-wrap">{or_dash((!project.description.is_empty()).then(|| project.description.clone()))}</dd></div>
            </dl>
        </section>
    }
}

/// Every editable field as a patch (`None` clears).
fn full_patch(input: domain::project::ProjectInput) -> ProjectPatch {
    let opt = |v: Option<chrono::NaiveDate>| v.map_or(Patch::Null, Patch::Value);
    ProjectPatch {
        name: Patch::Value(input.name),
        manager_id: input.manager_id.map_or(Patch::Null, Patch::Value),
        status: Patch::Value(input.status),
        start_date: opt(input.start_date),
        end_date: opt(input.end_date),
        budget: input.budget.map_or(Patch::Null, Patch::Value),
        currency: Patch::Value(input.currency),
        description: Patch::Value(input.description),
    }
}

#[component]
fn EditProjectForm(
    project: Project,
    users: UserChoices,
    #[prop(into)] on_saved: Callback<Project>,
    #[prop(into)] on_cancel: Callback<()>,
    #[prop(into)] on_reload: Callback<()>,
) -> impl IntoView {
    let form = FormState::new();
    let fields = ProjectFields::new(Some(&project));
    let (id, version, customer) = (project.id, project.version, project.customer_id);
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if form.busy.get_untracked() {
            return;
        }
        form.clear();
        let input = fields.input().and_then(|mut i| {
            i.customer_id = Some(customer);
            i.clean()
        });
        let input = match input {
            Ok(input) => input,
            Err(problem) => return form.show_invalid(problem),
        };
        form.busy.set(true);
        spawn_local(async move {
            let result = update_project(id, version, full_patch(input)).await;
            form.busy.try_set(false);
            match result {
                Ok(p) => on_saved.run(p),
                Err(e) => {
                    if e.problem().status == 412 {
                        form.status.set(Some(412));
                    } else {
                        form.show_error(&e, &PROJECT_FIELDS);
                    }
                }
            }
        });
    };
    view! {
        <section class="card" aria-labelledby="edit-title">
            <h2 id="edit-title" class="card-title">"Edit project"</h2>
            <form novalidate on:submit=on_submit>
                <StaleAlert form=form message=STALE_PROJECT on_reload=on_reload />
                <FormAlert form=form />
                <ProjectFormFields fields=fields form=form users=users />
                <SaveButtons form=form on_cancel=on_cancel />
            </form>
        </section>
    }
}

#[component]
fn Milestones(project: ProjectId, #[prop(into)] on_change: Callback<()>) -> impl IntoView {
    let session = use_session();
    let items = RwSignal::new(None::<Result<Vec<Milestone>, ApiError>>);
    let load = move || {
        spawn_local(async move {
            let result = list_milestones(project).await;
            items.try_set(Some(result));
        });
    };
    load();
    let changed = Callback::new(move |()| {
        load();
        on_change.run(());
    });
    let can_write = move || session.can(Resource::Projects, Action::Update);
    view! {
        <section class="card" aria-labelledby="milestones-title">
            <h2 id="milestones-title" class="card-title">"Milestones"</h2>
            {move || match items.get() {
                None => view! { <Loading /> }.into_any(),
                Some(Err(e)) => view! { <ErrorState error=e /> }.into_any(),
                Some(Ok(list)) if list.is_empty() => view! { <p class="muted">"No milestones yet."</p> }.into_any(),
                Some(Ok(list)) => view! {
                    <ul class="milestone-list">
                        {list.into_iter().map(|m| view! { <MilestoneRow project=project milestone=m on_change=changed /> }).collect_view()}
                    </ul>
                }
                    .into_any(),
            }}
            <Show when=can_write>
                <MilestoneForm project=project milestone=None on_saved=changed on_cancel=|_| () />
            </Show>
        </section>
    }
}

#[component]
fn MilestoneRow(
    project: ProjectId,
    milestone: Milestone,
    #[prop(into)] on_change: Callback<()>,
) -> impl IntoView {
    let session = use_session();
    let toasts = use_toasts();
    let editing = RwSignal::new(false);
    let confirming = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let (id, version) = (milestone.id, milestone.version);
    let done = milestone.status == MilestoneStatus::Done;
    let report = move |e: ApiError| {
        toasts.error(problem_message(e.problem(), &e.problem().errors));
    };
    let toggle = move |ev: leptos::ev::Event| {
        let status = if event_target_checked(&ev) {
            MilestoneStatus::Done
        } else {
            MilestoneStatus::Open
        };
        spawn_local(async move {
            let patch = MilestonePatch {
                status: Patch::Value(status),
                ..Default::default()
            };
            match update_milestone(project, id, version, patch).await {
                Ok(_) => on_change.run(()),
                Err(e) => report(e),
            }
        });
    };
    let on_delete = move |_| {
        busy.set(true);
        spawn_local(async move {
            let result = delete_milestone(project, id).await;
            busy.try_set(false);
            confirming.try_set(false);
            match result {
                Ok(()) => on_change.run(()),
                Err(e) => report(e),
            }
        });
    };
    let can_write = move || session.can(Resource::Projects, Action::Update);
    let name = milestone.name.clone();
    let edit_copy = milestone.clone();
    view! {
        <li class="milestone" class:is-overdue=milestone.overdue>
            <label class="milestone-check">
                <input type="checkbox" prop:checked=done disabled=move || !can_write() on:change=toggle />
                <span class:is-done=done>{milestone.name.clone()}</span>
            </label>
            <span class="cell-sub">{milestone.due_date.map(|d| format!("Due {d}"))}</span>
            {milestone.overdue.then(|| view! { <span class="badge badge-danger">"Overdue"</span> })}
            <Show when=can_write>
                <button type="button" class="btn btn-ghost" on:click=move |_| editing.set(true)>"Edit"</button>
                <button type="button" class="btn btn-ghost" on:click=move |_| confirming.set(true)>"Delete"</button>
            </Show>
            <Show when=move || editing.get()>
                <MilestoneForm
                    project=project
                    milestone=Some(edit_copy.clone())
                    on_saved=move |_| {
                        editing.set(false);
                        on_change.run(());
                    }
                    on_cancel=move |_| editing.set(false)
                />
            </Show>
            <Show when=move || confirming.get()>
                <ConfirmDialog
                    title="Delete milestone"
                    message=format!("Delete \u{201c}{name}\u{201d}? This cannot be undone.")
                    confirm_label="Delete"
                    busy=busy
                    on_confirm=on_delete
                    on_cancel=move |_| confirming.set(false)
                />
            </Show>
        </li>
    }
}

/// Add a milestone (`milestone` is `None`) or edit its name and due date.
#[component]
fn MilestoneForm(
    project: ProjectId,
    milestone: Option<Milestone>,
    #[prop(into)] on_saved: Callback<()>,
    #[prop(into)] on_cancel: Callback<()>,
) -> impl IntoView {
    let form = FormState::new();
    let name = RwSignal::new(
        milestone
            .as_ref()
            .map(|m| m.name.clone())
            .unwrap_or_default(),
    );
    let due = RwSignal::new(
        milestone
            .as_ref()
            .and_then(|m| m.due_date)
            .map(|d| d.to_string())
            .unwrap_or_default(),
    );
    let existing = milestone.as_ref().map(|m| (m.id, m.version, m.status));
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if form.busy.get_untracked() {
            return;
        }
        form.clear();
        let due_date = match crate::components::form::optional(due.get_untracked()) {
            None => None,
            Some(t) => match chrono::NaiveDate::parse_from_str(&t, "%Y-%m-%d") {
                Ok(d) => Some(d),
                Err(_) => {
                    return form.show_invalid(domain::Problem::invalid_field(
                        "due_date",
                        "must be a date",
                    ));
                }
            },
        };
        let input = MilestoneInput {
            name: name.get_untracked(),
            due_date,
            status: existing.map_or(MilestoneStatus::Open, |(_, _, s)| s),
        };
        let input = match input.clean() {
            Ok(i) => i,
            Err(p) => return form.show_invalid(p),
        };
        form.busy.set(true);
        spawn_local(async move {
            let result = match existing {
                None => create_milestone(project, input).await.map(drop),
                Some((id, version, _)) => {
                    let patch = MilestonePatch {
                        name: Patch::Value(input.name),
                        due_date: input.due_date.map_or(Patch::Null, Patch::Value),
                        ..Default::default()
                    };
                    update_milestone(project, id, version, patch)
                        .await
                        .map(drop)
                }
            };
            form.busy.try_set(false);
            match result {
                Ok(()) => {
                    name.set(String::new());
                    due.set(String::new());
                    on_saved.run(());
                }
                Err(e) => {
                    form.show_error(&e, &["name", "due_date"]);
                    if e.problem().status == 412 {
                        form.alert.set(Some(
                            "This milestone was changed by someone else; reload the page.".into(),
                        ));
                    }
                }
            }
        });
    };
    let editing = existing.is_some();
    view! {
        <form novalidate class="milestone-form" on:submit=on_submit>
            <FormAlert form=form />
            <div class="form-grid">
                <TextField label=if editing { "Name" } else { "New milestone" } value=name error=form.error("name") />
                <TextField label="Due date" value=due input_type="date" error=form.error("due_date") />
            </div>
            <div class="form-buttons">
                {editing.then(|| view! { <button type="button" class="btn btn-secondary" on:click=move |_| on_cancel.run(())>"Cancel"</button> })}
                <button type="submit" class="btn btn-primary" disabled=move || form.busy.get()>
                    {if editing { "Save" } else { "Add milestone" }}
                </button>
            </div>
        </form>
    }
}
