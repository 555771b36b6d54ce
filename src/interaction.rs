//! Interactions (calls, e-mails, meetings, notes) logged against a customer, and the customer timeline: one
//! newest-first feed merging interactions, tasks, tickets, opportunity stage changes and the customer's audit
//! events.

use crate::ids::{ContactId, CustomerId, InteractionId, OpportunityId, TicketId, UserId};
use crate::page::{Cursor, SortDir, SortSpec};
use crate::patch::Patch;
use crate::problem::{FieldError, Problem};
use crate::query::{ListOrder, QueryParser, parse_i64, parse_time, parse_uuid};
use crate::validation;
use chrono::{DateTime, Duration, Utc};
use garde::Validate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

text_enum! {
    /// What kind of contact with the customer took place.
    pub enum InteractionKind { Call => "call", Email => "email", Meeting => "meeting", Note => "note" }
}

/// How far from now `occurred_at` may lie: up to 20 years back (imported history) and 2 years ahead (planned
/// meetings). Anything outside is almost certainly a typo in the year.
pub const MAX_PAST_YEARS: i64 = 20;
pub const MAX_FUTURE_YEARS: i64 = 2;
pub const MAX_PARTICIPANTS: usize = 50;
pub const MAX_PARTICIPANT_CHARS: usize = 200;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Interaction {
    pub id: InteractionId,
    pub customer_id: CustomerId,
    /// The customer's name (read-only).
    pub customer_name: Option<String>,
    pub contact_id: Option<ContactId>,
    pub opportunity_id: Option<OpportunityId>,
    pub ticket_id: Option<TicketId>,
    pub kind: InteractionKind,
    pub subject: String,
    pub body: String,
    pub occurred_at: DateTime<Utc>,
    pub duration_minutes: Option<i32>,
    pub participants: Vec<String>,
    /// Who logged it (the caller at creation).
    pub author_id: Option<UserId>,
    /// The author's name (read-only).
    pub author_name: Option<String>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Create input; merged with the stored record for updates. `occurred_at` defaults to now.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InteractionInput {
    #[garde(skip)]
    #[serde(default)]
    pub customer_id: Option<CustomerId>,
    #[garde(skip)]
    #[serde(default)]
    pub contact_id: Option<ContactId>,
    #[garde(skip)]
    #[serde(default)]
    pub opportunity_id: Option<OpportunityId>,
    #[garde(skip)]
    #[serde(default)]
    pub ticket_id: Option<TicketId>,
    #[garde(skip)]
    #[serde(default)]
    pub kind: Option<InteractionKind>,
    #[garde(length(chars, min = 1, max = 300))]
    #[serde(default)]
    pub subject: String,
    #[garde(length(chars, max = 100000))]
    #[serde(default)]
    pub body: String,
    #[garde(skip)]
    #[serde(default)]
    pub occurred_at: Option<DateTime<Utc>>,
    #[garde(range(min = 0, max = 100000))]
    #[serde(default)]
    pub duration_minutes: Option<i32>,
    #[garde(length(max = MAX_PARTICIPANTS), inner(length(chars, max = MAX_PARTICIPANT_CHARS)))]
    #[serde(default)]
    pub participants: Vec<String>,
}

impl InteractionInput {
    /// Trims, defaults `occurred_at` to now and validates every field at once.
    pub fn clean(self) -> Result<Self, Problem> {
        self.clean_at(Utc::now())
    }

    pub fn clean_at(self, now: DateTime<Utc>) -> Result<Self, Problem> {
        let cleaned = Self {
            subject: self.subject.trim().to_owned(),
            body: self.body.trim_end().to_owned(),
            occurred_at: Some(self.occurred_at.unwrap_or(now)),
            participants: self
                .participants
                .into_iter()
                .map(|p| p.trim().to_owned())
                .filter(|p| !p.is_empty())
                .collect(),
            ..self
        };
        let mut errors = match validation::validate(&cleaned) {
            Ok(()) => Vec::new(),
            Err(p) => p.errors,
        };
        if cleaned.customer_id.is_none() {
            errors.insert(0, FieldError::new("customer_id", "is required"));
        }
        if cleaned.kind.is_none() {
            errors.push(FieldError::new(
                "kind",
                "must be one of call, email, meeting, note",
            ));
        }
        if let Some(at) = cleaned.occurred_at
            && (at < now - Duration::days(365 * MAX_PAST_YEARS)
                || at > now + Duration::days(365 * MAX_FUTURE_YEARS))
        {
            errors.push(FieldError::new(
                "occurred_at",
                format!(
                    "must lie within {MAX_PAST_YEARS} years before and {MAX_FUTURE_YEARS} years after today"
                ),
            ));
        }
        if errors.is_empty() {
            Ok(cleaned)
        } else {
            Err(Problem::invalid(errors))
        }
    }
}

/// A partial update: absent fields stay, `null` clears (where the field may be empty).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InteractionPatch {
    #[serde(default, skip_serializing_if = "Patch::is_missing")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Uuid))]
    pub customer_id: Patch<CustomerId>,
    #[serde(default, skip_serializing_if = "Patch::is_missing")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Uuid))]
    pub contact_id: Patch<ContactId>,
    #[serde(default, skip_serializing_if = "Patch::is_missing")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Uuid))]
    pub opportunity_id: Patch<OpportunityId>,
    #[serde(default, skip_serializing_if = "Patch::is_missing")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Uuid))]
    pub ticket_id: Patch<TicketId>,
    #[serde(default, skip_serializing_if = "Patch::is_missing")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<InteractionKind>))]
    pub kind: Patch<InteractionKind>,
    #[serde(default, skip_serializing_if = "Patch::is_missing")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub subject: Patch<String>,
    #[serde(default, skip_serializing_if = "Patch::is_missing")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub body: Patch<String>,
    #[serde(default, skip_serializing_if = "Patch::is_missing")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<DateTime<Utc>>))]
    pub occurred_at: Patch<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Patch::is_missing")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i32>))]
    pub duration_minutes: Patch<i32>,
    #[serde(default, skip_serializing_if = "Patch::is_missing")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Vec<String>>))]
    pub participants: Patch<Vec<String>>,
}

