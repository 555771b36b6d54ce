//! The lead list's search box and filters, kept in the URL (`?q=ada&status=qualified&sort=-estimated_value`)
//! so reload, back/forward and shared links restore the same list.

use crate::components::form::optional;
use crate::components::timing::debounced_pair;
use crate::components::user_choices::UserChoices;
use crate::components::{SelectField, TextField};
use crate::pages::customers::customer_filters::query_string;
use domain::lead::{LeadQuery, LeadSource, LeadStatus};
use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::hooks::{use_location, use_navigate, use_query_map};
use leptos_router::params::ParamsMap;
use std::time::Duration;

/// The default sort, left out of the URL.
const DEFAULT_SORT: &str = "-created_at";
/// URL keys besides `q` (typed, settled 250 ms after typing stops).
const PLAIN_KEYS: [&str; 4] = ["status", "source", "owner", "sort"];

type Pairs = Vec<(&'static str, String)>;

#[derive(Clone, Copy)]
pub struct LeadFilters {
    pub q: RwSignal<String>,
    q_settled: (ReadSignal<String>, WriteSignal<String>),
    pub status: RwSignal<String>,
    pub source: RwSignal<String>,
    pub owner_id: RwSignal<String>,
    pub sort: RwSignal<String>,
}

impl Default for LeadFilters {
    fn default() -> Self {
        Self::new()
    }
}

impl LeadFilters {
    pub fn new() -> Self {
        let q = RwSignal::new(String::new());
        Self {
            q,
            q_settled: debounced_pair(q, Duration::from_millis(250)),
            status: RwSignal::new(String::new()),
            source: RwSignal::new(String::new()),
            owner_id: RwSignal::new(String::new()),
            sort: RwSignal::new(DEFAULT_SORT.to_owned()),
        }
    }

    fn plain(&self, key: &str) -> RwSignal<String> {
        match key {
            "status" => self.status,
            "source" => self.source,
            "owner" => self.owner_id,
            _ => self.sort,
        }
    }

    /// The settled state as URL pairs (tracked).
    fn url_pairs(&self) -> Pairs {
        let typed = std::iter::once(("q", self.q_settled.0.get()));
        normalized(typed.chain(PLAIN_KEYS.map(|k| (k, self.plain(k).get()))))
    }

    fn pairs_of(params: &ParamsMap) -> Pairs {
        normalized(
            std::iter::once("q")
                .chain(PLAIN_KEYS)
                .map(|k| (k, params.get(k).unwrap_or_default())),
        )
    }

    /// Sets every filter from the URL; the search box only when its settled text really differs.
    fn apply_url(&self, params: &ParamsMap) {
        let q = params.get("q").unwrap_or_default();
        if self.q_settled.0.get_untracked().trim() != q.trim() {
            self.q_settled.1.set(q.clone());
            self.q.set(q);
        }
        for key in PLAIN_KEYS {
            let value = params
                .get(key)
                .filter(|v| !v.trim().is_empty())
                .unwrap_or_else(|| {
                    if key == "sort" {
                        DEFAULT_SORT.into()
                    } else {
                        String::new()
                    }
                });
            let signal = self.plain(key);
            if signal.get_untracked() != value {
                signal.set(value);
            }
        }
    }

    /// The query for one page (tracked when read in an effect).
    pub fn query(&self, cursor: Option<String>) -> LeadQuery {
        LeadQuery {
            q: optional(self.q_settled.0.get()),
            status: optional(self.status.get()),
            source: optional(self.source.get()),
            owner_id: optional(self.owner_id.get()),
            sort: optional(self.sort.get()),
            limit: Some("50".into()),
            cursor,
            ..Default::default()
        }
    }

    pub fn is_filtered(&self) -> bool {
        let q = self.query(None);
        q.q.is_some() || q.status.is_some() || q.source.is_some() || q.owner_id.is_some()
    }

    fn clear(&self) {
        for s in [self.q, self.status, self.source, self.owner_id] {
            s.set(String::new());
        }
    }

    /// Follows the URL (back/forward, links) and writes settled changes back: typing replaces the history
    /// entry, other changes push a new one.
    pub fn sync_with_url(self) {
        let url_query = use_query_map();
        self.apply_url(&url_query.get_untracked());
        let location = use_location();
        let here = location.pathname.get_untracked();
        let on_this_page = {
            let here = here.clone();
            move || location.pathname.with_untracked(|p| *p == here)
        };
        Effect::new({
            let on_this_page = on_this_page.clone();
            move |_| {
                url_query.track();
                if on_this_page() {
                    url_query.with_untracked(|params| self.apply_url(params));
                }
            }
        });
        let navigate = use_navigate();
        Effect::new(move |_| {
            let wanted = self.url_pairs();
            let current = url_query.with_untracked(Self::pairs_of);
            if !on_this_page() || wanted == current {
                return;
            }
            let without_q = |v: &Pairs| {
                v.iter()
                    .filter(|(k, _)| *k != "q")
                    .cloned()
                    .collect::<Pairs>()
            };
            let options = NavigateOptions {
                replace: without_q(&wanted) == without_q(&current),
                scroll: false,
                ..Default::default()
            };
            navigate(&format!("{here}{}", query_string(&wanted)), options);
        });
    }
}

fn normalized(pairs: impl Iterator<Item = (&'static str, String)>) -> Pairs {
    pairs
        .map(|(k, v)| (k, v.trim().to_owned()))
        .filter(|(k, v)| !(v.is_empty() || (*k == "sort" && v == DEFAULT_SORT)))
        .collect()
}

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
    let active = move || {
        [filters.status, filters.source, filters.owner_id]
            .iter()
            .filter(|s| s.with(|v| !v.trim().is_empty()))
            .count()
    };
    view! {
        <div class="filters" role="search">
            <div class="filters-main">
                <TextField
                    label="Search"
                    value=filters.q
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
                    {move || match active() {
                        0 => "Filters".to_owned(),
                        n => format!("Filters ({n})"),
                    }}
                </button>
            </div>
            <div id="lead-filters" class="filters-more" class:is-open=move || open.get()>
                <SelectField
                    label="Status"
                    value=filters.status
                    options=Signal::derive(|| status_options("Any status", LeadStatus::ALL))
                />
                <SelectField label="Source" value=filters.source options=Signal::derive(|| source_options("Any source")) />
                <SelectField label="Owner" value=filters.owner_id options=users.options("Anyone") />
                <div class="field field-actions">
                    <button type="button" class="btn btn-ghost" on:click=move |_| filters.clear()>
                        "Clear filters"
                    </button>
                </div>
            </div>
        </div>
    }
}
