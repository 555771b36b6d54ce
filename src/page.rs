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
}

impl Cursor {
    pub fn new(sort: impl Into<String>, value: impl Into<String>, id: Uuid) -> Self {
        Self {
            sort: sort.into(),
            value: value.into(),
            id,
            mode: None,
        }
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
