//! One way for a list page to keep its search, filters and sort. A page declares them once as a list of
//! [`FilterKey`]s naming fields of its domain query (`CustomerQuery`, `LeadQuery`, …); [`ListFilters`] turns
//! that list into the signals its filter bar edits, keeps them in the URL's query string (reload,
//! back/forward and shared links restore the list) and builds the query for each page of results.
//!
//! The rules (what goes into the URL, how a query is built from the values, whether a key list fits its
//! query type) are plain functions, unit-tested on the host; the signals and the URL sync are browser-only.

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

#[cfg(feature = "csr")]
pub use browser::ListFilters;

/// How a filter is set, which decides when it applies, whether it is in the URL and how it is counted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Input {
    /// The search box: typed, so the list follows once typing has stopped for 250 ms and the URL entry is
    /// replaced rather than pushed; not counted on the "Filters (n)" button it sits next to.
    Search,
    /// Another typed filter (industry, tag): like the search box, but counted.
    Text,
    /// Picked (a select, a date): applies at once, and a change is a new history entry.
    Choice,
    /// A checkbox: `true` when ticked, absent otherwise.
    Flag,
    /// The sort, never blank: an absent `sort` means this default, so the default is left out of the URL.
    Sort(&'static str),
}

/// One filter of a list: the field of the page's query it fills, its name in the URL, and how it is set.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FilterKey {
    pub field: &'static str,
    pub url: &'static str,
    pub input: Input,
}

/// URL query pairs, in the order the keys are declared.
pub type Pairs = Vec<(&'static str, String)>;

impl FilterKey {
    /// The search box, `q`.
    pub const fn search() -> Self {
        Self::new("q", Input::Search)
    }

    pub const fn text(field: &'static str) -> Self {
        Self::new(field, Input::Text)
    }

    pub const fn choice(field: &'static str) -> Self {
        Self::new(field, Input::Choice)
    }

    pub const fn flag(field: &'static str) -> Self {
        Self::new(field, Input::Flag)
    }

    /// `sort`, with the order the list has when the URL says nothing (`-created_at`).
    pub const fn sort(default: &'static str) -> Self {
        Self::new("sort", Input::Sort(default))
    }

    /// The same filter under another name in the URL (`owner` for `owner_id`).
    pub const fn in_url(self, url: &'static str) -> Self {
        Self { url, ..self }
    }

    const fn new(field: &'static str, input: Input) -> Self {
        Self {
            field,
            url: field,
            input,
        }
    }

    /// Typed filters apply once typing stops, and changing only them replaces the URL entry.
    pub fn is_typed(&self) -> bool {
        matches!(self.input, Input::Search | Input::Text)
    }

    /// Whether this narrows the list (everything but the sort): what "Clear filters" resets.
    pub fn is_filter(&self) -> bool {
        !matches!(self.input, Input::Sort(_))
    }

    /// Whether a value here counts on the "Filters (n)" button (the search box is beside it).
    pub fn is_counted(&self) -> bool {
        !matches!(self.input, Input::Search | Input::Sort(_))
    }

    /// The value a missing or blank one stands for.
    pub fn default_value(&self) -> &'static str {
        match self.input {
            Input::Sort(default) => default,
            _ => "",
        }
    }

    /// `value` as the query takes it: trimmed, `None` when blank (a blank sort is the default one, an
    /// unticked flag is absent).
    pub fn query_value(&self, value: &str) -> Option<String> {
        let value = match value.trim() {
            "" => self.default_value(),
            v => v,
        };
        match self.input {
            Input::Flag => (value == "true").then(|| value.to_owned()),
            _ => (!value.is_empty()).then(|| value.to_owned()),
        }
    }

    /// `value` as the URL carries it: as for the query, with the default sort left out.
    pub fn url_value(&self, value: &str) -> Option<String> {
        self.query_value(value)
            .filter(|v| v.as_str() != self.default_value())
    }
}

/// The URL pairs for the given values (one per key): blank ones and the default sort left out.
pub fn url_pairs<'a>(values: impl IntoIterator<Item = (&'a FilterKey, String)>) -> Pairs {
    values
        .into_iter()
        .filter_map(|(key, value)| key.url_value(&value).map(|v| (key.url, v)))
        .collect()
}

