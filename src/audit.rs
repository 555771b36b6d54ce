//! The audit trail: entries and the field-level change sets recorded with every write.

use crate::ids::{AuditId, UserId};
use crate::problem::Problem;
use crate::query::{QueryParser, parse_time, parse_uuid};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditEntry {
    pub id: AuditId,
    pub at: DateTime<Utc>,
    pub actor_id: Option<UserId>,
    pub actor_email: Option<String>,
    /// e.g. `customer.create`, `user.update`, `auth.login_failed`.
    pub action: String,
    /// Singular snake_case: `customer`, `contact`, `user`, `session`.
    pub entity: String,
    pub entity_id: Option<uuid::Uuid>,
    /// `{field: {"from": …, "to": …}}`
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub changes: Value,
    pub request_id: Option<String>,
    pub ip: Option<String>,
}

/// Fields that change on every write and say nothing by themselves.
const NOISE: [&str; 3] = ["version", "updated_at", "created_at"];

/// The changed fields between two JSON snapshots of a record: `{field: {"from", "to"}}`.
/// `None` before means a create (every field from null); `None` after means a delete.
pub fn diff(before: Option<&Value>, after: Option<&Value>) -> Value {
    let empty = Map::new();
    let b = before.and_then(Value::as_object).unwrap_or(&empty);
    let a = after.and_then(Value::as_object).unwrap_or(&empty);
    let mut out = Map::new();
    let mut keys: Vec<&String> = b.keys().chain(a.keys()).collect();
    keys.sort();
    keys.dedup();
    for k in keys {
        if NOISE.contains(&k.as_str())
            || k.ends_with("_name") && k != "name" && k != "first_name" && k != "last_name"
        {
            continue;
        }
        let from = b.get(k).cloned().unwrap_or(Value::Null);
        let to = a.get(k).cloned().unwrap_or(Value::Null);
        if from != to && !(is_blank(&from) && is_blank(&to)) {
            out.insert(k.clone(), json!({"from": from, "to": to}));
        }
    }
    Value::Object(out)
}

/// Null, an empty string, list or object: "nothing" to a reader, so null → "" is no change.
fn is_blank(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        _ => false,
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
pub struct AuditQuery {
    pub entity: Option<String>,
    pub entity_id: Option<String>,
    pub actor_id: Option<String>,
    pub action: Option<String>,
    /// At or after (date or RFC 3339).
    pub from: Option<String>,
    /// Before the end of this date (or before this time).
    pub to: Option<String>,
    pub limit: Option<String>,
    pub cursor: Option<String>,
    /// `csv` for a streamed CSV export, `pdf` for a printable PDF (the newest 10,000 entries).
    pub format: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct AuditFilter {
    pub entity: Option<String>,
    pub entity_id: Option<uuid::Uuid>,
    pub actor_id: Option<UserId>,
    pub action: Option<String>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    pub limit: i64,
    /// Newest first; the cursor is the last id seen (ids are time-ordered v7).
    pub before_id: Option<AuditId>,
}

impl AuditQuery {
    pub fn parse(self) -> Result<AuditFilter, Problem> {
        let mut p = QueryParser::default();
        let filter = AuditFilter {
            entity: crate::validation::clean(self.entity),
            entity_id: p.opt("entity_id", self.entity_id.as_deref(), parse_uuid),
            actor_id: p
                .opt("actor_id", self.actor_id.as_deref(), parse_uuid)
                .map(UserId),
            action: crate::validation::clean(self.action),
            from: p.opt("from", self.from.as_deref(), |s| parse_time(s, false)),
            to: p.opt("to", self.to.as_deref(), |s| parse_time(s, true)),
            limit: crate::page::clamp_limit(p.opt(
                "limit",
                self.limit.as_deref(),
                crate::query::parse_i64,
            )),
            before_id: p.opt("cursor", self.cursor.as_deref(), |c| {
                crate::page::Cursor::decode(c, "-at").map(|c| AuditId(c.id))
            }),
        };
        if let Some(f) = self
            .format
            .as_deref()
            .filter(|f| !f.is_empty() && !["json", "csv", "pdf"].contains(f))
        {
            p.field::<()>(
                "format",
                Err(format!("\"{f}\" is not a format; use json, csv or pdf")),
            );
        }
        p.finish(filter)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diff_lists_changed_fields_only() {
        let before = json!({"name":"Acme","email":"a@x","version":1,"owner_name":"Bob"});
        let after = json!({"name":"Acme Corp","email":"a@x","version":2,"owner_name":"Eve"});
        let d = diff(Some(&before), Some(&after));
        assert_eq!(d, json!({"name":{"from":"Acme","to":"Acme Corp"}}));
        let created = diff(None, Some(&json!({"name":"A"})));
        assert_eq!(created, json!({"name":{"from":null,"to":"A"}}));
        let deleted = diff(Some(&json!({"name":"A"})), None);
        assert_eq!(deleted, json!({"name":{"from":"A","to":null}}));
    }

    #[test]
    fn blank_to_blank_is_no_change() {
        let created = diff(
            None,
            Some(&json!({"name":"A","notes":"","tags":[],"amount":0})),
        );
        assert_eq!(
            created,
            json!({"name":{"from":null,"to":"A"},"amount":{"from":null,"to":0}})
        );
        let cleared = diff(Some(&json!({"notes":"x"})), Some(&json!({"notes":""})));
        assert_eq!(cleared, json!({"notes":{"from":"x","to":""}}));
    }

    #[test]
    fn query_rejects_bad_values() {
        let p = AuditQuery {
            entity_id: Some("x".into()),
            format: Some("pdfx".into()),
            ..Default::default()
        }
        .parse()
        .unwrap_err();
        assert_eq!(p.errors.len(), 2);
    }
}
