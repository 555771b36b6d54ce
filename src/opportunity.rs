//! Opportunity stages: the pipeline's state machine. Later stages may be entered directly (skipping is allowed
//! forward); `won` and `lost` are final unless a manager reopens the opportunity; `lost` needs a reason.

use crate::ids::{ContactId, CustomerId, LeadId, OpportunityId, StageChangeId, UserId};
use crate::money;
use crate::page::{Cursor, SortDir, SortSpec};
use crate::patch::Patch;
use crate::permissions::Role;
use crate::problem::{FieldError, Problem};
use crate::query::{ListOrder, QueryParser, parse_date, parse_i64, parse_uuid};
use crate::validation::{self, clean};
use chrono::{DateTime, NaiveDate, Utc};
use garde::Validate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

pub mod report;

text_enum! {
    /// Where an opportunity stands in the pipeline.
    pub enum Stage {
        Qualification => "qualification",
        Proposal => "proposal",
        Negotiation => "negotiation",
        Won => "won",
        Lost => "lost",
    }
}

impl Stage {
    /// The open stages, in pipeline order.
    pub const OPEN: [Stage; 3] = [Stage::Qualification, Stage::Proposal, Stage::Negotiation];

    pub fn is_closed(self) -> bool {
        matches!(self, Stage::Won | Stage::Lost)
    }

    /// Probability (percent) an opportunity gets when it enters this stage without an explicit one.
    pub fn default_probability(self) -> i16 {
        match self {
            Stage::Qualification => 10,
            Stage::Proposal => 40,
            Stage::Negotiation => 70,
            Stage::Won => 100,
            Stage::Lost => 0,
        }
    }

    fn rank(self) -> u8 {
        match self {
            Stage::Qualification => 0,
            Stage::Proposal => 1,
            Stage::Negotiation => 2,
            Stage::Won | Stage::Lost => 3,
        }
    }
}

/// Why a stage change is refused (answered as 409, or 422 for a missing lost reason).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StageError {
    /// `won`/`lost` may only be left by a manager or admin (reopening).
    Closed { from: Stage },
    /// Open stages only move forward (or to `lost`); moving back needs a manager.
    Backwards { from: Stage, to: Stage },
    /// Entering `lost` needs `lost_reason`.
    LostReasonRequired,
}

impl StageError {
    pub fn message(&self) -> String {
        match self {
            StageError::Closed { from } => {
                format!("This opportunity is {from}; only a manager can reopen it.")
            }
            StageError::Backwards { from, to } => format!(
                "An opportunity in {from} cannot move back to {to}; only a manager can move it back."
            ),
            StageError::LostReasonRequired => "is required when the stage is lost".to_owned(),
        }
    }
}

/// May `role` move an opportunity from `from` to `to`? Same stage is always fine (no change).
pub fn check_transition(
    role: Role,
    from: Stage,
    to: Stage,
    lost_reason: Option<&str>,
) -> Result<(), StageError> {
    let reopen_allowed = matches!(role, Role::Admin | Role::Manager);
    if to == Stage::Lost && lost_reason.is_none_or(|r| r.trim().is_empty()) {
        return Err(StageError::LostReasonRequired);
    }
    if from == to {
        return Ok(());
    }
    if from.is_closed() && !reopen_allowed {
        return Err(StageError::Closed { from });
    }
    if !from.is_closed() && to.rank() < from.rank() && !reopen_allowed {
        return Err(StageError::Backwards { from, to });
    }
    Ok(())
}

