//! In-app notifications: what a user is told (a reminder fired, …), newest first, read or unread.

use crate::ids::NotificationId;
use crate::page::Cursor;
use crate::problem::Problem;
use crate::query::{QueryParser, parse_i64};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A notification as its recipient sees it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Notification {
    pub id: NotificationId,
    /// What happened, e.g. `task_reminder`.
    pub kind: String,
    pub title: String,
    pub body: String,
    /// The record it is about (singular snake_case, as in the audit log), if any.
    pub entity: Option<String>,
    pub entity_id: Option<Uuid>,
    /// Where the app shows that record.
    pub link: Option<String>,
    pub read_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

/// The app path of a record (`task` → `/tasks/<id>`).
pub fn link_for(entity: Option<&str>, id: Option<Uuid>) -> Option<String> {
    let path = match entity? {
        "task" => "tasks",
        "customer" => "customers",
        "contact" => "contacts",
        "lead" => "leads",
        "opportunity" => "opportunities",
        "ticket" => "tickets",
        "project" => "projects",
        "asset" => "assets",
        "purchase_order" => "purchase-orders",
        _ => return None,
    };
    Some(format!("/{path}/{}", id?))
}

/// `{"count": n}`: the caller's unread notifications.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UnreadCount {
    pub count: i64,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
pub struct NotificationQuery {
    /// `true`: only unread ones.
    pub unread: Option<String>,
    pub limit: Option<String>,
    pub cursor: Option<String>,
}

/// Newest first; the cursor is the last row's creation time and id.
#[derive(Clone, Debug, PartialEq)]
pub struct NotificationFilter {
    pub unread: bool,
    pub limit: i64,
    pub after: Option<(DateTime<Utc>, Uuid)>,
}

pub const SORT: &str = "-created_at";

impl NotificationQuery {
    pub fn parse(self) -> Result<NotificationFilter, Problem> {
        let mut p = QueryParser::default();
        let unread = p
            .opt("unread", self.unread.as_deref(), |s| match s {
                "true" | "1" => Ok(true),
                "false" | "0" => Ok(false),
                _ => Err("must be true or false".to_owned()),
            })
            .unwrap_or(false);
        let after = p.opt("cursor", self.cursor.as_deref(), |c| {
            let c = Cursor::decode(c, SORT)?;
            let t = DateTime::parse_from_rfc3339(&c.value)
                .map_err(|_| "is not a valid cursor".to_owned())?;
            Ok((t.with_timezone(&Utc), c.id))
        });
        let limit = crate::page::clamp_limit(p.opt("limit", self.limit.as_deref(), parse_i64));
        p.finish(NotificationFilter {
            unread,
            limit,
            after,
        })
    }
}

pub fn cursor_of(n: &Notification) -> Cursor {
    Cursor::new(SORT, n.created_at.to_rfc3339(), n.id.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_known_entities_only() {
        let id = Uuid::nil();
        assert_eq!(
            link_for(Some("task"), Some(id)).as_deref(),
            Some("/tasks/00000000-0000-0000-0000-000000000000")
        );
        assert_eq!(link_for(Some("unknown"), Some(id)), None);
        assert_eq!(link_for(Some("task"), None), None);
        assert_eq!(link_for(None, Some(id)), None);
    }

    #[test]
    fn query_round_trips_cursor_and_rejects_bad_values() {
        let n = Notification {
            id: NotificationId::new(),
            kind: "task_reminder".into(),
            title: "t".into(),
            body: String::new(),
            entity: None,
            entity_id: None,
            link: None,
            read_at: None,
            created_at: Utc::now(),
        };
        let f = NotificationQuery {
            unread: Some("true".into()),
            cursor: Some(cursor_of(&n).encode()),
            ..Default::default()
        }
        .parse()
        .unwrap();
        assert!(f.unread);
        assert_eq!(f.after.map(|a| a.1), Some(n.id.0));
        let p = NotificationQuery {
            unread: Some("maybe".into()),
            cursor: Some("junk".into()),
            ..Default::default()
        }
        .parse()
        .unwrap_err();
        assert!(p.field("unread").is_some() && p.field("cursor").is_some());
    }
}
