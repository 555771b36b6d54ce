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

mod demand;
mod maintenance;
mod stock;
mod valuation;
pub use demand::*;
pub use maintenance::*;
pub use stock::*;
pub use valuation::*;

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
