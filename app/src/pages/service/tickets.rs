//! `/tickets`: search, filters (status, priority, assignee, mine, SLA breached) and sortable columns, kept in
//! the URL; Load more, bulk assign/status/delete, and "New ticket" (shortcut N).

use crate::api::tickets::{bulk_ticket_action, create_ticket, list_tickets};
use crate::components::form::{FormAlert, FormButtons, problem_message};
use crate::components::format::{date, date_time, iso};
use crate::components::list_filters::{FilterKey, ListFilters};
use crate::components::states::Allowed;
use crate::components::timing::on_create_shortcut;
use crate::components::user_choices::UserChoices;
use crate::components::{
    CheckboxField, ConfirmDialog, FormState, Modal, PagedList, PagedStates, SelectField,
    SortHeader, TextField, use_toasts,
};
use crate::pages::customers::contact_form::CustomerPicker;
use crate::root::use_session;
use domain::priority::Priority;
use domain::ticket::{
    Ticket, TicketBulkAction, TicketBulkRequest, TicketInput, TicketQuery, TicketStatus,
};
use domain::{Action, CustomerId, Resource, TicketId, UserId};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use std::collections::HashSet;

type Selection = RwSignal<HashSet<TicketId>>;

#[component]
pub fn TicketsPage() -> impl IntoView {
    view! {
        <Allowed resource=Resource::Tickets action=Action::Read>
            <TicketList />
        </Allowed>
    }
}