/// The pairs a URL's query holds for these keys (`get` reads one parameter), for comparing with the
/// pairs of the current values.
pub fn pairs_of(keys: &[FilterKey], get: impl Fn(&str) -> Option<String>) -> Pairs {
    url_pairs(keys.iter().map(|k| (k, get(k.url).unwrap_or_default())))
}

/// Whether two states differ only in typed filters (then the URL entry is replaced, not pushed).
pub fn only_typed_differ(
    keys: &[FilterKey],
    a: &[(&'static str, String)],
    b: &[(&'static str, String)],
) -> bool {
    let typed = |url: &str| keys.iter().any(|k| k.url == url && k.is_typed());
    let untyped = |pairs: &[(&'static str, String)]| -> Pairs {
        pairs
            .iter()
            .filter(|(url, _)| !typed(url))
            .cloned()
            .collect()
    };
    untyped(a) == untyped(b)
}

/// The list query's parameters as a JSON object, field → text: blank values left out, `cursor` and `limit`
/// added.
pub fn query_object<'a>(
    values: impl IntoIterator<Item = (&'a FilterKey, String)>,
    cursor: Option<String>,
    limit: u32,
) -> Map<String, Value> {
    let mut object: Map<String, Value> = values
        .into_iter()
        .filter_map(|(key, value)| {
            key.query_value(&value)
                .map(|v| (key.field.to_owned(), Value::String(v)))
        })
        .collect();
    if let Some(cursor) = cursor {
        object.insert("cursor".into(), Value::String(cursor));
    }
    object.insert("limit".into(), Value::String(limit.to_string()));
    object
}

/// The domain query from its parameters (fields the object does not name stay `None`).
pub fn query_from<Q: DeserializeOwned>(object: Map<String, Value>) -> Q {
    serde_json::from_value(Value::Object(object))
        .expect("a list query takes every parameter as optional text")
}

/// What is wrong with a key list for the query type `Q`, empty when nothing is: a field `Q` does not have
/// (deserializing would drop it without a word), `cursor`/`limit` declared as filters (they are added per
/// page), or a URL name or field used twice.
pub fn key_problems<Q: Serialize + DeserializeOwned>(keys: &[FilterKey]) -> Vec<String> {
    let mut problems = Vec::new();
    for (i, key) in keys.iter().enumerate() {
        if matches!(key.field, "cursor" | "limit") {
            problems.push(format!("`{}` is set per page, not a filter", key.field));
        }
        if keys[..i].iter().any(|k| k.field == key.field) {
            problems.push(format!("field `{}` is declared twice", key.field));
        }
        if keys[..i].iter().any(|k| k.url == key.url) {
            problems.push(format!("URL name `{}` is used twice", key.url));
        }
    }
    // Each field filled with its own name must come back from a round trip through `Q`.
    let marked: Map<String, Value> = keys
        .iter()
        .map(|k| (k.field.to_owned(), Value::String(k.field.to_owned())))
        .collect();
    let back = match serde_json::from_value::<Q>(Value::Object(marked)).map(serde_json::to_value) {
        Ok(Ok(back)) => back,
        Ok(Err(e)) | Err(e) => {
            problems.push(format!("the query does not take text parameters: {e}"));
            return problems;
        }
    };
    for key in keys {
        if back.get(key.field).and_then(Value::as_str) != Some(key.field) {
            problems.push(format!("`{}` is not a field of the query", key.field));
        }
    }
    problems
}

#[cfg(feature = "csr")]
mod browser {
    use super::{
        FilterKey, Input, Pairs, key_problems, only_typed_differ, pairs_of, query_from,
        query_object, url_pairs,
    };
    use crate::components::format::query_string;
    use crate::components::timing::debounced_pair;
    use leptos::prelude::*;
    use leptos_router::NavigateOptions;
    use leptos_router::hooks::{use_location, use_navigate, use_query_map};
    use leptos_router::params::ParamsMap;
    use serde::Serialize;
    use serde::de::DeserializeOwned;
    use std::marker::PhantomData;
    use std::time::Duration;

    /// How long typed filters wait after the last key.
    const TYPING_PAUSE: Duration = Duration::from_millis(250);

    /// The signals behind one key.
    #[derive(Clone, Copy)]
    enum Slot {
        Plain(RwSignal<String>),
        /// The text box and its copy that follows once typing stops; only the copy triggers a request.
        Typed {
            text: RwSignal<String>,
            settled: ReadSignal<String>,
            set_settled: WriteSignal<String>,
        },
        Flag(RwSignal<bool>),
    }

    impl Slot {
        fn new(key: &FilterKey) -> Self {
            match key.input {
                Input::Search | Input::Text => {
                    let text = RwSignal::new(String::new());
                    let (settled, set_settled) = debounced_pair(text, TYPING_PAUSE);
                    Self::Typed {
                        text,
                        settled,
                        set_settled,
                    }
                }
                Input::Flag => Self::Flag(RwSignal::new(false)),
                Input::Choice | Input::Sort(_) => {
                    Self::Plain(RwSignal::new(key.default_value().to_owned()))
                }
            }
        }

        /// The value the list follows (tracked).
        fn settled(&self) -> String {
            match self {
                Self::Plain(s) => s.get(),
                Self::Typed { settled, .. } => settled.get(),
                Self::Flag(s) => if s.get() { "true" } else { "" }.to_owned(),
            }
        }

        /// Whether the field shows a value now (tracked), typed or not yet settled.
        fn is_set(&self) -> bool {
            match self {
                Self::Plain(s) | Self::Typed { text: s, .. } => s.with(|v| !v.trim().is_empty()),
                Self::Flag(s) => s.get(),
            }
        }

        /// Sets the value from the URL (`value` is blank when the URL does not have it). A typed filter
        /// gets its settled copy at once, and the text box only when the settled value really differs (so
        /// typing is not undone).
        fn apply(&self, key: &FilterKey, value: String) {
            match self {
                Self::Typed {
                    text,
                    settled,
                    set_settled,
                } => {
                    if settled.get_untracked().trim() != value.trim() {
                        set_settled.set(value.clone());
                        text.set(value);
                    }
                }
                Self::Plain(s) => {
                    let value = if value.trim().is_empty() {
                        key.default_value().to_owned()
                    } else {
                        value
                    };
                    if s.get_untracked() != value {
                        s.set(value);
                    }
                }
                Self::Flag(s) => {
                    let on = value.trim() == "true";
                    if s.get_untracked() != on {
                        s.set(on);
                    }
                }
            }
        }

        fn clear(&self) {
            match self {
                Self::Plain(s) | Self::Typed { text: s, .. } => s.set(String::new()),
                Self::Flag(s) => s.set(false),
            }
        }
    }

    /// A list page's search, filters and sort, declared by `keys` for the query type `Q`.
    pub struct ListFilters<Q> {
        keys: &'static [FilterKey],
        slots: StoredValue<Vec<Slot>>,
        query: PhantomData<fn() -> Q>,
    }

    impl<Q> Clone for ListFilters<Q> {
        fn clone(&self) -> Self {
            *self
        }
    }

    impl<Q> Copy for ListFilters<Q> {}

    impl<Q: Serialize + DeserializeOwned + 'static> ListFilters<Q> {
        /// Every filter blank and the sort at its default; see [`Self::sync_with_url`] to follow the URL.
        pub fn new(keys: &'static [FilterKey]) -> Self {
            if cfg!(debug_assertions) {
                let problems = key_problems::<Q>(keys);
                assert!(
                    problems.is_empty(),
                    "list filters for {}: {}",
                    std::any::type_name::<Q>(),
                    problems.join("; ")
                );
            }
            Self {
                keys,
                slots: StoredValue::new(keys.iter().map(Slot::new).collect()),
                query: PhantomData,
            }
        }

        /// The query for one page of `limit` rows from the settled values (tracked when read in an effect).
        pub fn query(&self, cursor: Option<String>, limit: u32) -> Q {
            query_from(query_object(self.settled_values(), cursor, limit))
        }
    }

    impl<Q: 'static> ListFilters<Q> {
        /// Whether the list declares the filter for `field`.
        pub fn has(&self, field: &str) -> bool {
            self.keys.iter().any(|k| k.field == field)
        }

        /// The text (search, text, choice or sort) signal a filter bar edits for `field`.
        pub fn signal(&self, field: &str) -> RwSignal<String> {
            match self.slot(field) {
                Slot::Plain(s) | Slot::Typed { text: s, .. } => s,
                Slot::Flag(_) => panic!("list filter `{field}` is a flag: use `flag`"),
            }
        }

        /// The checkbox signal of a flag filter.
        pub fn flag(&self, field: &str) -> RwSignal<bool> {
            match self.slot(field) {
                Slot::Flag(s) => s,
                _ => panic!("list filter `{field}` is not a flag: use `signal`"),
            }
        }

        /// The search box.
        pub fn search(&self) -> RwSignal<String> {
            self.signal("q")
        }

        /// The sort, for the table's column headers.
        pub fn sort(&self) -> RwSignal<String> {
            self.signal("sort")
        }

        /// The value of `field` that the list follows (typed text once it has settled; tracked).
        pub fn settled(&self, field: &str) -> String {
            self.slot(field).settled()
        }

        /// Whether any filter (not the sort) narrows the list, for "No … match these filters" (tracked).
        pub fn is_filtered(&self) -> bool {
            self.settled_values()
                .into_iter()
                .any(|(k, v)| k.is_filter() && k.query_value(&v).is_some())
        }

        /// How many filters besides the search box are set, for the "Filters (n)" button (tracked).
        pub fn active_count(&self) -> usize {
            self.each(|k, slot| k.is_counted() && slot.is_set())
                .into_iter()
                .filter(|set| *set)
                .count()
        }

        /// Blanks every filter and the search box; the sort stays.
        pub fn clear(&self) {
            self.each(|k, slot| {
                if k.is_filter() {
                    slot.clear();
                }
            });
        }

        /// The settled values that the list `keys` of another view also has, as a query string (`?q=acme`),
        /// for a link that keeps them (tracked).
        pub fn query_string_for(&self, keys: &[FilterKey]) -> String {
            let shared = self
                .url_pairs()
                .into_iter()
                .filter(|(url, _)| keys.iter().any(|k| k.url == *url));
            query_string(&shared.map(|(k, v)| (k, Some(v))).collect::<Vec<_>>())
        }

        /// Starts from the URL's query (`?q=acme&status=active&sort=-name`), follows it on back/forward and
        /// links to this page, and writes the settled values back: replacing the history entry while typing,
        /// a new entry for any other change.
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
                    // Leaving for another page changes the URL too; that must not clear the filters.
                    if on_this_page() {
                        url_query.with_untracked(|params| self.apply_url(params));
                    }
                }
            });
            let navigate = use_navigate();
            Effect::new(move |_| {
                let wanted = self.url_pairs();
                if !on_this_page() {
                    return;
                }
                let current =
                    url_query.with_untracked(|params| pairs_of(self.keys, |k| params.get(k)));
                if wanted == current {
                    return;
                }
                let path = query_string(
                    &wanted
                        .iter()
                        .map(|(k, v)| (*k, Some(v.clone())))
                        .collect::<Vec<_>>(),
                );
                navigate(
                    &format!("{here}{path}"),
                    NavigateOptions {
                        replace: only_typed_differ(self.keys, &wanted, &current),
                        scroll: false,
                        ..Default::default()
                    },
                );
            });
        }

        fn apply_url(&self, params: &ParamsMap) {
            self.each(|k, slot| slot.apply(k, params.get(k.url).unwrap_or_default()));
        }

        /// The settled state as URL pairs (tracked).
        fn url_pairs(&self) -> Pairs {
            let values = self.settled_values();
            url_pairs(values.iter().map(|(k, v)| (*k, v.clone())))
        }

        fn settled_values(&self) -> Vec<(&'static FilterKey, String)> {
            self.keys
                .iter()
                .zip(self.each(|_, slot| slot.settled()))
                .collect()
        }

        /// `f` for each key with its signals, in the declared order.
        fn each<T>(&self, f: impl Fn(&FilterKey, Slot) -> T) -> Vec<T> {
            self.slots
                .with_value(|slots| self.keys.iter().zip(slots).map(|(k, s)| f(k, *s)).collect())
        }

        fn slot(&self, field: &str) -> Slot {
            let i = self
                .keys
                .iter()
                .position(|k| k.field == field)
                .unwrap_or_else(|| panic!("list filter `{field}` is not declared"));
            self.slots.with_value(|slots| slots[i])
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::customer::CustomerQuery;

    const KEYS: &[FilterKey] = &[
        FilterKey::search(),
        FilterKey::choice("status"),
        FilterKey::choice("owner_id").in_url("owner"),
        FilterKey::text("tag"),
        FilterKey::sort("-created_at"),
    ];

    fn values<'a>(raw: &[&str]) -> Vec<(&'a FilterKey, String)> {
        KEYS.iter().zip(raw.iter().map(|v| v.to_string())).collect()
    }

    #[test]
    fn url_pairs_are_trimmed_without_blanks_or_the_default_sort() {
        let pairs = url_pairs(values(&[" acme ", "", "u1", "  ", "-created_at"]));
        assert_eq!(
            pairs,
            vec![("q", "acme".to_owned()), ("owner", "u1".to_owned())]
        );
        let pairs = url_pairs(values(&["", "active", "", "", "-name"]));
        assert_eq!(
            pairs,
            vec![
                ("status", "active".to_owned()),
                ("sort", "-name".to_owned())
            ]
        );
    }

    #[test]
    fn pairs_of_a_url_use_the_url_names() {
        let url = |k: &str| match k {
            "owner" => Some("u1".to_owned()),
            "owner_id" => Some("ignored".to_owned()),
            "sort" => Some("-created_at".to_owned()),
            _ => None,
        };
        assert_eq!(pairs_of(KEYS, url), vec![("owner", "u1".to_owned())]);
    }

    #[test]
    fn flags_are_true_or_absent() {
        let key = FilterKey::flag("overdue");
        assert_eq!(key.url_value("true").as_deref(), Some("true"));
        assert_eq!(key.url_value(""), None);
        assert_eq!(key.url_value("yes"), None);
    }

    #[test]
    fn only_typed_changes_replace_the_history_entry() {
        let a = url_pairs(values(&["acm", "active", "", "", ""]));
        let b = url_pairs(values(&["acme", "active", "", "blue", ""]));
        let c = url_pairs(values(&["acme", "", "", "", ""]));
        assert!(only_typed_differ(KEYS, &a, &b));
        assert!(!only_typed_differ(KEYS, &a, &c));
    }

    #[test]
    fn the_query_is_built_from_the_settled_values_into_the_domain_type() {
        let object = query_object(values(&["acme", " ", "u1", "", ""]), Some("c1".into()), 50);
        let query: CustomerQuery = query_from(object);
        assert_eq!(
            query,
            CustomerQuery {
                q: Some("acme".into()),
                owner_id: Some("u1".into()),
                sort: Some("-created_at".into()),
                cursor: Some("c1".into()),
                limit: Some("50".into()),
                ..Default::default()
            }
        );
    }

    #[test]
    fn a_key_the_query_does_not_have_is_caught() {
        assert_eq!(key_problems::<CustomerQuery>(KEYS), Vec::<String>::new());
        let wrong = [
            FilterKey::choice("owner"),
            FilterKey::choice("limit"),
            FilterKey::text("tag").in_url("q"),
            FilterKey::search(),
        ];
        let problems = key_problems::<CustomerQuery>(&wrong);
        assert_eq!(
            problems,
            vec![
                "`limit` is set per page, not a filter".to_owned(),
                "URL name `q` is used twice".to_owned(),
                "`owner` is not a field of the query".to_owned(),
            ]
        );
    }

    #[test]
    fn counting_and_clearing_leave_out_the_sort_and_the_search_box() {
        let counted: Vec<_> = KEYS
            .iter()
            .filter(|k| k.is_counted())
            .map(|k| k.field)
            .collect();
        assert_eq!(counted, ["status", "owner_id", "tag"]);
        assert!(
            KEYS.iter()
                .filter(|k| !k.is_filter())
                .all(|k| k.field == "sort")
        );
    }
}
