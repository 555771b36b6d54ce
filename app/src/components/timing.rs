//! Small browser helpers: unique element ids and a debounced copy of a text signal.

use leptos::prelude::*;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

static NEXT_ID: AtomicUsize = AtomicUsize::new(1);

/// A document-unique id for linking labels, errors and dialog titles (`for`, `aria-describedby`, …).
pub fn unique_id(prefix: &str) -> String {
    format!("{prefix}-{}", NEXT_ID.fetch_add(1, Ordering::Relaxed))
}

/// A signal that follows `source` once it has stopped changing for `delay` (search-as-you-type).
pub fn debounced(source: RwSignal<String>, delay: Duration) -> ReadSignal<String> {
    debounced_pair(source, delay).0
}

/// Like [`debounced`], also handing out the writer so a caller can set both at once (restoring state
/// from the URL without waiting for the delay): set the settled copy first, then the source.
pub fn debounced_pair(
    source: RwSignal<String>,
    delay: Duration,
) -> (ReadSignal<String>, WriteSignal<String>) {
    let (settled, set_settled) = signal(source.get_untracked());
    let pending: StoredValue<Option<TimeoutHandle>> = StoredValue::new(None);
    Effect::new(move |_| {
        let value = source.get();
        if let Some(handle) = pending.get_value() {
            handle.clear();
        }
        if settled.get_untracked() == value {
            pending.set_value(None);
            return;
        }
        let handle = set_timeout_with_handle(
            move || {
                set_settled.try_set(value);
            },
            delay,
        )
        .ok();
        pending.set_value(handle);
    });
    on_cleanup(move || {
        if let Some(handle) = pending.try_get_value().flatten() {
            handle.clear();
        }
    });
    (settled, set_settled)
}

/// Opens what a keyboard shortcut opens unless the user is typing somewhere or a dialog is open.
pub fn is_plain_shortcut(ev: &leptos::web_sys::KeyboardEvent, key: &str) -> bool {
    if ev.key() != key || ev.ctrl_key() || ev.meta_key() || ev.alt_key() || ev.default_prevented() {
        return false;
    }
    if crate::components::modal::open_dialogs() > 0 {
        return false;
    }
    let typing = ev
        .target()
        .and_then(|t| leptos::wasm_bindgen::JsCast::dyn_into::<leptos::web_sys::Element>(t).ok())
        .map(|el| {
            let tag = el.tag_name().to_ascii_lowercase();
            matches!(tag.as_str(), "input" | "textarea" | "select")
                || el.get_attribute("contenteditable").is_some()
        })
        .unwrap_or(false);
    !typing
}

/// "n" opens a list page's create dialog (`creating`) when `can_create()`, for as long as the page is shown.
pub fn on_create_shortcut(creating: RwSignal<bool>, can_create: impl Fn() -> bool + 'static) {
    let keys = window_event_listener(leptos::ev::keydown, move |e| {
        if is_plain_shortcut(&e, "n") && can_create() {
            e.prevent_default();
            creating.set(true);
        }
    });
    on_cleanup(move || keys.remove());
}