/// `(value, label)` options of a word set, with a "none" entry first.
pub fn word_options<T: Copy>(
    all: &[T],
    none: &str,
    word: impl Fn(T) -> (&'static str, String),
) -> Vec<(String, String)> {
    let mut out = vec![(String::new(), none.to_owned())];
    out.extend(all.iter().map(|v| {
        let (value, label) = word(*v);
        (value.to_owned(), label)
    }));
    out
}

fn status_options(none: &str) -> Vec<(String, String)> {
    word_options(TicketStatus::ALL, none, |s| (s.as_str(), s.label()))
}

fn priority_options(none: &str) -> Vec<(String, String)> {
    word_options(Priority::ALL, none, |p| (p.as_str(), p.label()))
}

/// URL names as the query's: `?q=printer&status=open&assignee_id=…&mine=true&sort=priority`.
const TICKET_FILTERS: &[FilterKey] = &[
    FilterKey::search(),
    FilterKey::choice("status"),
    FilterKey::choice("priority"),
    FilterKey::choice("assignee_id"),
    FilterKey::flag("mine"),
    FilterKey::flag("breached"),
    FilterKey::sort("-created_at"),
];

#[component]
fn TicketList() -> impl IntoView {
    let session = use_session();
    let toasts = use_toasts();
    let filters = ListFilters::<TicketQuery>::new(TICKET_FILTERS);
    filters.sync_with_url();
    let users = UserChoices::load();
    let list = PagedList::new(move |cursor| list_tickets(filters.query(cursor, 50)));
    let selection: Selection = RwSignal::new(HashSet::new());
    let creating = RwSignal::new(false);
    let can_create = move || session.can(Resource::Tickets, Action::Create);

    // Any filter or sort change starts again from the first page (and forgets the selection).
    Effect::new(move |_| {
        filters.query(None, 50);
        selection.set(HashSet::new());
        list.reload();
    });

    on_create_shortcut(creating, can_create);

    let on_created = move |t: Ticket| {
        creating.set(false);
        toasts.success(format!("Ticket #{} created.", t.number));
        list.reload();
    };

    view! {
        <section class="page">
            <header class="page-header">
                <div>
                    <h1>"Tickets"</h1>
                </div>
                <Show when=can_create>
                    <button
                        type="button"
                        class="btn btn-primary"
                        aria-keyshortcuts="n"
                        title="New ticket (N)"
                        on:click=move |_| creating.set(true)
                    >
                        "New ticket"
                    </button>
                </Show>
            </header>
            <div class="filters" role="search">
                <div class="filters-main">
                    <TextField label="Search" value=filters.search() input_type="search" placeholder="Subject or description" class="field-search" />
                </div>
                <div class="filters-more is-open">
                    <SelectField label="Status" value=filters.signal("status") options=Signal::derive(|| status_options("Any status")) />
                    <SelectField label="Priority" value=filters.signal("priority") options=Signal::derive(|| priority_options("Any priority")) />
                    <SelectField label="Assignee" value=filters.signal("assignee_id") options=users.options("Anyone") />
                    <CheckboxField label="Assigned to me" checked=filters.flag("mine") />
                    <CheckboxField label="SLA breached" checked=filters.flag("breached") />
                </div>
            </div>
            <TicketBulkBar selection=selection users=users on_done=move |_| list.reload() />
            <PagedStates list=list empty_title="No tickets match.">
                <TicketTable list=list sort=filters.sort() selection=selection />
            </PagedStates>
            <Show when=move || creating.get()>
                <NewTicketDialog users=users on_close=move |_| creating.set(false) on_created=on_created />
            </Show>
        </section>
    }
}

/// "Due in 3 h" / "Overdue" / "Met" / "Missed": the SLA at a glance.
#[component]
pub fn SlaBadge(ticket: Ticket) -> impl IntoView {
    let now = chrono::Utc::now();
    let (class, text) = if ticket.sla_breached {
        let text = if ticket.status.is_active() {
            "Overdue"
        } else {
            "SLA missed"
        };
        ("badge badge-danger", text.to_owned())
    } else if ticket.status.is_active() {
        let left = ticket.sla_due_at - now;
        let text = if left.num_hours() >= 1 {
            format!("Due in {} h", left.num_hours())
        } else {
            format!("Due in {} min", left.num_minutes().max(0))
        };
        ("badge badge-warning", text)
    } else {
        ("badge badge-active", "SLA met".to_owned())
    };
    view! {
        <span class=class title=format!("Due {}", date_time(ticket.sla_due_at))>{text}</span>
    }
}

#[component]
pub fn TicketStatusBadge(status: TicketStatus) -> impl IntoView {
    view! { <span class=format!("badge badge-ticket-{}", status.as_str())>{status.label()}</span> }
}

#[component]
fn TicketTable(
    list: PagedList<Ticket>,
    sort: RwSignal<String>,
    selection: Selection,
) -> impl IntoView {
    let session = use_session();
    let selectable = move || {
        session.can(Resource::Tickets, Action::Update)
            || session.can(Resource::Tickets, Action::Delete)
    };
    let all_selected = move || {
        list.rows.with(|rows| {
            !rows.is_empty() && selection.with(|s| rows.iter().all(|t| s.contains(&t.id)))
        })
    };
    let toggle_all = move |ev: leptos::ev::Event| {
        let on = event_target_checked(&ev);
        selection.update(|s| {
            s.clear();
            if on {
                list.rows
                    .with_untracked(|rows| s.extend(rows.iter().map(|t| t.id)));
            }
        });
    };
    view! {
        <div class="table-wrap">
            <table class="data-table responsive-table">
                <caption class="sr-only">"Tickets"</caption>
                <thead>
                    <tr>
                        <Show when=selectable>
                            <th scope="col" class="col-check">
                                <input type="checkbox" aria-label="Select all tickets" prop:checked=all_selected on:change=toggle_all />
                            </th>
                        </Show>
                        <th scope="col">"Subject"</th>
                        <th scope="col">"Status"</th>
                        <SortHeader label="Priority" key="priority" sort=sort desc_first=true />
                        <th scope="col">"Customer"</th>
                        <th scope="col">"Assignee"</th>
                        <SortHeader label="SLA" key="sla_due_at" sort=sort />
                        <SortHeader label="Created" key="created_at" sort=sort desc_first=true />
                        <SortHeader label="Updated" key="updated_at" sort=sort desc_first=true />
                    </tr>
                </thead>
                <tbody>
                    <For each=move || list.rows.get() key=|t| (t.id, t.version) let:ticket>
                        <TicketRow ticket=ticket selection=selection selectable=Signal::derive(selectable) />
                    </For>
                </tbody>
            </table>
        </div>
    }
}

#[component]
fn TicketRow(ticket: Ticket, selection: Selection, selectable: Signal<bool>) -> impl IntoView {
    let id = ticket.id;
    let checked = move || selection.with(|s| s.contains(&id));
    let toggle = move |ev: leptos::ev::Event| {
        let on = event_target_checked(&ev);
        selection.update(|s| {
            if on {
                s.insert(id);
            } else {
                s.remove(&id);
            }
        });
    };
    let label = format!("Select ticket #{}", ticket.number);
    view! {
        <tr class:is-selected=checked>
            <Show when=move || selectable.get()>
                <td class="col-check">
                    <input type="checkbox" aria-label=label.clone() prop:checked=checked on:change=toggle />
                </td>
            </Show>
            <td data-label="Subject" class="col-primary">
                <A href=format!("/tickets/{id}")>{format!("#{} {}", ticket.number, ticket.subject)}</A>
            </td>
            <td data-label="Status"><TicketStatusBadge status=ticket.status /></td>
            <td data-label="Priority">{ticket.priority.label()}</td>
            <td data-label="Customer">{ticket.customer_name.clone().unwrap_or_default()}</td>
            <td data-label="Assignee">{ticket.assignee_name.clone().unwrap_or_else(|| "—".into())}</td>
            <td data-label="SLA"><SlaBadge ticket=ticket.clone() /></td>
            <td data-label="Created"><time datetime=iso(ticket.created_at)>{date(ticket.created_at)}</time></td>
            <td data-label="Updated"><time datetime=iso(ticket.updated_at)>{date(ticket.updated_at)}</time></td>
        </tr>
    }
}

#[component]
fn TicketBulkBar(
    selection: Selection,
    users: UserChoices,
    #[prop(into)] on_done: Callback<()>,
) -> impl IntoView {
    let session = use_session();
    let toasts = use_toasts();
    let assignee = RwSignal::new(String::new());
    let status = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let confirm_delete = RwSignal::new(false);
    let count = move || selection.with(HashSet::len);
    let run = move |action: TicketBulkAction, done: &'static str| {
        let ids: Vec<_> = selection.get_untracked().into_iter().collect();
        if ids.is_empty() || busy.get_untracked() {
            return;
        }
        busy.set(true);
        spawn_local(async move {
            let result = bulk_ticket_action(TicketBulkRequest { ids, action }).await;
            busy.try_set(false);
            confirm_delete.try_set(false);
            match result {
                Ok(r) => {
                    toasts.success(format!("{} ticket(s) {done}.", r.affected));
                    selection.try_update(HashSet::clear);
                    on_done.run(());
                }
                Err(e) => toasts.error(problem_message(e.problem(), &e.problem().errors)),
            }
        });
    };
    let assign = move |_| {
        let assignee_id = assignee.get_untracked().parse::<UserId>().ok();
        run(TicketBulkAction::Assign { assignee_id }, "assigned");
    };
    let set_status = move |_| match TicketStatus::parse(&status.get_untracked()) {
        Ok(status) => run(TicketBulkAction::SetStatus { status }, "updated"),
        Err(_) => toasts.error("Choose a status first."),
    };
    let can_update = move || session.can(Resource::Tickets, Action::Update);
    let can_delete = move || session.can(Resource::Tickets, Action::Delete);
    view! {
        <Show when=move || { count() > 0 }>
            <div class="bulk-bar" role="region" aria-label="Bulk actions">
                <span class="bulk-count" aria-live="polite">{move || format!("{} selected", count())}</span>
                <Show when=can_update>
                    <div class="bulk-group">
                        <SelectField label="Assign to" value=assignee options=users.options("Nobody") class="field-inline" />
                        <button type="button" class="btn btn-secondary" disabled=move || busy.get() on:click=assign>"Assign"</button>
                    </div>
                    <div class="bulk-group">
                        <SelectField label="Status" value=status options=Signal::derive(|| status_options("Choose…")) class="field-inline" />
                        <button type="button" class="btn btn-secondary" disabled=move || busy.get() on:click=set_status>"Set status"</button>
                    </div>
                </Show>
                <Show when=can_delete>
                    <button type="button" class="btn btn-danger-outline" disabled=move || busy.get() on:click=move |_| confirm_delete.set(true)>
                        "Delete selected"
                    </button>
                </Show>
                <button type="button" class="btn btn-ghost" on:click=move |_| selection.update(HashSet::clear)>"Clear selection"</button>
            </div>
        </Show>
        <Show when=move || confirm_delete.get()>
            <ConfirmDialog
                title="Delete tickets"
                message=format!("Delete {} ticket(s) and their comments? This cannot be undone.", selection.with_untracked(HashSet::len))
                confirm_label="Delete"
                busy=busy
                on_confirm=move |_| run(TicketBulkAction::Delete, "deleted")
                on_cancel=move |_| confirm_delete.set(false)
            />
        </Show>
    }
}

