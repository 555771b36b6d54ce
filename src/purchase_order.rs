//! Purchase orders: draft → ordered → partially received → received, or cancelled; lines with asset, quantity
//! and unit price; receiving any part of any line.

use crate::asset::clean_serials;
use crate::ids::{AssetId, PurchaseOrderId, PurchaseOrderLineId, UserId, VendorId};
use crate::money;
use crate::page::{SortDir, SortSpec};
use crate::problem::{FieldError, Problem};
use crate::query::{ListOrder, QueryParser, parse_i64, parse_uuid};
use crate::validation;
use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

text_enum! {
    /// Where a purchase order stands.
    pub enum PoStatus {
        Draft => "draft",
        Ordered => "ordered",
        PartiallyReceived => "partially_received",
        Received => "received",
        Cancelled => "cancelled",
    }
}

impl PoStatus {
    /// Still expecting goods.
    pub fn is_open(self) -> bool {
        matches!(self, PoStatus::Ordered | PoStatus::PartiallyReceived)
    }

    /// The moves a person may make with `PATCH {"status"}`; receiving moves to partially received / received.
    pub fn check_transition(self, to: PoStatus) -> Result<(), String> {
        use PoStatus::*;
        let ok = self == to
            || matches!(
                (self, to),
                (Draft, Ordered) | (Draft, Cancelled) | (Ordered, Cancelled) | (Ordered, Draft)
            );
        if ok {
            Ok(())
        } else if matches!(to, PartiallyReceived | Received) {
            Err(
                "Receive goods with POST /purchase-orders/{id}/receive; the status follows."
                    .to_owned(),
            )
        } else {
            Err(format!(
                "A {} purchase order cannot become {}.",
                self.label().to_lowercase(),
                to.label().to_lowercase()
            ))
        }
    }