impl InteractionPatch {
    /// The stored interaction with this patch applied, cleaned and validated. `null` on a required field
    /// (customer, kind, subject, occurred_at) is reported as "is required".
    pub fn apply(self, current: &Interaction) -> Result<InteractionInput, Problem> {
        let mut errors = Vec::new();
        let mut required = |name: &str, null: bool| {
            if null {
                errors.push(FieldError::new(name, "is required"));
            }
        };
        required("customer_id", self.customer_id == Patch::Null);
        required("kind", self.kind == Patch::Null);
        required("occurred_at", self.occurred_at == Patch::Null);
        let merged = InteractionInput {
            customer_id: self
                .customer_id
                .apply_to(Some(current.customer_id))
                .or(Some(current.customer_id)),
            contact_id: self.contact_id.apply_to(current.contact_id),
            opportunity_id: self.opportunity_id.apply_to(current.opportunity_id),
            ticket_id: self.ticket_id.apply_to(current.ticket_id),
            kind: self
                .kind
                .apply_to(Some(current.kind))
                .or(Some(current.kind)),
            subject: self
                .subject
                .apply_to(Some(current.subject.clone()))
                .unwrap_or_default(),
            body: self
                .body
                .apply_to(Some(current.body.clone()))
                .unwrap_or_default(),
            occurred_at: self
                .occurred_at
                .apply_to(Some(current.occurred_at))
                .or(Some(current.occurred_at)),
            duration_minutes: self.duration_minutes.apply_to(current.duration_minutes),
            participants: self
                .participants
                .apply_to(Some(current.participants.clone()))
                .unwrap_or_default(),
        };
        match merged.clean() {
            Ok(v) if errors.is_empty() => Ok(v),
            Ok(_) => Err(Problem::invalid(errors)),
            Err(mut p) => {
                errors.append(&mut p.errors);
                Err(Problem::invalid(errors))
            }
        }
    }
}

crate::sort_keys! {
    pub enum InteractionSortKey for Interaction {
        OccurredAt = "occurred_at" => |i| i.occurred_at,
        CreatedAt = "created_at" => |i| i.created_at,
        Subject = "subject" => |i| i.subject,
        Kind = "kind" => |i| i.kind.as_str(),
        /// By its first 200 characters (then by id).
        Body = "body" => |i| crate::page::sort_prefix(&i.body),
        CustomerId = "customer_id" => |i| i.customer_id.0,
        ContactId = "contact_id" => |i| i.contact_id.map(|c| c.0),
        DurationMinutes = "duration_minutes" => |i| i.duration_minutes,
        UpdatedAt = "updated_at" => |i| i.updated_at,
    }
}

impl InteractionSortKey {
    /// The two times the search engine and the full-text walk order by; every other key is read from
    /// PostgreSQL by its filters and sorted.
    pub fn is_engine_order(self) -> bool {
        matches!(self, Self::OccurredAt | Self::CreatedAt)
    }
}

