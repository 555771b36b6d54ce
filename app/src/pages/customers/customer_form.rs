//! The customer form (create in a dialog, edit on the detail page) and the "New customer" dialog.

use crate::api::customers::create_customer;
use crate::components::form::{FormAlert, FormButtons, optional};
use crate::components::user_choices::UserChoices;
use crate::components::{FormState, Modal, SelectField, TextField};
use crate::pages::customers::customer_filters::status_options;
use domain::customer::{Customer, CustomerInput, CustomerPatch, CustomerStatus};
use domain::{Patch, UserId};
use leptos::prelude::*;
use leptos::task::spawn_local;

/// The fields the form shows; server errors for other fields go to the form message.
pub const CUSTOMER_FIELDS: [&str; 8] = [
    "name", "email", "phone", "website", "industry", "status", "owner_id", "tags",
];

#[derive(Clone, Copy)]
pub struct CustomerFields {
    name: RwSignal<String>,
    email: RwSignal<String>,
    phone: RwSignal<String>,
    website: RwSignal<String>,
    industry: RwSignal<String>,
    status: RwSignal<String>,
    owner_id: RwSignal<String>,
    /// Comma-separated.
    tags: RwSignal<String>,
}

impl Default for CustomerFields {
    fn default() -> Self {
        Self::new()
    }
}

impl CustomerFields {
    pub fn new() -> Self {
        Self::from_input(&CustomerInput::default())
    }

    pub fn from_input(c: &CustomerInput) -> Self {
        Self {
            name: RwSignal::new(c.name.clone()),
            email: RwSignal::new(c.email.clone().unwrap_or_default()),
            phone: RwSignal::new(c.phone.clone().unwrap_or_default()),
            website: RwSignal::new(c.website.clone().unwrap_or_default()),
            industry: RwSignal::new(c.industry.clone().unwrap_or_default()),
            status: RwSignal::new(c.status.as_str().to_owned()),
            owner_id: RwSignal::new(c.owner_id.map(|id| id.to_string()).unwrap_or_default()),
            tags: RwSignal::new(c.tags.join(", ")),
        }
    }

    /// Puts a (re)loaded record back into the form.
    pub fn reset(&self, c: &Customer) {
        let fresh = Self::from_input(&CustomerInput::from(c));
        for (mine, theirs) in self.all().into_iter().zip(fresh.all()) {
            mine.set(theirs.get_untracked());
        }
    }

    fn all(&self) -> [RwSignal<String>; 8] {
        [
            self.name,
            self.email,
            self.phone,
            self.website,
            self.industry,
            self.status,
            self.owner_id,
            self.tags,
        ]
    }

    /// What is typed, as the domain's input (not yet cleaned).
    pub fn input(&self) -> CustomerInput {
        CustomerInput {
            name: self.name.get_untracked(),
            email: optional(self.email.get_untracked()),
            phone: optional(self.phone.get_untracked()),
            website: optional(self.website.get_untracked()),
            industry: optional(self.industry.get_untracked()),
            status: CustomerStatus::parse(&self.status.get_untracked()).unwrap_or_default(),
            owner_id: self.owner_id.get_untracked().parse::<UserId>().ok(),
            tags: self
                .tags
                .get_untracked()
                .split(',')
                .map(|t| t.trim().to_owned())
                .filter(|t| !t.is_empty())
                .collect(),
        }
    }
}

/// Only the fields that differ from the record as loaded (`None` clears).
pub fn patch_between(before: &CustomerInput, after: CustomerInput) -> CustomerPatch {
    CustomerPatch {
        name: Patch::changed(&before.name, after.name),
        email: Patch::changed_opt(&before.email, after.email),
        phone: Patch::changed_opt(&before.phone, after.phone),
        website: Patch::changed_opt(&before.website, after.website),
        industry: Patch::changed_opt(&before.industry, after.industry),
        status: Patch::changed(&before.status, after.status),
        owner_id: Patch::changed_opt(&before.owner_id, after.owner_id),
        tags: Patch::changed(&before.tags, after.tags),
    }
}

#[component]
pub fn CustomerFormFields(
    fields: CustomerFields,
    form: FormState,
    users: UserChoices,
) -> impl IntoView {
    view! {
        <div class="form-grid">
            <TextField label="Name" value=fields.name required=true error=form.error("name") class="span-2" />
            <TextField label="Email" value=fields.email input_type="email" error=form.error("email") />
            <TextField label="Phone" value=fields.phone input_type="tel" error=form.error("phone") />
            <TextField
                label="Website"
                value=fields.website
                input_type="url"
                placeholder="example.com"
                error=form.error("website")
            />
            <TextField label="Industry" value=fields.industry error=form.error("industry") />
            <SelectField
                label="Status"
                value=fields.status
                options=Signal::derive(|| status_options("Prospect").into_iter().skip(1).collect())
                error=form.error("status")
            />
            <SelectField label="Owner" value=fields.owner_id options=users.options("No owner") error=form.error("owner_id") />
            <TextField
                label="Tags"
                value=fields.tags
                hint="Separate tags with commas."
                error=form.error("tags")
                class="span-2"
            />
        </div>
    }
}

#[component]
pub fn NewCustomerDialog(
    users: UserChoices,
    #[prop(into)] on_close: Callback<()>,
    #[prop(into)] on_created: Callback<Customer>,
) -> impl IntoView {
    let fields = CustomerFields::new();
    let form = FormState::new();
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if form.busy.get_untracked() {
            return;
        }
        form.clear();
        let input = match fields.input().clean() {
            Ok(input) => input,
            Err(problem) => return form.show_invalid(problem),
        };
        form.busy.set(true);
        spawn_local(async move {
            let result = create_customer(input).await;
            form.busy.try_set(false);
            match result {
                Ok(customer) => on_created.run(customer),
                Err(e) => form.show_error(&e, &CUSTOMER_FIELDS),
            }
        });
    };
    view! {
        <Modal title="New customer" on_close=on_close wide=true>
            <form novalidate on:submit=on_submit>
                <FormAlert form=form />
                <CustomerFormFields fields=fields form=form users=users />
                <FormButtons form=form submit_label="Create" on_cancel=on_close />
            </form>
        </Modal>
    }
}
