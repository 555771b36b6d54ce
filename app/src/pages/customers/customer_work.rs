//! The "Tickets" and "Projects" cards on a customer's page: that customer's latest ten of each.

use crate::ApiError;
use crate::api::projects::list_projects;
use crate::api::tickets::list_tickets;
use crate::components::{ErrorState, Loading};
use crate::pages::service::projects::ProjectStatusBadge;
use crate::pages::service::tickets::{SlaBadge, TicketStatusBadge};
use crate::root::use_session;
use domain::project::{Project, ProjectQuery};
use domain::ticket::{Ticket, TicketQuery};
use domain::{Action, CustomerId, Page, Resource};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use std::future::Future;

/// Loads one page once and keeps the answer.
fn load_once<T, F>(fetch: F) -> RwSignal<Option<Result<Vec<T>, ApiError>>>
where
    T: Send + Sync + 'static,
    F: Future<Output = Result<Page<T>, ApiError>> + 'static,
{
    let out = RwSignal::new(None);
    spawn_local(async move {
        let result = fetch.await.map(|p| p.data);
        out.try_set(Some(result));
    });
    out
}

#[component]
fn CardList<T: Clone + Send + Sync + 'static, V: IntoView + 'static>(
    title: &'static str,
    empty: &'static str,
    rows: RwSignal<Option<Result<Vec<T>, ApiError>>>,
    row: fn(T) -> V,
) -> impl IntoView {
    view! {
        <section class="card">
            <h2 class="card-title">{title}</h2>
            {move || match rows.get() {
                None => view! { <Loading /> }.into_any(),
                Some(Err(e)) => view! { <ErrorState error=e /> }.into_any(),
                Some(Ok(list)) if list.is_empty() => view! { <p class="muted">{empty}</p> }.into_any(),
                Some(Ok(list)) => view! { <ul class="milestone-list">{list.into_iter().map(row).collect_view()}</ul> }.into_any(),
            }}
        </section>
    }
}

fn ticket_row(t: Ticket) -> impl IntoView {
    let label = format!("#{} {}", t.number, t.subject);
    view! {
        <li class="milestone">
            <A href=format!("/tickets/{}", t.id)>{label}</A>
            <TicketStatusBadge status=t.status />
            <SlaBadge ticket=t />
        </li>
    }
}

fn project_row(p: Project) -> impl IntoView {
    let name = p.name.clone();
    view! {
        <li class="milestone">
            <A href=format!("/projects/{}", p.id)>{name}</A>
            <ProjectStatusBadge status=p.status />
            <span class="cell-sub">{format!("{}% done", p.progress_percent)}</span>
        </li>
    }
}

#[component]
pub fn CustomerWork(customer_id: CustomerId) -> impl IntoView {
    let session = use_session();
    let id = Some(customer_id.to_string());
    let ten = Some("10".to_owned());
    let tickets = session.can(Resource::Tickets, Action::Read).then(|| {
        load_once(list_tickets(TicketQuery {
            customer_id: id.clone(),
            limit: ten.clone(),
            ..Default::default()
        }))
    });
    let projects = session.can(Resource::Projects, Action::Read).then(|| {
        load_once(list_projects(ProjectQuery {
            customer_id: id,
            limit: ten,
            ..Default::default()
        }))
    });
    view! {
        {tickets.map(|rows| view! { <CardList title="Tickets" empty="No tickets for this customer." rows=rows row=ticket_row /> })}
        {projects.map(|rows| view! { <CardList title="Projects" empty="No projects for this customer." rows=rows row=project_row /> })}
    }
}
