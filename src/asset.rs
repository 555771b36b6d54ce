//! Assets and their stock: the catalog record (SKU, kind, category path, vendor, cost, depreciation terms,
//! reorder point), the stock ledger's movement kinds, allocations to a project, customer or user and their
//! return, maintenance logs and project demand.
//!
//! Quantities follow from the ledger: every change is a movement with a `total_delta` and an
//! `available_delta`, and the database keeps `0 <= available_quantity <= total_quantity`.

use crate::depreciation::DepreciationMethod;
use crate::ids::{
    AllocationId, AssetId, AssetUnitId, CustomerId, DemandId, MaintenanceId, MovementId, ProjectId,
    PurchaseOrderLineId, UserId, VendorId,
};
use crate::money;
use crate::page::{SortDir, SortSpec};
use crate::problem::{FieldError, Problem};
use crate::query::{ListOrder, QueryParser, parse_i64, parse_uuid};
use crate::validation;
use chrono::{DateTime, NaiveDate, Utc};
use garde::Validate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

text_enum! {
    /// Hardware is a physical item (serial-tracked where it matters); software is licence seats.
    pub enum AssetKind {
        Hardware => "hardware",
        Software => "software",
    }
}

text_enum! {
    /// Whether an asset is still stocked.
    pub enum AssetStatus {
        Active => "active",
        Discontinued => "discontinued",
        Retired => "retired",
    }
}

text_enum! {
    /// How stock of an asset is counted: by quantity only, or as individual serial-numbered units.
    pub enum Tracking {
        Quantity => "quantity",
        Serial => "serial",
    }
}

text_enum! {
    /// Why a quantity changed (one ledger row each).
    pub enum MovementKind {
        Receipt => "receipt",
        Allocation => "allocation",
        Return => "return",
        Adjustment => "adjustment",
        WriteOff => "write_off",
    }
}

text_enum! {
    /// The state of a returned item: good goes back on the shelf, damaged and lost are written off.
    pub enum ReturnCondition {
        Good => "good",
        Damaged => "damaged",
        Lost => "lost",
    }
}

text_enum! {
    /// Where an individually tracked unit is.
    pub enum UnitStatus {
        InStock => "in_stock",
        Allocated => "allocated",
        WrittenOff => "written_off",
    }
}

text_enum! {
    pub enum MaintenanceKind {
        Preventive => "preventive",
        Corrective => "corrective",
        Inspection => "inspection",
    }
}

/// A stock-keeping unit: 2–64 characters of `A–Z`, `0–9`, `-`, `_`, `.` and `/`, starting with a letter or digit;
/// stored upper-case, so `lap-x1` and `LAP-X1` are the same SKU.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Sku(String);

