//! The opportunity form (create in a dialog, edit on the detail page) and the customer picker.

use crate::api::customers::list_customers;
use crate::api::opportunities::create_opportunity;
use crate::components::form::{FormAlert, FormButtons, optional};
use crate::components::user_choices::UserChoices;
use crate::components::{FormState, Modal, SelectField, TextField};
use crate::pages::sales::opportunity_filters::stage_options;
use domain::customer::CustomerQuery;
use domain::opportunity::{Opportunity, OpportunityInput, OpportunityPatch, Stage};
use domain::{CustomerId, FieldError, Patch, Problem, UserId};
use leptos::prelude::*;
use leptos::task::spawn_local;
use rust_decimal::Decimal;

/// The fields the form shows; server errors for other fields go to the form message.
pub const OPPORTUNITY_FIELDS: [&str; 10] = [
    "name",
    "customer_id",
    "stage",
    "amount",
    "currency",
    "probability",
    "expected_close_date",
    "owner_id",
    "lost_reason",
    "description",
];

/// `(id, name)` of the customers the caller may see (the first 500 by name), for the customer picker.
#[derive(Clone, Copy)]
pub struct CustomerChoices {
    customers: LocalResource<Vec<(String, String)>>,
}

impl CustomerChoices {
    pub fn load() -> Self {
        let customers = LocalResource::new(move || async move {
            let query = CustomerQuery {
                sort: Some("name".into()),
                limit: Some("500".into()),
                ..Default::default()
            };
            match list_customers(query).await {
                Ok(page) => page
                    .data
                    .into_iter()
                    .map(|c| (c.id.to_string(), c.name))
                    .collect(),
                Err(_) => Vec::new(),
            }
        });
        Self { customers }
    }

    pub fn options(&self) -> Signal<Vec<(String, String)>> {
        let customers = self.customers;
        Signal::derive(move || {
            let mut out = vec![(String::new(), "Choose a customer".to_owned())];
            out.extend(customers.get().unwrap_or_default());
            out
        })
    }
}

#[derive(Clone, Copy)]
pub struct OpportunityFields {
    name: RwSignal<String>,
    customer_id: RwSignal<String>,
    stage: RwSignal<String>,
    amount: RwSignal<String>,
    currency: RwSignal<String>,
    /// Empty: the stage's default.
    probability: RwSignal<String>,
    expected_close_date: RwSignal<String>,
    owner_id: RwSignal<String>,
    lost_reason: RwSignal<String>,
    description: RwSignal<String>,
}

impl OpportunityFields {
    pub fn from_input(o: &OpportunityInput) -> Self {
        let text = |v: Option<String>| RwSignal::new(v.unwrap_or_default());
        Self {
            name: RwSignal::new(o.name.clone()),
            customer_id: text(o.customer_id.map(|c| c.to_string())),
            stage: RwSignal::new(o.stage.as_str().to_owned()),
            amount: RwSignal::new(o.amount.to_string()),
            currency: RwSignal::new(if o.currency.is_empty() {
                domain::money::DEFAULT_CURRENCY.to_owned()
            } else {
                o.currency.clone()
            }),
            probability: text(o.probability.map(|p| p.to_string())),
            expected_close_date: text(o.expected_close_date.map(|d| d.to_string())),
            owner_id: text(o.owner_id.map(|u| u.to_string())),
            lost_reason: text(o.lost_reason.clone()),
            description: RwSignal::new(o.description.clone()),
        }
    }

    pub fn is_lost(&self) -> bool {
        self.stage.with(|s| s == Stage::Lost.as_str())
    }

    /// What is typed, as the domain's input (not yet cleaned); text that is not a number or date is a field error.
    pub fn input(&self) -> Result<OpportunityInput, Problem> {
        let mut errors = Vec::new();
        let mut parsed = |field: &'static str, text: String, msg: &str| -> Option<String> {
            let t = optional(text)?;
            if !valid(field, &t) {
                errors.push(FieldError::new(field, msg));
            }
            Some(t)
        };
        let amount = parsed(
            "amount",
            self.amount.get_untracked(),
            "must be an amount like 1234.50",
        );
        let probability = parsed(
            "probability",
            self.probability.get_untracked(),
            "must be a whole number from 0 to 100",
        );
        let close = parsed(
            "expected_close_date",
            self.expected_close_date.get_untracked(),
            "must be a date",
        );
        let input = OpportunityInput {
            name: self.name.get_untracked(),
            customer_id: self.customer_id.get_untracked().parse::<CustomerId>().ok(),
            contact_id: None,
            lead_id: None,
            stage: Stage::parse(&self.stage.get_untracked()).unwrap_or_default(),
            amount: amount
                .and_then(|a| a.parse::<Decimal>().ok())
                .unwrap_or_default(),
            currency: self.currency.get_untracked(),
            probability: probability.and_then(|p| p.parse().ok()),
            expected_close_date: close.and_then(|d| domain::query::parse_date(&d).ok()),
            owner_id: self.owner_id.get_untracked().parse::<UserId>().ok(),
            lost_reason: optional(self.lost_reason.get_untracked()),
            description: self.description.get_untracked(),
        };
        if errors.is_empty() {
            input.clean()
        } else {
            Err(Problem::invalid(errors))
        }
    }
}

