//! The bar that appears when customers are selected: assign owner, add tag, delete (after confirming).

use crate::api::customers::bulk_customer_action;
use crate::components::bulk::{BulkBar, BulkState};
use crate::components::user_choices::UserChoices;
use crate::components::{SelectField, TextField, use_toasts};
use crate::pages::customers::customer_table::Selection;
use crate::root::use_session;
use domain::customer::{CustomerBulkAction, CustomerBulkRequest};
use domain::{Action, Resource, UserId};
use leptos::prelude::*;

fn plural(n: usize) -> String {
    if n == 1 {
        "1 customer".to_owned()
    } else {
        format!("{n} customers")
    }
}

#[component]
pub fn BulkActions(
    selection: Selection,
    users: UserChoices,
    #[prop(into)] on_done: Callback<()>,
) -> impl IntoView {
    let session = use_session();
    let toasts = use_toasts();
    let state = BulkState::new(selection);
    let owner = RwSignal::new(String::new());
    let tag = RwSignal::new(String::new());
    let run = move |action: CustomerBulkAction, done: &'static str| {
        state.run(
            move |ids| bulk_customer_action(CustomerBulkRequest { ids, action }),
            move |n| format!("{} {done}.", plural(n as usize)),
            on_done,
        );
    };
    let assign = move |_| match owner.get_untracked().parse::<UserId>() {
        Ok(owner_id) => run(CustomerBulkAction::AssignOwner { owner_id }, "assigned"),
        Err(_) => toasts.error("Choose an owner first."),
    };
    let add_tag = move |_| {
        let t = tag.get_untracked().trim().to_owned();
        if t.is_empty() {
            toasts.error("Type a tag first.");
        } else {
            tag.set(String::new());
            run(CustomerBulkAction::AddTag { tag: t }, "tagged");
        }
    };
    let busy = state.busy;
    view! {
        <BulkBar
            state=state
            noun=plural
            can_delete=Signal::derive(move || session.can(Resource::Customers, Action::Delete))
            on_delete=move |_| run(CustomerBulkAction::Delete, "deleted")
            delete_title="Delete customers"
        >
            <Show when=move || session.can(Resource::Customers, Action::Update)>
                <div class="bulk-group">
                    <SelectField label="Assign owner" value=owner options=users.options("Choose…") class="field-inline" />
                    <button type="button" class="btn btn-secondary" disabled=move || busy.get() on:click=assign>
                        "Assign"
                    </button>
                </div>
                <div class="bulk-group">
                    <TextField label="Add tag" value=tag class="field-inline" />
                    <button type="button" class="btn btn-secondary" disabled=move || busy.get() on:click=add_tag>
                        "Add tag"
                    </button>
                </div>
            </Show>
        </BulkBar>
    }
}
