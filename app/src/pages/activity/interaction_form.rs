//! The interaction dialog: "Log interaction" for a customer and "Edit interaction".

use crate::api::customers::list_contacts;
use crate::api::interactions::{create_interaction, update_interaction};
use crate::components::form::{FormAlert, FormButtons, optional};
use crate::components::timing::unique_id;
use crate::components::{FormState, Modal, SelectField, TextField};
use chrono::{DateTime, Local, NaiveDateTime, TimeZone, Utc};
use domain::contact::ContactQuery;
use domain::interaction::{Interaction, InteractionInput, InteractionKind, InteractionPatch};
use domain::{ContactId, CustomerId, FieldError, Patch, Problem};
use leptos::prelude::*;
use leptos::task::spawn_local;

const FIELDS: [&str; 8] = [
    "customer_id",
    "contact_id",
    "kind",
    "subject",
    "body",
    "occurred_at",
    "duration_minutes",
    "participants",
];

pub const STALE_INTERACTION: &str = "This interaction was changed by someone else since you opened it. Close this dialog and open it again to see the changes.";

/// The value of a `datetime-local` input for `t`, in the browser's time zone.
pub fn local_input(t: DateTime<Utc>) -> String {
    t.with_timezone(&Local).format("%Y-%m-%dT%H:%M").to_string()
}

/// A `datetime-local` value (browser time zone) as UTC.
pub fn parse_local(s: &str) -> Option<DateTime<Utc>> {
    let naive = NaiveDateTime::parse_from_str(s.trim(), "%Y-%m-%dT%H:%M").ok()?;
    Local
        .from_local_datetime(&naive)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
}

#[derive(Clone, Copy)]
struct Fields {
    kind: RwSignal<String>,
    subject: RwSignal<String>,
    body: RwSignal<String>,
    occurred_at: RwSignal<String>,
    duration: RwSignal<String>,
    contact: RwSignal<String>,
    /// The exact time "When" starts from (the record's, or when the dialog opened): kept to the second
    /// while the minute-precision input is left alone, so that logging "now" or saving an edit does not
    /// move the interaction back in the timeline.
    initial: DateTime<Utc>,
}

impl Fields {
    fn new(i: Option<&Interaction>) -> Self {
        let initial = i.map_or_else(Utc::now, |i| i.occurred_at);
        Self {
            kind: RwSignal::new(
                i.map_or(InteractionKind::Call, |i| i.kind)
                    .as_str()
                    .to_owned(),
            ),
            subject: RwSignal::new(i.map(|i| i.subject.clone()).unwrap_or_default()),
            body: RwSignal::new(i.map(|i| i.body.clone()).unwrap_or_default()),
            occurred_at: RwSignal::new(local_input(initial)),
            duration: RwSignal::new(
                i.and_then(|i| i.duration_minutes)
                    .map(|d| d.to_string())
                    .unwrap_or_default(),
            ),
            contact: RwSignal::new(
                i.and_then(|i| i.contact_id)
                    .map(|c| c.to_string())
                    .unwrap_or_default(),
            ),
            initial,
        }
    }

    /// The input, or the fields the browser can already tell are wrong.
    fn input(
        &self,
        customer_id: CustomerId,
        existing: Option<&Interaction>,
    ) -> Result<InteractionInput, Problem> {
        let mut errors = Vec::new();
        let occurred_at = match optional(self.occurred_at.get_untracked()) {
            None => None,
            Some(s) if s == local_input(self.initial) => Some(self.initial),
            Some(s) => parse_local(&s).or_else(|| {
                errors.push(FieldError::new("occurred_at", "must be a date and time"));
                None
            }),
        };
        let duration_minutes = match optional(self.duration.get_untracked()) {
            None => None,
            Some(s) => s.parse::<i32>().ok().or_else(|| {
                errors.push(FieldError::new(
                    "duration_minutes",
                    "must be a whole number",
                ));
                None
            }),
        };
        let input = InteractionInput {
            customer_id: Some(customer_id),
            contact_id: self
                .contact
                .with_untracked(|c| c.parse::<uuid::Uuid>().ok().map(ContactId)),
            opportunity_id: existing.and_then(|i| i.opportunity_id),
            ticket_id: existing.and_then(|i| i.ticket_id),
            kind: InteractionKind::parse(&self.kind.get_untracked()).ok(),
            subject: self.subject.get_untracked(),
            body: self.body.get_untracked(),
            occurred_at,
            duration_minutes,
            participants: existing.map(|i| i.participants.clone()).unwrap_or_default(),
        };
        match input.clean() {
            Ok(input) if errors.is_empty() => Ok(input),
            Ok(_) => Err(Problem::invalid(errors)),
            Err(mut p) => {
                errors.append(&mut p.errors);
                Err(Problem::invalid(errors))
            }
        }
    }
}

