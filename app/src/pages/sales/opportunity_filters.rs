//! Filters shared by the pipeline board and the opportunity table (search, owner, expected close range), read
//! from and carried in the URL so that switching views keeps them.

use crate::components::format::query_string;
use crate::components::timing::debounced;
use crate::components::user_choices::UserChoices;
use crate::components::{SelectField, TextField};
use domain::opportunity::{OpportunityQuery, Stage};
use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::hooks::{use_location, use_navigate, use_query_map};
use std::time::Duration;

#[derive(Clone, Copy)]
pub struct OpportunityFilters {
    pub q: RwSignal<String>,
    q_settled: ReadSignal<String>,
    pub owner_id: RwSignal<String>,
    pub close_from: RwSignal<String>,
    pub close_to: RwSignal<String>,
    /// Table only: one stage or empty.
    pub stage: RwSignal<String>,
    /// Table only: the sort text (`-created_at`).
    pub sort: RwSignal<String>,
}

fn some(s: String) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_owned())
}

impl OpportunityFilters {
    /// Starts from the page's URL (`?q=acme&owner_id=…&close_from=2026-01-01`).
    pub fn from_url() -> Self {
        let url = use_query_map().get_untracked();
        let get = |k: &str| url.get(k).unwrap_or_default();
        let q = RwSignal::new(get("q"));
        Self {
            q,
            q_settled: debounced(q, Duration::from_millis(250)),
            owner_id: RwSignal::new(get("owner_id")),
            close_from: RwSignal::new(get("close_from")),
            close_to: RwSignal::new(get("close_to")),
            stage: RwSignal::new(get("stage")),
            sort: RwSignal::new(some(get("sort")).unwrap_or_else(|| "-created_at".to_owned())),
        }
    }

    /// The list query (reactive: tracks every filter).
    pub fn query(&self, cursor: Option<String>, stage: Option<Stage>) -> OpportunityQuery {
        OpportunityQuery {
            q: some(self.q_settled.get()),
            stage: stage.map(|s| s.as_str().to_owned()),
            owner_id: some(self.owner_id.get()),
            close_from: some(self.close_from.get()),
            close_to: some(self.close_to.get()),
            cursor,
            ..Default::default()
        }
    }

    /// The shared filters as a query string, for the link to the other view.
    pub fn url(&self) -> String {
        query_string(&[
            ("q", some(self.q_settled.get())),
            ("owner_id", some(self.owner_id.get())),
            ("close_from", some(self.close_from.get())),
            ("close_to", some(self.close_to.get())),
        ])
    }

    /// Keeps the page's URL in step with the shared filters (replacing the entry), so a reload or a shared
    /// link shows the same selection.
    pub fn sync_url(self) {
        let location = use_location();
        let here = location.pathname.get_untracked();
        let navigate = use_navigate();
        Effect::new(move |_| {
            let wanted = self.url();
            let still_here = location.pathname.with_untracked(|p| *p == here);
            let current = location.search.with_untracked(|s| {
                if s.is_empty() {
                    String::new()
                } else {
                    format!("?{}", s.trim_start_matches('?'))
                }
            });
            if still_here && wanted != current {
                navigate(
                    &format!("{here}{wanted}"),
                    NavigateOptions {
                        replace: true,
                        scroll: false,
                        ..Default::default()
                    },
                );
            }
        });
    }

    pub fn is_filtered(&self) -> bool {
        [
            self.q,
            self.owner_id,
            self.close_from,
            self.close_to,
            self.stage,
        ]
        .iter()
        .any(|s| s.with(|v| !v.trim().is_empty()))
    }
}

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
pub fn OpportunityFiltersBar(
    filters: OpportunityFilters,
    users: UserChoices,
    /// Shows the stage filter (the table; the board has a column per stage).
    #[prop(optional)]
    with_stage: bool,
) -> impl IntoView {
    view! {
        <div class="filters" role="search">
            <TextField label="Search" value=filters.q input_type="search" placeholder="Opportunity name" />
            <SelectField label="Owner" value=filters.owner_id options=users.options("Any owner") />
            <Show when=move || with_stage>
                <SelectField
                    label="Stage"
                    value=filters.stage
                    options=Signal::derive(|| stage_options(Some("Any stage")))
                />
            </Show>
            <TextField label="Closes from" value=filters.close_from input_type="date" />
            <TextField label="Closes until" value=filters.close_to input_type="date" />
        </div>
    }
}
