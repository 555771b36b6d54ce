//! The bar that appears when opportunities are selected: assign owner, move stage, delete (after confirming).
//! The server applies all or nothing and names the refused item.

use crate::api::opportunities::bulk_opportunity_action;
use crate::components::bulk::{BulkBar, BulkState, Selected};
use crate::components::user_choices::UserChoices;
use crate::components::{SelectField, TextField};
use crate::pages::sales::opportunity_filters::stage_options;
use crate::root::use_session;
use domain::opportunity::{OpportunityBulkAction, OpportunityBulkRequest, Stage};
use domain::{Action, OpportunityId, Resource, UserId};
use leptos::prelude::*;

pub type Selection = Selected<OpportunityId>;

fn plural(n: usize) -> String {
    if n == 1 {
        "1 opportunity".to_owned()
    } else {
        format!("{n} opportunities")
    }
}

#[component]
pub fn OpportunityBulkBar(
    selection: Selection,
    users: UserChoices,
    #[prop(into)] on_done: Callback<()>,
) -> impl IntoView {
    let session = use_session();
    let state = BulkState::new(selection);
    let owner = RwSignal::new(String::new());
    let stage = RwSignal::new(String::new());
    let reason = RwSignal::new(String::new());
    let can = move |a: Action| session.can(Resource::Opportunities, a);
    let run = move |action: OpportunityBulkAction, verb: &'static str| {
        state.run(
            move |ids| bulk_opportunity_action(OpportunityBulkRequest { ids, action }),
            move |n| format!("{} {verb}.", plural(n as usize)),
            on_done,
        );
    };
    let assign = move |_| {
        if let Ok(owner_id) = owner.get_untracked().parse::<UserId>() {
            run(
                OpportunityBulkAction::AssignOwner { owner_id },
                "reassigned",
            );
        }
    };
    let move_stage = move |_| {
        if let Ok(to) = Stage::parse(&stage.get_untracked()) {
            let lost_reason = Some(reason.get_untracked()).filter(|r| !r.trim().is_empty());
            run(
                OpportunityBulkAction::MoveStage {
                    stage: to,
                    lost_reason,
                },
                "moved",
            );
        }
    };
    let busy = state.busy;
    view! {
        <BulkBar
            state=state
            noun=plural
            can_delete=Signal::derive(move || can(Action::Delete))
            on_delete=move |_| run(OpportunityBulkAction::Delete, "deleted")
            delete_title="Delete opportunities"
            delete_note="Their stage history goes too."
        >
            <Show when=move || can(Action::Update)>
                <div class="bulk-group">
                    <SelectField label="Owner" value=owner options=users.options("Choose an owner") class="field-inline" />
                    <button type="button" class="btn btn-secondary" disabled=move || busy.get() on:click=assign>
                        "Assign"
                    </button>
                </div>
                <div class="bulk-group">
                    <SelectField
                        label="Stage"
                        value=stage
                        options=Signal::derive(|| stage_options(Some("Choose a stage")))
                        class="field-inline"
                    />
                    <Show when=move || stage.with(|s| s == Stage::Lost.as_str())>
                        <TextField label="Lost reason" value=reason required=true />
                    </Show>
                    <button type="button" class="btn btn-secondary" disabled=move || busy.get() on:click=move_stage>
                        "Move"
                    </button>
                </div>
            </Show>
        </BulkBar>
    }
}
