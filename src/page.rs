//! Keyset pagination: pages, cursors and sort specifications shared by every list.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub const DEFAULT_LIMIT: i64 = 50;
pub const MAX_LIMIT: i64 = 500;

/// `limit` defaults to 50 and is clamped to 1..=500.
pub fn clamp_limit(limit: Option<i64>) -> i64 {
    limit.unwrap_or(DEFAULT_LIMIT).clamp(1, MAX_LIMIT)
}

/// One page of a list: `{"data":[…],"next_cursor":"…"|null}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Page<T> {
    pub data: Vec<T>,
    pub next_cursor: Option<String>,
}

impl<T> Page<T> {
    /// Builds a page from `limit + 1` fetched rows: the extra row only tells that there is a next page.
    pub fn from_rows(mut rows: Vec<T>, limit: i64, cursor_of: impl Fn(&T) -> Cursor) -> Self {
        let limit = usize::try_from(limit).unwrap_or(0);
        let next_cursor = if rows.len() > limit {
            rows.truncate(limit);
            rows.last().map(|last| cursor_of(last).encode())
        } else {
            None
        };
        Self {
            data: rows,
            next_cursor,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum SortDir {
    Asc,
    Desc,
}

/// `sort=field` (ascending) or `sort=-field` (descending), over a resource's own sort-key enum.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SortSpec<F> {
    pub field: F,
    pub dir: SortDir,
}

impl<F: Copy> SortSpec<F> {
    pub fn parse(
        s: &str,
        field: impl Fn(&str) -> Option<F>,
        allowed: &str,
    ) -> Result<Self, String> {
        let (dir, name) = match s.strip_prefix('-') {
            Some(rest) => (SortDir::Desc, rest),
            None => (SortDir::Asc, s.strip_prefix('+').unwrap_or(s)),
        };
        field(name)
            .map(|field| Self { field, dir })
            .ok_or_else(|| format!("can sort by {allowed} (prefix - for descending)"))
    }
}

/// How many characters of a long text (a description, a body) its sort compares; the rest would make cursors
/// as long as the text.
pub const SORT_PREFIX_CHARS: usize = 200;

/// The part of a long text its sort compares (`left(text, 200)` in SQL).
pub fn sort_prefix(text: &str) -> String {
    text.chars().take(SORT_PREFIX_CHARS).collect()
}

/// Declares a list's sort keys once: the enum, the names `sort=` takes, and each key's value in a record (for
/// its cursor). The server maps each key to its SQL column (`repo::sort::Column`).
///
/// ```ignore
/// sort_keys! {
///     pub enum VendorSortKey for Vendor {
///         Name = "name" => |v| v.name,
///         LeadTimeDays = "lead_time_days" => |v| v.lead_time_days,
///     }
/// }
/// ```
#[macro_export]
macro_rules! sort_keys {
    ($(#[$meta:meta])* pub enum $name:ident for $record:ty {
        $($(#[$vmeta:meta])* $variant:ident = $text:literal => |$r:ident| $value:expr),+ $(,)?
    }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum $name {
            $($(#[$vmeta])* $variant),+
        }

        impl $name {
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];

            pub fn parse(s: &str) -> Option<Self> {
                match s {
                    $($text => Some(Self::$variant),)+
                    _ => None,
                }
            }

            pub fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $text),+
                }
            }

            /// The names `sort=` takes, for the error message.
            pub fn allowed() -> String {
                Self::ALL.iter().map(|k| k.as_str()).collect::<Vec<_>>().join(", ")
            }

            /// This key's value in `record`, as cursor text (`None` when it has none).
            pub fn value(self, record: &$record) -> Option<String> {
                match self {
                    $(Self::$variant => {
                        let $r = record;
                        $crate::page::SortValue::sort_text(&$value)
                    })+
                }
            }

            /// The cursor after `record` in the sort `sort_text`.
            pub fn cursor(self, sort_text: &str, record: &$record, id: uuid::Uuid) -> $crate::page::Cursor {
                $crate::page::Cursor::at(sort_text, self.value(record), id)
            }
        }
    };
}

/// Position after the last row of a page: the sort key's value (as text), the row id and which sort it is for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cursor {
    #[serde(rename = "s")]
    pub sort: String,
    #[serde(rename = "v")]
    pub value: String,
    #[serde(rename = "i")]
    pub id: Uuid,
    /// How the page's rows were found, when that decides the next page (e.g. the search mode).
    #[serde(rename = "m", default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<String>,
    /// The row had no value for the sort key (`value` is then empty): such rows sort after every value.
    #[serde(rename = "z", default, skip_serializing_if = "std::ops::Not::not")]
    pub null: bool,
}

/// What a sort key compares: how its value is read back from a cursor and bound in the next page's query.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SortType {
    Text,
    Time,
    Date,
    Int,
    Decimal,
    Uuid,
    Bool,
}

