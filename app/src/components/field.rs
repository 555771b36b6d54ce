//! Labelled form controls with inline errors (`.field-error`, linked by `aria-describedby`).

use super::timing::unique_id;
use leptos::html;
use leptos::prelude::*;

/// The error paragraph under a control; `announce` makes screen readers read it out when it appears.
#[component]
fn FieldError(
    id: String,
    error: MaybeProp<String>,
    #[prop(optional)] announce: bool,
) -> impl IntoView {
    move || {
        error.get().map(|message| {
            view! {
                <p class="field-error" id=id.clone() role=announce.then_some("alert")>
                    {message}
                </p>
            }
        })
    }
}

#[component]
fn FieldHint(id: String, hint: Option<String>) -> impl IntoView {
    hint.map(|h| view! { <p class="field-hint" id=id>{h}</p> })
}

fn described_by(
    error: MaybeProp<String>,
    error_id: String,
    hint_id: Option<String>,
) -> impl Fn() -> Option<String> {
    move || {
        let ids: Vec<String> = hint_id
            .iter()
            .cloned()
            .chain(error.get().map(|_| error_id.clone()))
            .collect();
        (!ids.is_empty()).then(|| ids.join(" "))
    }
}

/// A text-like input (`text`, `email`, `password`, `date`, `search`, `tel`, `url`).
#[component]
pub fn TextField(
    #[prop(into)] label: String,
    value: RwSignal<String>,
    #[prop(optional, into)] error: MaybeProp<String>,
    #[prop(optional, into)] input_type: Option<&'static str>,
    #[prop(optional)] required: bool,
    #[prop(optional, into)] autocomplete: Option<&'static str>,
    #[prop(optional, into)] placeholder: Option<String>,
    #[prop(optional, into)] hint: Option<String>,
    #[prop(optional, into)] list: Option<String>,
    #[prop(optional)] announce: bool,
    #[prop(optional)] node_ref: Option<NodeRef<html::Input>>,
    #[prop(optional, into)] class: Option<&'static str>,
) -> impl IntoView {
    let id = unique_id("field");
    let error_id = format!("{id}-error");
    let hint_id = hint.as_ref().map(|_| format!("{id}-hint"));
    let node_ref = node_ref.unwrap_or_default();
    view! {
        <div class=format!("field {}", class.unwrap_or_default()) class:has-error=move || error.get().is_some()>
            <label for=id.clone()>{label}</label>
            <input
                id=id
                type=input_type.unwrap_or("text")
                prop:value=move || value.get()
                on:input=move |ev| value.set(event_target_value(&ev))
                aria-required=required.then_some("true")
                aria-invalid=move || error.get().is_some().then_some("true")
                aria-describedby=described_by(error, error_id.clone(), hint_id.clone())
                autocomplete=autocomplete
                placeholder=placeholder
                list=list
                node_ref=node_ref
            />
            <FieldHint id=hint_id.clone().unwrap_or_default() hint=hint />
            <FieldError id=error_id error=error announce=announce />
        </div>
    }
}

/// A `<select>`; `options` are `(value, text)` pairs, `""` meaning "none".
#[component]
pub fn SelectField(
    #[prop(into)] label: String,
    value: RwSignal<String>,
    #[prop(into)] options: Signal<Vec<(String, String)>>,
    #[prop(optional, into)] error: MaybeProp<String>,
    #[prop(optional)] required: bool,
    #[prop(optional, into)] hint: Option<String>,
    #[prop(optional, into)] class: Option<&'static str>,
) -> impl IntoView {
    let id = unique_id("field");
    let error_id = format!("{id}-error");
    let hint_id = hint.as_ref().map(|_| format!("{id}-hint"));
    view! {
        <div class=format!("field {}", class.unwrap_or_default()) class:has-error=move || error.get().is_some()>
            <label for=id.clone()>{label}</label>
            <select
                id=id
                on:change=move |ev| value.set(event_target_value(&ev))
                aria-required=required.then_some("true")
                aria-invalid=move || error.get().is_some().then_some("true")
                aria-describedby=described_by(error, error_id.clone(), hint_id.clone())
                prop:value=move || value.get()
            >
                {move || {
                    let current = value.get();
                    options
                        .get()
                        .into_iter()
                        .map(|(v, text)| {
                            let selected = v == current;
                            view! { <option value=v selected=selected>{text}</option> }
                        })
                        .collect_view()
                }}
            </select>
            <FieldHint id=hint_id.clone().unwrap_or_default() hint=hint />
            <FieldError id=error_id error=error />
        </div>
    }
}

/// A checkbox with its label to the right.
#[component]
pub fn CheckboxField(
    #[prop(into)] label: String,
    checked: RwSignal<bool>,
    #[prop(optional, into)] hint: Option<String>,
) -> impl IntoView {
    let id = unique_id("field");
    let hint_id = hint.as_ref().map(|_| format!("{id}-hint"));
    view! {
        <div class="field field-checkbox">
            <input
                id=id.clone()
                type="checkbox"
                prop:checked=move || checked.get()
                on:change=move |ev| checked.set(event_target_checked(&ev))
                aria-describedby=hint_id.clone()
            />
            <label for=id>{label}</label>
            <FieldHint id=hint_id.clone().unwrap_or_default() hint=hint />
        </div>
    }
}
