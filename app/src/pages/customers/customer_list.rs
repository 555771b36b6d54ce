//! `/customers`: search, filter, sort, page through, select and act on many, create.

use crate::api::customers::list_customers;
use crate::components::paged::PagedStates;
use crate::components::timing::is_plain_shortcut;
use crate::components::user_choices::UserChoices;
use crate::components::{Forbidden, PagedList, use_toasts};
use crate::pages::customers::customer_bulk::BulkActions;
use crate::pages::customers::customer_filters::{
    CustomerFilters, CustomerFiltersBar, query_string,
};
use crate::pages::customers::customer_form::NewCustomerDialog;
use crate::pages::customers::customer_table::CustomerTable;
use crate::root::use_session;
use domain::customer::Customer;
use domain::{Action, Resource};
use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::hooks::{use_location, use_navigate, use_query_map};
use std::collections::HashSet;

#[component]
pub fn CustomersPage() -> impl IntoView {
    let session = use_session();
    move || {
        if session.can(Resource::Customers, Action::Read) {
            view! { <CustomerList /> }.into_any()
        } else {
            view! { <Forbidden /> }.into_any()
        }
    }
}

#[component]
fn CustomerList() -> impl IntoView {
    let session = use_session();
    let toasts = use_toasts();
    let filters = CustomerFilters::new();
    let url_query = use_query_map();
    // The list starts from the URL (`?q=acme&status=active&sort=-name`) …
    filters.apply_url(&url_query.get_untracked());
    let users = UserChoices::load();
    let list = PagedList::new(move |cursor| list_customers(filters.query(cursor)));
    let selection = RwSignal::new(HashSet::new());
    let creating = RwSignal::new(false);
    let can_create = move || session.can(Resource::Customers, Action::Create);

    // Any filter or sort change starts again from the first page (and forgets the selection).
    Effect::new(move |_| {
        filters.query(None);
        selection.set(HashSet::new());
        list.reload();
    });

    // … follows it on back/forward (and links to this page) …
    let location = use_location();
    let here = location.pathname.get_untracked();
    let on_this_page = {
        let here = here.clone();
        move || location.pathname.with_untracked(|p| *p == here)
    };
    Effect::new({
        let on_this_page = on_this_page.clone();
        move |_| {
            url_query.track();
            // Leaving for another page changes the URL too; that must not clear the filters.
            if on_this_page() {
                url_query.with_untracked(|params| filters.apply_url(params));
            }
        }
    });
    // … and writes the settled filters back: replacing the entry while typing, a new entry otherwise.
    let navigate = use_navigate();
    Effect::new(move |_| {
        let wanted = filters.url_pairs();
        if !on_this_page() {
            return;
        }
        let current = url_query.with_untracked(CustomerFilters::pairs_of);
        if wanted == current {
            return;
        }
        navigate(
            &format!("{here}{}", query_string(&wanted)),
            NavigateOptions {
                replace: CustomerFilters::only_typed_differ(&wanted, &current),
                scroll: false,
                ..Default::default()
            },
        );
    });

    // "n" opens the create dialog.
    let keys = window_event_listener(leptos::ev::keydown, move |e| {
        if is_plain_shortcut(&e, "n") && can_create() {
            e.prevent_default();
            creating.set(true);
        }
    });
    on_cleanup(move || keys.remove());

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
                <CustomerTable list=list sort=filters.sort selection=selection />
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
    let q = filters.query(None);
    let filtered = q.q.is_some()
        || q.status.is_some()
        || q.owner_id.is_some()
        || q.industry.is_some()
        || q.tag.is_some()
        || q.created_from.is_some()
        || q.created_to.is_some();
    if filtered {
        "No customers match these filters.".to_owned()
    } else {
        "No customers yet.".to_owned()
    }
}
