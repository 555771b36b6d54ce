//! The customer list's search box and filters; they collapse behind a "Filters" button on small screens.

use crate::components::list_filters::{FilterKey, ListFilters};
use crate::components::user_choices::UserChoices;
use crate::components::{SelectField, TextField};
use domain::customer::{CustomerQuery, CustomerStatus};
use leptos::prelude::*;

/// The customer list's search, filters and sort, kept in the URL (`?q=acme&status=active&sort=-name`).
pub type CustomerFilters = ListFilters<CustomerQuery>;

pub const CUSTOMER_FILTERS: &[FilterKey] = &[
    FilterKey::search(),
    FilterKey::text("industry"),
    FilterKey::text("tag"),
    FilterKey::choice("status"),
    FilterKey::choice("owner_id").in_url("owner"),
    FilterKey::choice("created_from"),
    FilterKey::choice("created_to"),
    FilterKey::sort("-created_at"),
];

pub fn status_options(none_label: &'static str) -> Vec<(String, String)> {
    let mut out = vec![(String::new(), none_label.to_owned())];
    out.extend(
        CustomerStatus::ALL
            .iter()
            .map(|s| (s.as_str().to_owned(), status_label(*s).to_owned())),
    );
    out
}

pub fn status_label(s: CustomerStatus) -> &'static str {
    match s {
        CustomerStatus::Prospect => "Prospect",
        CustomerStatus::Active => "Active",
        CustomerStatus::Inactive => "Inactive",
    }
}

#[component]
pub fn CustomerFiltersBar(filters: CustomerFilters, users: UserChoices) -> impl IntoView {
    let open = RwSignal::new(false);
    let search_ref = NodeRef::<leptos::html::Input>::new();
    // "/" focuses the search box, as in most web apps.
    let keys = window_event_listener(leptos::ev::keydown, move |e| {
        if crate::components::timing::is_plain_shortcut(&e, "/")
            && let Some(input) = search_ref.get_untracked()
        {
            e.prevent_default();
            let _ = leptos::web_sys::HtmlElement::focus(&input);
        }
    });
    on_cleanup(move || keys.remove());
    view! {
        <div class="filters" role="search">
            <div class="filters-main">
                <TextField
                    label="Search"
                    value=filters.search()
                    input_type="search"
                    placeholder="Name, email, phone or website"
                    node_ref=search_ref
                    class="field-search"
                />
                <button
                    type="button"
                    class="btn btn-secondary filters-toggle"
                    aria-expanded=move || open.get().to_string()
                    aria-controls="customer-filters"
                    on:click=move |_| open.update(|o| *o = !*o)
                >
                    {move || match filters.active_count() {
                        0 => "Filters".to_owned(),
                        n => format!("Filters ({n})"),
                    }}
                </button>
            </div>
            <div id="customer-filters" class="filters-more" class:is-open=move || open.get()>
                <SelectField label="Status" value=filters.signal("status") options=Signal::derive(|| status_options("Any status")) />
                <SelectField label="Owner" value=filters.signal("owner_id") options=users.options("Anyone") />
                <TextField label="Industry" value=filters.signal("industry") />
                <TextField label="Tag" value=filters.signal("tag") />
                <TextField label="Created from" value=filters.signal("created_from") input_type="date" />
                <TextField label="Created to" value=filters.signal("created_to") input_type="date" />
                <div class="field field-actions">
                    <button type="button" class="btn btn-ghost" on:click=move |_| filters.clear()>
                        "Clear filters"
                    </button>
                </div>
            </div>
        </div>
    }
}
