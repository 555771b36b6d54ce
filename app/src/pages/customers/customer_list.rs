//! `/customers`: search, filter, sort, page through, select and act on many, create.

use crate::api::customers::list_customers;
use crate::components::paged::PagedStates;
use crate::components::states::Allowed;
use crate::components::timing::on_create_shortcut;
use crate::components::user_choices::UserChoices;
use crate::components::{PagedList, use_toasts};
use crate::pages::customers::customer_bulk::BulkActions;
use crate::pages::customers::customer_filters::{
    CUSTOMER_FILTERS, CustomerFilters, CustomerFiltersBar,
};
use crate::pages::customers::customer_form::NewCustomerDialog;
use crate::pages::customers::customer_table::CustomerTable;
use crate::root::use_session;
use domain::customer::Customer;
use domain::{Action, Resource};
use leptos::prelude::*;
use std::collections::HashSet;

#[component]
pub fn CustomersPage() -> impl IntoView {
    view! {
        <Allowed resource=Resource::Customers action=Action::Read>
            <CustomerList />
        </Allowed>
    }
}

#[component]
fn CustomerList() -> impl IntoView {
    let session = use_session();
    let toasts = use_toasts();
    let filters = CustomerFilters::new(CUSTOMER_FILTERS);
    filters.sync_with_url();
    let users = UserChoices::load();
    let list = PagedList::new(move |cursor| list_customers(filters.query(cursor, 50)));
    let selection = RwSignal::new(HashSet::new());
    let creating = RwSignal::new(false);
    let can_create = move || session.can(Resource::Customers, Action::Create);

    // Any filter or sort change starts again from the first page (and forgets the selection).
    Effect::new(move |_| {
        filters.query(None, 50);
        selection.set(HashSet::new());
        list.reload();
    });

    on_create_shortcut(creating, can_create);

    let on_created = move |c: Customer| {
        creating.set(false);
        toasts.success(format!("Customer \u{201c}{}\u{201d} created.", c.name));
        list.reload();
    };

    view! {
        <section class="page">
            <header class="page-header">
                <div>
                    <h1>"Customers"</h1>
                    <p class="page-sub">{move || summary(list)}</p>
                </div>
                <Show when=can_create>
                    <button
                        type="button"
                        class="btn btn-primary"
                        aria-keyshortcuts="n"
                        title="New customer (N)"
                        on:click=move |_| creating.set(true)
                    >
                        "New customer"
                    </button>
                </Show>
            </header>
            <CustomerFiltersBar filters=filters users=users />
            <BulkActions selection=selection users=users on_done=move |_| list.reload() />
            <PagedStates list=list empty_title=Signal::derive(move || empty_title(filters))>
                <CustomerTable list=list sort=filters.sort() selection=selection />
            </PagedStates>
            <Show when=move || creating.get()>
                <NewCustomerDialog users=users on_close=move |_| creating.set(false) on_created=on_created />
            </Show>
        </section>
    }
}

fn summary(list: PagedList<Customer>) -> String {
    let n = list.rows.with(Vec::len);
    let more = list.next_cursor.with(Option::is_some);
    match (n, more) {
        (_, _) if !list.loaded.get() => String::new(),
        (1, false) => "1 customer".to_owned(),
        (n, false) => format!("{n} customers"),
        (n, true) => format!("Showing the first {n} customers"),
    }
}

fn empty_title(filters: CustomerFilters) -> String {
    if filters.is_filtered() {
        "No customers match these filters.".to_owned()
    } else {
        "No customers yet.".to_owned()
    }
}
