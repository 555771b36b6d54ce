//! Projects (often started from a won opportunity) with milestones, progress and overdue counts.

use crate::ids::{CustomerId, MilestoneId, OpportunityId, ProjectId, UserId};
use crate::money;
use crate::page::{SortDir, SortSpec};
use crate::patch::Patch;
use crate::problem::{FieldError, Problem};
use crate::query::{ListOrder, QueryParser, parse_i64, parse_uuid};
use crate::validation;
use chrono::{DateTime, NaiveDate, Utc};
use garde::Validate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

text_enum! {
    /// Where a project stands.
    pub enum ProjectStatus {
        Planned => "planned",
        Active => "active",
        OnHold => "on_hold",
        Completed => "completed",
        Cancelled => "cancelled",
    }
}

text_enum! {
    /// Where a milestone stands.
    pub enum MilestoneStatus {
        Open => "open",
        InProgress => "in_progress",
        Done => "done",
    }
}

/// Percent of milestones done (0 when there are none).
pub fn progress_percent(done: i64, all: i64) -> i32 {
    if all <= 0 {
        0
    } else {
        i32::try_from(done.clamp(0, all) * 100 / all).unwrap_or(0)
    }
}

/// Due before today and not done.
pub fn is_overdue(due: Option<NaiveDate>, status: MilestoneStatus, today: NaiveDate) -> bool {
    status != MilestoneStatus::Done && due.is_some_and(|d| d < today)
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Project {
    pub id: ProjectId,
    pub name: String,
    pub customer_id: CustomerId,
    /// The customer's name (read-only).
    pub customer_name: Option<String>,
    pub opportunity_id: Option<OpportunityId>,
    pub manager_id: Option<UserId>,
    /// The manager's name (read-only).
    pub manager_name: Option<String>,
    pub status: ProjectStatus,
    pub start_date: Option<NaiveDate>,
    pub end_date: Option<NaiveDate>,
    pub budget: Option<Decimal>,
    pub currency: String,
    pub description: String,
    pub milestone_count: i64,
    pub milestones_done: i64,
    /// Done milestones in percent of all (0 when none).
    pub progress_percent: i32,
    /// Milestones due before today and not done.
    pub overdue_milestones: i64,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Create input. With `opportunity_id` (a won opportunity) the customer comes from the opportunity and the name
/// defaults to the opportunity's name.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProjectInput {
    #[garde(length(chars, max = 200))]
    #[serde(default)]
    pub name: String,
    #[garde(skip)]
    #[serde(default)]
    pub customer_id: Option<CustomerId>,
    #[garde(skip)]
    #[serde(default)]
    pub opportunity_id: Option<OpportunityId>,
    #[garde(skip)]
    #[serde(default)]
    pub manager_id: Option<UserId>,
    #[garde(skip)]
    #[serde(default)]
    pub status: ProjectStatus,
    #[garde(skip)]
    #[serde(default)]
    pub start_date: Option<NaiveDate>,
    #[garde(skip)]
    #[serde(default)]
    pub end_date: Option<NaiveDate>,
    #[garde(custom(money::opt_amount))]
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub budget: Option<Decimal>,
    #[garde(custom(money::currency))]
    #[serde(default)]
    pub currency: String,
    #[garde(length(chars, max = 10000))]
    #[serde(default)]
    pub description: String,
}

impl ProjectInput {
    /// Trims, defaults the currency and checks every field; `name` and `customer_id` may be left out only when an
    /// opportunity supplies them.
    pub fn clean(self) -> Result<Self, Problem> {
        let cleaned = Self {
            name: self.name.trim().to_owned(),
            currency: money::clean_currency(Some(self.currency)),
            description: self.description.trim().to_owned(),
            ..self
        };
        let mut errors = validation::field_errors(&cleaned);
        if cleaned.opportunity_id.is_none() {
            if cleaned.name.is_empty() {
                errors.push(FieldError::new("name", "is required"));
            }
            if cleaned.customer_id.is_none() {
                errors.push(FieldError::new("customer_id", "is required"));
            }
        }
        if let (Some(s), Some(e)) = (cleaned.start_date, cleaned.end_date)
            && e < s
        {
            errors.push(FieldError::new(
                "end_date",
                "must be on or after the start date",
            ));
        }
        validation::finish(cleaned, errors)
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProjectPatch {
    #[serde(default, skip_serializing_if = "Patch::is_missing")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub name: Patch<String>,
    #[serde(default, skip_serializing_if = "Patch::is_missing")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Uuid))]
    pub manager_id: Patch<UserId>,
    #[serde(default, skip_serializing_if = "Patch::is_missing")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<ProjectStatus>))]
    pub status: Patch<ProjectStatus>,
    #[serde(default, skip_serializing_if = "Patch::is_missing")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub start_date: Patch<NaiveDate>,
    #[serde(default, skip_serializing_if = "Patch::is_missing")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub end_date: Patch<NaiveDate>,
    #[serde(default, skip_serializing_if = "Patch::is_missing")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub budget: Patch<Decimal>,
    #[serde(default, skip_serializing_if = "Patch::is_missing")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub currency: Patch<String>,
    #[serde(default, skip_serializing_if = "Patch::is_missing")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub description: Patch<String>,
}

impl ProjectPatch {
    /// The stored project with this patch applied (customer and opportunity stay), cleaned.
    pub fn apply(self, current: &Project) -> Result<ProjectInput, Problem> {
        let mut errors = Vec::new();
        if self.name == Patch::Null {
            errors.push(FieldError::new("name", "is required"));
        }
        if self.status == Patch::Null {
            errors.push(FieldError::new("status", "is required"));
        }
        let merged = ProjectInput {
            name: self
                .name
                .apply_to(Some(current.name.clone()))
                .unwrap_or_default(),
            customer_id: Some(current.customer_id),
            opportunity_id: None,
            manager_id: self.manager_id.apply_to(current.manager_id),
            status: self
                .status
                .apply_to(Some(current.status))
                .unwrap_or(current.status),
            start_date: self.start_date.apply_to(current.start_date),
            end_date: self.end_date.apply_to(current.end_date),
            budget: self.budget.apply_to(current.budget),
            currency: self
                .currency
                .apply_to(Some(current.currency.clone()))
                .unwrap_or_default(),
            description: self
                .description
                .apply_to(Some(current.description.clone()))
                .unwrap_or_default(),
        };
        validation::merged(errors, merged.clean())
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Milestone {
    pub id: MilestoneId,
    pub project_id: ProjectId,
    pub name: String,
    pub due_date: Option<NaiveDate>,
    pub status: MilestoneStatus,
    /// Set when the milestone becomes `done`.
    pub completed_at: Option<DateTime<Utc>>,
    /// Due before today and not done (read-only).
    pub overdue: bool,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MilestoneInput {
    #[garde(length(chars, min = 1, max = 200))]
    #[serde(default)]
    pub name: String,
    #[garde(skip)]
    #[serde(default)]
    pub due_date: Option<NaiveDate>,
    #[garde(skip)]
    #[serde(default)]
    pub status: MilestoneStatus,
}

impl MilestoneInput {
    pub fn clean(self) -> Result<Self, Problem> {
        let cleaned = Self {
            name: self.name.trim().to_owned(),
            ..self
        };
        validation::validate(&cleaned)?;
        Ok(cleaned)
    }

    /// `completed_at` after saving: set when the milestone becomes done, kept while done, cleared otherwise.
    pub fn completed_at(
        &self,
        previous: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> Option<DateTime<Utc>> {
        match self.status {
            MilestoneStatus::Done => Some(previous.unwrap_or(now)),
            _ => None,
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MilestonePatch {
    #[serde(default, skip_serializing_if = "Patch::is_missing")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub name: Patch<String>,
    #[serde(default, skip_serializing_if = "Patch::is_missing")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub due_date: Patch<NaiveDate>,
    #[serde(default, skip_serializing_if = "Patch::is_missing")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<MilestoneStatus>))]
    pub status: Patch<MilestoneStatus>,
}

impl MilestonePatch {
    pub fn apply(self, current: &Milestone) -> Result<MilestoneInput, Problem> {
        let mut errors = Vec::new();
        if self.status == Patch::Null {
            errors.push(FieldError::new("status", "is required"));
        }
        let merged = MilestoneInput {
            name: self
                .name
                .apply_to(Some(current.name.clone()))
                .unwrap_or_default(),
            due_date: self.due_date.apply_to(current.due_date),
            status: self
                .status
                .apply_to(Some(current.status))
                .unwrap_or(current.status),
        };
        validation::merged(errors, merged.clean())
    }
}

/// What a bulk action does to the selected projects (`POST /projects/bulk-actions`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum ProjectBulkAction {
    SetStatus { status: ProjectStatus },
    Delete,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProjectBulkRequest {
    pub ids: Vec<ProjectId>,
    #[serde(flatten)]
    pub action: ProjectBulkAction,
}

crate::sort_keys! {
    pub enum ProjectSortKey for Project {
        Name = "name" => |p| p.name,
        CustomerId = "customer_id" => |p| p.customer_id.0,
        CustomerName = "customer_name" => |p| p.customer_name,
        ManagerId = "manager_id" => |p| p.manager_id.map(|m| m.0),
        Status = "status" => |p| p.status.as_str(),
        StartDate = "start_date" => |p| p.start_date,
        EndDate = "end_date" => |p| p.end_date,
        Budget = "budget" => |p| p.budget,
        Currency = "currency" => |p| p.currency,
        CreatedAt = "created_at" => |p| p.created_at,
        UpdatedAt = "updated_at" => |p| p.updated_at,
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
pub struct ProjectQuery {
    /// Search over the name.
    pub q: Option<String>,
    pub customer_id: Option<String>,
    pub status: Option<String>,
    pub manager_id: Option<String>,
    /// Exact value, ignoring case.
    pub name: Option<String>,
    /// Exact date (`YYYY-MM-DD`).
    pub start_date: Option<String>,
    /// Exact date (`YYYY-MM-DD`).
    pub end_date: Option<String>,
    /// Exact amount (`1234.50`).
    pub budget: Option<String>,
    /// `name`, `created_at`, `start_date` or `end_date`; `-` for descending (dates without a value sort last).
    /// Default `-created_at`.
    pub sort: Option<String>,
    pub limit: Option<String>,
    pub cursor: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ProjectFilter {
    /// Exact filters on the record's own fields (`name=…`).
    pub fields: crate::query::FieldFilters,
    pub q: Option<String>,
    pub customer_id: Option<CustomerId>,
    pub status: Option<ProjectStatus>,
    pub manager_id: Option<UserId>,
    pub sort: SortSpec<ProjectSortKey>,
    pub sort_text: String,
    pub limit: i64,
    pub cursor: Option<crate::page::Cursor>,
}

impl ProjectQuery {
    pub fn parse(self) -> Result<ProjectFilter, Problem> {
        let mut p = QueryParser::default();
        let newest_first = SortSpec {
            field: ProjectSortKey::CreatedAt,
            dir: SortDir::Desc,
        };
        let ListOrder {
            sort,
            sort_text,
            cursor,
        } = p.order(
            (self.sort, self.cursor.as_deref()),
            ("-created_at", newest_first),
            ProjectSortKey::parse,
            &ProjectSortKey::allowed(),
        );
        let mut fields = crate::query::FieldFilters::default();
        p.text(&mut fields, "name", self.name);
        p.date(&mut fields, "start_date", self.start_date.as_deref());
        p.date(&mut fields, "end_date", self.end_date.as_deref());
        p.decimal(&mut fields, "budget", self.budget.as_deref());
        let filter = ProjectFilter {
            fields,
            q: crate::search::normalize_query(self.q.as_deref()),
            customer_id: p
                .opt("customer_id", self.customer_id.as_deref(), parse_uuid)
                .map(CustomerId),
            status: p.opt("status", self.status.as_deref(), ProjectStatus::parse),
            manager_id: p
                .opt("manager_id", self.manager_id.as_deref(), parse_uuid)
                .map(UserId),
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

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn progress_and_overdue() {
        assert_eq!(progress_percent(0, 0), 0);
        assert_eq!(progress_percent(1, 3), 33);
        assert_eq!(progress_percent(2, 2), 100);
        let today = d("2026-05-10");
        assert!(is_overdue(
            Some(d("2026-05-09")),
            MilestoneStatus::Open,
            today
        ));
        assert!(!is_overdue(
            Some(d("2026-05-10")),
            MilestoneStatus::Open,
            today
        ));
        assert!(!is_overdue(
            Some(d("2026-05-01")),
            MilestoneStatus::Done,
            today
        ));
        assert!(!is_overdue(None, MilestoneStatus::Open, today));
    }

    #[test]
    fn input_rules() {
        let p = ProjectInput {
            start_date: Some(d("2026-05-10")),
            end_date: Some(d("2026-05-01")),
            currency: "euro".into(),
            ..Default::default()
        }
        .clean()
        .unwrap_err();
        for f in ["name", "customer_id", "end_date", "currency"] {
            assert!(p.field(f).is_some(), "{f} in {p}");
        }
        let ok = ProjectInput {
            opportunity_id: Some(OpportunityId::new()),
            ..Default::default()
        }
        .clean()
        .unwrap();
        assert_eq!(ok.currency, "USD");
    }

    #[test]
    fn milestone_completion_time() {
        let now = Utc::now();
        let earlier = now - chrono::Duration::days(1);
        let done = MilestoneInput {
            name: "x".into(),
            status: MilestoneStatus::Done,
            ..Default::default()
        };
        assert_eq!(done.completed_at(None, now), Some(now));
        assert_eq!(done.completed_at(Some(earlier), now), Some(earlier));
        let open = MilestoneInput {
            status: MilestoneStatus::Open,
            ..done
        };
        assert_eq!(open.completed_at(Some(earlier), now), None);
    }
}
