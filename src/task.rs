//! Tasks: to-dos with a due time, an optional reminder, an assignee and links to CRM records; the date
//! buckets of the "My tasks" page and the task visibility rule.

use crate::ids::{CustomerId, LeadId, OpportunityId, TaskId, TicketId, UserId};
use crate::page::{Cursor, SortDir, SortSpec};
use crate::patch::Patch;
use crate::permissions::{Action, Principal, Resource, Role};
use crate::priority::Priority;
use crate::problem::{FieldError, Problem};
use crate::query::{ListOrder, QueryParser, parse_i64, parse_time, parse_uuid};
use crate::validation;
use chrono::{DateTime, Duration, Utc};
use garde::Validate;
use serde::{Deserialize, Serialize};

text_enum! {
    /// Where a task stands (default `open`).
    pub enum TaskStatus {
        Open => "open",
        InProgress => "in_progress",
        Done => "done",
        Cancelled => "cancelled",
    }
}

impl TaskStatus {
    /// Open and in-progress tasks still need doing (and may become overdue, and remind).
    pub fn is_active(self) -> bool {
        matches!(self, TaskStatus::Open | TaskStatus::InProgress)
    }
}

text_enum! {
    /// The date sections of a task list (`bucket=` filter).
    pub enum Bucket {
        Overdue => "overdue",
        Today => "today",
        Upcoming => "upcoming",
        NoDueDate => "none",
    }
}

/// A task as the API returns it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Task {
    pub id: TaskId,
    pub title: String,
    pub description: String,
    pub due_at: Option<DateTime<Utc>>,
    pub remind_at: Option<DateTime<Utc>>,
    pub assignee_id: Option<UserId>,
    /// The assignee's display name (read-only).
    pub assignee_name: Option<String>,
    pub created_by: Option<UserId>,
    pub status: TaskStatus,
    pub priority: Priority,
    pub customer_id: Option<CustomerId>,
    pub lead_id: Option<LeadId>,
    pub opportunity_id: Option<OpportunityId>,
    pub ticket_id: Option<TicketId>,
    pub completed_at: Option<DateTime<Utc>>,
    /// Due in the past and still open or in progress (computed when read).
    pub overdue: bool,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Fields a client may set. Used for create and, merged with the stored task, for update.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TaskInput {
    #[garde(length(chars, min = 1, max = 200))]
    #[serde(default)]
    pub title: String,
    #[garde(length(chars, max = 10000))]
    #[serde(default)]
    pub description: String,
    #[garde(skip)]
    #[serde(default)]
    pub due_at: Option<DateTime<Utc>>,
    #[garde(skip)]
    #[serde(default)]
    pub remind_at: Option<DateTime<Utc>>,
    /// Defaults to the caller.
    #[garde(skip)]
    #[serde(default)]
    pub assignee_id: Option<UserId>,
    #[garde(skip)]
    #[serde(default)]
    pub status: TaskStatus,
    #[garde(skip)]
    #[serde(default)]
    pub priority: Priority,
    #[garde(skip)]
    #[serde(default)]
    pub customer_id: Option<CustomerId>,
    #[garde(skip)]
    #[serde(default)]
    pub lead_id: Option<LeadId>,
    #[garde(skip)]
    #[serde(default)]
    pub opportunity_id: Option<OpportunityId>,
    #[garde(skip)]
    #[serde(default)]
    pub ticket_id: Option<TicketId>,
}

impl TaskInput {
    /// Trims and validates every field at once; a reminder after the due time is refused.
    pub fn clean(self) -> Result<Self, Problem> {
        let cleaned = Self {
            title: self.title.trim().to_owned(),
            description: self.description.trim().to_owned(),
            ..self
        };
        let mut errors = match validation::validate(&cleaned) {
            Ok(()) => Vec::new(),
            Err(p) => p.errors,
        };
        if let (Some(remind), Some(due)) = (cleaned.remind_at, cleaned.due_at)
            && remind > due
        {
            errors.push(FieldError::new(
                "remind_at",
                "must not be after the due time",
            ));
        }
        if errors.is_empty() {
            Ok(cleaned)
        } else {
            Err(Problem::invalid(errors))
        }
    }
}

