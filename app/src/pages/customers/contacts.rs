//! `/contacts`: every contact the user may see, searchable, with a link to its customer.

use crate::api::customers::list_contacts;
use crate::components::list_filters::{FilterKey, ListFilters};
use crate::components::paged::PagedStates;
use crate::components::states::Allowed;
use crate::components::{PagedList, TextField, use_toasts};
use crate::pages::customers::contact_form::ContactDialog;
use crate::pages::customers::customer_detail::or_dash;
use crate::root::use_session;
use domain::contact::{Contact, ContactQuery};
use domain::{Action, Resource};
use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn ContactsPage() -> impl IntoView {
    view! {
        <Allowed resource=Resource::Contacts action=Action::Read>
            <ContactList />
        </Allowed>
    }
}

const CONTACT_FILTERS: &[FilterKey] = &[FilterKey::search()];

#[component]
fn ContactList() -> impl IntoView {
    let session = use_session();
    let toasts = use_toasts();
    let creating = RwSignal::new(false);
    let can_create = move || session.can(Resource::Contacts, Action::Create);
    let filters = ListFilters::<ContactQuery>::new(CONTACT_FILTERS);
    let list = PagedList::new(move |cursor| list_contacts(filters.query(cursor, 50)));
    Effect::new(move |_| {
        filters.query(None, 50);
        list.reload();
    });
    // The new contact goes on top of the list, whatever the search and paging.
    let on_created = move |c: Contact| {
        creating.set(false);
        toasts.success("Contact added.");
        if list.loading.get_untracked() || !list.loaded.get_untracked() {
            // A page is on its way; it would overwrite the row, so ask again.
            list.reload();
        } else {
            list.rows.update(|rows| {
                rows.retain(|r| r.id != c.id);
                rows.insert(0, c);
            });
        }
    };
    let empty = Signal::derive(move || {
        if !filters.is_filtered() {
            "No contacts yet.".to_owned()
        } else {
            "No contacts match this search.".to_owned()
        }
    });

    view! {
        <section class="page">
            <header class="page-header">
                <h1>"Contacts"</h1>
                <Show when=can_create>
                    <button type="button" class="btn btn-primary" on:click=move |_| creating.set(true)>
                        "New contact"
                    </button>
                </Show>
            </header>
            <div class="filters" role="search">
                <div class="filters-main">
                    <TextField
                        label="Search"
                        value=filters.search()
                        input_type="search"
                        placeholder="Name or email"
                        class="field-search"
                    />
                </div>
            </div>
            <PagedStates list=list empty_title=empty>
                <div class="table-wrap">
                    <table class="data-table responsive-table">
                        <caption class="sr-only">"Contacts"</caption>
                        <thead>
                            <tr>
                                <th scope="col">"Name"</th>
                                <th scope="col">"Customer"</th>
                                <th scope="col">"Job title"</th>
                                <th scope="col">"Email"</th>
                                <th scope="col">"Phone"</th>
                            </tr>
                        </thead>
                        <tbody>
                            <For each=move || list.rows.get() key=|c| (c.id, c.version) let:contact>
                                <ContactRow contact=contact />
                            </For>
                        </tbody>
                    </table>
                </div>
            </PagedStates>
            <Show when=move || creating.get()>
                <ContactDialog contact=None on_close=move |_| creating.set(false) on_saved=on_created />
            </Show>
        </section>
    }
}

#[component]
fn ContactRow(contact: Contact) -> impl IntoView {
    let customer = contact
        .customer_name
        .clone()
        .unwrap_or_else(|| "Customer".to_owned());
    view! {
        <tr>
            <td data-label="Name" class="col-primary">{contact.full_name()}</td>
            <td data-label="Customer">
                <A href=format!("/customers/{}", contact.customer_id)>{customer}</A>
            </td>
            <td data-label="Job title">{contact.title.clone().unwrap_or_else(|| "—".into())}</td>
            <td data-label="Email">
                {or_dash(contact.email.clone().map(|e| view! { <a href=format!("mailto:{e}") rel="external">{e.clone()}</a> }))}
            </td>
            <td data-label="Phone">{contact.phone.clone().unwrap_or_else(|| "—".into())}</td>
        </tr>
    }
}
