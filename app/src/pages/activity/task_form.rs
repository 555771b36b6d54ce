//! The task form (create in a dialog, edit on the detail page), the customer search-select and the
//! "New task" dialog. Times are entered in the browser's time zone and sent as UTC.

use crate::api::customers::{get_customer, list_customers};
use crate::api::tasks::create_task;
use crate::components::form::{FormAlert, FormButtons};
use crate::components::timing::debounced;
use crate::components::user_choices::UserChoices;
use crate::components::{FormState, Modal, SelectField, TextField};
use chrono::{DateTime, Local, NaiveDateTime, TimeZone, Utc};
use domain::customer::CustomerQuery;
use domain::priority::Priority;
use domain::task::{Task, TaskInput, TaskPatch, TaskStatus};
use domain::{CustomerId, FieldError, Patch, Problem, UserId};
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::time::Duration;

/// The fields the form shows; server errors for other fields go to the form message.
pub const TASK_FIELDS: [&str; 8] = [
    "title",
    "description",
    "due_at",
    "remind_at",
    "assignee_id",
    "status",
    "priority",
    "customer_id",
];

const INPUT_FORMAT: &str = "%Y-%m-%dT%H:%M";

/// A `datetime-local` value (the browser's time zone) from a time, and back.
pub fn time_input(t: Option<DateTime<Utc>>) -> String {
    t.map(|t| t.with_timezone(&Local).format(INPUT_FORMAT).to_string())
        .unwrap_or_default()
}

fn parse_time_input(s: &str, field: &str, errors: &mut Vec<FieldError>) -> Option<DateTime<Utc>> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    let parsed = NaiveDateTime::parse_from_str(s, INPUT_FORMAT)
        .or_else(|_| NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S"));
    // A local time skipped by a daylight-saving change has no UTC time: ask for another.
    match parsed
        .ok()
        .and_then(|t| Local.from_local_datetime(&t).earliest())
    {
        Some(t) => Some(t.with_timezone(&Utc)),
        None => {
            errors.push(FieldError::new(field, "must be a date and time"));
            None
        }
    }
}

/// A time input's value: the time as loaded (to the second) while the minute shown is left alone, so that
/// saving an edit of another field does not move the due time or re-arm a reminder; else what is typed.
fn time_field(
    s: &str,
    loaded: Option<DateTime<Utc>>,
    field: &str,
    errors: &mut Vec<FieldError>,
) -> Option<DateTime<Utc>> {
    if loaded.is_some() && s.trim() == time_input(loaded) {
        return loaded;
    }
    parse_time_input(s, field, errors)
}

pub fn word_options<T: Copy>(
    all: &[T],
    word: fn(T) -> &'static str,
    label: fn(T) -> String,
) -> Vec<(String, String)> {
    all.iter()
        .map(|v| (word(*v).to_owned(), label(*v)))
        .collect()
}

pub fn status_options() -> Vec<(String, String)> {
    word_options(TaskStatus::ALL, TaskStatus::as_str, TaskStatus::label)
}

pub fn priority_options() -> Vec<(String, String)> {
    word_options(Priority::ALL, Priority::as_str, Priority::label)
}

#[derive(Clone, Copy)]
pub struct TaskFields {
    title: RwSignal<String>,
    description: RwSignal<String>,
    due_at: RwSignal<String>,
    remind_at: RwSignal<String>,
    assignee_id: RwSignal<String>,
    status: RwSignal<String>,
    priority: RwSignal<String>,
    customer_id: RwSignal<String>,
    /// Links the form does not show are kept as loaded.
    kept: StoredValue<TaskInput>,
}

impl TaskFields {
    pub fn from_input(t: &TaskInput) -> Self {
        let id = |v: Option<uuid::Uuid>| v.map(|u| u.to_string()).unwrap_or_default();
        Self {
            title: RwSignal::new(t.title.clone()),
            description: RwSignal::new(t.description.clone()),
            due_at: RwSignal::new(time_input(t.due_at)),
            remind_at: RwSignal::new(time_input(t.remind_at)),
            assignee_id: RwSignal::new(id(t.assignee_id.map(|u| u.0))),
            status: RwSignal::new(t.status.as_str().to_owned()),
            priority: RwSignal::new(t.priority.as_str().to_owned()),
            customer_id: RwSignal::new(id(t.customer_id.map(|c| c.0))),
            kept: StoredValue::new(t.clone()),
        }
    }

    /// On submit: the cleaned input, or `None` (a request is already running, or the errors are shown).
    pub fn submitted(&self, ev: leptos::ev::SubmitEvent, form: FormState) -> Option<TaskInput> {
        ev.prevent_default();
        if form.busy.get_untracked() {
            return None;
        }
        form.clear();
        self.input()
            .map_err(|problem| form.show_invalid(problem))
            .ok()
    }

    /// What is typed, cleaned by the domain's rules (bad times are field errors too).
    pub fn input(&self) -> Result<TaskInput, Problem> {
        let mut errors = Vec::new();
        let kept = self.kept.get_value();
        let due_at = time_field(
            &self.due_at.get_untracked(),
            kept.due_at,
            "due_at",
            &mut errors,
        );
        let remind_at = time_field(
            &self.remind_at.get_untracked(),
            kept.remind_at,
            "remind_at",
            &mut errors,
        );
        let input = TaskInput {
            title: self.title.get_untracked(),
            description: self.description.get_untracked(),
            due_at,
            remind_at,
            assignee_id: self.assignee_id.get_untracked().parse::<UserId>().ok(),
            status: TaskStatus::parse(&self.status.get_untracked()).unwrap_or_default(),
            priority: Priority::parse(&self.priority.get_untracked()).unwrap_or_default(),
            customer_id: self.customer_id.get_untracked().parse::<CustomerId>().ok(),
            ..kept
        };
        match input.clean() {
            Ok(v) if errors.is_empty() => Ok(v),
            Ok(_) => Err(Problem::invalid(errors)),
            Err(mut p) => {
                p.errors.extend(errors);
                Err(p)
            }
        }
    }
}

