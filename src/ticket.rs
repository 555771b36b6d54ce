//! Support tickets: the record, its workflow (open → in progress → resolved → closed, with reopening), the SLA
//! deadline by priority, comments, and list queries.

use crate::bulk::BulkResult;
use crate::ids::{ContactId, CustomerId, TicketCommentId, TicketId, UserId};
use crate::page::{SortDir, SortSpec};
use crate::patch::Patch;
use crate::permissions::{Action, Resource, Role, allows};
use crate::priority::Priority;
use crate::problem::{FieldError, Problem};
use crate::query::{ListOrder, QueryParser, parse_i64, parse_time, parse_uuid};
use crate::validation;
use chrono::{DateTime, Duration, Utc};
use garde::Validate;
use serde::{Deserialize, Serialize};

text_enum! {
    /// Where a ticket stands.
    pub enum TicketStatus {
        Open => "open",
        InProgress => "in_progress",
        Resolved => "resolved",
        Closed => "closed",
    }
}

impl TicketStatus {
    /// Still being worked on: the SLA clock runs.
    pub fn is_active(self) -> bool {
        matches!(self, TicketStatus::Open | TicketStatus::InProgress)
    }

    /// The statuses a ticket may move to from this one.
    pub fn next(self) -> &'static [TicketStatus] {
        use TicketStatus::*;
        match self {
            Open => &[InProgress, Resolved, Closed],
            InProgress => &[Open, Resolved, Closed],
            Resolved => &[Closed, Open],
            Closed => &[Open],
        }
    }

    /// The workflow: staying put is always allowed; any other move must be listed in [`TicketStatus::next`].
    pub fn check_transition(self, to: TicketStatus) -> Result<(), String> {
        if self == to || self.next().contains(&to) {
            Ok(())
        } else {
            Err(format!(
                "A {} ticket cannot become {}.",
                self.label().to_lowercase(),
                to.label().to_lowercase()
            ))
        }
    }

    /// The button text of the move to this status.
    pub fn action_label(self, from: TicketStatus) -> &'static str {
        match (from, self) {
            (TicketStatus::Resolved | TicketStatus::Closed, TicketStatus::Open) => "Reopen",
            (_, TicketStatus::Open) => "Back to open",
            (_, TicketStatus::InProgress) => "Start",
            (_, TicketStatus::Resolved) => "Resolve",
            (_, TicketStatus::Closed) => "Close",
        }
    }
}

/// Hours to resolve a ticket of this priority.
pub fn sla_hours(priority: Priority) -> i64 {
    match priority {
        Priority::Urgent => 4,
        Priority::High => 8,
        Priority::Normal => 24,
        Priority::Low => 72,
    }
}

/// When a ticket created at `created_at` with `priority` must be resolved.
pub fn sla_due(created_at: DateTime<Utc>, priority: Priority) -> DateTime<Utc> {
    created_at + Duration::hours(sla_hours(priority))
}

