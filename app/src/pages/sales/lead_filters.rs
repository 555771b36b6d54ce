//! The lead list's search box and filters, kept in the URL (`?q=ada&status=qualified&sort=-estimated_value`)
//! so reload, back/forward and shared links restore the same list.

use crate::components::list_filters::{FilterKey, ListFilters};
use crate::components::user_choices::UserChoices;
use crate::components::{SelectField, TextField};
use domain::lead::{LeadQuery, LeadSource, LeadStatus};
use leptos::prelude::*;

/// The lead list's search, filters and sort.
pub type LeadFilters = ListFilters<LeadQuery>;

pub const LEAD_FILTERS: &[FilterKey] = &[
    FilterKey::search(),
    FilterKey::choice("status"),
    FilterKey::choice("source"),
    FilterKey::choice("owner_id").in_url("owner"),
    FilterKey::sort("-created_at"),
];

pub fn status_options(none_label: &'static str, statuses: &[LeadStatus]) -> Vec<(String, String)> {
    let mut out = vec![(String::new(), none_label.to_owned())];
    out.extend(statuses.iter().map(|s| (s.as_str().to_owned(), s.label())));
    out
}

pub fn source_options(none_label: &'static str) -> Vec<(String, String)> {
    let mut out = vec![(String::new(), none_label.to_owned())];
    out.extend(
        LeadSource::CHOICES
            .iter()
            .map(|s| (s.as_str().to_owned(), s.label())),
    );
    out
}

#[component]
pub fn LeadFiltersBar(filters: LeadFilters, users: UserChoices) -> impl IntoView {
    let open = RwSignal::new(false);
    view! {
        <div class="filters" role="search">
            <div class="filters-main">
                <TextField
                    label="Search"
                    value=filters.search()
                    input_type="search"
                    placeholder="Name, company, email or phone"
                    class="field-search"
                />
                <button
                    type="button"
                    class="btn btn-secondary filters-toggle"
                    aria-expanded=move || open.get().to_string()
                    aria-controls="lead-filters"
                    on:click=move |_| open.update(|o| *o = !*o)
                >
                    {move || match filters.active_count() {
                        0 => "Filters".to_owned(),
                        n => format!("Filters ({n})"),
                    }}
                </button>
            </div>
            <div id="lead-filters" class="filters-more" class:is-open=move || open.get()>
                <SelectField
                    label="Status"
                    value=filters.signal("status")
                    options=Signal::derive(|| status_options("Any status", LeadStatus::ALL))
                />
                <SelectField label="Source" value=filters.signal("source") options=Signal::derive(|| source_options("Any source")) />
                <SelectField label="Owner" value=filters.signal("owner_id") options=users.options("Anyone") />
                <div class="field field-actions">
                    <button type="button" class="btn btn-ghost" on:click=move |_| filters.clear()>
                        "Clear filters"
                    </button>
                </div>
            </div>
        </div>
    }
}