impl From<&Task> for TaskInput {
    fn from(t: &Task) -> Self {
        Self {
            title: t.title.clone(),
            description: t.description.clone(),
            due_at: t.due_at,
            remind_at: t.remind_at,
            assignee_id: t.assignee_id,
            status: t.status,
            priority: t.priority,
            customer_id: t.customer_id,
            lead_id: t.lead_id,
            opportunity_id: t.opportunity_id,
            ticket_id: t.ticket_id,
        }
    }
}

/// A partial update: absent fields stay, `null` clears.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TaskPatch {
    #[serde(default, skip_serializing_if = "Patch::is_missing")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub title: Patch<String>,
    #[serde(default, skip_serializing_if = "Patch::is_missing")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub description: Patch<String>,
    #[serde(default, skip_serializing_if = "Patch::is_missing")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub due_at: Patch<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Patch::is_missing")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub remind_at: Patch<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Patch::is_missing")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Uuid))]
    pub assignee_id: Patch<UserId>,
    #[serde(default, skip_serializing_if = "Patch::is_missing")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<TaskStatus>))]
    pub status: Patch<TaskStatus>,
    #[serde(default, skip_serializing_if = "Patch::is_missing")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Priority>))]
    pub priority: Patch<Priority>,
    #[serde(default, skip_serializing_if = "Patch::is_missing")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Uuid))]
    pub customer_id: Patch<CustomerId>,
    #[serde(default, skip_serializing_if = "Patch::is_missing")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Uuid))]
    pub lead_id: Patch<LeadId>,
    #[serde(default, skip_serializing_if = "Patch::is_missing")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Uuid))]
    pub opportunity_id: Patch<OpportunityId>,
    #[serde(default, skip_serializing_if = "Patch::is_missing")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Uuid))]
    pub ticket_id: Patch<TicketId>,
}

/// A required field: `null` is an error, absent keeps the stored value.
fn required<T>(p: Patch<T>, current: T, field: &str, errors: &mut Vec<FieldError>) -> T {
    match p {
        Patch::Missing => current,
        Patch::Value(v) => v,
        Patch::Null => {
            errors.push(FieldError::new(field, "is required"));
            current
        }
    }
}

impl TaskPatch {
    /// The stored task with this patch applied, cleaned and validated.
    pub fn apply(self, current: &Task) -> Result<TaskInput, Problem> {
        let mut errors = Vec::new();
        let merged = TaskInput {
            title: match self.title {
                Patch::Null => String::new(),
                other => other
                    .apply_to(Some(current.title.clone()))
                    .unwrap_or_default(),
            },
            description: self
                .description
                .apply_to(Some(current.description.clone()))
                .unwrap_or_default(),
            due_at: self.due_at.apply_to(current.due_at),
            remind_at: self.remind_at.apply_to(current.remind_at),
            assignee_id: self.assignee_id.apply_to(current.assignee_id),
            status: required(self.status, current.status, "status", &mut errors),
            priority: required(self.priority, current.priority, "priority", &mut errors),
            customer_id: self.customer_id.apply_to(current.customer_id),
            lead_id: self.lead_id.apply_to(current.lead_id),
            opportunity_id: self.opportunity_id.apply_to(current.opportunity_id),
            ticket_id: self.ticket_id.apply_to(current.ticket_id),
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

/// When a task counts as completed after a write: set on entering `done` (kept while it stays done),
/// cleared when it is reopened or cancelled.
pub fn completed_at(
    before: Option<(TaskStatus, Option<DateTime<Utc>>)>,
    status: TaskStatus,
    now: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    match (before, status) {
        (Some((TaskStatus::Done, Some(at))), TaskStatus::Done) => Some(at),
        (_, TaskStatus::Done) => Some(now),
        _ => None,
    }
}

/// Due in the past and still to be done.
pub fn is_overdue(due_at: Option<DateTime<Utc>>, status: TaskStatus, now: DateTime<Utc>) -> bool {
    status.is_active() && due_at.is_some_and(|d| d < now)
}

/// The start of `now`'s UTC day and the start of the next one.
pub fn day_bounds(now: DateTime<Utc>) -> (DateTime<Utc>, DateTime<Utc>) {
    let start = now.date_naive().and_time(chrono::NaiveTime::MIN).and_utc();
    (start, start + Duration::days(1))
}

/// The section a task falls in: overdue (wins over today), due later today (UTC), upcoming (a later day),
/// no due date. `None` for finished tasks due before today.
pub fn bucket_of(
    due_at: Option<DateTime<Utc>>,
    status: TaskStatus,
    now: DateTime<Utc>,
) -> Option<Bucket> {
    let Some(due) = due_at else {
        return Some(Bucket::NoDueDate);
    };
    let (start, end) = day_bounds(now);
    if is_overdue(due_at, status, now) {
        Some(Bucket::Overdue)
    } else if due >= end {
        Some(Bucket::Upcoming)
    } else if due >= start {
        Some(Bucket::Today)
    } else {
        None
    }
}

/// The owner (and owner's team) of a record a task links to, which decides whether the task is visible.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LinkOwner {
    pub resource: Resource,
    pub owner: Option<UserId>,
    pub owner_team: Option<String>,
}

/// Who a task concerns: assignee and creator (with their teams) and the owners of its linked records.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TaskAccess {
    pub assignee: Option<UserId>,
    pub assignee_team: Option<String>,
    pub creator: Option<UserId>,
    pub creator_team: Option<String>,
    pub links: Vec<LinkOwner>,
}

/// How widely a caller sees tasks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TaskScope {
    /// Admins, viewers, managers without a team.
    All,
    /// A manager with a team: tasks assigned to or created by a team member (or themselves).
    Team(String),
    /// Everyone else: tasks assigned to or created by them, or linked to a record they may see.
    Involved(UserId),
}

