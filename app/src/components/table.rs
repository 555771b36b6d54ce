//! Table helpers: sortable column headers that toggle ascending/descending.

use leptos::prelude::*;

/// A `<th>` whose button sorts by `key`; `sort` holds the list's sort text (`name`, `-created_at`).
/// A first click sorts ascending, or descending when `desc_first` (dates: newest first).
#[component]
pub fn SortHeader(
    #[prop(into)] label: String,
    key: &'static str,
    sort: RwSignal<String>,
    #[prop(optional)] desc_first: bool,
) -> impl IntoView {
    let state = move || {
        let s = sort.get();
        if s == key {
            Some(false)
        } else if s.strip_prefix('-') == Some(key) {
            Some(true)
        } else {
            None
        }
    };
    let toggle = move |_| {
        let next = match state() {
            Some(false) => format!("-{key}"),
            Some(true) => key.to_owned(),
            None if desc_first => format!("-{key}"),
            None => key.to_owned(),
        };
        sort.set(next);
    };
    view! {
        <th
            scope="col"
            aria-sort=move || match state() {
                Some(false) => "ascending",
                Some(true) => "descending",
                None => "none",
            }
        >
            <button type="button" class="sort-button" on:click=toggle>
                {label}
                <span class="sort-arrow" aria-hidden="true">
                    {move || match state() {
                        Some(false) => "▲",
                        Some(true) => "▼",
                        None => "↕",
                    }}
                </span>
            </button>
        </th>
    }
}