/// Only the fields that differ from the task as loaded (`None` clears).
pub fn patch_between(before: &TaskInput, after: TaskInput) -> TaskPatch {
    TaskPatch {
        title: Patch::changed(&before.title, after.title),
        description: Patch::changed(&before.description, after.description),
        due_at: Patch::changed_opt(&before.due_at, after.due_at),
        remind_at: Patch::changed_opt(&before.remind_at, after.remind_at),
        assignee_id: Patch::changed_opt(&before.assignee_id, after.assignee_id),
        status: Patch::changed(&before.status, after.status),
        priority: Patch::changed(&before.priority, after.priority),
        customer_id: Patch::changed_opt(&before.customer_id, after.customer_id),
        ..Default::default()
    }
}

/// Pick a customer by typing part of its name: the matches fill the select below.
#[component]
pub fn CustomerPicker(value: RwSignal<String>, form: FormState) -> impl IntoView {
    let search = RwSignal::new(String::new());
    let settled = debounced(search, Duration::from_millis(250));
    // The chosen customer stays among the options while the search changes.
    let chosen = RwSignal::new(None::<(String, String)>);
    let initial = value.get_untracked().parse::<CustomerId>().ok();
    if let Some(id) = initial {
        spawn_local(async move {
            if let Ok(c) = get_customer(id).await {
                chosen.try_set(Some((c.id.to_string(), c.name)));
            }
        });
    }
    let found = LocalResource::new(move || {
        let q = settled.get();
        async move {
            if q.trim().is_empty() {
                return Vec::new();
            }
            let query = CustomerQuery {
                q: Some(q),
                limit: Some("10".into()),
                ..Default::default()
            };
            list_customers(query)
                .await
                .map(|p| {
                    p.data
                        .into_iter()
                        .map(|c| (c.id.to_string(), c.name))
                        .collect()
                })
                .unwrap_or_default()
        }
    });
    let options = Signal::derive(move || {
        let mut out = vec![(String::new(), "No customer".to_owned())];
        out.extend(chosen.get());
        for hit in found.get().unwrap_or_default() {
            if !out.iter().any(|(id, _)| *id == hit.0) {
                out.push(hit);
            }
        }
        out
    });
    Effect::new(move |_| {
        let id = value.get();
        let name = options.with_untracked(|o| o.iter().find(|(v, _)| *v == id).cloned());
        if let Some(pair) = name.filter(|(v, _)| !v.is_empty()) {
            chosen.set(Some(pair));
        }
    });
    view! {
        <TextField label="Find customer" value=search input_type="search" placeholder="Type a name…" />
        <SelectField label="Customer" value=value options=options error=form.error("customer_id") />
    }
}

#[component]
pub fn TaskFormFields(
    fields: TaskFields,
    form: FormState,
    users: UserChoices,
    /// What the empty assignee choice means: "Me" when creating (the default), "Unassigned" when editing.
    no_assignee: &'static str,
) -> impl IntoView {
    view! {
        <div class="form-grid">
            <TextField label="Title" value=fields.title required=true error=form.error("title") class="span-2" />
            <TextField label="Due" value=fields.due_at input_type="datetime-local" error=form.error("due_at") />
            <TextField
                label="Remind at"
                value=fields.remind_at
                input_type="datetime-local"
                hint="You get a notification then."
                error=form.error("remind_at")
            />
            <SelectField
                label="Priority"
                value=fields.priority
                options=Signal::derive(priority_options)
                error=form.error("priority")
            />
            <SelectField
                label="Status"
                value=fields.status
                options=Signal::derive(status_options)
                error=form.error("status")
            />
            <SelectField
                label="Assignee"
                value=fields.assignee_id
                options=users.options(no_assignee)
                error=form.error("assignee_id")
            />
            <CustomerPicker value=fields.customer_id form=form />
            <div class="field span-2" class:has-error=move || form.error("description").get().is_some()>
                <label for="task-description">"Description"</label>
                <textarea
                    id="task-description"
                    rows="3"
                    prop:value=move || fields.description.get()
                    on:input=move |ev| fields.description.set(event_target_value(&ev))
                ></textarea>
                {move || form.error("description").get().map(|m| view! { <p class="field-error">{m}</p> })}
            </div>
        </div>
    }
}

#[component]
pub fn NewTaskDialog(
    users: UserChoices,
    /// Pre-selected customer (`/tasks?customer_id=…`).
    customer_id: Option<CustomerId>,
    #[prop(into)] on_close: Callback<()>,
    #[prop(into)] on_created: Callback<Task>,
) -> impl IntoView {
    let fields = TaskFields::from_input(&TaskInput {
        customer_id,
        ..Default::default()
    });
    let form = FormState::new();
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        let Some(input) = fields.submitted(ev, form) else {
            return;
        };
        form.busy.set(true);
        spawn_local(async move {
            let result = create_task(input).await;
            form.busy.try_set(false);
            match result {
                Ok(task) => on_created.run(task),
                Err(e) => form.show_error(&e, &TASK_FIELDS),
            }
        });
    };
    view! {
        <Modal title="New task" on_close=on_close wide=true>
            <form novalidate on:submit=on_submit>
                <FormAlert form=form />
                <TaskFormFields fields=fields form=form users=users no_assignee="Me" />
                <FormButtons form=form submit_label="Create" on_cancel=on_close />
            </form>
        </Modal>
    }
}
