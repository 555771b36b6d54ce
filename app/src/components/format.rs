//! Display formatting: local times, JSON values from audit entries, and URL query strings.

use chrono::{DateTime, Local, Utc};
use serde_json::Value;

/// "2026-03-01 14:05" in the browser's time zone.
pub fn date_time(t: DateTime<Utc>) -> String {
    t.with_timezone(&Local).format("%Y-%m-%d %H:%M").to_string()
}

pub fn date(t: DateTime<Utc>) -> String {
    t.with_timezone(&Local).format("%Y-%m-%d").to_string()
}

/// The machine-readable value for `<time datetime=…>`.
pub fn iso(t: DateTime<Utc>) -> String {
    t.to_rfc3339()
}

/// A changed value as a person reads it: text without quotes, `—` for nothing, lists joined.
pub fn json_value(v: &Value) -> String {
    match v {
        Value::Null => "—".to_owned(),
        Value::String(s) if s.is_empty() => "—".to_owned(),
        Value::String(s) => s.clone(),
        Value::Bool(b) => if *b { "yes" } else { "no" }.to_owned(),
        Value::Number(n) => n.to_string(),
        Value::Array(items) if items.is_empty() => "—".to_owned(),
        Value::Array(items) => items.iter().map(json_value).collect::<Vec<_>>().join(", "),
        Value::Object(_) => v.to_string(),
    }
}

/// `{field: {from, to}}` as rows, fields in order.
pub fn changes(v: &Value) -> Vec<(String, String, String)> {
    let Some(map) = v.as_object() else {
        return Vec::new();
    };
    map.iter()
        .map(|(field, change)| {
            let from = change
                .get("from")
                .map(json_value)
                .unwrap_or_else(|| "—".into());
            let to = change
                .get("to")
                .map(json_value)
                .unwrap_or_else(|| "—".into());
            (humanize(field), from, to)
        })
        .collect()
}

/// `owner_id` → "Owner id", `purchase_orders` → "Purchase orders".
pub fn humanize(key: &str) -> String {
    let spaced = key.replace('_', " ");
    let mut chars = spaced.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// `customer.update` → "Updated", for timelines.
pub fn action_verb(action: &str) -> String {
    let verb = action.rsplit('.').next().unwrap_or(action);
    match verb {
        "create" => "Created".to_owned(),
        "update" => "Updated".to_owned(),
        "delete" => "Deleted".to_owned(),
        "login" => "Logged in".to_owned(),
        "logout" => "Logged out".to_owned(),
        "login_failed" => "Failed login".to_owned(),
        other => humanize(other),
    }
}

/// Percent-encodes a query value (RFC 3986 unreserved characters pass through).
pub fn encode_query_value(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// `?a=1&b=2` from the pairs that have a value.
pub fn query_string(pairs: &[(&str, Option<String>)]) -> String {
    let parts: Vec<String> = pairs
        .iter()
        .filter_map(|(k, v)| v.as_ref().map(|v| format!("{k}={}", encode_query_value(v))))
        .collect();
    if parts.is_empty() {
        String::new()
    } else {
        format!("?{}", parts.join("&"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_string_encodes_and_skips_empty() {
        let q = query_string(&[
            ("format", Some("csv".into())),
            ("entity", None),
            ("to", Some("a b&c".into())),
        ]);
        assert_eq!(q, "?format=csv&to=a%20b%26c");
    }

    #[test]
    fn json_values_read_well() {
        assert_eq!(json_value(&serde_json::json!(null)), "—");
        assert_eq!(json_value(&serde_json::json!(["a", "b"])), "a, b");
        assert_eq!(action_verb("customer.update"), "Updated");
        assert_eq!(humanize("owner_id"), "Owner id");
    }
}