pub const TICKET_FIELDS: [&str; 6] = [
    "subject",
    "description",
    "priority",
    "customer_id",
    "contact_id",
    "assignee_id",
];

/// The editable fields of a ticket form.
#[derive(Clone, Copy)]
pub struct TicketFields {
    pub subject: RwSignal<String>,
    pub description: RwSignal<String>,
    pub priority: RwSignal<String>,
    pub assignee: RwSignal<String>,
}

impl TicketFields {
    pub fn new(t: Option<&Ticket>) -> Self {
        Self {
            subject: RwSignal::new(t.map(|t| t.subject.clone()).unwrap_or_default()),
            description: RwSignal::new(t.map(|t| t.description.clone()).unwrap_or_default()),
            priority: RwSignal::new(
                t.map_or(Priority::Normal, |t| t.priority)
                    .as_str()
                    .to_owned(),
            ),
            assignee: RwSignal::new(
                t.and_then(|t| t.assignee_id)
                    .map(|u| u.to_string())
                    .unwrap_or_default(),
            ),
        }
    }

    pub fn input(&self, customer_id: Option<CustomerId>) -> TicketInput {
        TicketInput {
            subject: self.subject.get_untracked(),
            description: self.description.get_untracked(),
            priority: Priority::parse(&self.priority.get_untracked()).unwrap_or_default(),
            customer_id,
            contact_id: None,
            assignee_id: self.assignee.get_untracked().parse().ok(),
        }
    }
}

