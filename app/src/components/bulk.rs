//! The frame of a list's bulk-action bar: how many are selected, the list's own actions (children),
//! "Delete selected" behind a confirmation and "Clear selection"; plus the request runner every bar shares.

use crate::ApiError;
use crate::components::{ConfirmDialog, Toasts, use_toasts};
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::collections::HashSet;
use std::future::Future;
use std::hash::Hash;

/// The selected ids of a list.
pub type Selected<Id> = RwSignal<HashSet<Id>>;

/// State of one bulk bar: the selection, a busy flag and the delete confirmation (made while the component
/// is set up, so that event handlers need no context lookups).
pub struct BulkState<Id: Send + Sync + 'static> {
    pub selection: Selected<Id>,
    pub busy: RwSignal<bool>,
    pub confirm_delete: RwSignal<bool>,
    toasts: Toasts,
}

impl<Id: Send + Sync + 'static> Clone for BulkState<Id> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<Id: Send + Sync + 'static> Copy for BulkState<Id> {}

impl<Id: Clone + Eq + Hash + Send + Sync + 'static> BulkState<Id> {
    pub fn new(selection: Selected<Id>) -> Self {
        Self {
            selection,
            busy: RwSignal::new(false),
            confirm_delete: RwSignal::new(false),
            toasts: use_toasts(),
        }
    }

    /// Sends `request(ids)` for the selection; on success toasts `done(affected)`, clears the selection and
    /// calls `on_done`; on failure toasts the problem (the server applies all or nothing).
    pub fn run<Fut>(
        self,
        request: impl FnOnce(Vec<Id>) -> Fut + 'static,
        done: impl FnOnce(u64) -> String + 'static,
        on_done: Callback<()>,
    ) where
        Fut: Future<Output = Result<domain::bulk::BulkResult, ApiError>> + 'static,
    {
        let toasts = self.toasts;
        let ids: Vec<Id> = self.selection.get_untracked().into_iter().collect();
        if ids.is_empty() || self.busy.get_untracked() {
            return;
        }
        self.busy.set(true);
        spawn_local(async move {
            let result = request(ids).await;
            self.busy.try_set(false);
            self.confirm_delete.try_set(false);
            match result {
                Ok(r) => {
                    toasts.success(done(r.affected));
                    self.selection.try_update(HashSet::clear);
                    on_done.run(());
                }
                Err(e) => {
                    let p = e.problem();
                    toasts.error(format!(
                        "Nothing was changed: {}",
                        crate::components::form::problem_message(p, &p.errors)
                    ));
                }
            }
        });
    }
}

/// The bar, shown while something is selected. `noun(n)` names n records ("3 tasks").
#[component]
pub fn BulkBar<Id: Clone + Eq + Hash + Send + Sync + 'static>(
    state: BulkState<Id>,
    noun: fn(usize) -> String,
    #[prop(into)] can_delete: Signal<bool>,
    #[prop(into)] on_delete: Callback<()>,
    /// The dialog title, e.g. "Delete tasks".
    delete_title: &'static str,
    /// What else the delete takes with it, said in the dialog ("Their stage history goes too.").
    #[prop(optional)]
    delete_note: Option<&'static str>,
    children: ChildrenFn,
) -> impl IntoView {
    let count = move || state.selection.with(HashSet::len);
    let busy = state.busy;
    view! {
        <Show when=move || { count() > 0 }>
            <div class="bulk-bar" role="region" aria-label="Bulk actions">
                <span class="bulk-count" aria-live="polite">{move || format!("{} selected", count())}</span>
                {children()}
                <Show when=move || can_delete.get()>
                    <button
                        type="button"
                        class="btn btn-danger-outline"
                        disabled=move || busy.get()
                        on:click=move |_| state.confirm_delete.set(true)
                    >
                        "Delete selected"
                    </button>
                </Show>
                <button type="button" class="btn btn-ghost" on:click=move |_| state.selection.update(HashSet::clear)>
                    "Clear selection"
                </button>
            </div>
        </Show>
        <Show when=move || state.confirm_delete.get()>
            <ConfirmDialog
                title=delete_title
                message=format!(
                    "Delete {}? {}This cannot be undone.",
                    noun(state.selection.with_untracked(HashSet::len)),
                    delete_note.map(|n| format!("{n} ")).unwrap_or_default(),
                )
                confirm_label="Delete"
                busy=busy
                on_confirm=on_delete
                on_cancel=move |_| state.confirm_delete.set(false)
            />
        </Show>
    }
}
