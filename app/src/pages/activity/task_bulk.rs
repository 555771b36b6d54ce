//! The bar that appears when tasks are selected: assign, set status, delete (after confirming).

use crate::api::tasks::bulk_task_action;
use crate::components::bulk::{BulkBar, BulkState, Selected};
use crate::components::user_choices::UserChoices;
use crate::components::{SelectField, use_toasts};
use crate::pages::activity::task_form::status_options;
use crate::root::use_session;
use domain::task::{TaskBulkAction, TaskBulkRequest, TaskStatus};
use domain::{Action, Resource, TaskId, UserId};
use leptos::prelude::*;

pub type TaskSelection = Selected<TaskId>;

fn tasks(n: usize) -> String {
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
    let state = BulkState::new(selection);
    let assignee = RwSignal::new(String::new());
    let status = RwSignal::new(TaskStatus::Done.as_str().to_owned());
    let run = move |action: TaskBulkAction, verb: &'static str| {
        state.run(
            move |ids| bulk_task_action(TaskBulkRequest { ids, action }),
            move |n| format!("{} {verb}.", tasks(n as usize)),
            on_done,
        );
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
    let busy = state.busy;
    view! {
        <BulkBar
            state=state
            noun=tasks
            can_delete=Signal::derive(move || session.can(Resource::Tasks, Action::Delete))
            on_delete=move |_| run(TaskBulkAction::Delete, "deleted")
            delete_title="Delete tasks"
        >
            <Show when=move || session.can(Resource::Tasks, Action::Update)>
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
        </BulkBar>
    }
}
