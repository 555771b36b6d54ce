//! The bar that appears when tasks are selected: assign, set status, delete (after confirming).

use crate::api::tasks::bulk_task_action;
use crate::components::user_choices::UserChoices;
use crate::components::{ConfirmDialog, SelectField, use_toasts};
use crate::pages::task_form::status_options;
use crate::root::use_session;
use domain::task::{TaskBulkAction, TaskBulkRequest, TaskStatus};
use domain::{Action, Resource, TaskId, UserId};
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::collections::HashSet;

pub type TaskSelection = RwSignal<HashSet<TaskId>>;

fn plural(n: usize) -> String {
    if n == 1 {
        "1 task".to_owned()
    } else {
        format!("{n} tasks")
    }
}

#[component]
pub fn TaskBulkBar(
    selection: TaskSelection,
    users: UserChoices,
    #[prop(into)] on_done: Callback<()>,
) -> impl IntoView {
    let session = use_session();
    let toasts = use_toasts();
    let assignee = RwSignal::new(String::new());
    let status = RwSignal::new(TaskStatus::Done.as_str().to_owned());
    let busy = RwSignal::new(false);
    let confirm_delete = RwSignal::new(false);
    let count = move || selection.with(HashSet::len);

    let run = move |action: TaskBulkAction, done: &'static str| {
        let ids: Vec<_> = selection.get_untracked().into_iter().collect();
        if ids.is_empty() || busy.get_untracked() {
            return;
        }
        busy.set(true);
        spawn_local(async move {
            let result = bulk_task_action(TaskBulkRequest { ids, action }).await;
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
                    toasts.error(crate::components::form::problem_message(
                        e.problem(),
                        &e.problem().errors,
                    ));
                }
            }
        });
    };
    let assign = move |_| match assignee.get_untracked().parse::<UserId>() {
        Ok(assignee_id) => run(TaskBulkAction::Assign { assignee_id }, "assigned"),
        Err(_) => toasts.error("Choose an assignee first."),
    };
    let set_status = move |_| {
        if let Ok(status) = TaskStatus::parse(&status.get_untracked()) {
            run(TaskBulkAction::SetStatus { status }, "updated");
        }
    };
    let can_update = move || session.can(Resource::Tasks, Action::Update);
    let can_delete = move || session.can(Resource::Tasks, Action::Delete);

    view! {
        <Show when=move || { count() > 0 }>
            <div class="bulk-bar" role="region" aria-label="Bulk actions">
                <span class="bulk-count" aria-live="polite">{move || format!("{} selected", count())}</span>
                <Show when=can_update>
                    <div class="bulk-group">
                        <SelectField label="Assign to" value=assignee options=users.options("Choose…") class="field-inline" />
                        <button type="button" class="btn btn-secondary" disabled=move || busy.get() on:click=assign>
                            "Assign"
                        </button>
                    </div>
                    <div class="bulk-group">
                        <SelectField label="Status" value=status options=Signal::derive(status_options) class="field-inline" />
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
                <button type="button" class="btn btn-ghost" on:click=move |_| selection.update(HashSet::clear)>
                    "Clear selection"
                </button>
            </div>
        </Show>
        <Show when=move || confirm_delete.get()>
            <ConfirmDialog
                title="Delete tasks"
                message=format!("Delete {}? This cannot be undone.", plural(selection.with_untracked(HashSet::len)))
                confirm_label="Delete"
                busy=busy
                on_confirm=move |_| run(TaskBulkAction::Delete, "deleted")
                on_cancel=move |_| confirm_delete.set(false)
            />
        </Show>
    }
}