    /// The status after a receipt, from the lines' ordered and received quantities.
    pub fn after_receipt(lines: &[(i32, i32)]) -> PoStatus {
        if lines.iter().all(|(ordered, received)| received >= ordered) {
            PoStatus::Received
        } else {
            PoStatus::PartiallyReceived
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PurchaseOrderLine {
    pub id: PurchaseOrderLineId,
    pub line_no: i32,
    pub asset_id: AssetId,
    pub sku: String,
    pub asset_name: String,
    /// Serial-tracked assets need serial numbers when received.
    pub serial_tracked: bool,
    pub quantity: i32,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub unit_price: Decimal,
    /// quantity × unit price.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub line_total: Decimal,
    pub received_quantity: i32,
    pub outstanding_quantity: i32,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PurchaseOrder {
    pub id: PurchaseOrderId,
    /// A short human number (`PO-42`).
    pub number: i64,
    pub vendor_id: VendorId,
    pub vendor_name: String,
    pub status: PoStatus,
    pub currency: String,
    pub notes: String,
    pub lines: Vec<PurchaseOrderLine>,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub total: Decimal,
    /// Expected delivery: set when ordered (today + the vendor's lead time) unless given.
    pub expected_on: Option<NaiveDate>,
    /// Ordered, not fully received, and past `expected_on` (read-only).
    pub overdue: bool,
    pub ordered_at: Option<DateTime<Utc>>,
    pub received_at: Option<DateTime<Utc>>,
    pub created_by: Option<UserId>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

pub fn line_total(quantity: i32, unit_price: Decimal) -> Decimal {
    Decimal::from(quantity) * unit_price
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PoLineInput {
    #[serde(default)]
    pub asset_id: Option<AssetId>,
    #[serde(default)]
    pub quantity: i32,
    /// Default: the vendor's price for the asset, else the asset's purchase price.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub unit_price: Option<Decimal>,
}

/// `POST /purchase-orders` (a new order is a draft unless `status: ordered`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PurchaseOrderInput {
    #[serde(default)]
    pub vendor_id: Option<VendorId>,
    #[serde(default)]
    pub currency: String,
    #[serde(default)]
    pub notes: String,
    #[serde(default)]
    pub expected_on: Option<NaiveDate>,
    #[serde(default)]
    pub status: Option<PoStatus>,
    #[serde(default)]
    pub lines: Vec<PoLineInput>,
}

impl PurchaseOrderInput {
    pub fn clean(self) -> Result<Self, Problem> {
        let mut errors = Vec::new();
        if self.vendor_id.is_none() {
            errors.push(FieldError::new("vendor_id", "is required"));
        }
        let currency = money::clean_currency(Some(self.currency));
        if let Err(e) = money::currency(&currency, &()) {
            errors.push(FieldError::new("currency", e.message().to_string()));
        }
        let notes = self.notes.trim().to_owned();
        if notes.chars().count() > 10000 {
            errors.push(FieldError::new("notes", "must be at most 10000 characters"));
        }
        if let Some(s) = self.status
            && !matches!(s, PoStatus::Draft | PoStatus::Ordered)
        {
            errors.push(FieldError::new(
                "status",
                "a new purchase order is draft or ordered",
            ));
        }
        check_lines(&self.lines, &mut errors);
        validation::finish(
            Self {
                currency,
                notes,
                ..self
            },
            errors,
        )
    }
}

fn check_lines(lines: &[PoLineInput], errors: &mut Vec<FieldError>) {
    if lines.is_empty() {
        errors.push(FieldError::new("lines", "must contain at least one line"));
    }
    if lines.len() > 500 {
        errors.push(FieldError::new("lines", "may contain at most 500 lines"));
    }
    for (i, l) in lines.iter().enumerate() {
        if l.asset_id.is_none() {
            errors.push(FieldError::new(
                format!("lines[{i}].asset_id"),
                "is required",
            ));
        } else if lines[..i].iter().any(|o| o.asset_id == l.asset_id) {
            errors.push(FieldError::new(
                format!("lines[{i}].asset_id"),
                "is on an earlier line already",
            ));
        }
        if !(1..=1_000_000).contains(&l.quantity) {
            errors.push(FieldError::new(
                format!("lines[{i}].quantity"),
                "must be between 1 and 1000000",
            ));
        }
        if let Some(p) = l.unit_price
            && let Err(m) = money::check_amount(p)
        {
            errors.push(FieldError::new(format!("lines[{i}].unit_price"), m));
        }
    }
}

/// `PATCH /purchase-orders/{id}`: `status` moves the order (draft → ordered sends it); lines, notes, currency
/// and expected date may change while it is a draft (`expected_on` and `notes` also later).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PurchaseOrderPatch {
    #[serde(default)]
    pub status: Option<PoStatus>,
    #[serde(default)]
    pub notes: Option<String>,
    #[serde(default)]
    pub currency: Option<String>,
    #[serde(default)]
    pub expected_on: Option<NaiveDate>,
    #[serde(default)]
    pub lines: Option<Vec<PoLineInput>>,
}

impl PurchaseOrderPatch {
    /// Checks the fields (not the status move, which needs the stored order: [`PoStatus::check_transition`]).
    pub fn clean(self, current: PoStatus) -> Result<Self, Problem> {
        let mut errors = Vec::new();
        if let Some(lines) = &self.lines {
            if current != PoStatus::Draft {
                errors.push(FieldError::new(
                    "lines",
                    "can only be changed while the order is a draft",
                ));
            }
            check_lines(lines, &mut errors);
        }
        let currency = self.currency.map(|c| money::clean_currency(Some(c)));
        if let Some(c) = &currency {
            if current != PoStatus::Draft {
                errors.push(FieldError::new(
                    "currency",
                    "can only be changed while the order is a draft",
                ));
            } else if let Err(e) = money::currency(c, &()) {
                errors.push(FieldError::new("currency", e.message().to_string()));
            }
        }
        let notes = self.notes.map(|n| n.trim().to_owned());
        if notes.as_ref().is_some_and(|n| n.chars().count() > 10000) {
            errors.push(FieldError::new("notes", "must be at most 10000 characters"));
        }
        validation::finish(
            Self {
                notes,
                currency,
                ..self
            },
            errors,
        )
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReceiveLineInput {
    #[serde(default)]
    pub line_id: Option<PurchaseOrderLineId>,
    #[serde(default)]
    pub quantity: i32,
    /// Serial numbers of the units received (serial-tracked assets; as many as the quantity).
    #[serde(default)]
    pub serials: Vec<String>,
}

/// `POST /purchase-orders/{id}/receive`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReceiveInput {
    #[serde(default)]
    pub lines: Vec<ReceiveLineInput>,
}

/// A receipt of one line, checked against what is outstanding.
#[derive(Clone, Debug, PartialEq)]
pub struct LineReceipt {
    pub line_id: PurchaseOrderLineId,
    pub asset_id: AssetId,
    pub quantity: i32,
    pub serials: Vec<String>,
    pub unit_price: Decimal,
}

impl ReceiveInput {
    /// Matches every receipt to a line of `lines` and checks quantities (more than outstanding → 422 on
    /// `lines[i].quantity`) and serial numbers, reporting every bad field at once.
    pub fn check(self, lines: &[PurchaseOrderLine]) -> Result<Vec<LineReceipt>, Problem> {
        let mut errors = Vec::new();
        if self.lines.is_empty() {
            errors.push(FieldError::new("lines", "must contain at least one line"));
        }
        let mut out = Vec::new();
        for (i, r) in self.lines.into_iter().enumerate() {
            let Some(line) = r.line_id.and_then(|id| lines.iter().find(|l| l.id == id)) else {
                errors.push(FieldError::new(
                    format!("lines[{i}].line_id"),
                    if r.line_id.is_none() {
                        "is required"
                    } else {
                        "is not a line of this purchase order"
                    },
                ));
                continue;
            };
            if out.iter().any(|o: &LineReceipt| o.line_id == line.id) {
                errors.push(FieldError::new(
                    format!("lines[{i}].line_id"),
                    "is listed twice",
                ));
                continue;
            }
            if r.quantity < 1 {
                errors.push(FieldError::new(
                    format!("lines[{i}].quantity"),
                    "must be at least 1",
                ));
            } else if r.quantity > line.outstanding_quantity {
                errors.push(FieldError::new(
                    format!("lines[{i}].quantity"),
                    format!(
                        "is more than the {} still outstanding on line {} ({})",
                        line.outstanding_quantity, line.line_no, line.sku
                    ),
                ));
            }
            let serials = clean_serials(r.serials, &format!("lines[{i}].serials"), &mut errors);
            if line.serial_tracked && serials.len() != r.quantity.max(0) as usize {
                errors.push(FieldError::new(
                    format!("lines[{i}].serials"),
                    format!(
                        "{} is serial-tracked: give one serial number per unit received",
                        line.sku
                    ),
                ));
            } else if !line.serial_tracked && !serials.is_empty() {
                errors.push(FieldError::new(
                    format!("lines[{i}].serials"),
                    format!("{} is counted by quantity: leave serials out", line.sku),
                ));
            }
            out.push(LineReceipt {
                line_id: line.id,
                asset_id: line.asset_id,
                quantity: r.quantity,
                serials,
                unit_price: line.unit_price,
            });
        }
        validation::finish(out, errors)
    }
}

crate::sort_keys! {
    pub enum PoSortKey for PurchaseOrder {
        CreatedAt = "created_at" => |o| o.created_at,
        Number = "number" => |o| o.number,
        Status = "status" => |o| o.status.as_str(),
        VendorId = "vendor_id" => |o| o.vendor_id.0,
        VendorName = "vendor_name" => |o| o.vendor_name,
        Currency = "currency" => |o| o.currency,
        ExpectedOn = "expected_on" => |o| o.expected_on,
        OrderedAt = "ordered_at" => |o| o.ordered_at,
        ReceivedAt = "received_at" => |o| o.received_at,
        UpdatedAt = "updated_at" => |o| o.updated_at,
    }
}

/// `GET /purchase-orders`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
pub struct PurchaseOrderQuery {
    pub status: Option<String>,
    pub vendor_id: Option<String>,
    /// Only orders with a line for this asset.
    pub asset_id: Option<String>,
    /// `true`: ordered, not fully received and past the expected date.
    pub overdue: Option<String>,
    /// Any scalar field (`number`, `status`, `vendor_id`, `expected_on`, `created_at`, …), `-` for descending.
    /// Default `-created_at`.
    pub sort: Option<String>,
    pub limit: Option<String>,
    pub cursor: Option<String>,
}

pub struct PurchaseOrderFilter {
    pub status: Option<PoStatus>,
    pub vendor_id: Option<VendorId>,
    pub asset_id: Option<AssetId>,
    pub overdue: bool,
    pub order: ListOrder<PoSortKey>,
    pub limit: i64,
}

impl PurchaseOrderQuery {
    pub fn parse(self) -> Result<PurchaseOrderFilter, Problem> {
        let mut p = QueryParser::default();
        let order = p.order(
            (self.sort, self.cursor.as_deref()),
            (
                "-created_at",
                SortSpec {
                    field: PoSortKey::CreatedAt,
                    dir: SortDir::Desc,
                },
            ),
            PoSortKey::parse,
            &PoSortKey::allowed(),
        );
        let filter = PurchaseOrderFilter {
            status: p.opt("status", self.status.as_deref(), PoStatus::parse),
            vendor_id: p
                .opt("vendor_id", self.vendor_id.as_deref(), parse_uuid)
                .map(VendorId),
            asset_id: p
                .opt("asset_id", self.asset_id.as_deref(), parse_uuid)
                .map(AssetId),
            overdue: p
                .opt("overdue", self.overdue.as_deref(), crate::asset::parse_bool)
                .unwrap_or(false),
            order,
            limit: crate::page::clamp_limit(p.opt("limit", self.limit.as_deref(), parse_i64)),
        };
        p.finish(filter)
    }
}

/// A purchase order the app suggests for one vendor: the assets it supplies that are below their reorder point.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SuggestedOrder {
    pub vendor_id: VendorId,
    pub vendor_name: String,
    pub currency: String,
    pub lines: Vec<SuggestedLine>,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub total: Decimal,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SuggestedLine {
    pub asset_id: AssetId,
    pub sku: String,
    pub name: String,
    pub available_quantity: i32,
    pub on_order_quantity: i64,
    pub reorder_point: i32,
    pub quantity: i64,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub unit_price: Decimal,
}

/// `POST /purchase-orders/suggested`: draft the suggested orders of these vendors (all when empty).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DraftSuggestedInput {
    #[serde(default)]
    pub vendor_ids: Vec<VendorId>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(outstanding: i32, serial: bool) -> PurchaseOrderLine {
        PurchaseOrderLine {
            id: PurchaseOrderLineId::new(),
            line_no: 1,
            asset_id: AssetId::new(),
            sku: "LAP".into(),
            asset_name: "Laptop".into(),
            serial_tracked: serial,
            quantity: 10,
            unit_price: Decimal::new(1000, 0),
            line_total: Decimal::new(10000, 0),
            received_quantity: 10 - outstanding,
            outstanding_quantity: outstanding,
        }
    }

    #[test]
    fn status_machine() {
        use PoStatus::*;
        assert!(Draft.check_transition(Ordered).is_ok());
        assert!(Ordered.check_transition(Cancelled).is_ok());
        assert!(Draft.check_transition(Received).is_err());
        assert!(Received.check_transition(Cancelled).is_err());
        assert!(PartiallyReceived.check_transition(Cancelled).is_err());
        assert!(Cancelled.check_transition(Ordered).is_err());
        assert_eq!(
            PoStatus::after_receipt(&[(10, 6), (2, 2)]),
            PartiallyReceived
        );
        assert_eq!(PoStatus::after_receipt(&[(10, 10), (2, 2)]), Received);
    }

    #[test]
    fn input_reports_every_bad_line() {
        let a = AssetId::new();
        let p = PurchaseOrderInput {
            lines: vec![
                PoLineInput {
                    asset_id: Some(a),
                    quantity: 0,
                    unit_price: Some(Decimal::new(-1, 0)),
                },
                PoLineInput {
                    asset_id: Some(a),
                    quantity: 1,
                    unit_price: None,
                },
                PoLineInput::default(),
            ],
            ..Default::default()
        }
        .clean()
        .unwrap_err();
        let fields: Vec<&str> = p.errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "vendor_id",
                "lines[0].quantity",
                "lines[0].unit_price",
                "lines[1].asset_id",
                "lines[2].asset_id",
                "lines[2].quantity"
            ]
        );
    }

    #[test]
    fn receipts_are_checked_against_outstanding() {
        let lines = [line(4, false), line(2, true)];
        let over = ReceiveInput {
            lines: vec![ReceiveLineInput {
                line_id: Some(lines[0].id),
                quantity: 5,
                serials: vec![],
            }],
        }
        .check(&lines)
        .unwrap_err();
        assert_eq!(over.status, 422);
        assert_eq!(over.errors[0].field, "lines[0].quantity");
        let no_serials = ReceiveInput {
            lines: vec![ReceiveLineInput {
                line_id: Some(lines[1].id),
                quantity: 2,
                serials: vec!["S1".into()],
            }],
        }
        .check(&lines)
        .unwrap_err();
        assert_eq!(no_serials.errors[0].field, "lines[0].serials");
        let ok = ReceiveInput {
            lines: vec![
                ReceiveLineInput {
                    line_id: Some(lines[0].id),
                    quantity: 4,
                    serials: vec![],
                },
                ReceiveLineInput {
                    line_id: Some(lines[1].id),
                    quantity: 2,
                    serials: vec!["S1".into(), "S2".into()],
                },
            ],
        }
        .check(&lines)
        .unwrap();
        assert_eq!(ok.len(), 2);
        let unknown = ReceiveInput {
            lines: vec![ReceiveLineInput {
                line_id: Some(PurchaseOrderLineId::new()),
                quantity: 1,
                serials: vec![],
            }],
        }
        .check(&lines)
        .unwrap_err();
        assert_eq!(unknown.errors[0].field, "lines[0].line_id");
    }

    #[test]
    fn patch_lines_only_in_draft() {
        let p = PurchaseOrderPatch {
            lines: Some(vec![PoLineInput {
                asset_id: Some(AssetId::new()),
                quantity: 1,
                unit_price: None,
            }]),
            ..Default::default()
        };
        assert!(p.clone().clean(PoStatus::Draft).is_ok());
        assert_eq!(
            p.clean(PoStatus::Ordered).unwrap_err().errors[0].field,
            "lines"
        );
    }
}