/// Missed its SLA: still active past the deadline, or resolved (or closed) after it.
pub fn sla_breached(
    status: TicketStatus,
    sla_due_at: DateTime<Utc>,
    finished_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> bool {
    if status.is_active() {
        now > sla_due_at
    } else {
        finished_at.is_some_and(|t| t > sla_due_at)
    }
}

/// Internal notes are for the roles that work tickets (support, managers, admins).
pub fn sees_internal_notes(role: Role) -> bool {
    allows(role, Resource::Tickets, Action::Update)
}

/// A reply by these roles counts as the first response to the customer.
pub fn is_staff_response(role: Role, internal: bool) -> bool {
    !internal && matches!(role, Role::Support | Role::Manager | Role::Admin)
}

/// `resolved_at` and `closed_at` after moving from `from` to `to` at `now`.
pub fn status_times(
    from: TicketStatus,
    to: TicketStatus,
    resolved_at: Option<DateTime<Utc>>,
    closed_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> (Option<DateTime<Utc>>, Option<DateTime<Utc>>) {
    if from == to {
        return (resolved_at, closed_at);
    }
    match to {
        TicketStatus::Open | TicketStatus::InProgress => (None, None),
        TicketStatus::Resolved => (Some(now), None),
        TicketStatus::Closed => (resolved_at, Some(now)),
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Ticket {
    pub id: TicketId,
    /// A short human number (`#42`).
    pub number: i64,
    pub subject: String,
    pub description: String,
    pub priority: Priority,
    pub status: TicketStatus,
    pub customer_id: CustomerId,
    /// The customer's name (read-only).
    pub customer_name: Option<String>,
    pub contact_id: Option<ContactId>,
    pub assignee_id: Option<UserId>,
    /// The assignee's name (read-only).
    pub assignee_name: Option<String>,
    /// created_at + 4/8/24/72 hours for urgent/high/normal/low.
    pub sla_due_at: DateTime<Utc>,
    /// Read-only: active past `sla_due_at`, or resolved after it.
    pub sla_breached: bool,
    pub first_response_at: Option<DateTime<Utc>>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    pub comment_count: i64,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Create input (a new ticket is `open`); merged with the stored ticket for updates.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TicketInput {
    #[garde(length(chars, min = 1, max = 200))]
    #[serde(default)]
    pub subject: String,
    #[garde(length(chars, max = 20000))]
    #[serde(default)]
    pub description: String,
    #[garde(skip)]
    #[serde(default)]
    pub priority: Priority,
    #[garde(skip)]
    #[serde(default)]
    pub customer_id: Option<CustomerId>,
    #[garde(skip)]
    #[serde(default)]
    pub contact_id: Option<ContactId>,
    #[garde(skip)]
    #[serde(default)]
    pub assignee_id: Option<UserId>,
}

impl TicketInput {
    pub fn clean(self) -> Result<Self, Problem> {
        let cleaned = Self {
            subject: self.subject.trim().to_owned(),
            description: self.description.trim().to_owned(),
            ..self
        };
        let mut errors = validation::field_errors(&cleaned);
        if cleaned.customer_id.is_none() {
            errors.push(FieldError::new("customer_id", "is required"));
        }
        validation::finish(cleaned, errors)
    }
}

/// A partial update; `status` moves the ticket along its workflow (409 for a move it does not allow).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TicketPatch {
    #[serde(default, skip_serializing_if = "Patch::is_missing")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub subject: Patch<String>,
    #[serde(default, skip_serializing_if = "Patch::is_missing")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub description: Patch<String>,
    #[serde(default, skip_serializing_if = "Patch::is_missing")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Priority>))]
    pub priority: Patch<Priority>,
    #[serde(default, skip_serializing_if = "Patch::is_missing")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<TicketStatus>))]
    pub status: Patch<TicketStatus>,
    #[serde(default, skip_serializing_if = "Patch::is_missing")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Uuid))]
    pub customer_id: Patch<CustomerId>,
    #[serde(default, skip_serializing_if = "Patch::is_missing")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Uuid))]
    pub contact_id: Patch<ContactId>,
    #[serde(default, skip_serializing_if = "Patch::is_missing")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Uuid))]
    pub assignee_id: Patch<UserId>,
}

impl TicketPatch {
    /// The merged input and the status asked for (the current one when absent).
    pub fn apply(self, current: &Ticket) -> Result<(TicketInput, TicketStatus), Problem> {
        let mut errors = Vec::new();
        let mut required = |name: &str| errors.push(FieldError::new(name, "is required"));
        let subject = match self.subject {
            Patch::Null => {
                required("subject");
                String::new()
            }
            p => p
                .apply_to(Some(current.subject.clone()))
                .unwrap_or_default(),
        };
        let priority = match self.priority {
            Patch::Null => {
                required("priority");
                current.priority
            }
            p => p.apply_to(Some(current.priority)).unwrap_or_default(),
        };
        let status = match self.status {
            Patch::Null => {
                required("status");
                current.status
            }
            p => p.apply_to(Some(current.status)).unwrap_or_default(),
        };
        let merged = TicketInput {
            subject,
            description: self
                .description
                .apply_to(Some(current.description.clone()))
                .unwrap_or_default(),
            priority,
            customer_id: self.customer_id.apply_to(Some(current.customer_id)),
            contact_id: self.contact_id.apply_to(current.contact_id),
            assignee_id: self.assignee_id.apply_to(current.assignee_id),
        };
        validation::merged(errors, merged.clean()).map(|v| (v, status))
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TicketComment {
    pub id: TicketCommentId,
    pub ticket_id: TicketId,
    pub author_id: Option<UserId>,
    pub author_name: Option<String>,
    pub body: String,
    /// A staff note, hidden from sales.
    pub internal: bool,
    pub created_at: DateTime<Utc>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TicketCommentInput {
    #[garde(length(chars, min = 1, max = 20000))]
    #[serde(default)]
    pub body: String,
    #[garde(skip)]
    #[serde(default)]
    pub internal: bool,
}

impl TicketCommentInput {
    pub fn clean(self) -> Result<Self, Problem> {
        let cleaned = Self {
            body: self.body.trim().to_owned(),
            internal: self.internal,
        };
        validation::validate(&cleaned)?;
        Ok(cleaned)
    }
}

/// `GET /tickets/{id}/comments`: oldest first, keyset paged.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
pub struct TicketCommentQuery {
    pub limit: Option<String>,
    pub cursor: Option<String>,
}

/// The sort of comment pages (for cursors).
pub const COMMENT_SORT: &str = "created_at";

/// Where a page of comments starts: after this creation time and id.
pub type CommentAfter = (DateTime<Utc>, uuid::Uuid);

impl TicketCommentQuery {
    /// The page size and the cursor (its value an RFC 3339 time).
    pub fn parse(self) -> Result<(i64, Option<CommentAfter>), Problem> {
        let mut p = QueryParser::default();
        let limit = crate::page::clamp_limit(p.opt("limit", self.limit.as_deref(), parse_i64));
        let cursor = p.opt("cursor", self.cursor.as_deref(), |c| {
            let c = crate::page::Cursor::decode(c, COMMENT_SORT)?;
            let t = DateTime::parse_from_rfc3339(&c.value)
                .map_err(|_| "is not a valid cursor".to_owned())?;
            Ok((t.with_timezone(&Utc), c.id))
        });
        p.finish((limit, cursor))
    }
}

/// What a bulk action does to the selected tickets (`POST /tickets/bulk-actions`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum TicketBulkAction {
    /// `assignee_id: null` unassigns.
    Assign {
        assignee_id: Option<UserId>,
    },
    SetStatus {
        status: TicketStatus,
    },
    Delete,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TicketBulkRequest {
    pub ids: Vec<TicketId>,
    #[serde(flatten)]
    pub action: TicketBulkAction,
}

pub type TicketBulkResult = BulkResult;

crate::sort_keys! {
    pub enum TicketSortKey for Ticket {
        CreatedAt = "created_at" => |t| t.created_at,
        UpdatedAt = "updated_at" => |t| t.updated_at,
        /// By weight: `-priority` lists urgent first.
        Priority = "priority" => |t| priority_weight(t.priority),
        SlaDueAt = "sla_due_at" => |t| t.sla_due_at,
        Subject = "subject" => |t| t.subject,
        /// By its first 200 characters (then by id), so that a cursor stays short.
        Description = "description" => |t| crate::page::sort_prefix(&t.description),
        Number = "number" => |t| t.number,
        Status = "status" => |t| t.status.as_str(),
        CustomerId = "customer_id" => |t| t.customer_id.0,
        CustomerName = "customer_name" => |t| t.customer_name,
        ContactId = "contact_id" => |t| t.contact_id.map(|c| c.0),
        AssigneeId = "assignee_id" => |t| t.assignee_id.map(|a| a.0),
        AssigneeName = "assignee_name" => |t| t.assignee_name,
        FirstResponseAt = "first_response_at" => |t| t.first_response_at,
        ResolvedAt = "resolved_at" => |t| t.resolved_at,
        ClosedAt = "closed_at" => |t| t.closed_at,
    }
}

/// Sort weight of a priority: low 0 … urgent 3 (so `-priority` lists urgent first).
pub fn priority_weight(p: Priority) -> i32 {
    3 - i32::from(p.rank())
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
pub struct TicketQuery {
    /// Search over subject and description.
    pub q: Option<String>,
    /// One status or a comma-separated list (`open,in_progress`).
    pub status: Option<String>,
    pub priority: Option<String>,
    pub customer_id: Option<String>,
    pub assignee_id: Option<String>,
    /// `true`: only tickets assigned to the caller.
    pub mine: Option<String>,
    /// `true`: only tickets that missed their SLA.
    pub breached: Option<String>,
    pub created_from: Option<String>,
    pub created_to: Option<String>,
    /// Exact value, ignoring case.
    pub subject: Option<String>,
    /// `created_at`, `updated_at`, `priority`, `sla_due_at` or `subject`; `-` for descending. Default `-created_at`.
    pub sort: Option<String>,
    pub limit: Option<String>,
    pub cursor: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct TicketFilter {
    /// Exact filters on the record's own fields (`name=…`).
    pub fields: crate::query::FieldFilters,
    pub q: Option<String>,
    pub statuses: Vec<TicketStatus>,
    pub priority: Option<Priority>,
    pub customer_id: Option<CustomerId>,
    pub assignee_id: Option<UserId>,
    pub mine: bool,
    pub breached: bool,
    pub created_from: Option<DateTime<Utc>>,
    pub created_to: Option<DateTime<Utc>>,
    pub sort: SortSpec<TicketSortKey>,
    pub sort_text: String,
    pub limit: i64,
    pub cursor: Option<crate::page::Cursor>,
}

pub fn parse_bool(s: &str) -> Result<bool, String> {
    match s {
        "true" | "1" | "yes" => Ok(true),
        "false" | "0" | "no" => Ok(false),
        _ => Err("must be true or false".to_owned()),
    }
}

fn parse_statuses(s: &str) -> Result<Vec<TicketStatus>, String> {
    s.split(',')
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(TicketStatus::parse)
        .collect()
}

impl TicketQuery {
    pub fn parse(self) -> Result<TicketFilter, Problem> {
        let mut p = QueryParser::default();
        let newest_first = SortSpec {
            field: TicketSortKey::CreatedAt,
            dir: SortDir::Desc,
        };
        let ListOrder {
            sort,
            sort_text,
            cursor,
        } = p.order(
            (self.sort, self.cursor.as_deref()),
            ("-created_at", newest_first),
            TicketSortKey::parse,
            &TicketSortKey::allowed(),
        );
        let mut fields = crate::query::FieldFilters::default();
        p.text(&mut fields, "subject", self.subject);
        let filter = TicketFilter {
            fields,
            q: crate::search::normalize_query(self.q.as_deref()),
            statuses: p
                .opt("status", self.status.as_deref(), parse_statuses)
                .unwrap_or_default(),
            priority: p.opt("priority", self.priority.as_deref(), Priority::parse),
            customer_id: p
                .opt("customer_id", self.customer_id.as_deref(), parse_uuid)
                .map(CustomerId),
            assignee_id: p
                .opt("assignee_id", self.assignee_id.as_deref(), parse_uuid)
                .map(UserId),
            mine: p
                .opt("mine", self.mine.as_deref(), parse_bool)
                .unwrap_or(false),
            breached: p
                .opt("breached", self.breached.as_deref(), parse_bool)
                .unwrap_or(false),
            created_from: p.opt("created_from", self.created_from.as_deref(), |s| {
                parse_time(s, false)
            }),
            created_to: p.opt("created_to", self.created_to.as_deref(), |s| {
                parse_time(s, true)
            }),
            sort,
            sort_text,
            limit: crate::page::clamp_limit(p.opt("limit", self.limit.as_deref(), parse_i64)),
            cursor,
        };
        p.finish(filter)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use TicketStatus::*;

    #[test]
    fn workflow_allows_listed_moves_only() {
        for (from, to) in [
            (Open, InProgress),
            (Open, Resolved),
            (Open, Closed),
            (InProgress, Open),
            (InProgress, Resolved),
            (InProgress, Closed),
            (Resolved, Closed),
            (Resolved, Open),
            (Closed, Open),
            (Closed, Closed),
        ] {
            assert!(from.check_transition(to).is_ok(), "{from} → {to}");
        }
        for (from, to) in [
            (Closed, Resolved),
            (Closed, InProgress),
            (Resolved, InProgress),
        ] {
            assert!(from.check_transition(to).is_err(), "{from} → {to}");
        }
        assert_eq!(Resolved.action_label(Open), "Resolve");
        assert_eq!(Open.action_label(Closed), "Reopen");
    }

    #[test]
    fn sla_by_priority_and_breach() {
        let t0 = DateTime::parse_from_rfc3339("2026-01-01T00:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(sla_due(t0, Priority::Urgent), t0 + Duration::hours(4));
        assert_eq!(sla_due(t0, Priority::High), t0 + Duration::hours(8));
        assert_eq!(sla_due(t0, Priority::Normal), t0 + Duration::hours(24));
        assert_eq!(sla_due(t0, Priority::Low), t0 + Duration::hours(72));
        let due = sla_due(t0, Priority::Urgent);
        let late = due + Duration::minutes(1);
        assert!(sla_breached(Open, due, None, late));
        assert!(!sla_breached(InProgress, due, None, t0));
        assert!(sla_breached(Resolved, due, Some(late), late));
        assert!(!sla_breached(Closed, due, Some(t0), late));
    }

    #[test]
    fn status_times_set_and_clear() {
        let now = Utc::now();
        let earlier = now - Duration::hours(1);
        assert_eq!(
            status_times(Open, Resolved, None, None, now),
            (Some(now), None)
        );
        assert_eq!(
            status_times(Resolved, Closed, Some(earlier), None, now),
            (Some(earlier), Some(now))
        );
        assert_eq!(
            status_times(Closed, Open, Some(earlier), Some(earlier), now),
            (None, None)
        );
        assert_eq!(
            status_times(Resolved, Resolved, Some(earlier), None, now),
            (Some(earlier), None)
        );
    }

    #[test]
    fn roles_and_internal_notes() {
        assert!(sees_internal_notes(Role::Support));
        assert!(!sees_internal_notes(Role::Sales));
        assert!(is_staff_response(Role::Support, false));
        assert!(!is_staff_response(Role::Support, true));
        assert!(!is_staff_response(Role::Sales, false));
    }

    #[test]
    fn input_and_query() {
        let p = TicketInput::default().clean().unwrap_err();
        assert!(p.field("subject").is_some() && p.field("customer_id").is_some());
        let f = TicketQuery {
            status: Some("open,in_progress".into()),
            mine: Some("true".into()),
            sort: Some("-priority".into()),
            ..Default::default()
        }
        .parse()
        .unwrap();
        assert_eq!(f.statuses, vec![Open, InProgress]);
        assert!(f.mine);
        assert_eq!(f.sort.field, TicketSortKey::Priority);
        let p = TicketQuery {
            status: Some("open,gone".into()),
            breached: Some("maybe".into()),
            ..Default::default()
        }
        .parse()
        .unwrap_err();
        assert_eq!(p.errors.len(), 2);
        assert!(priority_weight(Priority::Urgent) > priority_weight(Priority::Low));
    }
}
