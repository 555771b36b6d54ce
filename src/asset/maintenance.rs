//! Maintenance of an asset: what was done or is due, and when next.

use super::*;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Maintenance {
    pub id: MaintenanceId,
    pub asset_id: AssetId,
    pub kind: MaintenanceKind,
    pub description: String,
    pub scheduled_for: Option<NaiveDate>,
    pub performed_at: Option<DateTime<Utc>>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub cost: Option<Decimal>,
    pub next_due: Option<NaiveDate>,
    /// `done` when performed, otherwise `scheduled` (and `overdue` once the date passed).
    pub status: String,
    pub created_by: Option<UserId>,
    pub created_at: DateTime<Utc>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MaintenanceInput {
    #[garde(skip)]
    #[serde(default)]
    pub kind: MaintenanceKind,
    #[garde(length(chars, min = 1, max = 2000))]
    #[serde(default)]
    pub description: String,
    #[garde(skip)]
    #[serde(default)]
    pub performed_at: Option<DateTime<Utc>>,
    #[garde(skip)]
    #[serde(default)]
    pub scheduled_for: Option<NaiveDate>,
    #[garde(custom(money::opt_amount))]
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub cost: Option<Decimal>,
    #[garde(skip)]
    #[serde(default)]
    pub next_due: Option<NaiveDate>,
}

impl MaintenanceInput {
    pub fn clean(self) -> Result<Self, Problem> {
        let cleaned = Self {
            description: self.description.trim().to_owned(),
            ..self
        };
        let mut errors = validation::field_errors(&cleaned);
        if cleaned.performed_at.is_none() && cleaned.scheduled_for.is_none() {
            errors.push(FieldError::new(
                "performed_at",
                "give performed_at (done) or scheduled_for (planned)",
            ));
        }
        validation::finish(cleaned, errors)
    }

    /// The date a reminder task is due: the planned date, or the next due date after work done.
    pub fn reminder_date(&self) -> Option<NaiveDate> {
        if self.performed_at.is_some() {
            self.next_due
        } else {
            self.scheduled_for
        }
    }
}

/// Maintenance status as shown: done, overdue (planned date passed) or scheduled.
pub fn maintenance_status(
    performed_at: Option<DateTime<Utc>>,
    scheduled_for: Option<NaiveDate>,
    today: NaiveDate,
) -> &'static str {
    match (performed_at, scheduled_for) {
        (Some(_), _) => "done",
        (None, Some(d)) if d < today => "overdue",
        _ => "scheduled",
    }
}
