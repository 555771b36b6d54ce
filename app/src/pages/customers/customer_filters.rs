//! The customer list's search box and filters; they collapse behind a "Filters" button on small screens.

use crate::components::form::optional;
use crate::components::timing::debounced_pair;
use crate::components::user_choices::UserChoices;
use crate::components::{SelectField, TextField};
use domain::customer::{CustomerQuery, CustomerStatus};
use leptos::prelude::*;
use leptos_router::params::ParamsMap;
use std::time::Duration;

/// The default sort, left out of the URL.
const DEFAULT_SORT: &str = "-created_at";

/// Every filter as text, the way `CustomerQuery` takes it. Typed filters (`q`, industry, tag) are followed by
/// a `*_settled` copy 250 ms after typing stops, and only that one triggers a request.
///
/// The settled state lives in the URL query string too (`?q=acme&status=active&sort=-name`), so reload,
/// back/forward and shared links restore the same list: see [`CustomerFilters::url_pairs`] and
/// [`CustomerFilters::apply_url`].
#[derive(Clone, Copy)]
pub struct CustomerFilters {
    pub q: RwSignal<String>,
    q_settled: (ReadSignal<String>, WriteSignal<String>),
    pub status: RwSignal<String>,
    pub owner_id: RwSignal<String>,
    pub industry: RwSignal<String>,
    industry_settled: (ReadSignal<String>, WriteSignal<String>),
    pub tag: RwSignal<String>,
    tag_settled: (ReadSignal<String>, WriteSignal<String>),
    pub created_from: RwSignal<String>,
    pub created_to: RwSignal<String>,
    pub sort: RwSignal<String>,
}

impl Default for CustomerFilters {
    fn default() -> Self {
        Self::new()
    }
}

/// URL keys of the typed filters (set through their settled copy).
const TYPED_KEYS: [&str; 3] = ["q", "industry", "tag"];
/// URL keys of the other filters, in the order they appear in the URL after the typed ones.
const PLAIN_KEYS: [&str; 5] = ["status", "owner", "created_from", "created_to", "sort"];

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
            q_settled: debounced_pair(q, pause),
            status: RwSignal::new(String::new()),
            owner_id: RwSignal::new(String::new()),
            industry,
            industry_settled: debounced_pair(industry, pause),
            tag,
            tag_settled: debounced_pair(tag, pause),
            created_from: RwSignal::new(String::new()),
            created_to: RwSignal::new(String::new()),
            sort: RwSignal::new(DEFAULT_SORT.to_owned()),
        }
    }

    fn typed(&self, key: &str) -> (RwSignal<String>, (ReadSignal<String>, WriteSignal<String>)) {
        match key {
            "q" => (self.q, self.q_settled),
            "industry" => (self.industry, self.industry_settled),
            _ => (self.tag, self.tag_settled),
        }
    }

    fn plain(&self, key: &str) -> RwSignal<String> {
        match key {
            "status" => self.status,
            "owner" => self.owner_id,
            "created_from" => self.created_from,
            "created_to" => self.created_to,
            _ => self.sort,
        }
    }

    /// The settled state as URL query pairs: blank filters and the default sort are left out (tracked).
    pub fn url_pairs(&self) -> Vec<(&'static str, String)> {
        let typed = TYPED_KEYS.map(|k| (k, self.typed(k).1.0.get()));
        let plain = PLAIN_KEYS.map(|k| (k, self.plain(k).get()));
        normalized(typed.into_iter().chain(plain))
    }

    /// The same pairs read from a URL's query, for comparing with [`Self::url_pairs`].
    pub fn pairs_of(params: &ParamsMap) -> Vec<(&'static str, String)> {
        normalized(
            TYPED_KEYS
                .into_iter()
                .chain(PLAIN_KEYS)
                .map(|k| (k, params.get(k).unwrap_or_default())),
        )
    }

    /// Sets every filter from a URL's query (missing keys clear). Typed filters get their settled copy
    /// at once, and the text box only when the settled value really differs (so typing is not undone).
    pub fn apply_url(&self, params: &ParamsMap) {
        for key in TYPED_KEYS {
            let value = params.get(key).unwrap_or_default();
            let (text, (settled, set_settled)) = self.typed(key);
            if settled.get_untracked().trim() != value.trim() {
                set_settled.set(value.clone());
                text.set(value);
            }
        }
        for key in PLAIN_KEYS {
            let mut value = params.get(key).unwrap_or_default();
            if key == "sort" && value.trim().is_empty() {
                value = DEFAULT_SORT.to_owned();
            }
            let signal = self.plain(key);
            if signal.get_untracked() != value {
                signal.set(value);
            }
        }
    }

    /// Whether the two states differ only in typed filters (then the URL is replaced, not pushed).
    pub fn only_typed_differ(a: &[(&'static str, String)], b: &[(&'static str, String)]) -> bool {
        let plain = |v: &[(&'static str, String)]| -> Vec<(&'static str, String)> {
            v.iter()
                .filter(|(k, _)| !TYPED_KEYS.contains(k))
                .cloned()
                .collect()
        };
        plain(a) == plain(b)
    }

    /// The query for one page (reads are tracked when called inside an effect).
    pub fn query(&self, cursor: Option<String>) -> CustomerQuery {
        CustomerQuery {
            q: optional(self.q_settled.0.get()),
            status: optional(self.status.get()),
            owner_id: optional(self.owner_id.get()),
            industry: optional(self.industry_settled.0.get()),
            tag: optional(self.tag_settled.0.get()),
            created_from: optional(self.created_from.get()),
            created_to: optional(self.created_to.get()),
            sort: optional(self.sort.get()),
            limit: Some("50".into()),
            cursor,
            ..Default::default()
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

/// Trimmed, blank values dropped, default sort dropped.
fn normalized(pairs: impl Iterator<Item = (&'static str, String)>) -> Vec<(&'static str, String)> {
    pairs
        .map(|(k, v)| (k, v.trim().to_owned()))
        .filter(|(k, v)| !(v.is_empty() || (*k == "sort" && v == DEFAULT_SORT)))
        .collect()
}

/// A query string (`?a=1&b=2`, or empty) for URL pairs.
pub fn query_string(pairs: &[(&'static str, String)]) -> String {
    pairs
        .iter()
        .cloned()
        .collect::<ParamsMap>()
        .to_query_string()
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
