//! The customer list's search box and filters; they collapse behind a "Filters" button on small screens.

use crate::components::form::optional;
use crate::components::timing::debounced;
use crate::components::user_choices::UserChoices;
use crate::components::{SelectField, TextField};
use domain::customer::{CustomerQuery, CustomerStatus};
use leptos::prelude::*;
use std::time::Duration;

/// Every filter as text, the way `CustomerQuery` takes it. Typed filters (`q`, industry, tag) are followed by
/// a `*_settled` copy 250 ms after typing stops, and only that one triggers a request.
#[derive(Clone, Copy)]
pub struct CustomerFilters {
    pub q: RwSignal<String>,
    q_settled: ReadSignal<String>,
    pub status: RwSignal<String>,
    pub owner_id: RwSignal<String>,
    pub industry: RwSignal<String>,
    industry_settled: ReadSignal<String>,
    pub tag: RwSignal<String>,
    tag_settled: ReadSignal<String>,
    pub created_from: RwSignal<String>,
    pub created_to: RwSignal<String>,
    pub sort: RwSignal<String>,
}

impl Default for CustomerFilters {
    fn default() -> Self {
        Self::new()
    }
}

impl CustomerFilters {
    pub fn new() -> Self {
        let pause = Duration::from_millis(250);
        let (q, industry, tag) = (
            RwSignal::new(String::new()),
            RwSignal::new(String::new()),
            RwSignal::new(String::new()),
        );
        Self {
            q,
            q_settled: debounced(q, pause),
            status: RwSignal::new(String::new()),
            owner_id: RwSignal::new(String::new()),
            industry,
            industry_settled: debounced(industry, pause),
            tag,
            tag_settled: debounced(tag, pause),
            created_from: RwSignal::new(String::new()),
            created_to: RwSignal::new(String::new()),
            sort: RwSignal::new("-created_at".to_owned()),
        }
    }

    /// The query for one page (reads are tracked when called inside an effect).
    pub fn query(&self, cursor: Option<String>) -> CustomerQuery {
        CustomerQuery {
            q: optional(self.q_settled.get()),
            status: optional(self.status.get()),
            owner_id: optional(self.owner_id.get()),
            industry: optional(self.industry_settled.get()),
            tag: optional(self.tag_settled.get()),
            created_from: optional(self.created_from.get()),
            created_to: optional(self.created_to.get()),
            sort: optional(self.sort.get()),
            limit: Some("50".into()),
            cursor,
        }
    }

    /// How many filters besides the search box are set (shown on the collapsed "Filters" button).
    fn active_count(&self) -> usize {
        [
            self.status,
            self.owner_id,
            self.industry,
            self.tag,
            self.created_from,
            self.created_to,
        ]
        .iter()
        .filter(|s| s.with(|v| !v.trim().is_empty()))
        .count()
    }

    fn clear(&self) {
        for s in [
            self.q,
            self.status,
            self.owner_id,
            self.industry,
            self.tag,
            self.created_from,
            self.created_to,
        ] {
            s.set(String::new());
        }
    }
}

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
                    value=filters.q
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
                <SelectField label="Status" value=filters.status options=Signal::derive(|| status_options("Any status")) />
                <SelectField label="Owner" value=filters.owner_id options=users.options("Anyone") />
                <TextField label="Industry" value=filters.industry />
                <TextField label="Tag" value=filters.tag />
                <TextField label="Created from" value=filters.created_from input_type="date" />
                <TextField label="Created to" value=filters.created_to input_type="date" />
                <div class="field field-actions">
                    <button type="button" class="btn btn-ghost" on:click=move |_| filters.clear()>
                        "Clear filters"
                    </button>
                </div>
            </div>
        </div>
    }
}
