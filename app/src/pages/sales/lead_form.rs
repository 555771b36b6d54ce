//! The lead form (create in a dialog, edit on the detail page).

use crate::api::leads::{create_lead, update_lead};
use crate::components::form::{FormAlert, FormButtons, optional};
use crate::components::user_choices::UserChoices;
use crate::components::{FormState, Modal, SelectField, TextField};
use crate::pages::sales::lead_filters::{source_options, status_options};
use domain::lead::{Lead, LeadInput, LeadPatch, LeadSource, LeadStatus};
use domain::{Patch, Problem, UserId};
use leptos::prelude::*;
use leptos::task::spawn_local;

/// The fields the form shows; server errors for other fields go to the form message.
pub const LEAD_FIELDS: [&str; 11] = [
    "name",
    "company",
    "email",
    "phone",
    "source",
    "status",
    "owner_id",
    "estimated_value",
    "currency",
    "notes",
    "disqualified_reason",
];

pub const STALE_MESSAGE: &str =
    "This lead was changed by someone else since you opened it. Reload to see the changes.";

#[derive(Clone, Copy)]
pub struct LeadFields {
    text: [RwSignal<String>; 11],
}

impl LeadFields {
    pub fn from_input(l: &LeadInput) -> Self {
        let values = [
            l.name.clone(),
            l.company.clone().unwrap_or_default(),
            l.email.clone().unwrap_or_default(),
            l.phone.clone().unwrap_or_default(),
            l.source.as_str().to_owned(),
            l.status.as_str().to_owned(),
            l.owner_id.map(|id| id.to_string()).unwrap_or_default(),
            l.estimated_value.map(|v| v.to_string()).unwrap_or_default(),
            l.currency.clone(),
            l.notes.clone(),
            l.disqualified_reason.clone().unwrap_or_default(),
        ];
        Self {
            text: values.map(RwSignal::new),
        }
    }

    /// The signal of one of [`LEAD_FIELDS`].
    pub fn get(&self, field: &str) -> RwSignal<String> {
        let i = LEAD_FIELDS.iter().position(|f| *f == field).unwrap_or(0);
        self.text[i]
    }

    fn value(&self, field: &str) -> String {
        self.get(field).get_untracked()
    }

    /// What is typed, cleaned and validated like the server does (every bad field at once).
    pub fn input(&self) -> Result<LeadInput, Problem> {
        let value_text = self.value("estimated_value");
        let estimated_value = match optional(value_text) {
            None => None,
            Some(t) => Some(t.replace(',', "").parse().map_err(|_| {
                Problem::invalid_field("estimated_value", "must be an amount like 1200.00")
            })?),
        };
        LeadInput {
            name: self.value("name"),
            company: optional(self.value("company")),
            email: optional(self.value("email")),
            phone: optional(self.value("phone")),
            source: LeadSource::parse(&self.value("source")).unwrap_or_default(),
            status: LeadStatus::parse(&self.value("status")).unwrap_or_default(),
            owner_id: self.value("owner_id").parse::<UserId>().ok(),
            estimated_value,
            currency: self.value("currency"),
            notes: self.value("notes"),
            disqualified_reason: optional(self.value("disqualified_reason")),
        }
        .clean()
    }
}

/// Only the fields that differ from the record as loaded (`None` clears).
pub fn patch_between(before: &LeadInput, after: LeadInput) -> LeadPatch {
    LeadPatch {
        name: Patch::changed(&before.name, after.name),
        company: Patch::changed_opt(&before.company, after.company),
        email: Patch::changed_opt(&before.email, after.email),
        phone: Patch::changed_opt(&before.phone, after.phone),
        source: Patch::changed(&before.source, after.source),
        status: Patch::changed(&before.status, after.status),
        owner_id: Patch::changed_opt(&before.owner_id, after.owner_id),
        estimated_value: Patch::changed_opt(&before.estimated_value, after.estimated_value),
        currency: Patch::changed(&before.currency, after.currency),
        notes: Patch::changed(&before.notes, after.notes),
        disqualified_reason: Patch::changed_opt(
            &before.disqualified_reason,
            after.disqualified_reason,
        ),
    }
}

