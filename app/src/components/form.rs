//! Form state shared by every form: per-field errors (from the domain's `clean()` or the server),
//! a form-level message for everything else, and a busy flag while a request runs.

use crate::ApiError;
use domain::{FieldError, Problem};
use leptos::prelude::*;

#[derive(Clone, Copy)]
pub struct FormState {
    errors: RwSignal<Vec<FieldError>>,
    /// A message not tied to one field (403, 404, 409 without a field, network trouble).
    pub alert: RwSignal<Option<String>>,
    pub busy: RwSignal<bool>,
    /// The status of the last failed request (412 shows a reload prompt).
    pub status: RwSignal<Option<u16>>,
}

impl Default for FormState {
    fn default() -> Self {
        Self::new()
    }
}

impl FormState {
    pub fn new() -> Self {
        Self {
            errors: RwSignal::new(Vec::new()),
            alert: RwSignal::new(None),
            busy: RwSignal::new(false),
            status: RwSignal::new(None),
        }
    }

    /// The inline message for `field`, reactive.
    pub fn error(&self, field: &'static str) -> Signal<Option<String>> {
        let errors = self.errors;
        Signal::derive(move || {
            errors.with(|all| {
                all.iter()
                    .find(|e| e.field == field)
                    .map(|e| human_message(&e.message))
            })
        })
    }

    pub fn clear(&self) {
        self.errors.set(Vec::new());
        self.alert.set(None);
        self.status.set(None);
    }

    /// Shows a validation problem from `clean()` (client side): field errors only.
    pub fn show_invalid(&self, problem: Problem) {
        self.alert.set(None);
        self.status.set(Some(problem.status));
        self.errors.set(problem.errors);
    }

    /// Shows a server answer: field errors inline for `fields` this form has, the rest as a form message.
    pub fn show_error(&self, error: &ApiError, fields: &[&str]) {
        let problem = error.problem();
        let (inline, other): (Vec<FieldError>, Vec<FieldError>) = problem
            .errors
            .iter()
            .cloned()
            .partition(|e| fields.contains(&e.field.as_str()));
        self.status.set(Some(problem.status));
        self.alert.set(if inline.is_empty() || !other.is_empty() {
            Some(problem_message(problem, &other))
        } else {
            None
        });
        self.errors.set(inline);
    }
}

/// One sentence for a problem, naming fields the form does not show.
pub fn problem_message(problem: &Problem, unshown: &[FieldError]) -> String {
    let mut text = match problem.status {
        403 => "You are not allowed to do this.".to_owned(),
        429 => match problem.retry_after {
            Some(s) => format!("Too many requests; try again in {s} seconds."),
            None => "Too many requests; try again in a moment.".to_owned(),
        },
        _ if !problem.detail.is_empty() => problem.detail.clone(),
        _ => problem.title.clone(),
    };
    for e in unshown {
        text.push_str(&format!(" {}: {}.", e.field, human_message(&e.message)));
    }
    text
}

/// Field messages come as "is required" or a validator's wording; show them as a sentence.
pub fn human_message(message: &str) -> String {
    let m = message.trim();
    if m.starts_with("length is lower than 1") || m == "is required" {
        return "This field is required.".to_owned();
    }
    let mut chars = m.chars();
    let mut out: String = match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => return String::new(),
    };
    if !out.ends_with('.') {
        out.push('.');
    }
    out
}

/// Blank text becomes `None` (optional form fields).
pub fn optional(text: String) -> Option<String> {
    let t = text.trim();
    (!t.is_empty()).then(|| t.to_owned())
}

/// The form-level message, announced when it appears.
#[leptos::component]
pub fn FormAlert(form: FormState) -> impl leptos::IntoView {
    use leptos::prelude::*;
    move || {
        form.alert
            .get()
            .map(|message| view! { <div class="form-alert" role="alert">{message}</div> })
    }
}

/// Cancel and submit buttons at the bottom of a dialog form; the submit button says what happens.
#[leptos::component]
pub fn FormButtons(
    form: FormState,
    #[prop(into)] submit_label: String,
    #[prop(into)] on_cancel: leptos::prelude::Callback<()>,
) -> impl leptos::IntoView {
    use leptos::prelude::*;
    view! {
        <div class="form-buttons">
            <button type="button" class="btn btn-secondary" on:click=move |_| on_cancel.run(())>
                "Cancel"
            </button>
            <button
                type="submit"
                class="btn btn-primary"
                disabled=move || form.busy.get()
                aria-busy=move || form.busy.get().then_some("true")
            >
                {submit_label}
            </button>
        </div>
    }
}