/// An opportunity as the API returns it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Opportunity {
    pub id: OpportunityId,
    pub name: String,
    pub customer_id: CustomerId,
    /// The customer's name (read-only).
    pub customer_name: Option<String>,
    pub contact_id: Option<ContactId>,
    pub lead_id: Option<LeadId>,
    pub stage: Stage,
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "1234.50"))]
    pub amount: Decimal,
    pub currency: String,
    /// Percent, 0–100.
    pub probability: i16,
    pub expected_close_date: Option<NaiveDate>,
    pub owner_id: Option<UserId>,
    /// The owner's display name (read-only).
    pub owner_name: Option<String>,
    pub lost_reason: Option<String>,
    pub description: String,
    pub stage_changed_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Fields a client may set. Used for create and, merged with the stored record, for update.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OpportunityInput {
    #[garde(length(chars, min = 1, max = 200))]
    #[serde(default)]
    pub name: String,
    #[garde(skip)]
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Uuid))]
    pub customer_id: Option<CustomerId>,
    #[garde(skip)]
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Uuid))]
    pub contact_id: Option<ContactId>,
    #[garde(skip)]
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Uuid))]
    pub lead_id: Option<LeadId>,
    #[garde(skip)]
    #[serde(default)]
    pub stage: Stage,
    #[garde(custom(money::amount))]
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "1234.50"))]
    pub amount: Decimal,
    #[garde(custom(money::currency))]
    #[serde(default)]
    pub currency: String,
    /// Percent 0–100; when absent, the stage's default.
    #[garde(inner(range(min = 0, max = 100)))]
    #[serde(default)]
    pub probability: Option<i16>,
    #[garde(skip)]
    #[serde(default)]
    pub expected_close_date: Option<NaiveDate>,
    #[garde(skip)]
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Uuid))]
    pub owner_id: Option<UserId>,
    /// Required when the stage is `lost`; dropped for any other stage.
    #[garde(length(chars, max = 500))]
    #[serde(default)]
    pub lost_reason: Option<String>,
    #[garde(length(chars, max = 10000))]
    #[serde(default)]
    pub description: String,
}

impl OpportunityInput {
    /// Normalises (trims, upper-cases the currency, defaults the probability) and validates every field at once.
    pub fn clean(self) -> Result<Self, Problem> {
        let lost_reason = if self.stage == Stage::Lost {
            clean(self.lost_reason)
        } else {
            None
        };
        let cleaned = Self {
            name: self.name.trim().to_owned(),
            currency: money::clean_currency(Some(self.currency)),
            probability: Some(
                self.probability
                    .unwrap_or_else(|| self.stage.default_probability()),
            ),
            lost_reason,
            description: self.description.trim().to_owned(),
            ..self
        };
        let mut errors = match validation::validate(&cleaned) {
            Ok(()) => Vec::new(),
            Err(p) => p.errors,
        };
        if cleaned.customer_id.is_none() {
            errors.push(FieldError::new("customer_id", "is required"));
        }
        if cleaned.stage == Stage::Lost && cleaned.lost_reason.is_none() {
            errors.push(FieldError::new(
                "lost_reason",
                StageError::LostReasonRequired.message(),
            ));
        }
        if errors.is_empty() {
            Ok(cleaned)
        } else {
            Err(Problem::invalid(errors))
        }
    }

    /// The probability after `clean` (always set there).
    pub fn probability_or_default(&self) -> i16 {
        self.probability
            .unwrap_or_else(|| self.stage.default_probability())
    }
}

/// A partial update: absent fields stay, `null` clears. A stage change without a probability takes the new
/// stage's default probability.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OpportunityPatch {
    #[serde(default, skip_serializing_if = "Patch::is_missing")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub name: Patch<String>,
    #[serde(default, skip_serializing_if = "Patch::is_missing")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Uuid))]
    pub customer_id: Patch<CustomerId>,
    #[serde(default, skip_serializing_if = "Patch::is_missing")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Uuid))]
    pub contact_id: Patch<ContactId>,
    #[serde(default, skip_serializing_if = "Patch::is_missing")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Uuid))]
    pub lead_id: Patch<LeadId>,
    #[serde(default, skip_serializing_if = "Patch::is_missing")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Stage>))]
    pub stage: Patch<Stage>,
    #[serde(default, skip_serializing_if = "Patch::is_missing")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub amount: Patch<Decimal>,
    #[serde(default, skip_serializing_if = "Patch::is_missing")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub currency: Patch<String>,
    #[serde(default, skip_serializing_if = "Patch::is_missing")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i16>))]
    pub probability: Patch<i16>,
    #[serde(default, skip_serializing_if = "Patch::is_missing")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub expected_close_date: Patch<NaiveDate>,
    #[serde(default, skip_serializing_if = "Patch::is_missing")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Uuid))]
    pub owner_id: Patch<UserId>,
    #[serde(default, skip_serializing_if = "Patch::is_missing")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub lost_reason: Patch<String>,
    #[serde(default, skip_serializing_if = "Patch::is_missing")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub description: Patch<String>,
}