impl Sku {
    pub fn parse(s: &str) -> Result<Sku, String> {
        let s = s.trim().to_uppercase();
        if s.len() < 2 || s.len() > 64 {
            return Err("must be 2 to 64 characters".to_owned());
        }
        let mut chars = s.chars();
        let first_ok = chars.next().is_some_and(|c| c.is_ascii_alphanumeric());
        let rest_ok = chars.all(|c| c.is_ascii_alphanumeric() || "-_./".contains(c));
        if first_ok && rest_ok {
            Ok(Sku(s))
        } else {
            Err("may contain only letters, digits, '-', '_', '.' and '/', and must start with a letter or digit".to_owned())
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// A SKU read back from the database, whose CHECK constraint holds the same rule as [`Sku::parse`].
    pub fn stored(s: String) -> Sku {
        Sku(s)
    }
}

/// A category path such as `Hardware/Laptops`: segments trimmed, empty segments dropped, at most 6 deep.
pub fn clean_category(s: &str) -> Result<String, String> {
    let parts: Vec<&str> = s
        .split('/')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    if parts.len() > 6 {
        return Err("may be at most 6 levels deep".to_owned());
    }
    let path = parts.join("/");
    if path.chars().count() > 200 {
        return Err("must be at most 200 characters".to_owned());
    }
    Ok(path)
}

/// At or below the reorder point (and the asset still stocked).
pub fn below_reorder_point(available: i32, reorder_point: i32) -> bool {
    reorder_point > 0 && available <= reorder_point
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Asset {
    pub id: AssetId,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub sku: Sku,
    pub name: String,
    pub kind: AssetKind,
    /// A path such as `Hardware/Laptops` (filter `category=Hardware` includes the sub-categories).
    pub category: String,
    pub tracking: Tracking,
    pub vendor_id: Option<VendorId>,
    /// The vendor's name (read-only).
    pub vendor_name: Option<String>,
    /// Units (or seats) owned, from the stock ledger (read-only).
    pub total_quantity: i32,
    /// Units not allocated (read-only).
    pub available_quantity: i32,
    /// Units allocated and not returned (read-only).
    pub allocated_quantity: i32,
    pub reorder_point: i32,
    /// How many to order when below the reorder point (0: enough to reach twice the reorder point).
    pub reorder_quantity: i32,
    /// Read-only: available ≤ reorder point.
    pub below_reorder_point: bool,
    /// Unit cost.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub purchase_price: Option<Decimal>,
    pub currency: String,
    pub purchase_date: Option<NaiveDate>,
    pub depreciation_method: DepreciationMethod,
    pub useful_life_months: Option<i32>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub salvage_value: Option<Decimal>,
    /// Expected lifetime units (units-of-production depreciation).
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub lifetime_units: Option<Decimal>,
    pub status: AssetStatus,
    pub location: String,
    /// Software: licence expiry.
    pub license_expires_on: Option<NaiveDate>,
    pub notes: String,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Create input (`total_quantity` becomes an opening-balance receipt in the ledger); merged with the stored
/// asset for updates, where the quantity can no longer be set (use an adjustment).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AssetInput {
    #[garde(skip)]
    #[serde(default)]
    pub sku: String,
    #[garde(length(chars, min = 1, max = 200))]
    #[serde(default)]
    pub name: String,
    #[garde(skip)]
    #[serde(default)]
    pub kind: AssetKind,
    #[garde(skip)]
    #[serde(default)]
    pub category: String,
    /// Default: serial for hardware, quantity for software.
    #[garde(skip)]
    #[serde(default)]
    pub tracking: Option<Tracking>,
    #[garde(skip)]
    #[serde(default)]
    pub vendor_id: Option<VendorId>,
    /// Opening stock (create only; quantity-tracked assets).
    #[garde(range(min = 0, max = 1_000_000))]
    #[serde(default)]
    pub total_quantity: i32,
    #[garde(range(min = 0, max = 1_000_000))]
    #[serde(default)]
    pub reorder_point: i32,
    #[garde(range(min = 0, max = 1_000_000))]
    #[serde(default)]
    pub reorder_quantity: i32,
    #[garde(custom(money::opt_amount))]
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub purchase_price: Option<Decimal>,
    #[garde(custom(money::currency))]
    #[serde(default)]
    pub currency: String,
    #[garde(skip)]
    #[serde(default)]
    pub purchase_date: Option<NaiveDate>,
    #[garde(skip)]
    #[serde(default)]
    pub depreciation_method: DepreciationMethod,
    #[garde(inner(range(min = 1, max = 600)))]
    #[serde(default)]
    pub useful_life_months: Option<i32>,
    #[garde(custom(money::opt_amount))]
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub salvage_value: Option<Decimal>,
    #[garde(skip)]
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub lifetime_units: Option<Decimal>,
    #[garde(skip)]
    #[serde(default)]
    pub status: AssetStatus,
    #[garde(length(chars, max = 200))]
    #[serde(default)]
    pub location: String,
    #[garde(skip)]
    #[serde(default)]
    pub license_expires_on: Option<NaiveDate>,
    #[garde(length(chars, max = 10000))]
    #[serde(default)]
    pub notes: String,
}

impl AssetInput {
    /// Normalises (SKU upper-case, category path, currency) and reports every bad field at once.
    pub fn clean(self) -> Result<Self, Problem> {
        let mut errors = Vec::new();
        let sku = match Sku::parse(&self.sku) {
            Ok(s) => s.0,
            Err(m) => {
                errors.push(FieldError::new(
                    "sku",
                    if self.sku.trim().is_empty() {
                        "is required".to_owned()
                    } else {
                        m
                    },
                ));
                self.sku.trim().to_owned()
            }
        };
        let category = clean_category(&self.category).unwrap_or_else(|m| {
            errors.push(FieldError::new("category", m));
            self.category.clone()
        });
        // Serial tracking is something a client opts into: the contract's `total_quantity` works for every
        // kind, so an asset counts by quantity unless `tracking: "serial"` is asked for.
        let tracking = Some(self.tracking.unwrap_or(Tracking::Quantity));
        let cleaned = Self {
            sku,
            name: self.name.trim().to_owned(),
            category,
            tracking,
            currency: money::clean_currency(Some(self.currency)),
            location: self.location.trim().to_owned(),
            notes: self.notes.trim().to_owned(),
            ..self
        };
        errors.extend(validation::field_errors(&cleaned));
        if cleaned.tracking == Some(Tracking::Serial) && cleaned.total_quantity > 0 {
            errors.push(FieldError::new(
                "total_quantity",
                "serial-tracked stock is added by receiving it with serial numbers (or use quantity tracking)",
            ));
        }
        if let (Some(price), Some(salvage)) = (cleaned.purchase_price, cleaned.salvage_value)
            && salvage > price
        {
            errors.push(FieldError::new(
                "salvage_value",
                "must not be more than the purchase price",
            ));
        }
        if cleaned.depreciation_method == DepreciationMethod::UnitsOfProduction
            && cleaned.lifetime_units.is_none_or(|u| u <= Decimal::ZERO)
        {
            errors.push(FieldError::new(
                "lifetime_units",
                "is required (more than 0) for units-of-production depreciation",
            ));
        }
        if cleaned.lifetime_units.is_some_and(|u| u <= Decimal::ZERO) {
            errors.push(FieldError::new("lifetime_units", "must be more than 0"));
        }
        validation::finish(cleaned, errors)
    }
}

impl From<&Asset> for AssetInput {
    fn from(a: &Asset) -> Self {
        Self {
            sku: a.sku.0.clone(),
            name: a.name.clone(),
            kind: a.kind,
            category: a.category.clone(),
            tracking: Some(a.tracking),
            vendor_id: a.vendor_id,
            total_quantity: 0,
            reorder_point: a.reorder_point,
            reorder_quantity: a.reorder_quantity,
            purchase_price: a.purchase_price,
            currency: a.currency.clone(),
            purchase_date: a.purchase_date,
            depreciation_method: a.depreciation_method,
            useful_life_months: a.useful_life_months,
            salvage_value: a.salvage_value,
            lifetime_units: a.lifetime_units,
            status: a.status,
            location: a.location.clone(),
            license_expires_on: a.license_expires_on,
            notes: a.notes.clone(),
        }
    }
}

/// Fields of a PATCH that cannot be written (quantities come from the ledger; tracking is fixed once stock
/// exists), with the message for each.
pub fn read_only_asset_fields(
    patch: &serde_json::Map<String, serde_json::Value>,
) -> Vec<FieldError> {
    let mut errors = Vec::new();
    for f in ["total_quantity", "available_quantity", "allocated_quantity"] {
        if patch.contains_key(f) {
            errors.push(FieldError::new(
                f,
                "is read-only: change stock with an adjustment (POST /assets/{id}/adjustments, with a reason)",
            ));
        }
    }
    errors
}

crate::sort_keys! {
    pub enum AssetSortKey for Asset {
        Sku = "sku" => |a| a.sku.as_str(),
        Name = "name" => |a| a.name,
        Kind = "kind" => |a| a.kind.as_str(),
        Category = "category" => |a| a.category,
        Tracking = "tracking" => |a| a.tracking.as_str(),
        VendorId = "vendor_id" => |a| a.vendor_id.map(|v| v.0),
        VendorName = "vendor_name" => |a| a.vendor_name,
        TotalQuantity = "total_quantity" => |a| a.total_quantity,
        AvailableQuantity = "available_quantity" => |a| a.available_quantity,
        AllocatedQuantity = "allocated_quantity" => |a| a.allocated_quantity,
        ReorderPoint = "reorder_point" => |a| a.reorder_point,
        ReorderQuantity = "reorder_quantity" => |a| a.reorder_quantity,
        PurchasePrice = "purchase_price" => |a| a.purchase_price,
        Currency = "currency" => |a| a.currency,
        PurchaseDate = "purchase_date" => |a| a.purchase_date,
        DepreciationMethod = "depreciation_method" => |a| a.depreciation_method.as_str(),
        UsefulLifeMonths = "useful_life_months" => |a| a.useful_life_months,
        SalvageValue = "salvage_value" => |a| a.salvage_value,
        Status = "status" => |a| a.status.as_str(),
        Location = "location" => |a| a.location,
        LicenseExpiresOn = "license_expires_on" => |a| a.license_expires_on,
        CreatedAt = "created_at" => |a| a.created_at,
        UpdatedAt = "updated_at" => |a| a.updated_at,
    }
}

/// `GET /assets` (and `reports/stock-levels`): all text, so a bad value is a 422 naming the parameter.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
pub struct AssetQuery {
    /// Search SKU prefix and words of name, category and location.
    pub q: Option<String>,
    pub kind: Option<String>,
    pub status: Option<String>,
    /// A category path; includes its sub-categories.
    pub category: Option<String>,
    pub vendor_id: Option<String>,
    pub tracking: Option<String>,
    /// `true`: only assets at or below their reorder point.
    pub below_reorder_point: Option<String>,
    /// Exact value, ignoring case.
    pub sku: Option<String>,
    /// Exact value, ignoring case.
    pub name: Option<String>,
    /// Exact whole number.
    pub reorder_point: Option<String>,
    /// Exact date (`YYYY-MM-DD`).
    pub purchase_date: Option<String>,
    /// Exact value, ignoring case.
    pub depreciation_method: Option<String>,
    /// Exact whole number.
    pub useful_life_months: Option<String>,
    /// Any scalar field (`sku`, `name`, `total_quantity`, `available_quantity`, `purchase_date`, …); `-` for
    /// descending. Default `sku`.
    pub sort: Option<String>,
    pub limit: Option<String>,
    pub cursor: Option<String>,
    /// `csv` (stock-levels report only).
    pub format: Option<String>,
}

pub struct AssetFilter {
    /// Exact filters on the record's own fields (`name=…`).
    pub fields: crate::query::FieldFilters,
    pub q: Option<String>,
    pub kind: Option<AssetKind>,
    pub status: Option<AssetStatus>,
    pub category: Option<String>,
    pub vendor_id: Option<VendorId>,
    pub tracking: Option<Tracking>,
    pub below_reorder_point: bool,
    pub order: ListOrder<AssetSortKey>,
    pub limit: i64,
}

pub fn parse_bool(s: &str) -> Result<bool, String> {
    match s {
        "true" | "1" | "yes" => Ok(true),
        "false" | "0" | "no" => Ok(false),
        _ => Err("must be true or false".to_owned()),
    }
}

impl AssetQuery {
    pub fn parse(self) -> Result<AssetFilter, Problem> {
        let mut p = QueryParser::default();
        let order = p.order(
            (self.sort, self.cursor.as_deref()),
            (
                "sku",
                SortSpec {
                    field: AssetSortKey::Sku,
                    dir: SortDir::Asc,
                },
            ),
            AssetSortKey::parse,
            &AssetSortKey::allowed(),
        );
        let mut fields = crate::query::FieldFilters::default();
        p.text(&mut fields, "sku", self.sku);
        p.text(&mut fields, "name", self.name);
        p.int(&mut fields, "reorder_point", self.reorder_point.as_deref());
        p.date(&mut fields, "purchase_date", self.purchase_date.as_deref());
        p.text(&mut fields, "depreciation_method", self.depreciation_method);
        p.int(
            &mut fields,
            "useful_life_months",
            self.useful_life_months.as_deref(),
        );
        let filter = AssetFilter {
            fields,
            q: crate::search::normalize_query(self.q.as_deref()),
            kind: p.opt("kind", self.kind.as_deref(), AssetKind::parse),
            status: p.opt("status", self.status.as_deref(), AssetStatus::parse),
            category: p
                .opt("category", self.category.as_deref(), clean_category)
                .filter(|c| !c.is_empty()),
            vendor_id: p
                .opt("vendor_id", self.vendor_id.as_deref(), parse_uuid)
                .map(VendorId),
            tracking: p.opt("tracking", self.tracking.as_deref(), Tracking::parse),
            below_reorder_point: p
                .opt(
                    "below_reorder_point",
                    self.below_reorder_point.as_deref(),
                    parse_bool,
                )
                .unwrap_or(false),
            order,
            limit: crate::page::clamp_limit(p.opt("limit", self.limit.as_deref(), parse_i64)),
        };
        // `format` is read by the stock-levels export; here it is only checked.
        p.opt("format", self.format.as_deref(), |f| match f {
            "csv" | "json" => Ok(()),
            _ => Err("must be csv or json".to_owned()),
        });
        p.finish(filter)
    }
}

/// One row of `reports/stock-levels`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StockLevel {
    pub asset_id: AssetId,
    pub sku: String,
    pub name: String,
    pub kind: AssetKind,
    pub category: String,
    pub vendor_id: Option<VendorId>,
    pub vendor_name: Option<String>,
    pub total_quantity: i32,
    pub available_quantity: i32,
    pub allocated_quantity: i32,
    /// Ordered on open purchase orders and not yet received.
    pub on_order_quantity: i64,
    pub reorder_point: i32,
    pub below_reorder_point: bool,
}

impl From<&Asset> for StockLevel {
    fn from(a: &Asset) -> Self {
        Self {
            asset_id: a.id,
            sku: a.sku.0.clone(),
            name: a.name.clone(),
            kind: a.kind,
            category: a.category.clone(),
            vendor_id: a.vendor_id,
            vendor_name: a.vendor_name.clone(),
            total_quantity: a.total_quantity,
            available_quantity: a.available_quantity,
            allocated_quantity: a.allocated_quantity,
            on_order_quantity: 0,
            reorder_point: a.reorder_point,
            below_reorder_point: a.below_reorder_point,
        }
    }
}

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

/// `POST /assets/{id}/usage`: units used in a month (units-of-production depreciation).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UsageInput {
    /// First day of the month (any day is moved to the first).
    pub month: Option<NaiveDate>,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub units: Decimal,
}

/// The depreciation schedule of one unit of an asset and its book value today.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Depreciation {
    pub asset_id: AssetId,
    pub method: crate::depreciation::DepreciationMethod,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub cost: Decimal,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub salvage_value: Decimal,
    pub useful_life_months: i32,
    pub start: NaiveDate,
    pub as_of: NaiveDate,
    /// Book value of one unit at `as_of`.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub book_value: Decimal,
    /// Book value of all units owned at `as_of`.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub total_book_value: Decimal,
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<Object>))]
    pub schedule: Vec<crate::depreciation::ScheduleRow>,
}

