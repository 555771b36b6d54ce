//! The bar that appears when customers are selected: assign owner, add tag, delete (after confirming).

use crate::api::customers::bulk_customer_action;
use crate::components::user_choices::UserChoices;
use crate::components::{ConfirmDialog, SelectField, TextField, use_toasts};
use crate::pages::customer_table::Selection;
use crate::root::use_session;
use domain::customer::{CustomerBulkAction, CustomerBulkRequest};
use domain::{Action, Resource, UserId};
use leptos::prelude::*;
use leptos::task::spawn_local;

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
    let owner = RwSignal::new(String::new());
    let tag = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let confirm_delete = RwSignal::new(false);
    let count = move || selection.with(|s| s.len());

    let run = move |action: CustomerBulkAction, done: &'static str| {
        let ids: Vec<_> = selection.get_untracked().into_iter().collect();
        if ids.is_empty() || busy.get_untracked() {
            return;
        }
        busy.set(true);
        spawn_local(async move {
            let result = bulk_customer_action(CustomerBulkRequest { ids, action }).await;
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
                    toasts.error(crate::components::form::problem_message(
                        e.problem(),
                        &e.problem().errors,
                    ));
                }
            }
        });
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
    let can_update = move || session.can(Resource::Customers, Action::Update);
    let can_delete = move || session.can(Resource::Customers, Action::Delete);

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
                        <TextField label="Add tag" value=tag class="field-inline" />
                        <button type="button" class="btn btn-secondary" disabled=move || busy.get() on:click=add_tag>
                            "Add tag"
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
                title="Delete customers"
                message=format!("Delete {}? This cannot be undone.", plural(selection.with_untracked(|s| s.len())))
                confirm_label="Delete"
                busy=busy
                on_confirm=move |_| run(CustomerBulkAction::Delete, "deleted")
                on_cancel=move |_| confirm_delete.set(false)
            />
        </Show>
    }
}