pub fn task_scope(p: &Principal) -> TaskScope {
    match (p.role, &p.team) {
        (Role::Admin | Role::Viewer, _) | (Role::Manager, None) => TaskScope::All,
        (Role::Manager, Some(team)) => TaskScope::Team(team.clone()),
        _ => TaskScope::Involved(p.user_id),
    }
}

/// May `p` see a task with this access information?
pub fn sees_task(p: &Principal, a: &TaskAccess) -> bool {
    if !p.can(Resource::Tasks, Action::Read) {
        return false;
    }
    let me = Some(p.user_id);
    let mine = a.assignee == me || a.creator == me;
    match task_scope(p) {
        TaskScope::All => true,
        TaskScope::Team(team) => {
            let team = Some(team.as_str());
            mine || a.assignee_team.as_deref() == team || a.creator_team.as_deref() == team
        }
        TaskScope::Involved(_) => {
            mine || a
                .links
                .iter()
                .any(|l| p.sees(l.resource, l.owner, l.owner_team.as_deref()))
        }
    }
}

crate::sort_keys! {
    pub enum TaskSortKey for Task {
        DueAt = "due_at" => |t| t.due_at,
        CreatedAt = "created_at" => |t| t.created_at,
        /// By rank: urgent first.
        Priority = "priority" => |t| i32::from(t.priority.rank()),
        Title = "title" => |t| t.title,
        /// By its first 200 characters (then by id).
        Description = "description" => |t| crate::page::sort_prefix(&t.description),
        RemindAt = "remind_at" => |t| t.remind_at,
        AssigneeId = "assignee_id" => |t| t.assignee_id.map(|u| u.0),
        AssigneeName = "assignee_name" => |t| t.assignee_name,
        CreatedBy = "created_by" => |t| t.created_by.map(|u| u.0),
        Status = "status" => |t| t.status.as_str(),
        CustomerId = "customer_id" => |t| t.customer_id.map(|c| c.0),
        LeadId = "lead_id" => |t| t.lead_id.map(|l| l.0),
        OpportunityId = "opportunity_id" => |t| t.opportunity_id.map(|o| o.0),
        TicketId = "ticket_id" => |t| t.ticket_id.map(|k| k.0),
        CompletedAt = "completed_at" => |t| t.completed_at,
        UpdatedAt = "updated_at" => |t| t.updated_at,
    }
}

/// List query as it arrives (all text, so that a bad value is a 422 naming the parameter).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
pub struct TaskQuery {
    /// Full-text search over title and description.
    pub q: Option<String>,
    pub assignee_id: Option<String>,
    /// `true`: only tasks assigned to the caller.
    pub mine: Option<String>,
    /// `true`: only tasks assigned to members of the caller's team.
    pub team: Option<String>,
    /// One status or a comma-separated list (`open,in_progress`).
    pub status: Option<String>,
    pub priority: Option<String>,
    pub customer_id: Option<String>,
    pub lead_id: Option<String>,
    pub opportunity_id: Option<String>,
    pub ticket_id: Option<String>,
    /// Due on or after (date or RFC 3339 time).
    pub due_from: Option<String>,
    /// Due before the end of this date (or before this time).
    pub due_to: Option<String>,
    /// `overdue`, `today` (due later today, UTC), `upcoming` (a later day) or `none` (no due date).
    pub bucket: Option<String>,
    /// Exact value, ignoring case.
    pub title: Option<String>,
    /// `due_at` (default, tasks without due date last), `created_at`, `priority` (urgent first) or `title`;
    /// prefix `-` for descending.
    pub sort: Option<String>,
    pub limit: Option<String>,
    pub cursor: Option<String>,
}

