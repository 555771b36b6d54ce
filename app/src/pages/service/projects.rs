//! `/projects`: search, status filter, sortable columns with a progress bar, Load more; `/projects/new` (also
//! `?opportunity_id=…`, pre-filled from a won opportunity).

use crate::api::projects::{
    OpportunitySummary, create_project, list_projects, project_opportunity,
};
use crate::components::form::{FormAlert, optional};
use crate::components::list_filters::{FilterKey, ListFilters};
use crate::components::states::Allowed;
use crate::components::timing::is_plain_shortcut;
use crate::components::user_choices::UserChoices;
use crate::components::{FormState, PagedList, PagedStates, SelectField, SortHeader, TextField};
use crate::pages::customers::contact_form::CustomerPicker;
use crate::pages::service::tickets::word_options;
use crate::root::use_session;
use domain::project::{Project, ProjectInput, ProjectQuery, ProjectStatus};
use domain::{Action, OpportunityId, Problem, Resource};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_query_map};

#[component]
pub fn ProjectsPage() -> impl IntoView {
    view! {
        <Allowed resource=Resource::Projects action=Action::Read>
            <ProjectList />
        </Allowed>
    }
}

pub fn project_status_options(none: &str) -> Vec<(String, String)> {
    word_options(ProjectStatus::ALL, none, |s| (s.as_str(), s.label()))
}

const PROJECT_FILTERS: &[FilterKey] = &[
    FilterKey::search(),
    FilterKey::choice("status"),
    FilterKey::sort("-created_at"),
];

#[component]
fn ProjectList() -> impl IntoView {
    let session = use_session();
    let filters = ListFilters::<ProjectQuery>::new(PROJECT_FILTERS);
    let sort = filters.sort();
    let list = PagedList::new(move |cursor| list_projects(filters.query(cursor, 50)));
    Effect::new(move |_| {
        filters.query(None, 50);
        list.reload();
    });
    let can_create = move || session.can(Resource::Projects, Action::Create);
    let navigate = use_navigate();
    let keys = window_event_listener(leptos::ev::keydown, move |e| {
        if is_plain_shortcut(&e, "n") && can_create() {
            e.prevent_default();
            navigate("/projects/new", Default::default());
        }
    });
    on_cleanup(move || keys.remove());
    view! {
        <section class="page">
            <header class="page-header">
                <div><h1>"Projects"</h1></div>
                <Show when=can_create>
                    <A href="/projects/new" attr:class="btn btn-primary" attr:title="New project (N)">"New project"</A>
                </Show>
            </header>
            <div class="filters" role="search">
                <div class="filters-main">
                    <TextField label="Search" value=filters.search() input_type="search" placeholder="Project name" class="field-search" />
                    <SelectField label="Status" value=filters.signal("status") options=Signal::derive(|| project_status_options("Any status")) class="field-inline" />
                </div>
            </div>
            <PagedStates list=list empty_title="No projects match.">
                <div class="table-wrap">
                    <table class="data-table responsive-table">
                        <caption class="sr-only">"Projects"</caption>
                        <thead>
                            <tr>
                                <SortHeader label="Name" key="name" sort=sort />
                                <th scope="col">"Customer"</th>
                                <th scope="col">"Status"</th>
                                <th scope="col">"Progress"</th>
                                <SortHeader label="Start" key="start_date" sort=sort />
                                <SortHeader label="End" key="end_date" sort=sort />
                                <SortHeader label="Created" key="created_at" sort=sort desc_first=true />
                            </tr>
                        </thead>
                        <tbody>
                            <For each=move || list.rows.get() key=|p| (p.id, p.version) let:project>
                                <ProjectRow project=project />
                            </For>
                        </tbody>
                    </table>
                </div>
            </PagedStates>
        </section>
    }
}

fn opt_date(d: Option<chrono::NaiveDate>) -> String {
    d.map_or_else(|| "—".to_owned(), |d| d.to_string())
}

