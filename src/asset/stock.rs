//! Stock of an asset: allocations to projects, customers and users and their return, counted adjustments,
//! serial numbers, the movement ledger and the checks on it.

use super::*;

/// Who or what an allocation is for: exactly one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", content = "id", rename_all = "snake_case")]
pub enum AllocationTarget {
    Project(ProjectId),
    Customer(CustomerId),
    User(UserId),
}

/// `POST /assets/{id}/allocate`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AllocateInput {
    #[serde(default)]
    pub quantity: i32,
    #[serde(default)]
    pub project_id: Option<ProjectId>,
    #[serde(default)]
    pub customer_id: Option<CustomerId>,
    #[serde(default)]
    pub user_id: Option<UserId>,
    #[serde(default)]
    pub note: String,
    /// Serial-tracked assets: the units to hand out (default: the oldest units in stock).
    #[serde(default)]
    pub unit_ids: Vec<AssetUnitId>,
}

/// A valid allocation request.
#[derive(Clone, Debug, PartialEq)]
pub struct AllocationRequest {
    pub quantity: i32,
    pub target: AllocationTarget,
    pub note: String,
    pub unit_ids: Vec<AssetUnitId>,
}

impl AllocateInput {
    pub fn clean(self) -> Result<AllocationRequest, Problem> {
        let mut errors = Vec::new();
        let quantity = if !self.unit_ids.is_empty() && self.quantity == 0 {
            i32::try_from(self.unit_ids.len()).unwrap_or(i32::MAX)
        } else {
            self.quantity
        };
        if !(1..=1_000_000).contains(&quantity) {
            errors.push(FieldError::new("quantity", "must be between 1 and 1000000"));
        }
        if !self.unit_ids.is_empty() && self.unit_ids.len() != quantity.max(0) as usize {
            errors.push(FieldError::new(
                "unit_ids",
                "must list as many units as the quantity",
            ));
        }
        let targets = [
            self.project_id.map(AllocationTarget::Project),
            self.customer_id.map(AllocationTarget::Customer),
            self.user_id.map(AllocationTarget::User),
        ];
        let mut given = targets.into_iter().flatten();
        let target = match (given.next(), given.next()) {
            (Some(t), None) => Some(t),
            (None, _) => {
                errors.push(FieldError::new(
                    "project_id",
                    "give one of project_id, customer_id or user_id",
                ));
                None
            }
            (Some(_), Some(_)) => {
                errors.push(FieldError::new(
                    "project_id",
                    "give only one of project_id, customer_id or user_id",
                ));
                None
            }
        };
        let note = self.note.trim().to_owned();
        if note.chars().count() > 1000 {
            errors.push(FieldError::new("note", "must be at most 1000 characters"));
        }
        match target {
            Some(target) if errors.is_empty() => Ok(AllocationRequest {
                quantity,
                target,
                note,
                unit_ids: self.unit_ids,
            }),
            _ => Err(Problem::invalid(errors)),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Allocation {
    pub id: AllocationId,
    pub asset_id: AssetId,
    pub sku: String,
    pub asset_name: String,
    pub quantity: i32,
    pub returned_quantity: i32,
    /// quantity − returned (read-only).
    pub outstanding_quantity: i32,
    pub project_id: Option<ProjectId>,
    pub project_name: Option<String>,
    pub customer_id: Option<CustomerId>,
    pub customer_name: Option<String>,
    pub user_id: Option<UserId>,
    pub user_name: Option<String>,
    pub note: String,
    /// Serial numbers handed out with this allocation and not returned.
    pub serials: Vec<String>,
    pub allocated_by: Option<UserId>,
    pub allocated_at: DateTime<Utc>,
    /// When the last outstanding unit came back.
    pub closed_at: Option<DateTime<Utc>>,
}

impl Allocation {
    /// What `p` may read of this allocation, whose customer (directly or through its project) is owned by
    /// `owner` of `owner_team`: a reader who may not see that customer reads neither the customer nor the
    /// project, only that the units went somewhere.
    pub fn redacted_for(
        mut self,
        p: &crate::Principal,
        owner: Option<UserId>,
        owner_team: Option<&str>,
    ) -> Self {
        let has_customer = self.customer_id.is_some() || self.project_id.is_some();
        if has_customer && !p.sees(crate::Resource::Customers, owner, owner_team) {
            self.customer_id = None;
            self.customer_name = None;
            self.project_id = None;
            self.project_name = None;
        }
        self
    }
}

/// `POST /assets/{id}/return`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReturnInput {
    #[serde(default)]
    pub allocation_id: Option<AllocationId>,
    #[serde(default)]
    pub quantity: i32,
    #[serde(default)]
    pub condition: ReturnCondition,
    #[serde(default)]
    pub note: String,
    /// Serial-tracked: which units come back (default: the allocation's units in serial order).
    #[serde(default)]
    pub unit_ids: Vec<AssetUnitId>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ReturnRequest {
    pub allocation_id: AllocationId,
    pub quantity: i32,
    pub condition: ReturnCondition,
    pub note: String,
    pub unit_ids: Vec<AssetUnitId>,
}

impl ReturnInput {
    pub fn clean(self) -> Result<ReturnRequest, Problem> {
        let mut errors = Vec::new();
        let quantity = if !self.unit_ids.is_empty() && self.quantity == 0 {
            i32::try_from(self.unit_ids.len()).unwrap_or(i32::MAX)
        } else {
            self.quantity
        };
        if !(1..=1_000_000).contains(&quantity) {
            errors.push(FieldError::new("quantity", "must be between 1 and 1000000"));
        }
        if !self.unit_ids.is_empty() && self.unit_ids.len() != quantity.max(0) as usize {
            errors.push(FieldError::new(
                "unit_ids",
                "must list as many units as the quantity",
            ));
        }
        if self.allocation_id.is_none() {
            errors.push(FieldError::new("allocation_id", "is required"));
        }
        let note = self.note.trim().to_owned();
        if note.chars().count() > 1000 {
            errors.push(FieldError::new("note", "must be at most 1000 characters"));
        }
        match self.allocation_id {
            Some(allocation_id) if errors.is_empty() => Ok(ReturnRequest {
                allocation_id,
                quantity,
                condition: self.condition,
                note,
                unit_ids: self.unit_ids,
            }),
            _ => Err(Problem::invalid(errors)),
        }
    }
}

/// The ledger movements of a return, as (kind, total delta, available delta): the units come back to the shelf;
/// damaged or lost ones then leave the stock (a write-off), so the ledger shows both.
pub fn return_movements(
    condition: ReturnCondition,
    quantity: i32,
) -> Vec<(MovementKind, i32, i32)> {
    let back = (MovementKind::Return, 0, quantity);
    match condition {
        ReturnCondition::Good => vec![back],
        ReturnCondition::Damaged | ReturnCondition::Lost => {
            vec![back, (MovementKind::WriteOff, -quantity, -quantity)]
        }
    }
}

/// Where a returned serial-numbered unit goes.
pub fn returned_unit_status(condition: ReturnCondition) -> UnitStatus {
    match condition {
        ReturnCondition::Good => UnitStatus::InStock,
        ReturnCondition::Damaged | ReturnCondition::Lost => UnitStatus::WrittenOff,
    }
}

/// Whether an asset at `available` with `on_order` coming needs ordering, and how many: `None` while stock and
/// open orders together stay above the reorder point.
pub fn reorder_need(
    available: i64,
    on_order: i64,
    reorder_point: i64,
    reorder_quantity: i64,
) -> Option<i64> {
    (available + on_order <= reorder_point)
        .then(|| suggested_order_quantity(available, on_order, reorder_point, reorder_quantity, 0))
}

/// `POST /assets/{id}/adjustments`: a counted correction (or a write-off of stock on the shelf), always with a
/// reason.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AdjustmentInput {
    /// Units added (positive) or removed (negative) from stock on the shelf.
    #[serde(default)]
    pub quantity_delta: i32,
    #[serde(default)]
    pub reason: String,
    /// `adjustment` (default) or `write_off` (only removals).
    #[serde(default)]
    pub kind: Option<MovementKind>,
    /// Serial-tracked: serial numbers of units added (as many as the delta), or units removed.
    #[serde(default)]
    pub serials: Vec<String>,
}

impl AdjustmentInput {
    pub fn clean(self) -> Result<Self, Problem> {
        let mut errors = Vec::new();
        let reason = self.reason.trim().to_owned();
        if reason.is_empty() {
            errors.push(FieldError::new("reason", "is required"));
        } else if reason.chars().count() > 500 {
            errors.push(FieldError::new("reason", "must be at most 500 characters"));
        }
        if self.quantity_delta == 0 || self.quantity_delta.unsigned_abs() > 1_000_000 {
            errors.push(FieldError::new(
                "quantity_delta",
                "must be a non-zero whole number (at most 1000000 either way)",
            ));
        }
        let kind = self.kind.unwrap_or(MovementKind::Adjustment);
        match kind {
            MovementKind::Adjustment => {}
            MovementKind::WriteOff if self.quantity_delta < 0 => {}
            MovementKind::WriteOff => errors.push(FieldError::new(
                "quantity_delta",
                "a write-off removes units: must be negative",
            )),
            _ => errors.push(FieldError::new("kind", "must be adjustment or write_off")),
        }
        let serials = clean_serials(self.serials, "serials", &mut errors);
        validation::finish(
            Self {
                quantity_delta: self.quantity_delta,
                reason,
                kind: Some(kind),
                serials,
            },
            errors,
        )
    }
}

/// Trims serial numbers and reports blanks, over-long ones and duplicates (named `field[i]`).
pub fn clean_serials(
    serials: Vec<String>,
    field: &str,
    errors: &mut Vec<FieldError>,
) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(serials.len());
    for (i, s) in serials.into_iter().enumerate() {
        let s = s.trim().to_owned();
        if s.is_empty() || s.chars().count() > 100 {
            errors.push(FieldError::new(
                format!("{field}[{i}]"),
                "must be 1 to 100 characters",
            ));
        } else if out.contains(&s) {
            errors.push(FieldError::new(format!("{field}[{i}]"), "is listed twice"));
        }
        out.push(s);
    }
    out
}

/// One row of the stock ledger.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StockMovement {
    pub id: MovementId,
    pub asset_id: AssetId,
    pub kind: MovementKind,
    /// Change of `total_quantity`.
    pub total_delta: i32,
    /// Change of `available_quantity`.
    pub available_delta: i32,
    pub reason: String,
    pub allocation_id: Option<AllocationId>,
    pub purchase_order_line_id: Option<PurchaseOrderLineId>,
    pub serials: Vec<String>,
    pub actor_id: Option<UserId>,
    pub actor_name: Option<String>,
    pub at: DateTime<Utc>,
}

/// A serial-numbered unit of a tracked asset.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AssetUnit {
    pub id: AssetUnitId,
    pub asset_id: AssetId,
    pub serial: String,
    pub status: UnitStatus,
    pub allocation_id: Option<AllocationId>,
    pub received_at: DateTime<Utc>,
}

/// What `crm-ims stock reconcile` found for one asset whose stored quantities differ from its ledger.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StockDiscrepancy {
    pub asset_id: AssetId,
    pub sku: String,
    pub stored_total: i32,
    pub ledger_total: i64,
    pub stored_available: i32,
    pub ledger_available: i64,
    /// Outstanding allocations: the ledger's total − available must equal them.
    pub open_allocations: i64,
}
