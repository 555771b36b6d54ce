//! "Delete" on a record's page: asks to confirm, deletes, says so and goes back to the list.

use crate::ApiError;
use crate::components::{ConfirmDialog, use_toasts};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_navigate;
use std::future::Future;

/// `what` names the kind of record ("task"), `name` this one; `back` is where to go after deleting.
#[component]
pub fn DeleteRecordButton<F, Fut>(
    what: &'static str,
    name: String,
    back: &'static str,
    delete: F,
) -> impl IntoView
where
    F: Fn() -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = Result<(), ApiError>> + 'static,
{
    let toasts = use_toasts();
    let navigate = use_navigate();
    let confirming = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let on_delete = move |_| {
        busy.set(true);
        let navigate = navigate.clone();
        let request = delete();
        spawn_local(async move {
            let result = request.await;
            busy.try_set(false);
            match result {
                Ok(()) => {
                    toasts.success(format!("{} deleted.", capitalized(what)));
                    navigate(back, Default::default());
                }
                Err(e) => {
                    confirming.try_set(false);
                    toasts.error(crate::components::form::problem_message(e.problem(), &[]));
                }
            }
        });
    };
    view! {
        <button type="button" class="btn btn-danger-outline" on:click=move |_| confirming.set(true)>
            "Delete"
        </button>
        <Show when=move || confirming.get()>
            <ConfirmDialog
                title=format!("Delete {what}")
                message=format!("Delete \u{201c}{name}\u{201d}? This cannot be undone.")
                confirm_label="Delete"
                busy=busy
                on_confirm=on_delete.clone()
                on_cancel=move |_| confirming.set(false)
            />
        </Show>
    }
}

fn capitalized(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}
