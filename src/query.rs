//! List queries: the parser that collects every bad parameter, a list's order (sort + cursor), and the
//! parsers of plain parameter values. Shared by every resource's `XQuery::parse`.

use crate::page::SortSpec;
use crate::problem::{FieldError, Problem};
use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;

/// A value an exact field filter (`<field>=<value>`) compares with.
#[derive(Clone, Debug, PartialEq)]
pub enum FieldValue {
    /// Equal ignoring case (names, subjects, titles, codes).
    Text(String),
    /// An e-mail address, lower-cased as every stored address is.
    Email(String),
    Int(i64),
    Decimal(Decimal),
    Date(NaiveDate),
}

/// The exact field filters of a list query, by field name (the JSON name); the repository maps each field to
/// its column (`repo::push_field_filters`). Every list adopts a new listed field by adding its parameter to its
/// `XQuery`, one `QueryParser::{text, email, int, decimal, date}` call in `parse`, and its column.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FieldFilters(pub Vec<(&'static str, FieldValue)>);

impl FieldFilters {
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Collects every bad query parameter before answering.
#[derive(Default)]
pub struct QueryParser {
    errors: Vec<FieldError>,
}

/// A list's sort, its text (for cursors) and the cursor, parsed together.
#[derive(Clone, Debug, PartialEq)]
pub struct ListOrder<K> {
    pub sort: SortSpec<K>,
    pub sort_text: String,
    pub cursor: Option<crate::page::Cursor>,
}

impl QueryParser {
    /// `sort` (default `default`, keys named by `key`, listed in `allowed` for the message) and a `cursor` made
    /// for that sort.
    pub fn order<K: Copy>(
        &mut self,
        (sort, cursor): (Option<String>, Option<&str>),
        (default_text, default): (&str, SortSpec<K>),
        key: impl Fn(&str) -> Option<K>,
        allowed: &str,
    ) -> ListOrder<K> {
        let sort_text = sort
            .filter(|s| !s.trim().is_empty())
            .unwrap_or_else(|| default_text.to_owned());
        let cursor = self.opt("cursor", cursor, |c| {
            crate::page::Cursor::decode(c, &sort_text)
        });
        let sort = self
            .field("sort", SortSpec::parse(&sort_text, key, allowed))
            .unwrap_or(default);
        ListOrder {
            sort,
            sort_text,
            cursor,
        }
    }

    pub fn field<T>(&mut self, name: &str, r: Result<T, String>) -> Option<T> {
        r.map_err(|m| self.errors.push(FieldError::new(name, m)))
            .ok()
    }

    pub fn opt<T>(
        &mut self,
        name: &str,
        v: Option<&str>,
        f: impl FnOnce(&str) -> Result<T, String>,
    ) -> Option<T> {
        let v = v.map(str::trim).filter(|v| !v.is_empty())?;
        self.field(name, f(v))
    }

    /// `field=<text>` compared ignoring case.
    pub fn text(&mut self, into: &mut FieldFilters, field: &'static str, v: Option<String>) {
        if let Some(v) = crate::validation::clean(v) {
            into.0.push((field, FieldValue::Text(v)));
        }
    }

    /// `field=<e-mail>` (compared lower-cased).
    pub fn email(&mut self, into: &mut FieldFilters, field: &'static str, v: Option<String>) {
        if let Some(v) = crate::validation::clean_email(v) {
            into.0.push((field, FieldValue::Email(v)));
        }
    }

    /// `field=<whole number>`.
    pub fn int(&mut self, into: &mut FieldFilters, field: &'static str, v: Option<&str>) {
        if let Some(n) = self.opt(field, v, parse_i64) {
            into.0.push((field, FieldValue::Int(n)));
        }
    }

    /// `field=<decimal>` (`1234.50`).
    pub fn decimal(&mut self, into: &mut FieldFilters, field: &'static str, v: Option<&str>) {
        if let Some(d) = self.opt(field, v, parse_decimal) {
            into.0.push((field, FieldValue::Decimal(d)));
        }
    }

    /// `field=<YYYY-MM-DD>`.
    pub fn date(&mut self, into: &mut FieldFilters, field: &'static str, v: Option<&str>) {
        if let Some(d) = self.opt(field, v, parse_date) {
            into.0.push((field, FieldValue::Date(d)));
        }
    }

    pub fn finish<T>(self, value: T) -> Result<T, Problem> {
        if self.errors.is_empty() {
            Ok(value)
        } else {
            Err(Problem::invalid(self.errors))
        }
    }
}

pub fn parse_uuid(s: &str) -> Result<uuid::Uuid, String> {
    uuid::Uuid::parse_str(s).map_err(|_| "must be a UUID".to_owned())
}

pub fn parse_i64(s: &str) -> Result<i64, String> {
    s.parse().map_err(|_| "must be a whole number".to_owned())
}

pub fn parse_decimal(s: &str) -> Result<Decimal, String> {
    s.parse::<Decimal>()
        .map_err(|_| "must be a decimal number like 1234.50".to_owned())
}

pub fn parse_date(s: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| "must be a date (YYYY-MM-DD)".to_owned())
}

/// A date (`YYYY-MM-DD`, meaning its start, or with `end_of_day` the start of the next day) or an RFC 3339 time.
pub fn parse_time(s: &str, end_of_day: bool) -> Result<DateTime<Utc>, String> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(t.with_timezone(&Utc));
    }
    let d = NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|_| "must be a date (YYYY-MM-DD) or an RFC 3339 time".to_owned())?;
    let d = if end_of_day {
        d.succ_opt().ok_or("is out of range")?
    } else {
        d
    };
    Ok(d.and_hms_opt(0, 0, 0).ok_or("is out of range")?.and_utc())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_filters_collect_values_and_report_bad_ones() {
        let mut p = QueryParser::default();
        let mut f = FieldFilters::default();
        p.text(&mut f, "name", Some("  Acme ".into()));
        p.email(&mut f, "email", Some("Sales@ACME.com".into()));
        p.text(&mut f, "company", Some("   ".into()));
        p.int(&mut f, "lead_time_days", Some("12"));
        p.decimal(&mut f, "budget", Some("ten"));
        p.date(&mut f, "start_date", Some("2026-13-01"));
        assert_eq!(
            f.0,
            vec![
                ("name", FieldValue::Text("Acme".into())),
                ("email", FieldValue::Email("sales@acme.com".into())),
                ("lead_time_days", FieldValue::Int(12)),
            ]
        );
        let e = p.finish(()).unwrap_err();
        assert!(
            e.field("budget").is_some() && e.field("start_date").is_some(),
            "{e}"
        );
    }

    #[test]
    fn created_to_date_includes_the_whole_day() {
        let t = parse_time("2026-03-01", true).unwrap();
        assert_eq!(t.to_rfc3339(), "2026-03-02T00:00:00+00:00");
    }
}
