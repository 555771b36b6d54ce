//! The "changed by someone else" prompt an edit form shows after a 412, with a button to reload the record.

use crate::components::FormState;
use leptos::prelude::*;

#[component]
pub fn StaleAlert(
    form: FormState,
    message: &'static str,
    #[prop(into)] on_reload: Callback<()>,
) -> impl IntoView {
    view! {
        <Show when=move || form.status.get() == Some(412)>
            <div class="form-alert form-alert-warning" role="alert">
                <p>{message}</p>
                <button type="button" class="btn btn-secondary" on:click=move |_| on_reload.run(())>
                    "Reload"
                </button>
            </div>
        </Show>
    }
}
