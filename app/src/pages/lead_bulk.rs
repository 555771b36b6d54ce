//! The bar that appears when leads are selected: assign owner, set status, delete (after confirming).

use crate::api::leads::bulk_lead_action;
use crate::components::form::{optional, problem_message};
use crate::components::user_choices::UserChoices;
use crate::components::{ConfirmDialog, SelectField, TextField, use_toasts};
use crate::pages::lead_filters::status_options;
use crate::pages::lead_table::LeadSelection;
use crate::root::use_session;
use domain::lead::{LeadBulkAction, LeadBulkRequest, LeadStatus};
use domain::{Action, Resource, UserId};
use leptos::prelude::*;
use leptos::task::spawn_local;

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
    let owner = RwSignal::new(String::new());
    let status = RwSignal::new(String::new());
    let reason = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let confirm_delete = RwSignal::new(false);
    let count = move || selection.with(|s| s.len());

    let run = move |action: LeadBulkAction, done: &'static str| {
        let ids: Vec<_> = selection.get_untracked().into_iter().collect();
        if ids.is_empty() || busy.get_untracked() {
            return;
        }
        busy.set(true);
        spawn_local(async move {
            let result = bulk_lead_action(LeadBulkRequest { ids, action }).await;
            busy.try_set(false);
            confirm_delete.try_set(false);
            match result {
                Ok(r) => {
                    toasts.success(format!("{} {done}.", plural(r.affected as usize)));
                    selection.try_update(|s| s.clear());
                    on_done.run(());
                }
                Err(e) => {
                    session.check(&e);
                    toasts.error(problem_message(e.problem(), &e.problem().errors));
                }
            }
        });
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
    let can_update = move || session.can(Resource::Leads, Action::Update);
    let can_delete = move || session.can(Resource::Leads, Action::Delete);

    view! {
        <Show when=move || { count() > 0 }>
            <div class="bulk-bar" role="region" aria-label="Bulk actions">
                <span class="bulk-count" aria-live="polite">{move || format!("{} selected", count())}</span>
                <Show when=can_update>
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
                <Show when=can_delete>
                    <button
                        type="button"
                        class="btn btn-danger-outline"
                        disabled=move || busy.get()
                        on:click=move |_| confirm_delete.set(true)
                    >
                        "Delete selected"
                    </button>
                </Show>
                <button type="button" class="btn btn-ghost" on:click=move |_| selection.update(|s| s.clear())>
                    "Clear selection"
                </button>
            </div>
        </Show>
        <Show when=move || confirm_delete.get()>
            <ConfirmDialog
                title="Delete leads"
                message=format!("Delete {}? This cannot be undone.", plural(selection.with_untracked(|s| s.len())))
                confirm_label="Delete"
                busy=busy
                on_confirm=move |_| run(LeadBulkAction::Delete, "deleted")
                on_cancel=move |_| confirm_delete.set(false)
            />
        </Show>
    }
}