/// Every editable field of `input` as a patch (`None` clears).
fn full_patch(input: InteractionInput) -> InteractionPatch {
    fn opt<T>(v: Option<T>) -> Patch<T> {
        v.map_or(Patch::Null, Patch::Value)
    }
    InteractionPatch {
        customer_id: Patch::Missing,
        contact_id: opt(input.contact_id),
        opportunity_id: opt(input.opportunity_id),
        ticket_id: opt(input.ticket_id),
        kind: opt(input.kind),
        subject: Patch::Value(input.subject),
        body: Patch::Value(input.body),
        occurred_at: opt(input.occurred_at),
        duration_minutes: opt(input.duration_minutes),
        participants: Patch::Value(input.participants),
    }
}

/// Create for `customer_id` when `interaction` is `None`, otherwise edit it.
#[component]
pub fn InteractionDialog(
    customer_id: CustomerId,
    interaction: Option<Interaction>,
    #[prop(into)] on_close: Callback<()>,
    #[prop(into)] on_saved: Callback<Interaction>,
) -> impl IntoView {
    let form = FormState::new();
    let fields = Fields::new(interaction.as_ref());
    let existing = StoredValue::new(interaction);
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if form.busy.get_untracked() {
            return;
        }
        form.clear();
        let current = existing.get_value();
        let input = match fields.input(customer_id, current.as_ref()) {
            Ok(input) => input,
            Err(problem) => return form.show_invalid(problem),
        };
        form.busy.set(true);
        spawn_local(async move {
            let result = match current {
                None => create_interaction(input).await,
                Some(i) => update_interaction(i.id, i.version, full_patch(input)).await,
            };
            form.busy.try_set(false);
            match result {
                Ok(i) => on_saved.run(i),
                Err(e) => {
                    form.show_error(&e, &FIELDS);
                    if e.problem().status == 412 {
                        form.alert.set(Some(STALE_INTERACTION.to_owned()));
                    }
                }
            }
        });
    };
    let kinds = Signal::derive(|| {
        InteractionKind::ALL
            .iter()
            .map(|k| (k.as_str().to_owned(), kind_label(*k).to_owned()))
            .collect::<Vec<_>>()
    });
    let (title, submit) = if existing.with_value(Option::is_some) {
        ("Edit interaction", "Save")
    } else {
        ("Log interaction", "Log")
    };
    view! {
        <Modal title=title on_close=on_close wide=true>
            <form novalidate on:submit=on_submit>
                <FormAlert form=form />
                <div class="form-grid">
                    <SelectField label="Kind" value=fields.kind options=kinds required=true error=form.error("kind") />
                    <TextField
                        label="When"
                        value=fields.occurred_at
                        input_type="datetime-local"
                        error=form.error("occurred_at")
                    />
                    <TextField
                        label="Subject"
                        value=fields.subject
                        required=true
                        error=form.error("subject")
                        class="span-2"
                    />
                    <TextArea label="Notes" value=fields.body error=form.error("body") />
                    <TextField
                        label="Duration (minutes)"
                        value=fields.duration
                        input_type="number"
                        error=form.error("duration_minutes")
                    />
                    <ContactSelect customer_id=customer_id value=fields.contact error=form.error("contact_id") />
                </div>
                <FormButtons form=form submit_label=submit on_cancel=on_close />
            </form>
        </Modal>
    }
}

pub fn kind_label(k: InteractionKind) -> &'static str {
    match k {
        InteractionKind::Call => "Call",
        InteractionKind::Email => "E-mail",
        InteractionKind::Meeting => "Meeting",
        InteractionKind::Note => "Note",
    }
}

/// A multi-line text field with its inline error.
#[component]
fn TextArea(
    #[prop(into)] label: String,
    value: RwSignal<String>,
    #[prop(into)] error: Signal<Option<String>>,
) -> impl IntoView {
    let id = unique_id("field");
    let error_id = format!("{id}-error");
    let described = error_id.clone();
    view! {
        <div class="field span-2" class:has-error=move || error.get().is_some()>
            <label for=id.clone()>{label}</label>
            <textarea
                id=id
                rows="5"
                prop:value=move || value.get()
                on:input=move |ev| value.set(event_target_value(&ev))
                aria-invalid=move || error.get().is_some().then_some("true")
                aria-describedby=move || error.get().map(|_| described.clone())
            ></textarea>
            {move || error.get().map(|m| view! { <p class="field-error" id=error_id.clone()>{m}</p> })}
        </div>
    }
}

/// The customer's contacts (first 100 by name), "none" first.
#[component]
fn ContactSelect(
    customer_id: CustomerId,
    value: RwSignal<String>,
    #[prop(into)] error: Signal<Option<String>>,
) -> impl IntoView {
    let contacts = RwSignal::new(Vec::<(String, String)>::new());
    spawn_local(async move {
        let result = list_contacts(ContactQuery {
            customer_id: Some(customer_id.to_string()),
            limit: Some("100".into()),
            ..Default::default()
        })
        .await;
        if let Ok(page) = result {
            contacts.try_set(
                page.data
                    .into_iter()
                    .map(|c| (c.id.to_string(), c.full_name()))
                    .collect(),
            );
        }
    });
    let options = Signal::derive(move || {
        let mut out = vec![(String::new(), "No contact".to_owned())];
        out.extend(contacts.get());
        out
    });
    view! { <SelectField label="Contact" value=value options=options error=error /> }
}
