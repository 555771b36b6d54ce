//! Purchase orders: drafting, sending, cancelling and receiving. A receipt adds stock through the ledger (and
//! serial-numbered units where tracked) in one transaction with the line's received quantity and the audit row.

use super::records::{Change, audit, audit_create, audit_delete, audit_update};
use super::{check_version, require};
use crate::ssr::repo::inventory::{self as inventory, NewMovement};
use crate::ssr::repo::outbox;
use crate::ssr::repo::purchasing::{self as repo, NewPo, PoListParams};
use crate::ssr::{Actor, AppCtx, Result, ServiceError};
use domain::asset::{MovementKind, Tracking, reorder_need};
use domain::purchase_order::{
    DraftSuggestedInput, PoLineInput, PoStatus, PurchaseOrder, PurchaseOrderInput,
    PurchaseOrderPatch, PurchaseOrderQuery, ReceiveInput, SuggestedLine, SuggestedOrder,
};
use domain::{Action, AssetId, Page, Principal, Problem, PurchaseOrderId, Resource, VendorId};
use rust_decimal::Decimal;
use sqlx::PgConnection;

const R: Resource = Resource::PurchaseOrders;

fn not_found() -> ServiceError {
    Problem::not_found("purchase order").into()
}

pub async fn list(
    ctx: &AppCtx,
    actor: &Actor,
    query: PurchaseOrderQuery,
) -> Result<Page<PurchaseOrder>> {
    require(&actor.principal, R, Action::Read)?;
    let f = query.parse()?;
    let rows = repo::list_pos(
        &ctx.db,
        PoListParams {
            status: f.status,
            vendor_id: f.vendor_id,
            asset_id: f.asset_id,
            overdue: f.overdue,
            sort: f.order.sort.field,
            dir: f.order.sort.dir,
            after: f.order.cursor.clone(),
            limit: f.limit,
        },
    )
    .await?;
    let (key, text) = (f.order.sort.field, f.order.sort_text.clone());
    Ok(Page::from_rows(rows, f.limit, |o: &PurchaseOrder| {
        key.cursor(&text, o, o.id.0)
    }))
}

pub async fn get(ctx: &AppCtx, actor: &Actor, id: PurchaseOrderId) -> Result<PurchaseOrder> {
    require(&actor.principal, R, Action::Read)?;
    let mut conn = ctx.db.acquire().await?;
    repo::purchase_order(&mut conn, id, false)
        .await?
        .ok_or_else(not_found)
}

async fn locked(
    conn: &mut PgConnection,
    p: &Principal,
    id: PurchaseOrderId,
    action: Action,
) -> Result<PurchaseOrder> {
    require(p, R, Action::Read)?;
    let o = repo::purchase_order(conn, id, true)
        .await?
        .ok_or_else(not_found)?;
    require(p, R, action)?;
    Ok(o)
}

async fn reload(conn: &mut PgConnection, id: PurchaseOrderId) -> Result<PurchaseOrder> {
    repo::purchase_order(conn, id, false)
        .await?
        .ok_or_else(|| ServiceError::internal("written purchase order vanished"))
}

/// Each line's asset must exist; a missing price is the vendor's (or the asset's purchase price).
async fn priced_lines(
    conn: &mut PgConnection,
    vendor: VendorId,
    lines: &[PoLineInput],
    prefix: &str,
) -> Result<Vec<(AssetId, i32, Decimal)>> {
    let mut out = Vec::with_capacity(lines.len());
    let mut errors = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        let Some(asset) = l.asset_id else { continue };
        match repo::default_price(conn, vendor, asset).await? {
            Some(default) => out.push((asset, l.quantity, l.unit_price.unwrap_or(default))),
            None => errors.push(domain::FieldError::new(
                format!("{prefix}lines[{i}].asset_id"),
                "No asset with this id.",
            )),
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(Problem::invalid(errors).into())
    }
}

/// The expected delivery of an order sent today: today + the vendor's lead time.
fn expected(vendor_lead_days: i32) -> chrono::NaiveDate {
    chrono::Utc::now().date_naive() + chrono::Duration::days(i64::from(vendor_lead_days))
}

async fn insert_one(
    conn: &mut PgConnection,
    actor: &Actor,
    input: PurchaseOrderInput,
    prefix: &str,
) -> Result<PurchaseOrder> {
    let vendor_id = input
        .vendor_id
        .ok_or_else(|| Problem::invalid_field("vendor_id", "is required"))?;
    let Some(vendor) = repo::vendor(conn, vendor_id, false).await? else {
        return Err(Problem::invalid_field(
            &format!("{prefix}vendor_id"),
            "No vendor with this id.",
        )
        .into());
    };
    let lines = priced_lines(conn, vendor_id, &input.lines, prefix).await?;
    let status = input.status.unwrap_or(PoStatus::Draft);
    let expected_on = input
        .expected_on
        .or_else(|| (status == PoStatus::Ordered).then(|| expected(vendor.lead_time_days)));
    let id = PurchaseOrderId::new();
    repo::insert_po(
        conn,
        NewPo {
            id,
            vendor_id,
            currency: &input.currency,
            notes: &input.notes,
            expected_on,
            status,
            created_by: actor.principal.user_id,
        },
    )
    .await?;
    repo::replace_lines(conn, id, &lines).await?;
    let created = reload(conn, id).await?;
    audit_create(conn, actor, &created).await?;
    Ok(created)
}

