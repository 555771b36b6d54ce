//! Short-lived notices after an action ("Customer created"); errors stay until dismissed.

use leptos::prelude::*;
use std::time::Duration;

#[derive(Clone, Debug, PartialEq)]
struct Toast {
    id: u64,
    text: String,
    is_error: bool,
}

#[derive(Clone, Copy)]
pub struct Toasts {
    items: RwSignal<Vec<Toast>>,
    next_id: StoredValue<u64>,
}

impl Toasts {
    fn new() -> Self {
        Self {
            items: RwSignal::new(Vec::new()),
            next_id: StoredValue::new(1),
        }
    }

    pub fn success(&self, text: impl Into<String>) {
        let id = self.push(text.into(), false);
        let items = self.items;
        set_timeout(
            move || {
                items.try_update(|all| all.retain(|t| t.id != id));
            },
            Duration::from_secs(5),
        );
    }

    pub fn error(&self, text: impl Into<String>) {
        self.push(text.into(), true);
    }

    fn push(&self, text: String, is_error: bool) -> u64 {
        let id = self.next_id.get_value();
        self.next_id.set_value(id + 1);
        self.items
            .update(|all| all.push(Toast { id, text, is_error }));
        id
    }

    fn dismiss(&self, id: u64) {
        self.items.update(|all| all.retain(|t| t.id != id));
    }
}

pub fn provide_toasts() -> Toasts {
    let toasts = Toasts::new();
    provide_context(toasts);
    toasts
}

pub fn use_toasts() -> Toasts {
    expect_context::<Toasts>()
}

#[component]
pub fn ToastHost() -> impl IntoView {
    let toasts = use_toasts();
    view! {
        <div class="toasts" aria-live="polite">
            <For each=move || toasts.items.get() key=|t| t.id let:toast>
                <div
                    class="toast"
                    class:toast-error=toast.is_error
                    role=if toast.is_error { "alert" } else { "status" }
                >
                    <span>{toast.text.clone()}</span>
                    <button
                        type="button"
                        class="icon-button"
                        aria-label="Dismiss notification"
                        on:click=move |_| toasts.dismiss(toast.id)
                    >
                        <span aria-hidden="true">"×"</span>
                    </button>
                </div>
            </For>
        </div>
    }
}