impl OpportunityPatch {
    /// A patch that only moves the stage (board drag and drop, bulk move).
    pub fn move_to(stage: Stage, lost_reason: Option<String>) -> Self {
        Self {
            stage: Patch::Value(stage),
            lost_reason: lost_reason.map_or(Patch::Missing, Patch::Value),
            ..Default::default()
        }
    }

    /// The stored opportunity with this patch applied, cleaned and validated.
    pub fn apply(self, current: &Opportunity) -> Result<OpportunityInput, Problem> {
        let mut errors = Vec::new();
        let mut required = |field: &str| errors.push(FieldError::new(field, "is required"));
        let name = match self.name {
            Patch::Null => {
                required("name");
                String::new()
            }
            other => other
                .apply_to(Some(current.name.clone()))
                .unwrap_or_default(),
        };
        if matches!(self.customer_id, Patch::Null) {
            required("customer_id");
        }
        if matches!(self.stage, Patch::Null) {
            required("stage");
        }
        let stage = self
            .stage
            .apply_to(Some(current.stage))
            .unwrap_or(current.stage);
        let probability = match self.probability {
            Patch::Value(p) => Some(p),
            Patch::Missing if stage == current.stage => Some(current.probability),
            Patch::Missing | Patch::Null => None,
        };
        let merged = OpportunityInput {
            name,
            customer_id: self.customer_id.apply_to(Some(current.customer_id)),
            contact_id: self.contact_id.apply_to(current.contact_id),
            lead_id: self.lead_id.apply_to(current.lead_id),
            stage,
            amount: self
                .amount
                .apply_to(Some(current.amount))
                .unwrap_or_default(),
            currency: self
                .currency
                .apply_to(Some(current.currency.clone()))
                .unwrap_or_default(),
            probability,
            expected_close_date: self
                .expected_close_date
                .apply_to(current.expected_close_date),
            owner_id: self.owner_id.apply_to(current.owner_id),
            lost_reason: self.lost_reason.apply_to(current.lost_reason.clone()),
            description: self
                .description
                .apply_to(Some(current.description.clone()))
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

/// One stage entered, for the timeline, time in stage and win rates.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StageChange {
    pub id: StageChangeId,
    pub opportunity_id: OpportunityId,
    /// `null` for the first row (the opportunity was created in `to_stage`).
    pub from_stage: Option<Stage>,
    pub to_stage: Stage,
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "1234.50"))]
    pub amount: Decimal,
    pub probability: i16,
    pub changed_by: Option<UserId>,
    pub changed_by_name: Option<String>,
    pub changed_at: DateTime<Utc>,
    /// When the opportunity left `to_stage` again (`null` while it is still there).
    pub left_at: Option<DateTime<Utc>>,
}

impl StageChange {
    /// Whole days spent in `to_stage` (until `now` while it is still there).
    pub fn days_in_stage(&self, now: DateTime<Utc>) -> i64 {
        (self.left_at.unwrap_or(now) - self.changed_at).num_days()
    }
}

crate::sort_keys! {
    pub enum OpportunitySortKey for Opportunity {
        Name = "name" => |o| o.name,
        Amount = "amount" => |o| o.amount,
        ExpectedCloseDate = "expected_close_date" => |o| o.expected_close_date,
        Probability = "probability" => |o| o.probability,
        CreatedAt = "created_at" => |o| o.created_at,
        UpdatedAt = "updated_at" => |o| o.updated_at,
        /// In pipeline order (qualification … won, lost), not alphabetical.
        Stage = "stage" => |o| Stage::ALL.iter().position(|s| *s == o.stage).map(|i| i as i64),
        CustomerId = "customer_id" => |o| o.customer_id.0,
        CustomerName = "customer_name" => |o| o.customer_name,
        ContactId = "contact_id" => |o| o.contact_id.map(|c| c.0),
        LeadId = "lead_id" => |o| o.lead_id.map(|l| l.0),
        Currency = "currency" => |o| o.currency,
        OwnerId = "owner_id" => |o| o.owner_id.map(|u| u.0),
        OwnerName = "owner_name" => |o| o.owner_name,
        LostReason = "lost_reason" => |o| o.lost_reason,
        /// By its first 200 characters (then by id).
        Description = "description" => |o| crate::page::sort_prefix(&o.description),
        StageChangedAt = "stage_changed_at" => |o| o.stage_changed_at,
        ClosedAt = "closed_at" => |o| o.closed_at,
    }
}

