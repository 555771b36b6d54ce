//! `/customers/:id`: the record, edit, delete, its contacts and its history.

use crate::api::customers::{delete_customer, get_customer};
use crate::components::format::{date_time, iso};
use crate::components::history::RecordHistory;
use crate::components::user_choices::UserChoices;
use crate::components::{ConfirmDialog, use_toasts};
use crate::pages::customers::customer_contacts::CustomerContacts;
use crate::pages::customers::customer_edit::EditCustomerForm;
use crate::pages::customers::customer_table::StatusBadge;
use crate::pages::record_page::{IdRoute, Loaded, delete_and_leave};
use crate::root::use_session;
use domain::customer::Customer;
use domain::{Action, CustomerId, Resource};
use leptos::either::Either;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;

#[component]
pub fn CustomerDetailPage() -> impl IntoView {
    view! { <IdRoute what="customer" page=|id| view! { <CustomerDetail id=id /> } /> }
}

#[component]
fn CustomerDetail(id: CustomerId) -> impl IntoView {
    let loaded = Loaded::new(move || get_customer(id));
    let editing = RwSignal::new(false);
    let users = UserChoices::load();
    let reload = loaded.reload;
    let changes = loaded.changes;
    let on_saved = Callback::new(move |c: Customer| {
        editing.set(false);
        loaded.saved(c, "Customer saved.");
    });

    view! {
        <section class="page">
            <nav class="breadcrumbs" aria-label="Breadcrumb">
                <A href="/customers">"Customers"</A>
            </nav>
            {loaded.view(move |c: Customer| view! {
                <CustomerHeader customer=c.clone() editing=editing />
                {if editing.get() {
                    view! {
                        <EditCustomerForm
                            customer=c
                            users=users
                            on_saved=on_saved
                            on_cancel=move |_| editing.set(false)
                            on_reload=reload
                        />
                    }
                        .into_any()
                } else {
                    view! { <CustomerFacts customer=c /> }.into_any()
                }}
            })}
            // Contacts and history belong to a customer the caller may see: a failed load (404 for another
            // team's record) shows its one error above, not a copy in every section and an "Add contact" button.
            <Show when=move || !loaded.failed()>
                <CustomerContacts customer_id=id on_change=move |_| changes.update(|n| *n += 1) />
                <crate::pages::customers::customer_timeline::CustomerTimeline customer_id=id reload_key=changes />
                // Support tickets and projects (CRM core).
                <crate::pages::customers::customer_work::CustomerWork customer_id=id />
                <crate::pages::inventory::allocations_card::AllocationsCard to=crate::pages::inventory::allocations_card::AllocatedTo::Customer(id) />
                <RecordHistory entity="customer" id=id.0 reload_key=changes />
            </Show>
        </section>
    }
}

#[component]
fn CustomerHeader(customer: Customer, editing: RwSignal<bool>) -> impl IntoView {
    let session = use_session();
    let toasts = use_toasts();
    let navigate = use_navigate();
    let confirming = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let (id, name) = (customer.id, customer.name.clone());
    let on_delete = move |_| {
        let done = ("Customer deleted.", "/customers");
        delete_and_leave(
            delete_customer(id),
            done,
            (busy, confirming),
            toasts,
            navigate.clone(),
        );
    };
    view! {
        <header class="page-header">
            <div>
                <h1>{customer.name.clone()}</h1>
                <p class="page-sub">
                    <StatusBadge status=customer.status />
                </p>
            </div>
            <div class="page-actions">
                <Show when=move || session.can(Resource::Customers, Action::Update) && !editing.get()>
                    <button type="button" class="btn btn-secondary" on:click=move |_| editing.set(true)>
                        "Edit"
                    </button>
                </Show>
                <Show when=move || session.can(Resource::Customers, Action::Delete)>
                    <button type="button" class="btn btn-danger-outline" on:click=move |_| confirming.set(true)>
                        "Delete"
                    </button>
                </Show>
            </div>
        </header>
        <Show when=move || confirming.get()>
            <ConfirmDialog
                title="Delete customer"
                message=format!("Delete \u{201c}{name}\u{201d}? This cannot be undone.")
                confirm_label="Delete"
                busy=busy
                on_confirm=on_delete.clone()
                on_cancel=move |_| confirming.set(false)
            />
        </Show>
    }
}

#[component]
fn CustomerFacts(customer: Customer) -> impl IntoView {
    let link = |href: String, text: String| view! { <a href=href rel="external">{text}</a> };
    view! {
        <section class="card" aria-labelledby="facts-title">
            <h2 id="facts-title" class="card-title">"Details"</h2>
            <dl class="facts">
                <div>
                    <dt>"Email"</dt>
                    <dd>{or_dash(customer.email.clone().map(|e| link(format!("mailto:{e}"), e)))}</dd>
                </div>
                <div>
                    <dt>"Phone"</dt>
                    <dd>{or_dash(customer.phone.clone().map(|p| link(format!("tel:{p}"), p)))}</dd>
                </div>
                <div>
                    <dt>"Website"</dt>
                    <dd>
                        {or_dash(
                            customer
                                .website
                                .clone()
                                .map(|w| view! { <a href=w.clone() rel="external noopener" target="_blank">{w.clone()}</a> }),
                        )}
                    </dd>
                </div>
                <div>
                    <dt>"Industry"</dt>
                    <dd>{customer.industry.clone().unwrap_or_else(|| "—".to_owned())}</dd>
                </div>
                <div>
                    <dt>"Owner"</dt>
                    <dd>{customer.owner_name.clone().unwrap_or_else(|| "—".to_owned())}</dd>
                </div>
                <div>
                    <dt>"Tags"</dt>
                    <dd>
                        <ul class="tag-list">
                            {customer.tags.iter().map(|t| view! { <li class="tag">{t.clone()}</li> }).collect_view()}
                        </ul>
                    </dd>
                </div>
                <div>
                    <dt>"Created"</dt>
                    <dd><time datetime=iso(customer.created_at)>{date_time(customer.created_at)}</time></dd>
                </div>
                <div>
                    <dt>"Updated"</dt>
                    <dd><time datetime=iso(customer.updated_at)>{date_time(customer.updated_at)}</time></dd>
                </div>
            </dl>
        </section>
    }
}

/// A value, or a dash when there is none.
pub fn or_dash<V: IntoView>(value: Option<V>) -> impl IntoView {
    match value {
        Some(v) => Either::Left(v),
        None => Either::Right("—"),
    }
}