/// List query as it arrives (text, so a bad value is a 422 naming the parameter).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
pub struct InteractionQuery {
    /// Full-text search over subject and body (every word a prefix).
    pub q: Option<String>,
    pub customer_id: Option<String>,
    pub contact_id: Option<String>,
    pub opportunity_id: Option<String>,
    pub ticket_id: Option<String>,
    /// `call`, `email`, `meeting` or `note`.
    pub kind: Option<String>,
    pub author_id: Option<String>,
    /// Occurred on or after (date `YYYY-MM-DD` or RFC 3339 time).
    pub from: Option<String>,
    /// Occurred before the end of this date (or before this RFC 3339 time).
    pub to: Option<String>,
    /// Exact value, ignoring case.
    pub subject: Option<String>,
    /// Any scalar field (`occurred_at`, `created_at`, `subject`, `kind`, `body`, `customer_id`, `contact_id`, …),
    /// `-` for descending. Default `-occurred_at`.
    pub sort: Option<String>,
    pub limit: Option<String>,
    pub cursor: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct InteractionFilter {
    /// Exact filters on the record's own fields (`name=…`).
    pub fields: crate::query::FieldFilters,
    pub q: Option<String>,
    pub customer_id: Option<CustomerId>,
    pub contact_id: Option<ContactId>,
    pub opportunity_id: Option<OpportunityId>,
    pub ticket_id: Option<TicketId>,
    pub kind: Option<InteractionKind>,
    pub author_id: Option<UserId>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    pub sort: SortSpec<InteractionSortKey>,
    pub sort_text: String,
    pub limit: i64,
    pub cursor: Option<Cursor>,
}

impl InteractionQuery {
    pub fn parse(self) -> Result<InteractionFilter, Problem> {
        let mut p = QueryParser::default();
        let ListOrder {
            sort,
            sort_text,
            cursor,
        } = p.order(
            (self.sort, self.cursor.as_deref()),
            (
                "-occurred_at",
                SortSpec {
                    field: InteractionSortKey::OccurredAt,
                    dir: SortDir::Desc,
                },
            ),
            InteractionSortKey::parse,
            &InteractionSortKey::allowed(),
        );
        let mut fields = crate::query::FieldFilters::default();
        p.text(&mut fields, "subject", self.subject);
        let filter = InteractionFilter {
            fields,
            q: crate::search::normalize_query(self.q.as_deref()),
            customer_id: p
                .opt("customer_id", self.customer_id.as_deref(), parse_uuid)
                .map(CustomerId),
            contact_id: p
                .opt("contact_id", self.contact_id.as_deref(), parse_uuid)
                .map(ContactId),
            opportunity_id: p
                .opt("opportunity_id", self.opportunity_id.as_deref(), parse_uuid)
                .map(OpportunityId),
            ticket_id: p
                .opt("ticket_id", self.ticket_id.as_deref(), parse_uuid)
                .map(TicketId),
            kind: p.opt("kind", self.kind.as_deref(), InteractionKind::parse),
            author_id: p
                .opt("author_id", self.author_id.as_deref(), parse_uuid)
                .map(UserId),
            from: p.opt("from", self.from.as_deref(), |s| parse_time(s, false)),
            to: p.opt("to", self.to.as_deref(), |s| parse_time(s, true)),
            sort,
            sort_text,
            limit: crate::page::clamp_limit(p.opt("limit", self.limit.as_deref(), parse_i64)),
            cursor,
        };
        p.finish(filter)
    }
}

/// `POST /interactions/bulk-actions`: one action on many interactions, all or nothing.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum InteractionBulkAction {
    Delete,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InteractionBulkRequest {
    pub ids: Vec<InteractionId>,
    #[serde(flatten)]
    pub action: InteractionBulkAction,
}

text_enum! {
    /// The source of a timeline entry. The names also order entries that happened at the same instant.
    pub enum TimelineKind {
        Interaction => "interaction",
        Task => "task",
        Ticket => "ticket",
        StageChange => "stage_change",
        Audit => "audit",
    }
}

/// One entry of a customer's timeline.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TimelineEntry {
    pub kind: TimelineKind,
    /// The id of the source row (interaction, task, ticket, stage change or audit entry).
    pub id: Uuid,
    pub at: DateTime<Utc>,
    pub title: String,
    pub summary: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor_id: Option<UserId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor_name: Option<String>,
    /// Where the source record lives in the app (`/interactions/{id}`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
    /// Source-specific details.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub data: serde_json::Value,
}

/// The timeline's keyset position: entries are ordered by `(at, kind, id)` descending.
#[derive(Clone, Debug, PartialEq)]
pub struct TimelinePos {
    pub at: DateTime<Utc>,
    pub kind: TimelineKind,
    pub id: Uuid,
}

const TIMELINE_SORT: &str = "-at";

