//! Asks before anything destructive: a small dialog with the consequence spelled out.

use super::modal::DialogFrame;
use super::timing::unique_id;
use leptos::prelude::*;

#[component]
pub fn ConfirmDialog(
    #[prop(into)] title: String,
    #[prop(into)] message: String,
    /// The confirming button's text, e.g. "Delete".
    #[prop(into)]
    confirm_label: String,
    #[prop(into)] on_confirm: Callback<()>,
    #[prop(into)] on_cancel: Callback<()>,
    /// True while the action runs: the buttons are disabled and the label says so.
    #[prop(optional, into)]
    busy: Signal<bool>,
) -> impl IntoView {
    let title_id = unique_id("confirm-title");
    let message_id = unique_id("confirm-message");
    view! {
        <DialogFrame
            title_id=title_id.clone()
            describedby=message_id.clone()
            on_close=on_cancel
            class="modal-confirm"
        >
            <header class="modal-header">
                <h2 id=title_id>{title}</h2>
            </header>
            <div class="modal-body">
                <p id=message_id>{message}</p>
            </div>
            <footer class="modal-footer">
                <button
                    type="button"
                    class="btn btn-secondary"
                    disabled=move || busy.get()
                    on:click=move |_| on_cancel.run(())
                >
                    "Cancel"
                </button>
                <button
                    type="button"
                    class="btn btn-danger"
                    disabled=move || busy.get()
                    aria-busy=move || busy.get().then_some("true")
                    on:click=move |_| on_confirm.run(())
                >
                    {confirm_label}
                </button>
            </footer>
        </DialogFrame>
    }
}