pub async fn create(
    ctx: &AppCtx,
    actor: &Actor,
    input: PurchaseOrderInput,
) -> Result<PurchaseOrder> {
    super::records::create(ctx, actor, input).await
}

/// All or nothing: every item is validated first (errors named `items[i].field`), then inserted in one
/// transaction.
pub async fn bulk_create(
    ctx: &AppCtx,
    actor: &Actor,
    items: Vec<PurchaseOrderInput>,
) -> Result<Vec<PurchaseOrder>> {
    super::records::bulk_create(ctx, actor, items).await
}

super::records::impl_creatable!(PurchaseOrder, PurchaseOrderInput, R, insert => insert_one);

/// `PATCH /purchase-orders/{id}`: `{"status":"ordered"}` sends a draft (setting the expected date from the
/// vendor's lead time unless given), `cancelled` cancels an order with nothing received; a draft's lines,
/// currency and notes may change.
pub async fn update(
    ctx: &AppCtx,
    actor: &Actor,
    id: PurchaseOrderId,
    if_match: Option<i32>,
    patch: PurchaseOrderPatch,
) -> Result<PurchaseOrder> {
    let mut tx = ctx.db.begin().await?;
    let current = locked(&mut tx, &actor.principal, id, Action::Update).await?;
    check_version(if_match, current.version)?;
    let patch = patch.clean(current.status)?;
    let to = patch.status.unwrap_or(current.status);
    current
        .status
        .check_transition(to)
        .map_err(Problem::conflict)?;
    if let Some(lines) = &patch.lines {
        let priced = priced_lines(&mut tx, current.vendor_id, lines, "").await?;
        repo::replace_lines(&mut tx, id, &priced).await?;
    }
    let mut expected_on = patch.expected_on.or(current.expected_on);
    if to == PoStatus::Ordered && current.status == PoStatus::Draft && patch.expected_on.is_none() {
        let lead = repo::vendor(&mut tx, current.vendor_id, false)
            .await?
            .map_or(0, |v| v.lead_time_days);
        expected_on = Some(expected(lead));
    }
    repo::update_po(
        &mut tx,
        id,
        to,
        patch.notes.as_deref().unwrap_or(&current.notes),
        patch.currency.as_deref().unwrap_or(&current.currency),
        expected_on,
    )
    .await?;
    let updated = reload(&mut tx, id).await?;
    audit_update(&mut tx, actor, &current, &updated).await?;
    tx.commit().await?;
    Ok(updated)
}

/// Only drafts and cancelled orders without receipts can be deleted.
pub async fn delete(
    ctx: &AppCtx,
    actor: &Actor,
    id: PurchaseOrderId,
    if_match: Option<i32>,
) -> Result<()> {
    let mut tx = ctx.db.begin().await?;
    let current = locked(&mut tx, &actor.principal, id, Action::Delete).await?;
    check_version(if_match, current.version)?;
    let received = current.lines.iter().any(|l| l.received_quantity > 0);
    if !matches!(current.status, PoStatus::Draft | PoStatus::Cancelled) || received {
        return Err(Problem::conflict(
            "Only draft or cancelled orders with nothing received can be deleted; cancel it instead.",
        )
        .into());
    }
    repo::delete_po(&mut tx, id).await?;
    audit_delete(&mut tx, actor, &current).await?;
    tx.commit().await?;
    Ok(())
}

