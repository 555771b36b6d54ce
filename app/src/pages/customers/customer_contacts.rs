//! The contacts section of a customer's page: list, add, edit, delete.

use crate::api::customers::{delete_contact, list_contacts};
use crate::components::paged::PagedStates;
use crate::components::{ConfirmDialog, PagedList, use_toasts};
use crate::pages::customers::contact_form::ContactDialog;
use crate::pages::customers::customer_detail::or_dash;
use crate::root::use_session;
use domain::contact::{Contact, ContactQuery};
use domain::{Action, CustomerId, Resource};
use leptos::prelude::*;
use leptos::task::spawn_local;

/// Which dialog is open.
#[derive(Clone)]
enum Dialog {
    None,
    New,
    Edit(Contact),
    Delete(Contact),
}

#[component]
pub fn CustomerContacts(
    customer_id: CustomerId,
    #[prop(into)] on_change: Callback<()>,
) -> impl IntoView {
    let session = use_session();
    let toasts = use_toasts();
    let list = PagedList::new(move |cursor| {
        list_contacts(ContactQuery {
            customer_id: Some(customer_id.to_string()),
            limit: Some("50".into()),
            cursor,
            ..Default::default()
        })
    });
    list.reload();
    let dialog = RwSignal::new(Dialog::None);
    let busy = RwSignal::new(false);
    let close = Callback::new(move |()| dialog.set(Dialog::None));
    let on_saved = Callback::new(move |c: Contact| {
        let created = matches!(dialog.get_untracked(), Dialog::New);
        dialog.set(Dialog::None);
        toasts.success(if created {
            "Contact added."
        } else {
            "Contact saved."
        });
        let _ = c;
        list.reload();
        on_change.run(());
    });
    let delete = move |c: Contact| {
        busy.set(true);
        spawn_local(async move {
            let result = delete_contact(c.id).await;
            busy.try_set(false);
            dialog.try_set(Dialog::None);
            match result {
                Ok(()) => {
                    toasts.success("Contact deleted.");
                    list.rows.try_update(|rows| rows.retain(|r| r.id != c.id));
                    on_change.run(());
                }
                Err(e) => toasts.error(crate::components::form::problem_message(e.problem(), &[])),
            }
        });
    };

    view! {
        <section class="card" aria-labelledby="contacts-title">
            <header class="card-header">
                <h2 id="contacts-title" class="card-title">"Contacts"</h2>
                <Show when=move || session.can(Resource::Contacts, Action::Create)>
                    <button type="button" class="btn btn-secondary" on:click=move |_| dialog.set(Dialog::New)>
                        "Add contact"
                    </button>
                </Show>
            </header>
            <PagedStates list=list empty_title="No contacts yet.">
                <div class="table-wrap">
                    <table class="data-table responsive-table">
                        <thead>
                            <tr>
                                <th scope="col">"Name"</th>
                                <th scope="col">"Job title"</th>
                                <th scope="col">"Email"</th>
                                <th scope="col">"Phone"</th>
                                <th scope="col"><span class="sr-only">"Actions"</span></th>
                            </tr>
                        </thead>
                        <tbody>
                            <For each=move || list.rows.get() key=|c| (c.id, c.version) let:contact>
                                <ContactRow contact=contact dialog=dialog />
                            </For>
                        </tbody>
                    </table>
                </div>
            </PagedStates>
        </section>
        {move || match dialog.get() {
            Dialog::None => ().into_any(),
            Dialog::New => {
                view! { <ContactDialog customer_id=customer_id contact=None on_close=close on_saved=on_saved /> }
                    .into_any()
            }
            Dialog::Edit(c) => {
                view! { <ContactDialog customer_id=customer_id contact=Some(c) on_close=close on_saved=on_saved /> }
                    .into_any()
            }
            Dialog::Delete(c) => {
                let name = c.full_name();
                view! {
                    <ConfirmDialog
                        title="Delete contact"
                        message=format!("Delete the contact \u{201c}{name}\u{201d}? This cannot be undone.")
                        confirm_label="Delete"
                        busy=busy
                        on_confirm=move |_| delete(c.clone())
                        on_cancel=close
                    />
                }
                    .into_any()
            }
        }}
    }
}

#[component]
fn ContactRow(contact: Contact, dialog: RwSignal<Dialog>) -> impl IntoView {
    let session = use_session();
    let name = contact.full_name();
    let (for_edit, for_delete) = (contact.clone(), contact.clone());
    view! {
        <tr>
            <td data-label="Name" class="col-primary">{name.clone()}</td>
            <td data-label="Job title">{contact.title.clone().unwrap_or_else(|| "—".into())}</td>
            <td data-label="Email">
                {or_dash(contact.email.clone().map(|e| view! { <a href=format!("mailto:{e}") rel="external">{e.clone()}</a> }))}
            </td>
            <td data-label="Phone">{contact.phone.clone().unwrap_or_else(|| "—".into())}</td>
            <td class="col-actions">
                <Show when=move || session.can(Resource::Contacts, Action::Update)>
                    <button
                        type="button"
                        class="btn btn-ghost btn-small"
                        aria-label=format!("Edit {name}")
                        on:click={
                            let c = for_edit.clone();
                            move |_| dialog.set(Dialog::Edit(c.clone()))
                        }
                    >
                        "Edit"
                    </button>
                </Show>
                <Show when=move || session.can(Resource::Contacts, Action::Delete)>
                    <button
                        type="button"
                        class="btn btn-ghost btn-small btn-danger-text"
                        aria-label=format!("Delete {}", for_delete.full_name())
                        on:click={
                            let c = for_delete.clone();
                            move |_| dialog.set(Dialog::Delete(c.clone()))
                        }
                    >
                        "Delete"
                    </button>
                </Show>
            </td>
        </tr>
    }
}
