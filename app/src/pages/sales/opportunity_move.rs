//! Moving an opportunity to another stage (board drag and drop, the "Move to…" menu, the detail page): the
//! lost-reason dialog, the menu, and the message shown when the server refuses (409/412/422).

use crate::ApiError;
use crate::api::opportunities::update_opportunity;
use crate::components::form::problem_message;
use crate::components::{Modal, TextField};
use domain::opportunity::{Opportunity, OpportunityPatch, Stage};
use leptos::prelude::*;

/// Asks the server to move `o` (at the version the client saw) to `to`.
pub async fn move_stage(
    o: &Opportunity,
    to: Stage,
    lost_reason: Option<String>,
) -> Result<Opportunity, ApiError> {
    update_opportunity(o.id, o.version, OpportunityPatch::move_to(to, lost_reason)).await
}

/// What to tell the user when a move is refused.
pub fn refusal(e: &ApiError) -> String {
    let p = e.problem();
    match p.status {
        412 => "This opportunity was changed by someone else; the board was reloaded.".to_owned(),
        422 => format!("Not moved: {}", problem_message(p, &p.errors)),
        _ => format!("Not moved: {}", problem_message(p, &[])),
    }
}

/// A request to move a card, waiting for the lost reason.
#[derive(Clone, Debug)]
pub struct PendingMove {
    pub opportunity: Opportunity,
    pub to: Stage,
}

/// The small dialog that asks why an opportunity was lost.
#[component]
pub fn LostReasonDialog(
    name: String,
    #[prop(into)] on_cancel: Callback<()>,
    #[prop(into)] on_confirm: Callback<String>,
) -> impl IntoView {
    let reason = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let r = reason.get_untracked().trim().to_owned();
        if r.is_empty() {
            error.set(Some("Say why it was lost.".to_owned()));
        } else {
            on_confirm.run(r);
        }
    };
    view! {
        <Modal title=format!("Mark \u{201c}{name}\u{201d} as lost") on_close=on_cancel>
            <form novalidate on:submit=submit>
                <TextField label="Lost reason" value=reason required=true error=error />
                <div class="form-buttons">
                    <button type="button" class="btn btn-secondary" on:click=move |_| on_cancel.run(())>
                        "Cancel"
                    </button>
                    <button type="submit" class="btn btn-danger">"Mark as lost"</button>
                </div>
            </form>
        </Modal>
    }
}

/// The keyboard-friendly alternative to dragging: a select listing the other stages.
#[component]
pub fn MoveMenu(
    opportunity: Opportunity,
    #[prop(into)] on_move: Callback<(Opportunity, Stage)>,
) -> impl IntoView {
    let current = opportunity.stage;
    let label = format!("Move \u{201c}{}\u{201d} to another stage", opportunity.name);
    let stored = StoredValue::new(opportunity);
    let on_change = move |ev: leptos::ev::Event| {
        let chosen = event_target_value(&ev);
        // A menu of commands, not a field: it shows "Move to…" again whatever comes of the move (refused,
        // lost reason cancelled), so it never names a stage the opportunity is not in.
        if let Some(select) = ev.target() {
            let _ = leptos::web_sys::js_sys::Reflect::set(
                &select,
                &leptos::wasm_bindgen::JsValue::from_str("value"),
                &leptos::wasm_bindgen::JsValue::from_str(""),
            );
        }
        if let Ok(to) = Stage::parse(&chosen) {
            on_move.run((stored.get_value(), to));
        }
    };
    view! {
        <select class="move-menu" aria-label=label on:change=on_change>
            <option value="" selected=true>"Move to…"</option>
            {Stage::ALL
                .iter()
                .filter(|s| **s != current)
                .map(|s| view! { <option value=s.as_str()>{s.label()}</option> })
                .collect_view()}
        </select>
    }
}

/// `"USD 1234.50"`.
pub fn money(amount: rust_decimal::Decimal, currency: &str) -> String {
    format!("{currency} {amount}")
}
