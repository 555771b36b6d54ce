//! The bar that appears when opportunities are selected: assign owner, move stage, delete (after confirming).
//! The server applies all or nothing and names the refused item.

use crate::api::opportunities::bulk_opportunity_action;
use crate::components::form::problem_message;
use crate::components::user_choices::UserChoices;
use crate::components::{ConfirmDialog, SelectField, TextField, use_toasts};
use crate::pages::opportunity_filters::stage_options;
use crate::root::use_session;
use domain::opportunity::{OpportunityBulkAction, OpportunityBulkRequest, Stage};
use domain::{Action, OpportunityId, Resource, UserId};
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::collections::HashSet;

pub type Selection = RwSignal<HashSet<OpportunityId>>;

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
    let toasts = use_toasts();
    let owner = RwSignal::new(String::new());
    let stage = RwSignal::new(String::new());
    let reason = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let confirm_delete = RwSignal::new(false);
    let count = move || selection.with(HashSet::len);
    let can = move |a: Action| session.can(Resource::Opportunities, a);

    let run = move |action: OpportunityBulkAction, done: &'static str| {
        let ids: Vec<_> = selection.get_untracked().into_iter().collect();
        if ids.is_empty() || busy.get_untracked() {
            return;
        }
        busy.set(true);
        spawn_local(async move {
            let result = bulk_opportunity_action(OpportunityBulkRequest { ids, action }).await;
            busy.try_set(false);
            confirm_delete.try_set(false);
            match result {
                Ok(r) => {
                    toasts.success(format!("{} {done}.", plural(r.affected as usize)));
                    selection.try_update(HashSet::clear);
                    on_done.run(());
                }
                Err(e) => {
                    session.check(&e);
                    toasts.error(format!(
                        "Nothing was changed: {}",
                        problem_message(e.problem(), &e.problem().errors)
                    ));
                }
            }
        });
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

    view! {
        <Show when=move || { count() > 0 }>
            <div class="bulk-bar" role="region" aria-label="Actions on the selected opportunities">
                <p class="bulk-count">{move || format!("{} selected", plural(count()))}</p>
                <Show when=move || can(Action::Update)>
                    <SelectField label="Owner" value=owner options=users.options("Choose an owner") />
                    <button type="button" class="btn btn-secondary" disabled=move || busy.get() on:click=assign>
                        "Assign"
                    </button>
                    <SelectField
                        label="Stage"
                        value=stage
                        options=Signal::derive(|| stage_options(Some("Choose a stage")))
                    />
                    <Show when=move || stage.with(|s| s == Stage::Lost.as_str())>
                        <TextField label="Lost reason" value=reason required=true />
                    </Show>
                    <button type="button" class="btn btn-secondary" disabled=move || busy.get() on:click=move_stage>
                        "Move"
                    </button>
                </Show>
                <Show when=move || can(Action::Delete)>
                    <button
                        type="button"
                        class="btn btn-danger"
                        disabled=move || busy.get()
                        on:click=move |_| confirm_delete.set(true)
                    >
                        "Delete"
                    </button>
                </Show>
            </div>
            <Show when=move || confirm_delete.get()>
                <ConfirmDialog
                    title="Delete opportunities?"
                    message=format!("{} and their stage history will be deleted. This cannot be undone.", plural(count()))
                    confirm_label="Delete"
                    busy=busy
                    on_confirm=move |_| run(OpportunityBulkAction::Delete, "deleted")
                    on_cancel=move |_| confirm_delete.set(false)
                />
            </Show>
        </Show>
    }
}