/// `POST /purchase-orders/{id}/receive`: any part of any line (more than outstanding → 422); each receipt is a
/// ledger movement (with serial units where tracked); the status becomes partially received or received.
pub async fn receive(
    ctx: &AppCtx,
    actor: &Actor,
    id: PurchaseOrderId,
    input: ReceiveInput,
) -> Result<PurchaseOrder> {
    let p = &actor.principal;
    require(p, Resource::Assets, Action::Update)?;
    let mut tx = ctx.db.begin().await?;
    let current = locked(&mut tx, p, id, Action::Update).await?;
    if !current.status.is_open() {
        return Err(Problem::conflict(format!(
            "A {} purchase order cannot be received; send it first (status ordered).",
            current.status.label().to_lowercase()
        ))
        .into());
    }
    let receipts = input.check(&current.lines)?;
    let reason = format!("Received on PO-{}", current.number);
    for (i, r) in receipts.iter().enumerate() {
        if !repo::add_received(&mut tx, r.line_id, r.quantity).await? {
            return Err(Problem::invalid_field(
                &format!("lines[{i}].quantity"),
                "is more than is still outstanding",
            )
            .into());
        }
        let asset = inventory::asset(&mut tx, r.asset_id, true)
            .await?
            .ok_or_else(|| ServiceError::internal("line asset vanished"))?;
        if asset.tracking == Tracking::Serial {
            inventory::insert_units(&mut tx, r.asset_id, &r.serials, Some(r.line_id))
                .await
                .map_err(|e| match &e {
                    sqlx::Error::Database(db)
                        if db.constraint() == Some("asset_units_asset_id_serial_key") =>
                    {
                        ServiceError::Problem(Problem::duplicate(
                            &format!("lines[{i}].serials"),
                            "One of these serial numbers is already in stock for this asset.",
                        ))
                    }
                    _ => e.into(),
                })?;
        }
        let moved = inventory::move_stock(
            &mut tx,
            &NewMovement {
                po_line_id: Some(r.line_id),
                serials: &r.serials,
                ..NewMovement::new(
                    r.asset_id,
                    MovementKind::Receipt,
                    (r.quantity, r.quantity),
                    &reason,
                    p.user_id,
                )
            },
        )
        .await?;
        if !moved {
            return Err(ServiceError::internal("receipt refused by the stock check"));
        }
    }
    let after_lines = reload(&mut tx, id).await?;
    let status = PoStatus::after_receipt(
        &after_lines
            .lines
            .iter()
            .map(|l| (l.quantity, l.received_quantity))
            .collect::<Vec<_>>(),
    );
    repo::update_po(
        &mut tx,
        id,
        status,
        &current.notes,
        &current.currency,
        current.expected_on,
    )
    .await?;
    let updated = reload(&mut tx, id).await?;
    let change = Change {
        entity: "purchase_order",
        verb: "receive",
        id: id.0,
    };
    audit(&mut tx, actor, change, Some(&current), Some(&updated)).await?;
    // For live clients (inventory dashboards: open orders, stock received).
    outbox::insert(
        &mut tx,
        outbox::NewEvent {
            r#type: domain::live::PURCHASE_ORDER_RECEIVED,
            entity: "purchase_order",
            entity_id: id.0,
            data: serde_json::json!({
                "number": updated.number,
                "status": updated.status,
                "vendor_id": updated.vendor_id,
            }),
            actor_id: Some(actor.principal.user_id.0),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(updated)
}

/// Assets at or below their reorder point, grouped by vendor, with the quantity to order.
pub async fn suggested(ctx: &AppCtx, actor: &Actor) -> Result<Vec<SuggestedOrder>> {
    require(&actor.principal, R, Action::Read)?;
    let rows = inventory::reorder_candidates(&ctx.db).await?;
    let mut out: Vec<SuggestedOrder> = Vec::new();
    for r in rows {
        // Already covered by what is on order: nothing to suggest.
        let Some(quantity) = reorder_need(
            i64::from(r.available_quantity),
            r.on_order,
            i64::from(r.reorder_point),
            i64::from(r.reorder_quantity),
        ) else {
            continue;
        };
        let line = SuggestedLine {
            asset_id: AssetId(r.asset_id),
            sku: r.sku,
            name: r.name,
            available_quantity: r.available_quantity,
            on_order_quantity: r.on_order,
            reorder_point: r.reorder_point,
            quantity,
            unit_price: r.unit_price,
        };
        match out.iter_mut().find(|o| o.vendor_id.0 == r.vendor_id) {
            Some(o) => o.lines.push(line),
            None => out.push(SuggestedOrder {
                vendor_id: VendorId(r.vendor_id),
                vendor_name: r.vendor_name,
                currency: r.currency,
                lines: vec![line],
                total: Decimal::ZERO,
            }),
        }
    }
    for o in &mut out {
        o.total = o
            .lines
            .iter()
            .map(|l| Decimal::from(l.quantity) * l.unit_price)
            .sum();
    }
    out.sort_by(|a, b| a.vendor_name.cmp(&b.vendor_name));
    Ok(out)
}

/// Drafts the suggested orders (of the given vendors, or all) in one transaction.
pub async fn draft_suggested(
    ctx: &AppCtx,
    actor: &Actor,
    input: DraftSuggestedInput,
) -> Result<Vec<PurchaseOrder>> {
    require(&actor.principal, R, Action::Create)?;
    let suggestions = suggested(ctx, actor).await?;
    let chosen: Vec<SuggestedOrder> = suggestions
        .into_iter()
        .filter(|s| input.vendor_ids.is_empty() || input.vendor_ids.contains(&s.vendor_id))
        .collect();
    if chosen.is_empty() {
        return Err(Problem::conflict(
            "Nothing to order: no asset of these vendors is below its reorder point.",
        )
        .into());
    }
    let items: Vec<PurchaseOrderInput> = chosen
        .into_iter()
        .map(|s| PurchaseOrderInput {
            vendor_id: Some(s.vendor_id),
            currency: s.currency,
            notes: "Drafted from the reorder suggestions.".to_owned(),
            expected_on: None,
            status: None,
            lines: s
                .lines
                .iter()
                .map(|l| PoLineInput {
                    asset_id: Some(l.asset_id),
                    quantity: i32::try_from(l.quantity).unwrap_or(i32::MAX),
                    unit_price: Some(l.unit_price),
                })
                .collect(),
        })
        .collect();
    bulk_create(ctx, actor, items).await
}