impl TimelinePos {
    pub fn of(e: &TimelineEntry) -> Self {
        Self {
            at: e.at,
            kind: e.kind,
            id: e.id,
        }
    }

    pub fn cursor(&self) -> Cursor {
        Cursor::new(TIMELINE_SORT, self.at.to_rfc3339(), self.id)
            .with_mode(Some(self.kind.as_str()))
    }

    pub fn decode(s: &str) -> Result<Self, String> {
        let bad = || "is not a valid cursor".to_owned();
        let c = Cursor::decode(s, TIMELINE_SORT)?;
        let at = DateTime::parse_from_rfc3339(&c.value).map_err(|_| bad())?;
        let kind = TimelineKind::parse(c.mode.as_deref().unwrap_or_default()).map_err(|_| bad())?;
        Ok(Self {
            at: at.with_timezone(&Utc),
            kind,
            id: c.id,
        })
    }

    /// The newest-first order of the feed: later first, then kind name, then id (both descending).
    pub fn newest_first(a: &Self, b: &Self) -> std::cmp::Ordering {
        (b.at, b.kind.as_str(), b.id).cmp(&(a.at, a.kind.as_str(), a.id))
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
pub struct TimelineQuery {
    pub limit: Option<String>,
    pub cursor: Option<String>,
}

impl TimelineQuery {
    pub fn parse(self) -> Result<(i64, Option<TimelinePos>), Problem> {
        let mut p = QueryParser::default();
        let limit = crate::page::clamp_limit(p.opt("limit", self.limit.as_deref(), parse_i64));
        let cursor = p.opt("cursor", self.cursor.as_deref(), TimelinePos::decode);
        p.finish((limit, cursor))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-11-23T12:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn requires_customer_kind_subject_and_checks_bounds() {
        let p = InteractionInput {
            subject: "  ".into(),
            duration_minutes: Some(-1),
            occurred_at: Some(now() + Duration::days(365 * 3)),
            participants: vec!["x".repeat(201)],
            ..Default::default()
        }
        .clean_at(now())
        .unwrap_err();
        for f in [
            "customer_id",
            "kind",
            "subject",
            "duration_minutes",
            "occurred_at",
            "participants[0]",
        ] {
            assert!(p.field(f).is_some(), "{f} missing in {p}");
        }
    }

    #[test]
    fn clean_trims_and_defaults_occurred_at() {
        let ok = InteractionInput {
            customer_id: Some(CustomerId::new()),
            kind: Some(InteractionKind::Call),
            subject: " Intro call ".into(),
            participants: vec![" Ada ".into(), " ".into()],
            ..Default::default()
        }
        .clean_at(now())
        .unwrap();
        assert_eq!(ok.subject, "Intro call");
        assert_eq!(ok.occurred_at, Some(now()));
        assert_eq!(ok.participants, vec!["Ada"]);
    }

    #[test]
    fn too_many_participants_and_long_subject_fail() {
        let p = InteractionInput {
            customer_id: Some(CustomerId::new()),
            kind: Some(InteractionKind::Note),
            subject: "s".repeat(301),
            participants: vec!["a".into(); 51],
            ..Default::default()
        }
        .clean_at(now())
        .unwrap_err();
        assert!(p.field("subject").is_some());
        assert!(p.field("participants").is_some(), "{p}");
    }

    #[test]
    fn query_parses_filters_and_rejects_bad_values() {
        let f = InteractionQuery {
            kind: Some("email".into()),
            from: Some("2026-01-01".into()),
            ..Default::default()
        }
        .parse()
        .unwrap();
        assert_eq!(f.kind, Some(InteractionKind::Email));
        assert_eq!(f.sort.dir, SortDir::Desc);
        let p = InteractionQuery {
            kind: Some("fax".into()),
            customer_id: Some("x".into()),
            sort: Some("participants".into()),
            ..Default::default()
        }
        .parse()
        .unwrap_err();
        for f in ["kind", "customer_id", "sort"] {
            assert!(p.field(f).is_some(), "{f}");
        }
    }

    #[test]
    fn timeline_cursor_round_trips_and_orders() {
        let a = TimelinePos {
            at: now(),
            kind: TimelineKind::Task,
            id: Uuid::now_v7(),
        };
        assert_eq!(TimelinePos::decode(&a.cursor().encode()), Ok(a.clone()));
        assert!(TimelinePos::decode("e30").is_err());
        let b = TimelinePos {
            kind: TimelineKind::Audit,
            ..a.clone()
        };
        assert_eq!(
            TimelinePos::newest_first(&a, &b),
            std::cmp::Ordering::Less,
            "task sorts before audit at the same instant"
        );
    }
}