/// List query as it arrives (all text, so that a bad value is a 422 naming the parameter).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
pub struct OpportunityQuery {
    /// Prefix full-text search over the name.
    pub q: Option<String>,
    /// One stage or a comma list (`proposal,negotiation`).
    pub stage: Option<String>,
    pub owner_id: Option<String>,
    pub customer_id: Option<String>,
    pub currency: Option<String>,
    /// Exact name (case-insensitive).
    pub name: Option<String>,
    /// Exact amount (`1234.50`).
    pub amount: Option<String>,
    pub probability: Option<String>,
    /// Exact expected close date.
    pub expected_close_date: Option<String>,
    /// Expected close on or after this date.
    pub close_from: Option<String>,
    /// Expected close on or before this date.
    pub close_to: Option<String>,
    /// `name`, `amount`, `expected_close_date`, `probability`, `created_at`, `updated_at`; `-` for descending.
    /// Default `-created_at`.
    pub sort: Option<String>,
    pub limit: Option<String>,
    pub cursor: Option<String>,
}

/// A parsed, valid opportunity list query.
#[derive(Clone, Debug, PartialEq)]
pub struct OpportunityFilter {
    pub q: Option<String>,
    pub stages: Vec<Stage>,
    pub owner_id: Option<UserId>,
    pub customer_id: Option<CustomerId>,
    pub currency: Option<String>,
    pub name: Option<String>,
    pub amount: Option<Decimal>,
    pub probability: Option<i16>,
    pub expected_close_date: Option<NaiveDate>,
    pub close_from: Option<NaiveDate>,
    pub close_to: Option<NaiveDate>,
    pub sort: SortSpec<OpportunitySortKey>,
    pub sort_text: String,
    pub limit: i64,
    pub cursor: Option<Cursor>,
}

/// `proposal,negotiation` → both stages; any unknown word is an error.
pub fn parse_stages(s: &str) -> Result<Vec<Stage>, String> {
    s.split(',')
        .map(str::trim)
        .filter(|w| !w.is_empty())
        .map(Stage::parse)
        .collect()
}

impl OpportunityQuery {
    pub fn parse(self) -> Result<OpportunityFilter, Problem> {
        let mut p = QueryParser::default();
        let ListOrder {
            sort,
            sort_text,
            cursor,
        } = p.order(
            (self.sort, self.cursor.as_deref()),
            (
                "-created_at",
                SortSpec {
                    field: OpportunitySortKey::CreatedAt,
                    dir: SortDir::Desc,
                },
            ),
            OpportunitySortKey::parse,
            &OpportunitySortKey::allowed(),
        );
        let filter = OpportunityFilter {
            q: crate::search::normalize_query(self.q.as_deref()),
            stages: p
                .opt("stage", self.stage.as_deref(), parse_stages)
                .unwrap_or_default(),
            owner_id: p
                .opt("owner_id", self.owner_id.as_deref(), parse_uuid)
                .map(UserId),
            customer_id: p
                .opt("customer_id", self.customer_id.as_deref(), parse_uuid)
                .map(CustomerId),
            currency: clean(self.currency).map(|c| c.to_uppercase()),
            name: clean(self.name),
            amount: p.opt("amount", self.amount.as_deref(), |s| {
                s.parse::<Decimal>()
                    .map_err(|_| "must be an amount like 1234.50".to_owned())
            }),
            probability: p.opt("probability", self.probability.as_deref(), |s| {
                s.parse::<i16>()
                    .map_err(|_| "must be a whole number from 0 to 100".to_owned())
            }),
            expected_close_date: p.opt(
                "expected_close_date",
                self.expected_close_date.as_deref(),
                parse_date,
            ),
            close_from: p.opt("close_from", self.close_from.as_deref(), parse_date),
            close_to: p.opt("close_to", self.close_to.as_deref(), parse_date),
            sort,
            sort_text,
            limit: crate::page::clamp_limit(p.opt("limit", self.limit.as_deref(), parse_i64)),
            cursor,
        };
        p.finish(filter)
    }
}