fn valid(field: &str, t: &str) -> bool {
    match field {
        "amount" => t.parse::<Decimal>().is_ok(),
        "probability" => t.parse::<i16>().is_ok(),
        _ => domain::query::parse_date(t).is_ok(),
    }
}

/// The input as stored, for the edit form (contact and lead are kept as they are).
pub fn input_of(o: &Opportunity) -> OpportunityInput {
    OpportunityInput {
        name: o.name.clone(),
        customer_id: Some(o.customer_id),
        contact_id: o.contact_id,
        lead_id: o.lead_id,
        stage: o.stage,
        amount: o.amount,
        currency: o.currency.clone(),
        probability: Some(o.probability),
        expected_close_date: o.expected_close_date,
        owner_id: o.owner_id,
        lost_reason: o.lost_reason.clone(),
        description: o.description.clone(),
    }
}

/// Only the fields that differ from the record as loaded (`None` clears).
pub fn patch_between(before: &OpportunityInput, after: OpportunityInput) -> OpportunityPatch {
    OpportunityPatch {
        name: Patch::changed(&before.name, after.name),
        customer_id: Patch::changed_opt(&before.customer_id, after.customer_id),
        contact_id: Patch::Missing,
        lead_id: Patch::Missing,
        stage: Patch::changed(&before.stage, after.stage),
        amount: Patch::changed(&before.amount, after.amount),
        currency: Patch::changed(&before.currency, after.currency),
        probability: Patch::changed_opt(&before.probability, after.probability),
        expected_close_date: Patch::changed_opt(
            &before.expected_close_date,
            after.expected_close_date,
        ),
        owner_id: Patch::changed_opt(&before.owner_id, after.owner_id),
        lost_reason: Patch::changed_opt(&before.lost_reason, after.lost_reason),
        description: Patch::changed(&before.description, after.description),
    }
}

#[component]
pub fn OpportunityFormFields(
    fields: OpportunityFields,
    form: FormState,
    users: UserChoices,
    customers: CustomerChoices,
) -> impl IntoView {
    view! {
        <div class="form-grid">
            <TextField label="Name" value=fields.name required=true error=form.error("name") class="span-2" />
            <SelectField
                label="Customer"
                value=fields.customer_id
                options=customers.options()
                required=true
                error=form.error("customer_id")
            />
            <SelectField
                label="Stage"
                value=fields.stage
                options=Signal::derive(|| stage_options(None))
                error=form.error("stage")
            />
            <TextField label="Amount" value=fields.amount placeholder="1234.50" error=form.error("amount") />
            <TextField label="Currency" value=fields.currency placeholder="USD" error=form.error("currency") />
            <TextField
                label="Probability (%)"
                value=fields.probability
                input_type="number"
                hint="Leave empty for the stage's default."
                error=form.error("probability")
            />
            <TextField
                label="Expected close"
                value=fields.expected_close_date
                input_type="date"
                error=form.error("expected_close_date")
            />
            <SelectField label="Owner" value=fields.owner_id options=users.options("Me") error=form.error("owner_id") />
            <Show when=move || fields.is_lost()>
                <TextField
                    label="Lost reason"
                    value=fields.lost_reason
                    required=true
                    error=form.error("lost_reason")
                    class="span-2"
                />
            </Show>
            <TextField label="Description" value=fields.description error=form.error("description") class="span-2" />
        </div>
    }
}

#[component]
pub fn NewOpportunityDialog(
    users: UserChoices,
    #[prop(into)] on_close: Callback<()>,
    #[prop(into)] on_created: Callback<Opportunity>,
) -> impl IntoView {
    let customers = CustomerChoices::load();
    let fields = OpportunityFields::from_input(&OpportunityInput::default());
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
            let result = create_opportunity(input).await;
            form.busy.try_set(false);
            match result {
                Ok(o) => on_created.run(o),
                Err(e) => form.show_error(&e, &OPPORTUNITY_FIELDS),
            }
        });
    };
    view! {
        <Modal title="New opportunity" on_close=on_close wide=true>
            <form novalidate on:submit=on_submit>
                <FormAlert form=form />
                <OpportunityFormFields fields=fields form=form users=users customers=customers />
                <FormButtons form=form submit_label="Create" on_cancel=on_close />
            </form>
        </Modal>
    }
}