/// A parsed, valid task list query.
#[derive(Clone, Debug, PartialEq)]
pub struct TaskFilter {
    /// Exact filters on the record's own fields (`name=…`).
    pub fields: crate::query::FieldFilters,
    pub q: Option<String>,
    pub assignee_id: Option<UserId>,
    pub mine: bool,
    pub team: bool,
    pub statuses: Vec<TaskStatus>,
    pub priority: Option<Priority>,
    pub customer_id: Option<CustomerId>,
    pub lead_id: Option<LeadId>,
    pub opportunity_id: Option<OpportunityId>,
    pub ticket_id: Option<TicketId>,
    pub due_from: Option<DateTime<Utc>>,
    pub due_to: Option<DateTime<Utc>>,
    pub bucket: Option<Bucket>,
    pub sort: SortSpec<TaskSortKey>,
    pub sort_text: String,
    pub limit: i64,
    pub cursor: Option<Cursor>,
}

fn parse_bool(s: &str) -> Result<bool, String> {
    match s {
        "true" | "1" => Ok(true),
        "false" | "0" => Ok(false),
        _ => Err("must be true or false".to_owned()),
    }
}

fn parse_statuses(s: &str) -> Result<Vec<TaskStatus>, String> {
    s.split(',')
        .map(str::trim)
        .filter(|w| !w.is_empty())
        .map(TaskStatus::parse)
        .collect()
}

impl TaskQuery {
    pub fn parse(self) -> Result<TaskFilter, Problem> {
        let mut p = QueryParser::default();
        let ListOrder {
            sort,
            sort_text,
            cursor,
        } = p.order(
            (self.sort, self.cursor.as_deref()),
            (
                "due_at",
                SortSpec {
                    field: TaskSortKey::DueAt,
                    dir: SortDir::Asc,
                },
            ),
            TaskSortKey::parse,
            &TaskSortKey::allowed(),
        );
        let uuid = |p: &mut QueryParser, name: &str, v: Option<&str>| p.opt(name, v, parse_uuid);
        let mut fields = crate::query::FieldFilters::default();
        p.text(&mut fields, "title", self.title);
        let filter = TaskFilter {
            fields,
            q: crate::search::normalize_query(self.q.as_deref()),
            assignee_id: uuid(&mut p, "assignee_id", self.assignee_id.as_deref()).map(UserId),
            mine: p
                .opt("mine", self.mine.as_deref(), parse_bool)
                .unwrap_or(false),
            team: p
                .opt("team", self.team.as_deref(), parse_bool)
                .unwrap_or(false),
            statuses: p
                .opt("status", self.status.as_deref(), parse_statuses)
                .unwrap_or_default(),
            priority: p.opt("priority", self.priority.as_deref(), Priority::parse),
            customer_id: uuid(&mut p, "customer_id", self.customer_id.as_deref()).map(CustomerId),
            lead_id: uuid(&mut p, "lead_id", self.lead_id.as_deref()).map(LeadId),
            opportunity_id: uuid(&mut p, "opportunity_id", self.opportunity_id.as_deref())
                .map(OpportunityId),
            ticket_id: uuid(&mut p, "ticket_id", self.ticket_id.as_deref()).map(TicketId),
            due_from: p.opt("due_from", self.due_from.as_deref(), |s| {
                parse_time(s, false)
            }),
            due_to: p.opt("due_to", self.due_to.as_deref(), |s| parse_time(s, true)),
            bucket: p.opt("bucket", self.bucket.as_deref(), Bucket::parse),
            sort,
            sort_text,
            limit: crate::page::clamp_limit(p.opt("limit", self.limit.as_deref(), parse_i64)),
            cursor,
        };
        p.finish(filter)
    }
}

