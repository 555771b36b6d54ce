//! A modal dialog: `role="dialog"` labelled by its title, Escape closes it, focus moves in and comes back.

use super::timing::unique_id;
use leptos::ev;
use leptos::html;
use leptos::prelude::*;
use leptos::wasm_bindgen::JsCast;
use leptos::web_sys::HtmlElement;
use std::cell::RefCell;
use std::sync::atomic::{AtomicUsize, Ordering};

/// How many dialogs are open; only the topmost one answers Escape, and shortcuts pause while any is open.
static OPEN_DIALOGS: AtomicUsize = AtomicUsize::new(0);

thread_local! {
    /// The element that had focus when each open dialog opened, innermost last.
    static OPENERS: RefCell<Vec<Option<HtmlElement>>> = const { RefCell::new(Vec::new()) };
}

pub fn open_dialogs() -> usize {
    OPEN_DIALOGS.load(Ordering::Relaxed)
}

const FOCUSABLE: &str = "input:not([disabled]), select:not([disabled]), textarea:not([disabled]), \
                         button:not([disabled]), a[href], [tabindex]:not([tabindex='-1'])";

/// The frame every dialog shares. `describedby` links a message (confirm dialogs).
#[component]
pub fn DialogFrame(
    title_id: String,
    #[prop(optional, into)] describedby: Option<String>,
    #[prop(into)] on_close: Callback<()>,
    #[prop(optional, into)] class: Option<&'static str>,
    children: Children,
) -> impl IntoView {
    let depth = OPEN_DIALOGS.fetch_add(1, Ordering::Relaxed) + 1;
    let dialog_ref = NodeRef::<html::Div>::new();
    OPENERS.with(|o| {
        o.borrow_mut().push(
            document()
                .active_element()
                .and_then(|e| e.dyn_into::<HtmlElement>().ok()),
        )
    });

    let keys = window_event_listener(ev::keydown, move |e| {
        if open_dialogs() != depth {
            return;
        }
        match e.key().as_str() {
            "Escape" => {
                e.prevent_default();
                on_close.run(());
            }
            "Tab" => {
                if let Some(dialog) = dialog_ref.get_untracked() {
                    trap_tab(&dialog, &e);
                }
            }
            _ => {}
        }
    });
    on_cleanup(move || {
        keys.remove();
        OPEN_DIALOGS.fetch_sub(1, Ordering::Relaxed);
        // Focus goes back to whatever opened the dialog (if it is still on the page).
        if let Some(el) = OPENERS.with(|o| o.borrow_mut().pop()).flatten()
            && el.is_connected()
        {
            let _ = el.focus();
        }
    });

    Effect::new(move |_| {
        if let Some(dialog) = dialog_ref.get() {
            let first = dialog
                .query_selector(
                    "[autofocus], .modal-body input, .modal-body select, .modal-body textarea",
                )
                .ok()
                .flatten()
                .or_else(|| dialog.query_selector(".modal-footer button").ok().flatten());
            if let Some(el) = first.and_then(|e| e.dyn_into::<HtmlElement>().ok()) {
                let _ = el.focus();
            }
        }
    });

    view! {
        <div class="modal-backdrop">
            <div
                class=format!("modal {}", class.unwrap_or_default())
                role="dialog"
                aria-modal="true"
                aria-labelledby=title_id
                aria-describedby=describedby
                node_ref=dialog_ref
            >
                {children()}
            </div>
        </div>
    }
}

/// Keeps Tab and Shift+Tab inside the dialog.
fn trap_tab(dialog: &leptos::web_sys::HtmlDivElement, e: &leptos::web_sys::KeyboardEvent) {
    let all = dialog.get_elements_by_tag_name("*");
    let items: Vec<HtmlElement> = (0..all.length())
        .filter_map(|i| all.item(i))
        .filter(|el| el.matches(FOCUSABLE).unwrap_or(false))
        .filter_map(|el| el.dyn_into::<HtmlElement>().ok())
        .collect();
    let (Some(first), Some(last)) = (items.first(), items.last()) else {
        return;
    };
    let active = document().active_element();
    let at = |el: &HtmlElement| {
        active
            .as_ref()
            .is_some_and(|a| a == el.unchecked_ref::<leptos::web_sys::Element>())
    };
    if e.shift_key() && at(first) {
        e.prevent_default();
        let _ = last.focus();
    } else if !e.shift_key() && at(last) {
        e.prevent_default();
        let _ = first.focus();
    }
}

/// A titled dialog with a close button; the body is the children (usually a form).
#[component]
pub fn Modal(
    #[prop(into)] title: String,
    #[prop(into)] on_close: Callback<()>,
    #[prop(optional)] wide: bool,
    children: Children,
) -> impl IntoView {
    let title_id = unique_id("dialog-title");
    view! {
        <DialogFrame title_id=title_id.clone() on_close=on_close class=if wide { "modal-wide" } else { "" }>
            <header class="modal-header">
                <h2 id=title_id>{title}</h2>
                <button
                    type="button"
                    class="icon-button"
                    aria-label="Close dialog"
                    on:click=move |_| on_close.run(())
                >
                    <span aria-hidden="true">"×"</span>
                </button>
            </header>
            <div class="modal-body">{children()}</div>
        </DialogFrame>
    }
}