#[component]
pub fn ProgressBar(project: Project) -> impl IntoView {
    let pct = project.progress_percent;
    view! {
        <div class="progress" role="progressbar" aria-valuemin="0" aria-valuemax="100" aria-valuenow=pct.to_string()
            aria-label=format!("{} of {} milestones done", project.milestones_done, project.milestone_count)>
            <div class="progress-fill" style=format!("width: {pct}%")></div>
        </div>
        <span class="cell-sub">
            {format!("{pct}% ({}/{})", project.milestones_done, project.milestone_count)}
            {(project.overdue_milestones > 0).then(|| view! { " " <span class="badge badge-danger">{format!("{} overdue", project.overdue_milestones)}</span> })}
        </span>
    }
}

#[component]
pub fn ProjectStatusBadge(status: ProjectStatus) -> impl IntoView {
    view! { <span class=format!("badge badge-project-{}", status.as_str())>{status.label()}</span> }
}

#[component]
fn ProjectRow(project: Project) -> impl IntoView {
    let name = project.name.clone();
    view! {
        <tr>
            <td data-label="Name" class="col-primary">
                <A href=format!("/projects/{}", project.id)>{name}</A>
            </td>
            <td data-label="Customer">{project.customer_name.clone().unwrap_or_default()}</td>
            <td data-label="Status"><ProjectStatusBadge status=project.status /></td>
            <td data-label="Progress"><ProgressBar project=project.clone() /></td>
            <td data-label="Start">{opt_date(project.start_date)}</td>
            <td data-label="End">{opt_date(project.end_date)}</td>
            <td data-label="Created">{crate::components::format::date(project.created_at)}</td>
        </tr>
    }
}

pub const PROJECT_FIELDS: [&str; 10] = [
    "name",
    "customer_id",
    "opportunity_id",
    "manager_id",
    "status",
    "start_date",
    "end_date",
    "budget",
    "currency",
    "description",
];

/// The editable fields of a project form, as text.
#[derive(Clone, Copy)]
pub struct ProjectFields {
    pub name: RwSignal<String>,
    pub manager: RwSignal<String>,
    pub status: RwSignal<String>,
    pub start_date: RwSignal<String>,
    pub end_date: RwSignal<String>,
    pub budget: RwSignal<String>,
    pub currency: RwSignal<String>,
    pub description: RwSignal<String>,
}

impl ProjectFields {
    pub fn new(p: Option<&Project>) -> Self {
        let text =
            |f: fn(&Project) -> Option<String>| RwSignal::new(p.and_then(f).unwrap_or_default());
        Self {
            name: text(|p| Some(p.name.clone())),
            manager: text(|p| p.manager_id.map(|u| u.to_string())),
            status: RwSignal::new(
                p.map_or(ProjectStatus::Planned, |p| p.status)
                    .as_str()
                    .to_owned(),
            ),
            start_date: text(|p| p.start_date.map(|d| d.to_string())),
            end_date: text(|p| p.end_date.map(|d| d.to_string())),
            budget: text(|p| p.budget.map(|b| b.to_string())),
            currency: RwSignal::new(p.map_or_else(|| "USD".to_owned(), |p| p.currency.clone())),
            description: text(|p| Some(p.description.clone())),
        }
    }

    /// The form as input; text that is not a date or an amount is reported on its field.
    pub fn input(&self) -> Result<ProjectInput, Problem> {
        let mut errors = Vec::new();
        let mut date = |field: &str, s: RwSignal<String>| match optional(s.get_untracked()) {
            None => None,
            Some(t) => chrono::NaiveDate::parse_from_str(&t, "%Y-%m-%d")
                .map_err(|_| errors.push(domain::FieldError::new(field, "must be a date")))
                .ok(),
        };
        let start_date = date("start_date", self.start_date);
        let end_date = date("end_date", self.end_date);
        let budget = match optional(self.budget.get_untracked()) {
            None => None,
            Some(t) => t
                .parse::<rust_decimal::Decimal>()
                .map_err(|_| {
                    errors.push(domain::FieldError::new(
                        "budget",
                        "must be an amount like 1500.00",
                    ))
                })
                .ok(),
        };
        if !errors.is_empty() {
            return Err(Problem::invalid(errors));
        }
        Ok(ProjectInput {
            name: self.name.get_untracked(),
            manager_id: self.manager.get_untracked().parse().ok(),
            status: ProjectStatus::parse(&self.status.get_untracked()).unwrap_or_default(),
            start_date,
            end_date,
            budget,
            currency: self.currency.get_untracked(),
            description: self.description.get_untracked(),
            ..Default::default()
        })
    }
}

