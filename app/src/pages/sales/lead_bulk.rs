//! The bar that appears when leads are selected: assign owner, set status, delete (after confirming).

use crate::api::leads::bulk_lead_action;
use crate::components::bulk::{BulkBar, BulkState};
use crate::components::form::optional;
use crate::components::user_choices::UserChoices;
use crate::components::{SelectField, TextField, use_toasts};
use crate::pages::sales::lead_filters::status_options;
use crate::pages::sales::lead_table::LeadSelection;
use crate::root::use_session;
use domain::lead::{LeadBulkAction, LeadBulkRequest, LeadStatus};
use domain::{Action, Resource, UserId};
use leptos::prelude::*;

fn plural(n: usize) -> String {
    if n == 1 {
        "1 lead".to_owned()
    } else {
        format!("{n} leads")
    }
}

#[component]
pub fn LeadBulkActions(
    selection: LeadSelection,
    users: UserChoices,
    #[prop(into)] on_done: Callback<()>,
) -> impl IntoView {
    let session = use_session();
    let toasts = use_toasts();
    let state = BulkState::new(selection);
    let owner = RwSignal::new(String::new());
    let status = RwSignal::new(String::new());
    let reason = RwSignal::new(String::new());
    let run = move |action: LeadBulkAction, done: &'static str| {
        state.run(
            move |ids| bulk_lead_action(LeadBulkRequest { ids, action }),
            move |n| format!("{} {done}.", plural(n as usize)),
            on_done,
        );
    };
    let assign = move |_| match owner.get_untracked().parse::<UserId>() {
        Ok(owner_id) => run(LeadBulkAction::AssignOwner { owner_id }, "assigned"),
        Err(_) => toasts.error("Choose an owner first."),
    };
    let set_status = move |_| match LeadStatus::parse(&status.get_untracked()) {
        Ok(s) => run(
            LeadBulkAction::SetStatus {
                status: s,
                disqualified_reason: optional(reason.get_untracked()),
            },
            "updated",
        ),
        Err(_) => toasts.error("Choose a status first."),
    };
    let disqualifying = move || status.get() == LeadStatus::Disqualified.as_str();
    let busy = state.busy;
    view! {
        <BulkBar
            state=state
            noun=plural
            can_delete=Signal::derive(move || session.can(Resource::Leads, Action::Delete))
            on_delete=move |_| run(LeadBulkAction::Delete, "deleted")
            delete_title="Delete leads"
        >
            <Show when=move || session.can(Resource::Leads, Action::Update)>
                <div class="bulk-group">
                    <SelectField label="Assign owner" value=owner options=users.options("Choose…") class="field-inline" />
                    <button type="button" class="btn btn-secondary" disabled=move || busy.get() on:click=assign>
                        "Assign"
                    </button>
                </div>
                <div class="bulk-group">
                    <SelectField
                        label="Set status"
                        value=status
                        options=Signal::derive(|| status_options("Choose…", &LeadStatus::SETTABLE))
                        class="field-inline"
                    />
                    <Show when=disqualifying>
                        <TextField label="Reason" value=reason class="field-inline" />
                    </Show>
                    <button type="button" class="btn btn-secondary" disabled=move || busy.get() on:click=set_status>
                        "Set status"
                    </button>
                </div>
            </Show>
        </BulkBar>
    }
}
