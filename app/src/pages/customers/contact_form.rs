//! The contact dialog: "New contact" (create for a customer, or with a customer picker) and "Edit contact".

use crate::api::customers::{create_contact, list_customers, update_contact};
use crate::components::form::{FormAlert, FormButtons, optional};
use crate::components::timing::debounced;
use crate::components::{FormState, Modal, SelectField, TextField};
use domain::contact::{Contact, ContactInput, ContactPatch};
use domain::customer::CustomerQuery;
use domain::{CustomerId, Patch};
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::time::Duration;

const CONTACT_FIELDS: [&str; 6] = [
    "customer_id",
    "first_name",
    "last_name",
    "email",
    "phone",
    "title",
];

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

    fn input(&self, customer_id: Option<CustomerId>) -> ContactInput {
        ContactInput {
            customer_id,
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

/// Create when `contact` is `None`, otherwise edit it. Without `customer_id` (creating from the contacts
/// page) the dialog asks for the customer first.
#[component]
pub fn ContactDialog(
    #[prop(optional)] customer_id: Option<CustomerId>,
    contact: Option<Contact>,
    #[prop(into)] on_close: Callback<()>,
    #[prop(into)] on_saved: Callback<Contact>,
) -> impl IntoView {
    let form = FormState::new();
    let fields = ContactFields::new(contact.as_ref());
    let existing = contact.as_ref().map(|c| (c.id, c.version));
    let pick_customer = customer_id.is_none() && existing.is_none();
    let chosen = RwSignal::new(String::new());
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if form.busy.get_untracked() {
            return;
        }
        form.clear();
        let customer_id =
            customer_id.or_else(|| chosen.with_untracked(|id| id.parse::<CustomerId>().ok()));
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
                {pick_customer.then(|| view! { <CustomerPicker value=chosen error=form.error("customer_id") /> })}
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

/// Choosing a customer: a search box narrowing a `<select>` of up to 20 customers (by name).
#[component]
pub fn CustomerPicker(
    value: RwSignal<String>,
    #[prop(into)] error: Signal<Option<String>>,
) -> impl IntoView {
    let search = RwSignal::new(String::new());
    let settled = debounced(search, Duration::from_millis(250));
    let found = RwSignal::new(Vec::<(String, String)>::new());
    let loading = RwSignal::new(false);
    // Answers overtaken by a newer search are dropped.
    let generation = StoredValue::new(0u64);
    Effect::new(move |_| {
        let q = optional(settled.get());
        let this = generation.get_value() + 1;
        generation.set_value(this);
        loading.set(true);
        spawn_local(async move {
            let result = list_customers(CustomerQuery {
                q,
                sort: Some("name".into()),
                limit: Some("20".into()),
                ..Default::default()
            })
            .await;
            if generation.try_get_value() != Some(this) {
                return;
            }
            loading.try_set(false);
            match result {
                Ok(page) => {
                    let mut options: Vec<(String, String)> = page
                        .data
                        .into_iter()
                        .map(|c| (c.id.to_string(), c.name))
                        .collect();
                    // The chosen customer stays choosable while the search shows others.
                    let current = value.get_untracked();
                    if !current.is_empty() && !options.iter().any(|(id, _)| *id == current) {
                        let kept = found
                            .with_untracked(|f| f.iter().find(|(id, _)| *id == current).cloned());
                        match kept {
                            Some(kept) => options.insert(0, kept),
                            None => value.set(String::new()),
                        }
                    }
                    found.set(options);
                }
                Err(_) => found.set(Vec::new()),
            }
        });
    });
    let options = Signal::derive(move || {
        let first = if loading.get() && found.with(Vec::is_empty) {
            "Loading customers…"
        } else if found.with(Vec::is_empty) {
            "No customers found"
        } else {
            "Choose a customer"
        };
        let mut out = vec![(String::new(), first.to_owned())];
        out.extend(found.get());
        out
    });
    view! {
        <div class="form-grid customer-picker">
            <TextField
                label="Find by name"
                value=search
                input_type="search"
                placeholder="Type to narrow the list"
            />
            <SelectField label="Customer" value=value options=options required=true error=error />
        </div>
    }
}