/// One line of the valuation report.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ValuationRow {
    pub category: String,
    pub asset_count: i64,
    pub units: i64,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub cost: Decimal,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub book_value: Decimal,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> AssetInput {
        AssetInput {
            sku: " lap-x1 ".into(),
            name: " Laptop ".into(),
            kind: AssetKind::Software,
            category: " Hardware / / Laptops ".into(),
            total_quantity: 5,
            ..Default::default()
        }
    }

    #[test]
    fn sku_rules() {
        assert_eq!(Sku::parse(" ab-1.2/x ").unwrap().as_str(), "AB-1.2/X");
        assert!(Sku::parse("a").is_err());
        assert!(Sku::parse("-ab").is_err());
        assert!(Sku::parse("ab cd").is_err());
        assert!(Sku::parse(&"a".repeat(65)).is_err());
    }

    #[test]
    fn clean_normalises() {
        let c = input().clean().unwrap();
        assert_eq!(c.sku, "LAP-X1");
        assert_eq!(c.name, "Laptop");
        assert_eq!(c.category, "Hardware/Laptops");
        assert_eq!(c.tracking, Some(Tracking::Quantity));
        assert_eq!(c.currency, "USD");
    }

    #[test]
    fn hardware_counts_by_quantity_unless_serials_are_asked_for() {
        let hw = AssetInput {
            kind: AssetKind::Hardware,
            total_quantity: 4,
            ..input()
        };
        let c = hw.clone().clean().unwrap();
        assert_eq!(c.tracking, Some(Tracking::Quantity));
        assert_eq!(c.total_quantity, 4);
        let serial = AssetInput {
            tracking: Some(Tracking::Serial),
            ..hw
        };
        assert!(
            serial
                .clean()
                .unwrap_err()
                .field("total_quantity")
                .is_some()
        );
    }

    #[test]
    fn every_bad_field_at_once() {
        let bad = AssetInput {
            sku: "x".into(),
            name: "".into(),
            kind: AssetKind::Hardware,
            tracking: Some(Tracking::Serial),
            total_quantity: 3,
            purchase_price: Some(Decimal::new(100, 0)),
            salvage_value: Some(Decimal::new(200, 0)),
            depreciation_method: DepreciationMethod::UnitsOfProduction,
            useful_life_months: Some(0),
            ..Default::default()
        };
        let p = bad.clean().unwrap_err();
        let fields: Vec<&str> = p.errors.iter().map(|e| e.field.as_str()).collect();
        for f in [
            "sku",
            "name",
            "total_quantity",
            "salvage_value",
            "lifetime_units",
            "useful_life_months",
        ] {
            assert!(fields.contains(&f), "{f} in {fields:?}");
        }
    }

    #[test]
    fn allocation_needs_exactly_one_target_and_a_quantity() {
        let p = AllocateInput::default().clean().unwrap_err();
        assert_eq!(p.errors.len(), 2);
        let two = AllocateInput {
            quantity: 1,
            project_id: Some(ProjectId::new()),
            user_id: Some(UserId::new()),
            ..Default::default()
        };
        assert_eq!(two.clean().unwrap_err().errors[0].field, "project_id");
        let ok = AllocateInput {
            quantity: 2,
            customer_id: Some(CustomerId::new()),
            ..Default::default()
        }
        .clean()
        .unwrap();
        assert!(matches!(ok.target, AllocationTarget::Customer(_)));
        let units = AllocateInput {
            unit_ids: vec![AssetUnitId::new(), AssetUnitId::new()],
            user_id: Some(UserId::new()),
            ..Default::default()
        }
        .clean()
        .unwrap();
        assert_eq!(units.quantity, 2);
    }

    #[test]
    fn returns_and_adjustments() {
        assert!(ReturnInput::default().clean().is_err());
        assert_eq!(
            return_movements(ReturnCondition::Good, 2),
            [(MovementKind::Return, 0, 2)]
        );
        assert_eq!(
            return_movements(ReturnCondition::Damaged, 2),
            [
                (MovementKind::Return, 0, 2),
                (MovementKind::WriteOff, -2, -2)
            ]
        );
        assert_eq!(
            returned_unit_status(ReturnCondition::Lost),
            UnitStatus::WrittenOff
        );
        let p = AdjustmentInput::default().clean().unwrap_err();
        assert_eq!(p.errors.len(), 2);
        let w = AdjustmentInput {
            quantity_delta: 2,
            reason: "found".into(),
            kind: Some(MovementKind::WriteOff),
            serials: vec!["A".into(), "A".into()],
        }
        .clean()
        .unwrap_err();
        let fields: Vec<&str> = w.errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["quantity_delta", "serials[1]"]);
        // The smallest i32 has no absolute value in i32: still a field error, never a panic.
        let min = AdjustmentInput {
            quantity_delta: i32::MIN,
            reason: "typo".into(),
            ..Default::default()
        }
        .clean()
        .unwrap_err();
        assert!(min.field("quantity_delta").is_some(), "{min}");
    }

    #[test]
    fn shortfall_walks_dated_events() {
        let d = |m, day| NaiveDate::from_ymd_opt(2027, m, day).unwrap();
        let mut events = vec![
            DemandEvent {
                date: d(3, 1),
                quantity: -8,
                label: "B".into(),
            },
            DemandEvent {
                date: d(2, 1),
                quantity: -5,
                label: "A".into(),
            },
            DemandEvent {
                date: d(3, 1),
                quantity: 4,
                label: "PO".into(),
            },
        ];
        // 6 available: Feb −5 → 1; Mar +4 → 5, −8 → −3.
        assert_eq!(project_shortfall(6, &mut events), (3, Some(d(3, 1))));
        assert_eq!(project_shortfall(20, &mut events), (0, None));
    }

    #[test]
    fn reorder_suggestions() {
        assert!(below_reorder_point(5, 5));
        assert!(!below_reorder_point(6, 5));
        assert!(!below_reorder_point(0, 0));
        assert_eq!(suggested_order_quantity(2, 0, 5, 0, 0), 8);
        assert_eq!(suggested_order_quantity(2, 0, 5, 20, 0), 20);
        assert_eq!(suggested_order_quantity(2, 0, 5, 20, 30), 30);
        assert_eq!(suggested_order_quantity(9, 5, 5, 0, 0), 1);
        assert_eq!(reorder_need(3, 0, 4, 0), Some(5));
        assert_eq!(
            reorder_need(3, 5, 4, 0),
            None,
            "covered by what is on order"
        );
    }

    #[test]
    fn query_reports_every_bad_parameter() {
        let q = AssetQuery {
            kind: Some("car".into()),
            below_reorder_point: Some("maybe".into()),
            sort: Some("price".into()),
            ..Default::default()
        };
        assert_eq!(q.parse().err().map(|p| p.errors.len()), Some(3));
        let f = AssetQuery {
            category: Some("Hardware/".into()),
            below_reorder_point: Some("true".into()),
            ..Default::default()
        }
        .parse()
        .ok()
        .unwrap();
        assert_eq!(f.category.as_deref(), Some("Hardware"));
        assert!(f.below_reorder_point);
    }
}