#[component]
pub fn TicketFormFields(
    fields: TicketFields,
    form: FormState,
    users: UserChoices,
) -> impl IntoView {
    view! {
        <div class="form-grid">
            <TextField label="Subject" value=fields.subject required=true error=form.error("subject") class="span-2" />
            <SelectField label="Priority" value=fields.priority options=Signal::derive(|| priority_options("Normal")) error=form.error("priority") />
            <SelectField label="Assignee" value=fields.assignee options=users.options("Nobody") error=form.error("assignee_id") />
            <div class="field span-2" class:has-error=move || form.error("description").get().is_some()>
                <label for="ticket-description">"Description"</label>
                <textarea
                    id="ticket-description"
                    rows="5"
                    prop:value=move || fields.description.get()
                    on:input=move |ev| fields.description.set(event_target_value(&ev))
                ></textarea>
                {move || form.error("description").get().map(|m| view! { <p class="field-error">{m}</p> })}
            </div>
        </div>
    }
}

#[component]
fn NewTicketDialog(
    users: UserChoices,
    #[prop(into)] on_close: Callback<()>,
    #[prop(into)] on_created: Callback<Ticket>,
) -> impl IntoView {
    let form = FormState::new();
    let fields = TicketFields::new(None);
    let customer = RwSignal::new(String::new());
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if form.busy.get_untracked() {
            return;
        }
        form.clear();
        let input = match fields.input(customer.get_untracked().parse().ok()).clean() {
            Ok(input) => input,
            Err(problem) => return form.show_invalid(problem),
        };
        form.busy.set(true);
        spawn_local(async move {
            let result = create_ticket(input).await;
            form.busy.try_set(false);
            match result {
                Ok(t) => on_created.run(t),
                Err(e) => form.show_error(&e, &TICKET_FIELDS),
            }
        });
    };
    view! {
        <Modal title="New ticket" on_close=on_close wide=true>
            <form novalidate on:submit=on_submit>
                <FormAlert form=form />
                <CustomerPicker value=customer error=form.error("customer_id") />
                <TicketFormFields fields=fields form=form users=users />
                <FormButtons form=form submit_label="Create" on_cancel=on_close />
            </form>
        </Modal>
    }
}