/// A record's value for one sort key, as cursor text (`None` when it has none), for the shared sort columns.
pub trait SortValue {
    fn sort_text(&self) -> Option<String>;
}

macro_rules! sort_value_by_display {
    ($($t:ty),*) => {$(
        impl SortValue for $t {
            fn sort_text(&self) -> Option<String> {
                Some(self.to_string())
            }
        }
    )*};
}
sort_value_by_display!(
    String,
    i16,
    i32,
    i64,
    bool,
    rust_decimal::Decimal,
    chrono::NaiveDate,
    Uuid
);

impl SortValue for str {
    fn sort_text(&self) -> Option<String> {
        Some(self.to_owned())
    }
}

impl SortValue for chrono::DateTime<chrono::Utc> {
    fn sort_text(&self) -> Option<String> {
        Some(self.to_rfc3339())
    }
}

impl<T: SortValue + ?Sized> SortValue for &T {
    fn sort_text(&self) -> Option<String> {
        (**self).sort_text()
    }
}

impl<T: SortValue> SortValue for Option<T> {
    fn sort_text(&self) -> Option<String> {
        self.as_ref().and_then(SortValue::sort_text)
    }
}

impl Cursor {
    pub fn new(sort: impl Into<String>, value: impl Into<String>, id: Uuid) -> Self {
        Self {
            sort: sort.into(),
            value: value.into(),
            id,
            mode: None,
            null: false,
        }
    }

    /// After a row whose sort value is `value` (see `SortValue`); `None` for a row without one.
    pub fn at(sort: impl Into<String>, value: Option<String>, id: Uuid) -> Self {
        let null = value.is_none();
        Self {
            null,
            ..Self::new(sort, value.unwrap_or_default(), id)
        }
    }

    /// The sort value of the row this cursor follows (`None`: it had none).
    pub fn sort_value(&self) -> Option<&str> {
        (!self.null).then_some(self.value.as_str())
    }

    pub fn with_mode(mut self, mode: Option<&str>) -> Self {
        self.mode = mode.map(str::to_owned);
        self
    }

    pub fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(self).unwrap_or_default())
    }

    /// Decodes a cursor made for the sort `sort`; any other text is an invalid cursor.
    pub fn decode(s: &str, sort: &str) -> Result<Self, String> {
        let bytes = URL_SAFE_NO_PAD
            .decode(s)
            .map_err(|_| "is not a valid cursor".to_owned())?;
        let cursor: Cursor =
            serde_json::from_slice(&bytes).map_err(|_| "is not a valid cursor".to_owned())?;
        if cursor.sort != sort {
            return Err(
                "belongs to a different sort order; start again from the first page".to_owned(),
            );
        }
        Ok(cursor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursor_round_trips_and_rejects_garbage() {
        let c = Cursor::new("-created_at", "2026-01-01T00:00:00Z", Uuid::now_v7());
        assert_eq!(Cursor::decode(&c.encode(), "-created_at"), Ok(c.clone()));
        assert!(Cursor::decode(&c.encode(), "name").is_err());
        assert!(Cursor::decode("!!!", "name").is_err());
        assert!(Cursor::decode("e30", "name").is_err());
    }

    #[test]
    fn limit_is_clamped() {
        assert_eq!(clamp_limit(None), 50);
        assert_eq!(clamp_limit(Some(10_000)), 500);
        assert_eq!(clamp_limit(Some(0)), 1);
    }

    #[test]
    fn page_from_rows_sets_cursor_only_when_more() {
        let p = Page::from_rows(vec![1, 2, 3], 2, |n| {
            Cursor::new("x", n.to_string(), Uuid::nil())
        });
        assert_eq!(p.data, vec![1, 2]);
        assert_eq!(
            Cursor::decode(p.next_cursor.as_deref().unwrap(), "x")
                .unwrap()
                .value,
            "2"
        );
        let p = Page::from_rows(vec![1, 2], 2, |n| {
            Cursor::new("x", n.to_string(), Uuid::nil())
        });
        assert_eq!(p.next_cursor, None);
    }

    #[test]
    fn sort_spec_parses_direction() {
        let f = |s: &str| (s == "name").then_some(1);
        assert_eq!(
            SortSpec::parse("-name", f, "name").unwrap().dir,
            SortDir::Desc
        );
        assert_eq!(
            SortSpec::parse("name", f, "name").unwrap().dir,
            SortDir::Asc
        );
        assert!(SortSpec::parse("password", f, "name").is_err());
    }
}