#[component]
pub fn LeadFormFields(
    fields: LeadFields,
    form: FormState,
    users: UserChoices,
    /// What an empty owner means: "Me" on create (the server assigns the caller), "No owner" on edit.
    owner_none: &'static str,
) -> impl IntoView {
    let status = fields.get("status");
    let disqualifying = move || status.get() == LeadStatus::Disqualified.as_str();
    view! {
        <div class="form-grid">
            <TextField label="Name" value=fields.get("name") required=true error=form.error("name") />
            <TextField label="Company" value=fields.get("company") error=form.error("company") />
            <TextField label="Email" value=fields.get("email") input_type="email" error=form.error("email") />
            <TextField label="Phone" value=fields.get("phone") input_type="tel" error=form.error("phone") />
            <SelectField
                label="Source"
                value=fields.get("source")
                options=Signal::derive(|| source_options("Other").into_iter().skip(1).collect())
                error=form.error("source")
            />
            <SelectField
                label="Status"
                value=status
                options=Signal::derive(|| status_options("New", &LeadStatus::SETTABLE).into_iter().skip(1).collect())
                error=form.error("status")
            />
            <Show when=disqualifying>
                <TextField
                    label="Why disqualified"
                    value=fields.get("disqualified_reason")
                    required=true
                    error=form.error("disqualified_reason")
                    class="span-2"
                />
            </Show>
            <SelectField label="Owner" value=fields.get("owner_id") options=users.options(owner_none) error=form.error("owner_id") />
            <TextField
                label="Estimated value"
                value=fields.get("estimated_value")
                placeholder="1200.00"
                error=form.error("estimated_value")
            />
            <TextField label="Currency" value=fields.get("currency") placeholder="USD" error=form.error("currency") />
            <TextField label="Notes" value=fields.get("notes") error=form.error("notes") class="span-2" />
        </div>
    }
}

#[component]
pub fn NewLeadDialog(
    users: UserChoices,
    #[prop(into)] on_close: Callback<()>,
    #[prop(into)] on_created: Callback<Lead>,
) -> impl IntoView {
    let fields = LeadFields::from_input(&LeadInput {
        currency: domain::money::DEFAULT_CURRENCY.to_owned(),
        ..Default::default()
    });
    let form = FormState::new();
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if form.busy.get_untracked() {
            return;
        }
        form.clear();
        let input = match fields.input() {
            Ok(input) => input,
            Err(problem) => return form.show_invalid(problem),
        };
        form.busy.set(true);
        spawn_local(async move {
            let result = create_lead(input).await;
            form.busy.try_set(false);
            match result {
                Ok(lead) => on_created.run(lead),
                Err(e) => form.show_error(&e, &LEAD_FIELDS),
            }
        });
    };
    view! {
        <Modal title="New lead" on_close=on_close wide=true>
            <form novalidate on:submit=on_submit>
                <FormAlert form=form />
                <LeadFormFields fields=fields form=form users=users owner_none="Me" />
                <FormButtons form=form submit_label="Create" on_cancel=on_close />
            </form>
        </Modal>
    }
}

#[component]
pub fn EditLeadForm(
    lead: Lead,
    users: UserChoices,
    #[prop(into)] on_saved: Callback<Lead>,
    #[prop(into)] on_cancel: Callback<()>,
    /// Loads the record again (after a 412).
    #[prop(into)]
    on_reload: Callback<()>,
) -> impl IntoView {
    let form = FormState::new();
    let before = LeadInput::from(&lead);
    let fields = LeadFields::from_input(&before);
    let (id, version) = (lead.id, lead.version);
    let unchanged = StoredValue::new(lead);
    let before = StoredValue::new(before);

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if form.busy.get_untracked() {
            return;
        }
        form.clear();
        let input = match fields.input() {
            Ok(input) => input,
            Err(problem) => return form.show_invalid(problem),
        };
        let patch = before.with_value(|b| patch_between(b, input));
        if patch == LeadPatch::default() {
            on_saved.run(unchanged.get_value());
            return;
        }
        form.busy.set(true);
        spawn_local(async move {
            let result = update_lead(id, version, patch).await;
            form.busy.try_set(false);
            match result {
                Ok(l) => on_saved.run(l),
                Err(e) if e.problem().status == 412 => {
                    form.status.set(Some(412));
                }
                Err(e) => form.show_error(&e, &LEAD_FIELDS),
            }
        });
    };

    view! {
        <section class="card" aria-labelledby="edit-title">
            <h2 id="edit-title" class="card-title">"Edit lead"</h2>
            <form novalidate on:submit=on_submit>
                <Show when=move || form.status.get() == Some(412)>
                    <div class="form-alert form-alert-warning" role="alert">
                        <p>{STALE_MESSAGE}</p>
                        <button type="button" class="btn btn-secondary" on:click=move |_| on_reload.run(())>
                            "Reload"
                        </button>
                    </div>
                </Show>
                <FormAlert form=form />
                <LeadFormFields fields=fields form=form users=users owner_none="No owner" />
                <div class="form-buttons">
                    <button type="button" class="btn btn-secondary" on:click=move |_| on_cancel.run(())>
                        "Cancel"
                    </button>
                    <button
                        type="submit"
                        class="btn btn-primary"
                        disabled=move || form.busy.get()
                        aria-busy=move || form.busy.get().then_some("true")
                    >
                        "Save"
                    </button>
                </div>
            </form>
        </section>
    }
}
