//! Project demand for assets: what projects need and when, the shortfall against stock and what to order.

use super::*;

/// Assets a project needs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Demand {
    pub id: DemandId,
    pub project_id: ProjectId,
    pub project_name: String,
    pub asset_id: AssetId,
    pub sku: String,
    pub asset_name: String,
    pub quantity: i32,
    pub needed_by: NaiveDate,
    pub note: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DemandInput {
    #[serde(default)]
    pub asset_id: Option<AssetId>,
    #[serde(default)]
    pub quantity: i32,
    #[serde(default)]
    pub needed_by: Option<NaiveDate>,
    #[serde(default)]
    pub note: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct DemandRequest {
    pub asset_id: AssetId,
    pub quantity: i32,
    pub needed_by: NaiveDate,
    pub note: String,
}

impl DemandInput {
    pub fn clean(self) -> Result<DemandRequest, Problem> {
        let mut errors = Vec::new();
        if self.asset_id.is_none() {
            errors.push(FieldError::new("asset_id", "is required"));
        }
        if !(1..=1_000_000).contains(&self.quantity) {
            errors.push(FieldError::new("quantity", "must be between 1 and 1000000"));
        }
        if self.needed_by.is_none() {
            errors.push(FieldError::new("needed_by", "is required"));
        }
        let note = self.note.trim().to_owned();
        if note.chars().count() > 1000 {
            errors.push(FieldError::new("note", "must be at most 1000 characters"));
        }
        match (self.asset_id, self.needed_by) {
            (Some(asset_id), Some(needed_by)) if errors.is_empty() => Ok(DemandRequest {
                asset_id,
                quantity: self.quantity,
                needed_by,
                note,
            }),
            _ => Err(Problem::invalid(errors)),
        }
    }
}

/// One dated change of an asset's projected stock: project demand (negative) or expected receipts (positive).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DemandEvent {
    pub date: NaiveDate,
    /// Negative: needed by a project; positive: expected from a purchase order.
    pub quantity: i64,
    pub label: String,
}

/// The demand-planning view of one asset.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DemandPlan {
    pub asset_id: AssetId,
    pub sku: String,
    pub name: String,
    pub available_quantity: i32,
    /// Open demand of projects (not yet allocated).
    pub required_quantity: i64,
    pub on_order_quantity: i64,
    /// required − available − on order, when positive.
    pub shortfall: i64,
    /// The first date on which projected stock goes below zero.
    pub shortfall_date: Option<NaiveDate>,
    pub events: Vec<DemandEvent>,
}

/// Walks the dated events from `available` (events sorted by date, receipts before demand on the same day) and
/// returns the shortfall at the end and the first date stock is short.
pub fn project_shortfall(available: i64, events: &mut [DemandEvent]) -> (i64, Option<NaiveDate>) {
    events.sort_by(|a, b| a.date.cmp(&b.date).then(b.quantity.cmp(&a.quantity)));
    let mut stock = available;
    let mut first_short = None;
    for e in events.iter() {
        stock += e.quantity;
        if stock < 0 && first_short.is_none() {
            first_short = Some(e.date);
        }
    }
    ((-stock).max(0), first_short)
}

/// How many to order for an asset below its reorder point: its reorder quantity, or enough to get back to twice
/// the reorder point; at least what projects are short.
pub fn suggested_order_quantity(
    available: i64,
    on_order: i64,
    reorder_point: i64,
    reorder_quantity: i64,
    shortfall: i64,
) -> i64 {
    let base = if reorder_quantity > 0 {
        reorder_quantity
    } else {
        (2 * reorder_point - available - on_order).max(1)
    };
    base.max(shortfall)
}
