//! The contact dialog: "New contact" (create for a customer) and "Edit contact".

use crate::api::customers::{create_contact, update_contact};
use crate::components::form::{FormAlert, FormButtons, optional};
use crate::components::{FormState, Modal, TextField};
use crate::root::use_session;
use domain::contact::{Contact, ContactInput, ContactPatch};
use domain::{CustomerId, Patch};
use leptos::prelude::*;
use leptos::task::spawn_local;

const CONTACT_FIELDS: [&str; 5] = ["first_name", "last_name", "email", "phone", "title"];

pub const STALE_CONTACT: &str = "This contact was changed by someone else since you opened it. Close this dialog and open it again to see the changes.";

#[derive(Clone, Copy)]
struct ContactFields {
    first_name: RwSignal<String>,
    last_name: RwSignal<String>,
    email: RwSignal<String>,
    phone: RwSignal<String>,
    title: RwSignal<String>,
}

impl ContactFields {
    fn new(c: Option<&Contact>) -> Self {
        let text =
            |f: fn(&Contact) -> Option<String>| RwSignal::new(c.and_then(f).unwrap_or_default());
        Self {
            first_name: text(|c| Some(c.first_name.clone())),
            last_name: text(|c| Some(c.last_name.clone())),
            email: text(|c| c.email.clone()),
            phone: text(|c| c.phone.clone()),
            title: text(|c| c.title.clone()),
        }
    }

    fn input(&self, customer_id: CustomerId) -> ContactInput {
        ContactInput {
            customer_id: Some(customer_id),
            first_name: self.first_name.get_untracked(),
            last_name: self.last_name.get_untracked(),
            email: optional(self.email.get_untracked()),
            phone: optional(self.phone.get_untracked()),
            title: optional(self.title.get_untracked()),
        }
    }
}

/// Every editable field of `input` as a patch (`None` clears).
fn full_patch(input: ContactInput) -> ContactPatch {
    let opt = |v: Option<String>| v.map_or(Patch::Null, Patch::Value);
    ContactPatch {
        customer_id: Patch::Missing,
        first_name: Patch::Value(input.first_name),
        last_name: Patch::Value(input.last_name),
        email: opt(input.email),
        phone: opt(input.phone),
        title: opt(input.title),
    }
}

/// Create when `contact` is `None`, otherwise edit it.
#[component]
pub fn ContactDialog(
    customer_id: CustomerId,
    contact: Option<Contact>,
    #[prop(into)] on_close: Callback<()>,
    #[prop(into)] on_saved: Callback<Contact>,
) -> impl IntoView {
    let session = use_session();
    let form = FormState::new();
    let fields = ContactFields::new(contact.as_ref());
    let existing = contact.as_ref().map(|c| (c.id, c.version));
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if form.busy.get_untracked() {
            return;
        }
        form.clear();
        let input = match fields.input(customer_id).clean() {
            Ok(input) => input,
            Err(problem) => return form.show_invalid(problem),
        };
        form.busy.set(true);
        spawn_local(async move {
            let result = match existing {
                None => create_contact(input).await,
                Some((id, version)) => update_contact(id, version, full_patch(input)).await,
            };
            form.busy.try_set(false);
            match result {
                Ok(c) => on_saved.run(c),
                Err(e) => {
                    session.check(&e);
                    form.show_error(&e, &CONTACT_FIELDS);
                    if e.problem().status == 412 {
                        form.alert.set(Some(STALE_CONTACT.to_owned()));
                    }
                }
            }
        });
    };
    let (title, submit) = if existing.is_some() {
        ("Edit contact", "Save")
    } else {
        ("New contact", "Create")
    };
    view! {
        <Modal title=title on_close=on_close>
            <form novalidate on:submit=on_submit>
                <FormAlert form=form />
                <div class="form-grid">
                    <TextField label="First name" value=fields.first_name required=true error=form.error("first_name") />
                    <TextField label="Last name" value=fields.last_name error=form.error("last_name") />
                    <TextField label="Email" value=fields.email input_type="email" error=form.error("email") />
                    <TextField label="Phone" value=fields.phone input_type="tel" error=form.error("phone") />
                    <TextField label="Job title" value=fields.title error=form.error("title") class="span-2" />
                </div>
                <FormButtons form=form submit_label=submit on_cancel=on_close />
            </form>
        </Modal>
    }
}
