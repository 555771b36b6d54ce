//! Converting a lead: pick an existing customer from the duplicate suggestions or create a new one, and say
//! what the opportunity should look like. Afterwards the lead links to what it became.

use crate::api::leads::{convert_lead, lead_duplicates};
use crate::components::form::{FormAlert, FormButtons, optional};
use crate::components::{CheckboxField, ErrorState, FormState, Loading, Modal, TextField};
use domain::lead::{DuplicateCandidate, DuplicateReason, Lead, LeadConversion, LeadConvertInput};
use domain::{CustomerId, Problem};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;

const CONVERT_FIELDS: [&str; 5] = [
    "customer_id",
    "opportunity_name",
    "amount",
    "currency",
    "expected_close_date",
];

/// The typed options as the domain's input, or every unparseable field.
fn convert_input(
    customer: &str,
    create_opportunity: bool,
    name: String,
    amount: String,
    close: String,
) -> Result<LeadConvertInput, Problem> {
    let mut errors = Vec::new();
    let amount = optional(amount).and_then(|a| {
        a.replace(',', "")
            .parse()
            .map_err(|_| {
                errors.push(domain::FieldError::new(
                    "amount",
                    "must be an amount like 1200.00",
                ))
            })
            .ok()
    });
    let expected_close_date = optional(close).and_then(|d| {
        chrono::NaiveDate::parse_from_str(&d, "%Y-%m-%d")
            .map_err(|_| {
                errors.push(domain::FieldError::new(
                    "expected_close_date",
                    "must be a date",
                ))
            })
            .ok()
    });
    if !errors.is_empty() {
        return Err(Problem::invalid(errors));
    }
    LeadConvertInput {
        customer_id: customer.parse::<CustomerId>().ok(),
        create_opportunity: Some(create_opportunity),
        opportunity_name: optional(name),
        amount,
        currency: None,
        expected_close_date,
    }
    .clean()
}

#[component]
pub fn ConvertLeadDialog(
    lead: Lead,
    #[prop(into)] on_close: Callback<()>,
    #[prop(into)] on_converted: Callback<LeadConversion>,
) -> impl IntoView {
    let form = FormState::new();
    let id = lead.id;
    let customer = RwSignal::new(String::new());
    let create_opportunity = RwSignal::new(true);
    let name = RwSignal::new(String::new());
    let amount = RwSignal::new(
        lead.estimated_value
            .map(|v| v.to_string())
            .unwrap_or_default(),
    );
    let close = RwSignal::new(String::new());
    let default_name = domain::lead::customer_name(&lead);
    let duplicates = LocalResource::new(move || async move { lead_duplicates(id).await });

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if form.busy.get_untracked() {
            return;
        }
        form.clear();
        let input = match convert_input(
            &customer.get_untracked(),
            create_opportunity.get_untracked(),
            name.get_untracked(),
            amount.get_untracked(),
            close.get_untracked(),
        ) {
            Ok(input) => input,
            Err(problem) => return form.show_invalid(problem),
        };
        form.busy.set(true);
        spawn_local(async move {
            let result = convert_lead(id, input).await;
            form.busy.try_set(false);
            match result {
                Ok(c) => on_converted.run(c),
                // A taken e-mail (409) names the customer that has it: its detail says what to do.
                Err(e) if e.problem().status == 409 => {
                    form.alert.set(Some(e.problem().detail.clone()));
                }
                Err(e) => form.show_error(&e, &CONVERT_FIELDS),
            }
        });
    };

    view! {
        <Modal title="Convert lead" on_close=on_close wide=true>
            <form novalidate on:submit=on_submit>
                <FormAlert form=form />
                <fieldset class="convert-customers">
                    <legend>"Customer"</legend>
                    {choice(customer, String::new(), format!("Create a new customer \u{201c}{default_name}\u{201d}").into_any())}
                    {move || match duplicates.get() {
                        None => view! { <Loading label="Looking for existing customers…" /> }.into_any(),
                        Some(Err(e)) => view! { <ErrorState error=e /> }.into_any(),
                        Some(Ok(found)) if found.is_empty() => {
                            view! { <p class="field-hint">"No similar customers found."</p> }.into_any()
                        }
                        Some(Ok(found)) => {
                            view! {
                                <p class="field-hint">"Or attach the lead to a customer that may be the same company:"</p>
                                {found.into_iter().map(|d| view! { <DuplicateChoice candidate=d value=customer /> }).collect_view()}
                            }
                                .into_any()
                        }
                    }}
                    {move || form.error("customer_id").get().map(|m| view! { <p class="field-error" role="alert">{m}</p> })}
                </fieldset>
                <CheckboxField label="Create an opportunity" checked=create_opportunity />
                <Show when=move || create_opportunity.get()>
                    <div class="form-grid">
                        <TextField
                            label="Opportunity name"
                            value=name
                            placeholder=domain::lead::customer_name(&lead)
                            error=form.error("opportunity_name")
                            class="span-2"
                        />
                        <TextField label="Amount" value=amount placeholder="0.00" error=form.error("amount") />
                        <TextField
                            label="Expected close"
                            value=close
                            input_type="date"
                            error=form.error("expected_close_date")
                        />
                    </div>
                </Show>
                <FormButtons form=form submit_label="Convert" on_cancel=on_close />
            </form>
        </Modal>
    }
}

#[component]
fn DuplicateChoice(candidate: DuplicateCandidate, value: RwSignal<String>) -> impl IntoView {
    let c = candidate.customer;
    let why = format!(
        "same {} · {:.0}% match",
        match candidate.reason {
            DuplicateReason::Email => "e-mail",
            DuplicateReason::Domain => "company domain",
            DuplicateReason::Name => "name",
        },
        candidate.score * 100.0
    );
    let label = view! {
        <span>{c.name.clone()}</span>
        <span class="cell-sub">{format!(" {} — {why}", c.email.clone().unwrap_or_default())}</span>
    };
    choice(value, c.id.to_string(), label.into_any())
}

fn choice(value: RwSignal<String>, option: String, label: AnyView) -> impl IntoView {
    let id = crate::components::timing::unique_id("convert-customer");
    let checked = {
        let option = option.clone();
        move || value.with(|v| *v == option)
    };
    view! {
        <div class="field field-checkbox">
            <input
                id=id.clone()
                type="radio"
                name="convert-customer"
                prop:checked=checked
                on:change=move |_| value.set(option.clone())
            />
            <label for=id>{label}</label>
        </div>
    }
}

/// What a converted lead became, with links.
#[component]
pub fn ConversionLinks(lead: Lead) -> impl IntoView {
    let converted = lead
        .converted_at
        .map(crate::components::format::date_time)
        .unwrap_or_default();
    view! {
        <section class="card" aria-labelledby="converted-title">
            <h2 id="converted-title" class="card-title">"Converted"</h2>
            <p>{format!("This lead was converted on {converted}.")}</p>
            <ul class="link-list">
                {lead.converted_customer_id.map(|c| view! { <li><A href=format!("/customers/{c}")>"Open the customer"</A></li> })}
                {lead
                    .converted_opportunity_id
                    .map(|o| view! { <li><A href=format!("/opportunities/{o}")>"Open the opportunity"</A></li> })}
            </ul>
        </section>
    }
}