/// What a bulk action does to the selected tasks (`POST /tasks/bulk-actions`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum TaskBulkAction {
    Assign { assignee_id: UserId },
    SetStatus { status: TaskStatus },
    Delete,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TaskBulkRequest {
    pub ids: Vec<TaskId>,
    #[serde(flatten)]
    pub action: TaskBulkAction,
}

impl TaskBulkAction {
    /// The patch this action applies to each task (`None` for delete).
    pub fn patch(&self) -> Option<TaskPatch> {
        match self {
            TaskBulkAction::Assign { assignee_id } => Some(TaskPatch {
                assignee_id: Patch::Value(*assignee_id),
                ..Default::default()
            }),
            TaskBulkAction::SetStatus { status } => Some(TaskPatch {
                status: Patch::Value(*status),
                ..Default::default()
            }),
            TaskBulkAction::Delete => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(h: u32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 10, h, m, 0).unwrap()
    }

    fn task() -> Task {
        Task {
            id: TaskId::new(),
            title: "Call back".into(),
            description: String::new(),
            due_at: Some(at(12, 0)),
            remind_at: Some(at(11, 0)),
            assignee_id: None,
            assignee_name: None,
            created_by: None,
            status: TaskStatus::Open,
            priority: Priority::Normal,
            customer_id: None,
            lead_id: None,
            opportunity_id: None,
            ticket_id: None,
            completed_at: None,
            overdue: false,
            version: 1,
            created_at: at(8, 0),
            updated_at: at(8, 0),
        }
    }

    fn who(role: Role, team: Option<&str>) -> Principal {
        Principal {
            user_id: UserId::new(),
            email: "a@b.c".into(),
            name: "A".into(),
            role,
            team: team.map(str::to_owned),
        }
    }

    #[test]
    fn title_is_required_and_reminder_not_after_due() {
        let p = TaskInput {
            title: "  ".into(),
            due_at: Some(at(10, 0)),
            remind_at: Some(at(10, 1)),
            ..Default::default()
        }
        .clean()
        .unwrap_err();
        assert_eq!(p.status, 422);
        assert!(p.field("title").is_some() && p.field("remind_at").is_some());
        let long = TaskInput {
            title: "x".repeat(201),
            ..Default::default()
        };
        assert!(long.clean().unwrap_err().field("title").is_some());
        let ok = TaskInput {
            title: " Call ".into(),
            due_at: Some(at(10, 0)),
            remind_at: Some(at(10, 0)),
            ..Default::default()
        }
        .clean()
        .unwrap();
        assert_eq!(ok.title, "Call");
        // A reminder without a due time is fine.
        assert!(
            TaskInput {
                title: "x".into(),
                remind_at: Some(at(10, 0)),
                ..Default::default()
            }
            .clean()
            .is_ok()
        );
    }

    #[test]
    fn patch_merges_and_rejects_nulls_and_late_reminders() {
        let t = task();
        let merged: TaskPatch =
            serde_json::from_str(r#"{"remind_at":null,"status":"done"}"#).unwrap();
        let m = merged.apply(&t).unwrap();
        assert_eq!(m.remind_at, None);
        assert_eq!(m.status, TaskStatus::Done);
        assert_eq!(m.title, "Call back");
        let bad: TaskPatch =
            serde_json::from_str(r#"{"title":null,"status":null,"due_at":"2026-03-10T10:00:00Z"}"#)
                .unwrap();
        let p = bad.apply(&t).unwrap_err();
        for f in ["title", "status", "remind_at"] {
            assert!(p.field(f).is_some(), "{f} in {p}");
        }
    }

    #[test]
    fn completing_sets_and_reopening_clears_completed_at() {
        let now = at(9, 0);
        assert_eq!(completed_at(None, TaskStatus::Done, now), Some(now));
        assert_eq!(completed_at(None, TaskStatus::Open, now), None);
        let earlier = at(8, 0);
        assert_eq!(
            completed_at(
                Some((TaskStatus::Done, Some(earlier))),
                TaskStatus::Done,
                now
            ),
            Some(earlier)
        );
        assert_eq!(
            completed_at(
                Some((TaskStatus::Done, Some(earlier))),
                TaskStatus::Open,
                now
            ),
            None
        );
        assert_eq!(
            completed_at(Some((TaskStatus::Open, None)), TaskStatus::Done, now),
            Some(now)
        );
    }

    #[test]
    fn buckets_follow_the_utc_day() {
        let now = at(12, 0);
        let open = TaskStatus::Open;
        assert_eq!(bucket_of(None, open, now), Some(Bucket::NoDueDate));
        assert_eq!(
            bucket_of(Some(at(11, 59)), open, now),
            Some(Bucket::Overdue)
        );
        assert_eq!(
            bucket_of(Some(now - Duration::days(3)), open, now),
            Some(Bucket::Overdue)
        );
        assert_eq!(bucket_of(Some(at(12, 0)), open, now), Some(Bucket::Today));
        assert_eq!(bucket_of(Some(at(23, 59)), open, now), Some(Bucket::Today));
        assert_eq!(
            bucket_of(Some(at(0, 0) + Duration::days(1)), open, now),
            Some(Bucket::Upcoming)
        );
        // Finished tasks are never overdue: due earlier today they stay in today, before that in no bucket.
        assert_eq!(
            bucket_of(Some(at(8, 0)), TaskStatus::Done, now),
            Some(Bucket::Today)
        );
        assert_eq!(
            bucket_of(Some(now - Duration::days(2)), TaskStatus::Cancelled, now),
            None
        );
        assert!(is_overdue(Some(at(11, 0)), TaskStatus::InProgress, now));
        assert!(!is_overdue(Some(at(11, 0)), TaskStatus::Done, now));
        assert_eq!(day_bounds(now), (at(0, 0), at(0, 0) + Duration::days(1)));
    }

    #[test]
    fn visibility_by_role_team_involvement_and_links() {
        let sales = who(Role::Sales, None);
        let other = UserId::new();
        let foreign = TaskAccess {
            assignee: Some(other),
            creator: Some(other),
            ..Default::default()
        };
        assert!(!sees_task(&sales, &foreign));
        assert!(sees_task(&who(Role::Admin, None), &foreign));
        assert!(sees_task(&who(Role::Viewer, None), &foreign));
        assert!(sees_task(&who(Role::Manager, None), &foreign));
        let mine = TaskAccess {
            creator: Some(sales.user_id),
            ..foreign.clone()
        };
        assert!(sees_task(&sales, &mine));
        let linked = TaskAccess {
            links: vec![LinkOwner {
                resource: Resource::Customers,
                owner: Some(sales.user_id),
                owner_team: None,
            }],
            ..foreign.clone()
        };
        assert!(sees_task(&sales, &linked));
        let manager = who(Role::Manager, Some("north"));
        assert!(!sees_task(&manager, &foreign));
        let team_task = TaskAccess {
            assignee_team: Some("north".into()),
            ..foreign.clone()
        };
        assert!(sees_task(&manager, &team_task));
        // A team manager does not see other teams' tasks through links.
        assert!(!sees_task(&manager, &linked));
    }

    #[test]
    fn query_parses_lists_and_reports_bad_values() {
        let f = TaskQuery {
            status: Some("open, in_progress".into()),
            bucket: Some("overdue".into()),
            mine: Some("true".into()),
            ..Default::default()
        }
        .parse()
        .unwrap();
        assert_eq!(f.statuses, vec![TaskStatus::Open, TaskStatus::InProgress]);
        assert_eq!(f.bucket, Some(Bucket::Overdue));
        assert!(f.mine && !f.team);
        assert_eq!(f.sort.field, TaskSortKey::DueAt);
        let p = TaskQuery {
            status: Some("open,later".into()),
            bucket: Some("soon".into()),
            sort: Some("owner".into()),
            mine: Some("yes".into()),
            due_from: Some("tomorrow".into()),
            ..Default::default()
        }
        .parse()
        .unwrap_err();
        for f in ["status", "bucket", "sort", "mine", "due_from"] {
            assert!(p.field(f).is_some(), "{f} in {p}");
        }
    }

    #[test]
    fn bulk_actions_deserialize_and_become_patches() {
        let r: TaskBulkRequest =
            serde_json::from_str(r#"{"ids":[],"action":"set_status","status":"done"}"#).unwrap();
        assert_eq!(
            r.action.patch().unwrap().status,
            Patch::Value(TaskStatus::Done)
        );
        let d: TaskBulkRequest = serde_json::from_str(r#"{"ids":[],"action":"delete"}"#).unwrap();
        assert!(d.action.patch().is_none());
    }
}