#[component]
pub fn ProjectFormFields(
    fields: ProjectFields,
    form: FormState,
    users: UserChoices,
) -> impl IntoView {
    view! {
        <div class="form-grid">
            <TextField label="Name" value=fields.name error=form.error("name") class="span-2" />
            <SelectField label="Status" value=fields.status options=Signal::derive(|| project_status_options("Planned")) error=form.error("status") />
            <SelectField label="Manager" value=fields.manager options=users.options("Nobody") error=form.error("manager_id") />
            <TextField label="Start date" value=fields.start_date input_type="date" error=form.error("start_date") />
            <TextField label="End date" value=fields.end_date input_type="date" error=form.error("end_date") />
            <TextField label="Budget" value=fields.budget error=form.error("budget") placeholder="1500.00" />
            <TextField label="Currency" value=fields.currency error=form.error("currency") />
            <TextField label="Description" value=fields.description error=form.error("description") class="span-2" />
        </div>
    }
}

/// `/projects/new`, optionally `?opportunity_id=…` (name and customer come from the opportunity).
#[component]
pub fn NewProjectPage() -> impl IntoView {
    view! {
        <Allowed resource=Resource::Projects action=Action::Create>
            <NewProjectForm />
        </Allowed>
    }
}

#[component]
fn NewProjectForm() -> impl IntoView {
    let navigate = use_navigate();
    let form = FormState::new();
    let fields = ProjectFields::new(None);
    let users = UserChoices::load();
    let customer = RwSignal::new(String::new());
    let opportunity: Option<OpportunityId> = use_query_map()
        .get_untracked()
        .get("opportunity_id")
        .and_then(|s| s.parse().ok());
    let from = RwSignal::new(None::<OpportunitySummary>);
    if let Some(o) = opportunity {
        spawn_local(async move {
            match project_opportunity(o).await {
                Ok(summary) => {
                    fields.name.set(summary.name.clone());
                    from.set(Some(summary));
                }
                Err(e) => form.show_error(&e, &[]),
            }
        });
    }
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if form.busy.get_untracked() {
            return;
        }
        form.clear();
        let input = fields.input().and_then(|mut input| {
            input.opportunity_id = opportunity;
            input.customer_id = customer.get_untracked().parse().ok();
            input.clean()
        });
        let input = match input {
            Ok(input) => input,
            Err(problem) => return form.show_invalid(problem),
        };
        form.busy.set(true);
        let navigate = navigate.clone();
        spawn_local(async move {
            let result = create_project(input).await;
            form.busy.try_set(false);
            match result {
                Ok(p) => navigate(&format!("/projects/{}", p.id), Default::default()),
                Err(e) => form.show_error(&e, &PROJECT_FIELDS),
            }
        });
    };
    view! {
        <section class="page">
            <nav class="breadcrumbs" aria-label="Breadcrumb"><A href="/projects">"Projects"</A></nav>
            <header class="page-header"><h1>"New project"</h1></header>
            <section class="card">
                <form novalidate on:submit=on_submit>
                    <FormAlert form=form />
                    {move || from.get().map(|o| view! {
                        <p class="form-note">
                            {format!("From opportunity \u{201c}{}\u{201d} ({}).", o.name, o.stage)}
                        </p>
                    })}
                    // The opportunity has no field of its own: its error (e.g. it already has a project) shows here.
                    {move || form.error("opportunity_id").get().map(|m| view! { <p class="field-error" role="alert">{m}</p> })}
                    {opportunity.is_none().then(|| view! { <CustomerPicker value=customer error=form.error("customer_id") /> })}
                    <ProjectFormFields fields=fields form=form users=users />
                    <div class="form-buttons">
                        <A href="/projects" attr:class="btn btn-secondary">"Cancel"</A>
                        <button type="submit" class="btn btn-primary" disabled=move || form.busy.get()>"Create project"</button>
                    </div>
                </form>
            </section>
        </section>
    }
}