/// What a bulk action does to the selected opportunities (`POST /opportunities/bulk-actions`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum OpportunityBulkAction {
    AssignOwner {
        #[cfg_attr(feature = "openapi", schema(value_type = String, format = Uuid))]
        owner_id: UserId,
    },
    /// Same rules as a single stage change, for every item.
    MoveStage {
        stage: Stage,
        #[serde(default)]
        lost_reason: Option<String>,
    },
    Delete,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OpportunityBulkRequest {
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<String>))]
    pub ids: Vec<OpportunityId>,
    #[serde(flatten)]
    pub action: OpportunityBulkAction,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forward_skips_are_allowed_backwards_needs_a_manager() {
        use Stage::*;
        assert!(check_transition(Role::Sales, Qualification, Negotiation, None).is_ok());
        assert!(check_transition(Role::Sales, Qualification, Won, None).is_ok());
        assert_eq!(
            check_transition(Role::Sales, Negotiation, Proposal, None),
            Err(StageError::Backwards {
                from: Negotiation,
                to: Proposal
            })
        );
        assert!(check_transition(Role::Manager, Negotiation, Proposal, None).is_ok());
    }

    #[test]
    fn closed_is_final_unless_reopened_by_a_manager() {
        use Stage::*;
        assert_eq!(
            check_transition(Role::Sales, Won, Negotiation, None),
            Err(StageError::Closed { from: Won })
        );
        assert!(check_transition(Role::Manager, Won, Negotiation, None).is_ok());
        assert!(check_transition(Role::Admin, Lost, Qualification, None).is_ok());
        assert_eq!(
            check_transition(Role::Sales, Lost, Won, Some("x")),
            Err(StageError::Closed { from: Lost })
        );
    }

    #[test]
    fn lost_needs_a_reason() {
        use Stage::*;
        assert_eq!(
            check_transition(Role::Sales, Proposal, Lost, None),
            Err(StageError::LostReasonRequired)
        );
        assert_eq!(
            check_transition(Role::Sales, Proposal, Lost, Some("  ")),
            Err(StageError::LostReasonRequired)
        );
        assert!(check_transition(Role::Sales, Proposal, Lost, Some("budget")).is_ok());
    }

    #[test]
    fn default_probabilities_rise_through_the_pipeline() {
        let p: Vec<i16> = Stage::OPEN
            .iter()
            .map(|s| s.default_probability())
            .collect();
        assert!(p.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(Stage::Won.default_probability(), 100);
        assert_eq!(Stage::Lost.default_probability(), 0);
    }

    fn input() -> OpportunityInput {
        OpportunityInput {
            name: " Big deal ".into(),
            customer_id: Some(CustomerId::new()),
            amount: Decimal::new(123450, 2),
            currency: " eur ".into(),
            ..Default::default()
        }
    }

    fn stored(stage: Stage, probability: i16) -> Opportunity {
        let now = Utc::now();
        Opportunity {
            id: OpportunityId::new(),
            name: "Deal".into(),
            customer_id: CustomerId::new(),
            customer_name: None,
            contact_id: None,
            lead_id: None,
            stage,
            amount: Decimal::new(1000, 0),
            currency: "USD".into(),
            probability,
            expected_close_date: None,
            owner_id: None,
            owner_name: None,
            lost_reason: None,
            description: String::new(),
            stage_changed_at: now,
            closed_at: None,
            version: 1,
            created_at: now,
            updated_at: now,
        }
    }

    #[test]
    fn input_cleans_and_defaults_probability_per_stage() {
        let c = input().clean().unwrap();
        assert_eq!(c.name, "Big deal");
        assert_eq!(c.currency, "EUR");
        assert_eq!(c.probability, Some(10));
        let c = OpportunityInput {
            stage: Stage::Negotiation,
            ..input()
        }
        .clean()
        .unwrap();
        assert_eq!(c.probability, Some(70));
    }

    #[test]
    fn input_reports_every_bad_field() {
        let p = OpportunityInput {
            name: " ".into(),
            customer_id: None,
            amount: Decimal::new(-1, 0),
            currency: "EURO".into(),
            probability: Some(101),
            stage: Stage::Lost,
            ..Default::default()
        }
        .clean()
        .unwrap_err();
        for f in [
            "name",
            "customer_id",
            "amount",
            "currency",
            "probability",
            "lost_reason",
        ] {
            assert!(p.field(f).is_some(), "{f} missing in {p}");
        }
        let p = OpportunityInput {
            amount: Decimal::new(1005, 3),
            ..input()
        }
        .clean()
        .unwrap_err();
        assert!(p.field("amount").is_some());
    }

    #[test]
    fn patch_stage_change_takes_the_new_default_probability() {
        let current = stored(Stage::Qualification, 25);
        let same: OpportunityPatch = serde_json::from_str(r#"{"name":"X"}"#).unwrap();
        assert_eq!(same.apply(&current).unwrap().probability, Some(25));
        let moved: OpportunityPatch = serde_json::from_str(r#"{"stage":"proposal"}"#).unwrap();
        assert_eq!(moved.apply(&current).unwrap().probability, Some(40));
        let explicit: OpportunityPatch =
            serde_json::from_str(r#"{"stage":"proposal","probability":55}"#).unwrap();
        assert_eq!(explicit.apply(&current).unwrap().probability, Some(55));
        let lost = OpportunityPatch::move_to(Stage::Lost, None);
        assert!(
            lost.apply(&current)
                .unwrap_err()
                .field("lost_reason")
                .is_some()
        );
        let lost = OpportunityPatch::move_to(Stage::Lost, Some("price".into()));
        let merged = lost.apply(&current).unwrap();
        assert_eq!(
            (merged.probability, merged.lost_reason.as_deref()),
            (Some(0), Some("price"))
        );
        let bad: OpportunityPatch = serde_json::from_str(r#"{"name":null,"stage":null}"#).unwrap();
        let p = bad.apply(&current).unwrap_err();
        assert!(p.field("name").is_some() && p.field("stage").is_some());
    }

    #[test]
    fn reopening_drops_the_lost_reason() {
        let mut current = stored(Stage::Lost, 0);
        current.lost_reason = Some("price".into());
        let merged = OpportunityPatch::move_to(Stage::Qualification, None)
            .apply(&current)
            .unwrap();
        assert_eq!(merged.lost_reason, None);
        assert_eq!(merged.probability, Some(10));
    }

    #[test]
    fn query_parses_stage_lists_and_reports_bad_parameters() {
        let f = OpportunityQuery {
            stage: Some("proposal, negotiation".into()),
            close_from: Some("2026-01-01".into()),
            sort: Some("-amount".into()),
            ..Default::default()
        }
        .parse()
        .unwrap();
        assert_eq!(f.stages, vec![Stage::Proposal, Stage::Negotiation]);
        assert_eq!(f.sort.field, OpportunitySortKey::Amount);
        assert_eq!(f.sort.dir, SortDir::Desc);
        let p = OpportunityQuery {
            stage: Some("proposal,maybe".into()),
            owner_id: Some("x".into()),
            close_to: Some("soon".into()),
            sort: Some("secret".into()),
            amount: Some("lots".into()),
            probability: Some("high".into()),
            ..Default::default()
        }
        .parse()
        .unwrap_err();
        assert_eq!(p.errors.len(), 6, "{p}");
    }

    #[test]
    fn days_in_stage_counts_until_left_or_now() {
        let at = Utc::now() - chrono::Duration::days(3);
        let c = StageChange {
            id: StageChangeId::new(),
            opportunity_id: OpportunityId::new(),
            from_stage: None,
            to_stage: Stage::Qualification,
            amount: Decimal::ZERO,
            probability: 10,
            changed_by: None,
            changed_by_name: None,
            changed_at: at,
            left_at: None,
        };
        assert_eq!(c.days_in_stage(Utc::now()), 3);
        let left = StageChange {
            left_at: Some(at + chrono::Duration::days(1)),
            ..c
        };
        assert_eq!(left.days_in_stage(Utc::now()), 1);
    }
}
