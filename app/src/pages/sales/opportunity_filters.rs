//! The filters of the pipeline board and the opportunity table (search, owner, expected close range; the table
//! also one stage and its sort), kept in the URL, and carried over when switching views.

use crate::components::list_filters::{FilterKey, ListFilters};
use crate::components::user_choices::UserChoices;
use crate::components::{SelectField, TextField};
use domain::opportunity::{OpportunityQuery, Stage};
use leptos::prelude::*;

/// The search, filters and sort of the board or the table.
pub type OpportunityFilters = ListFilters<OpportunityQuery>;

/// The board's filters (it has a column per stage and sorts each by last update).
pub const BOARD_FILTERS: &[FilterKey] = &[
    FilterKey::search(),
    FilterKey::choice("owner_id"),
    FilterKey::choice("close_from"),
    FilterKey::choice("close_to"),
];

/// The table's: the board's, one stage and the sort.
pub const TABLE_FILTERS: &[FilterKey] = &[
    FilterKey::search(),
    FilterKey::choice("owner_id"),
    FilterKey::choice("close_from"),
    FilterKey::choice("close_to"),
    FilterKey::choice("stage"),
    FilterKey::sort("-created_at"),
];

/// `(value, label)` of every stage, with a first "any" choice labelled `none`.
pub fn stage_options(none: Option<&'static str>) -> Vec<(String, String)> {
    none.map(|n| (String::new(), n.to_owned()))
        .into_iter()
        .chain(
            Stage::ALL
                .iter()
                .map(|s| (s.as_str().to_owned(), s.label())),
        )
        .collect()
}

#[component]
pub fn OpportunityFiltersBar(filters: OpportunityFilters, users: UserChoices) -> impl IntoView {
    // The stage filter is the table's; the board has a column per stage.
    let with_stage = filters.has("stage");
    view! {
        <div class="filters" role="search">
            <TextField label="Search" value=filters.search() input_type="search" placeholder="Opportunity name" />
            <SelectField label="Owner" value=filters.signal("owner_id") options=users.options("Any owner") />
            <Show when=move || with_stage>
                <SelectField
                    label="Stage"
                    value=filters.signal("stage")
                    options=Signal::derive(|| stage_options(Some("Any stage")))
                />
            </Show>
            <TextField label="Closes from" value=filters.signal("close_from") input_type="date" />
            <TextField label="Closes until" value=filters.signal("close_to") input_type="date" />
        </div>
    }
}
