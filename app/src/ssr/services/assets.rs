//! Assets and stock: the catalog, the stock ledger, allocation and return (never oversold), adjustments,
//! reconciliation, maintenance, usage, depreciation, project demand and the stock reports.
//!
//! Everyone but admins-only areas may read inventory; the inventory role (and admins) write it. Every write is
//! one transaction with its audit row (and, for allocations and low stock, its outbox event).

use super::records::{Change, audit, audit_create, audit_delete, audit_update};
use super::{require, snapshot};
use crate::ssr::repo::inventory::{self as repo, AllocationsOf, AssetListParams, NewMovement};
use crate::ssr::repo::outbox::{self, NewEvent};
use crate::ssr::{Actor, AppCtx, Result, ServiceError};
use chrono::{Datelike, NaiveDate};
use domain::asset::{
    AdjustmentInput, AllocateInput, Allocation, AllocationTarget, Asset, AssetInput, AssetQuery,
    AssetUnit, Demand, DemandEvent, DemandInput, DemandPlan, Depreciation, Maintenance,
    MaintenanceInput, MovementKind, ReturnInput, StockDiscrepancy, StockLevel, StockMovement,
    Tracking, UsageInput, ValuationRow, project_shortfall, read_only_asset_fields,
    return_movements, returned_unit_status,
};
use domain::depreciation::{self, DepreciationInput, DepreciationMethod};
use domain::page::Cursor;
use domain::{
    Action, AllocationId, AssetId, DemandId, Page, Principal, Problem, ProjectId, Resource,
};
use rust_decimal::Decimal;
use serde_json::json;
use sqlx::PgConnection;

const R: Resource = Resource::Assets;

pub type JsonPatch = serde_json::Map<String, serde_json::Value>;

fn not_found() -> ServiceError {
    Problem::not_found("asset").into()
}

/// How a search found its rows: a SKU prefix (index range scan) or full text over SKU, name, category and
/// location. Kept in the cursor so that the next page continues the same way.
const SKU_MODE: &str = "sku";

pub async fn list(ctx: &AppCtx, actor: &Actor, query: AssetQuery) -> Result<Page<Asset>> {
    require(&actor.principal, R, Action::Read)?;
    let f = query.parse()?;
    // A SKU-shaped search (one word that is a valid SKU) first reads the SKU index alone, which stays fast
    // whatever the full text matches; only when no SKU starts with it does full text run.
    let sku_prefix =
        f.q.as_deref()
            .filter(|q| !q.contains(char::is_whitespace))
            .and_then(|q| domain::asset::Sku::parse(q).ok())
            .map(|s| s.as_str().to_owned());
    let cursor_mode = f.order.cursor.as_ref().and_then(|c| c.mode.clone());
    let params = |tsquery: Option<String>, sku_prefix: Option<String>| AssetListParams {
        fields: f.fields.clone(),
        tsquery,
        sku_prefix,
        kind: f.kind,
        status: f.status,
        category: f.category.clone(),
        vendor_id: f.vendor_id,
        tracking: f.tracking,
        below_reorder_point: f.below_reorder_point,
        sort: f.order.sort.field,
        dir: f.order.sort.dir,
        after: f.order.cursor.clone(),
        limit: f.limit,
    };
    let tsquery = f.q.as_deref().and_then(domain::search::prefix_tsquery);
    let mut mode = None;
    let rows = match sku_prefix {
        Some(prefix) if f.order.cursor.is_none() || cursor_mode.as_deref() == Some(SKU_MODE) => {
            let by_sku = repo::list_assets(&ctx.db, params(None, Some(prefix))).await?;
            if by_sku.is_empty() && f.order.cursor.is_none() {
                repo::list_assets(&ctx.db, params(tsquery, None)).await?
            } else {
                mode = Some(SKU_MODE);
                by_sku
            }
        }
        _ => repo::list_assets(&ctx.db, params(tsquery, None)).await?,
    };
    let (key, text) = (f.order.sort.field, &f.order.sort_text);
    Ok(Page::from_rows(rows, f.limit, |a: &Asset| {
        key.cursor(text, a, a.id.0).with_mode(mode)
    }))
}

/// `reports/stock-levels`: the asset list's filters, with allocated and on-order quantities.
pub async fn stock_levels(
    ctx: &AppCtx,
    actor: &Actor,
    query: AssetQuery,
) -> Result<Page<StockLevel>> {
    require(&actor.principal, Resource::Reports, Action::Read)?;
    let page = list(ctx, actor, query).await?;
    let data = repo::stock_levels(&ctx.db, &page.data).await?;
    Ok(Page {
        data,
        next_cursor: page.next_cursor,
    })
}

pub async fn get(ctx: &AppCtx, actor: &Actor, id: AssetId) -> Result<Asset> {
    require(&actor.principal, R, Action::Read)?;
    let mut conn = ctx.db.acquire().await?;
    repo::asset(&mut conn, id, false)
        .await?
        .ok_or_else(not_found)
}

async fn locked(conn: &mut PgConnection, p: &Principal, id: AssetId) -> Result<Asset> {
    require(p, R, Action::Read)?;
    let a = repo::asset(conn, id, true).await?.ok_or_else(not_found)?;
    require(p, R, Action::Update)?;
    Ok(a)
}

async fn reload(conn: &mut PgConnection, id: AssetId) -> Result<Asset> {
    repo::asset(conn, id, false)
        .await?
        .ok_or_else(|| ServiceError::internal("written asset vanished"))
}

async fn check_vendor(conn: &mut PgConnection, input: &AssetInput, field: &str) -> Result<()> {
    if let Some(v) = input.vendor_id
        && crate::ssr::repo::purchasing::vendor(conn, v, false)
            .await?
            .is_none()
    {
        return Err(Problem::invalid_field(field, "No vendor with this id.").into());
    }
    Ok(())
}

async fn insert_one(
    conn: &mut PgConnection,
    actor: &Actor,
    input: AssetInput,
    prefix: &str,
) -> Result<Asset> {
    check_vendor(conn, &input, &format!("{prefix}vendor_id")).await?;
    let id = AssetId::new();
    repo::insert_asset(conn, id, &input)
        .await
        .map_err(|e| sku_taken(e, prefix))?;
    if input.total_quantity > 0 {
        let moved = repo::move_stock(
            conn,
            &NewMovement::new(
                id,
                MovementKind::Receipt,
                (input.total_quantity, input.total_quantity),
                "Opening balance",
                actor.principal.user_id,
            ),
        )
        .await?;
        if !moved {
            return Err(ServiceError::internal("opening balance refused"));
        }
    }
    let created = reload(conn, id).await?;
    audit_create(conn, actor, &created).await?;
    Ok(created)
}

fn sku_taken(e: sqlx::Error, prefix: &str) -> ServiceError {
    match &e {
        sqlx::Error::Database(db) if db.constraint() == Some("assets_sku_key") => {
            ServiceError::Problem(Problem::duplicate(
                &format!("{prefix}sku"),
                "An asset with this SKU already exists.",
            ))
        }
        _ => e.into(),
    }
}

pub async fn create(ctx: &AppCtx, actor: &Actor, input: AssetInput) -> Result<Asset> {
    super::records::create(ctx, actor, input).await
}

/// All or nothing: every item is validated first (errors named `items[i].field`), then inserted in one
/// transaction.
pub async fn bulk_create(
    ctx: &AppCtx,
    actor: &Actor,
    items: Vec<AssetInput>,
) -> Result<Vec<Asset>> {
    super::records::bulk_create(ctx, actor, items).await
}

super::records::impl_creatable!(Asset, AssetInput, R, insert => insert_one);

/// `PATCH /assets/{id}` (a JSON merge patch of the catalog fields; quantities are read-only).
pub async fn update(
    ctx: &AppCtx,
    actor: &Actor,
    id: AssetId,
    if_match: Option<i32>,
    patch: JsonPatch,
) -> Result<Asset> {
    let mut tx = ctx.db.begin().await?;
    let current = locked(&mut tx, &actor.principal, id).await?;
    super::check_version(if_match, current.version)?;
    let read_only = read_only_asset_fields(&patch);
    if !read_only.is_empty() {
        return Err(Problem::invalid(read_only).into());
    }
    let merged = domain::patch::merge(&AssetInput::from(&current), &patch)?.clean()?;
    if merged.tracking != Some(current.tracking) && current.total_quantity > 0 {
        return Err(
            Problem::invalid_field("tracking", "cannot change while the asset has stock").into(),
        );
    }
    if merged.vendor_id != current.vendor_id {
        check_vendor(&mut tx, &merged, "vendor_id").await?;
    }
    repo::update_asset(&mut tx, id, &merged)
        .await
        .map_err(|e| sku_taken(e, ""))?;
    let updated = reload(&mut tx, id).await?;
    audit_update(&mut tx, actor, &current, &updated).await?;
    tx.commit().await?;
    Ok(updated)
}

/// Deletes an asset without stock history; one with movements or purchase orders is kept (409: retire it).
pub async fn delete(ctx: &AppCtx, actor: &Actor, id: AssetId, if_match: Option<i32>) -> Result<()> {
    let mut tx = ctx.db.begin().await?;
    let current = locked(&mut tx, &actor.principal, id).await?;
    require(&actor.principal, R, Action::Delete)?;
    super::check_version(if_match, current.version)?;
    if !repo::delete_asset(&mut tx, id).await? {
        return Err(Problem::conflict(
            "This asset has stock history or purchase orders, which are kept: set its status to retired instead.",
        )
        .into());
    }
    audit_delete(&mut tx, actor, &current).await?;
    tx.commit().await?;
    Ok(())
}

/// The target of an allocation must exist and be visible: 422 on its field otherwise (other errors pass through).
async fn check_target(conn: &mut PgConnection, p: &Principal, t: AllocationTarget) -> Result<()> {
    match t {
        AllocationTarget::Customer(id) => {
            super::tickets::target_customer(conn, p, id, "customer_id").await?;
        }
        AllocationTarget::Project(id) => match super::projects::get_in(conn, p, id).await {
            Err(ServiceError::Problem(pr)) if pr.status == 404 => {
                return Err(
                    Problem::invalid_field("project_id", "No project with this id.").into(),
                );
            }
            other => drop(other?),
        },
        AllocationTarget::User(id) => {
            if !crate::ssr::repo::users::by_id(conn, id)
                .await?
                .is_some_and(|u| u.is_active)
            {
                return Err(
                    Problem::invalid_field("user_id", "No active user with this id.").into(),
                );
            }
        }
    }
    Ok(())
}

fn target_json(t: AllocationTarget) -> serde_json::Value {
    match t {
        AllocationTarget::Project(id) => json!({"project_id": id}),
        AllocationTarget::Customer(id) => json!({"customer_id": id}),
        AllocationTarget::User(id) => json!({"user_id": id}),
    }
}

/// After a change of `available`: a `stock.low` event when it crossed the reorder point downwards.
async fn low_stock_event(
    conn: &mut PgConnection,
    actor: &Actor,
    before: &Asset,
    after: &Asset,
) -> Result<()> {
    if after.below_reorder_point && !before.below_reorder_point {
        outbox::insert(
            conn,
            NewEvent {
                r#type: domain::live::STOCK_LOW,
                entity: "asset",
                entity_id: after.id.0,
                data: json!({"sku": after.sku, "name": after.name, "available_quantity": after.available_quantity,
                    "reorder_point": after.reorder_point}),
                actor_id: Some(actor.principal.user_id.0),
            },
        )
        .await?;
    }
    Ok(())
}

fn not_enough(asset: &Asset, wanted: i32) -> ServiceError {
    Problem::conflict(format!(
        "Only {} of {} ({}) available; {wanted} requested.",
        asset.available_quantity,
        asset.name,
        asset.sku.as_str()
    ))
    .into()
}

/// `POST /assets/{id}/allocate`: permission, quantity check, allocation row, stock decrement, audit and outbox
/// event in one transaction. The decrement is a conditional update on the locked asset row, so concurrent
/// requests queue on the lock and exactly as many succeed as there are units (the rest: 409).
pub async fn allocate(
    ctx: &AppCtx,
    actor: &Actor,
    id: AssetId,
    input: AllocateInput,
) -> Result<Allocation> {
    let p = &actor.principal;
    let req = input.clean()?;
    let mut tx = ctx.db.begin().await?;
    let before = locked(&mut tx, p, id).await?;
    check_target(&mut tx, p, req.target).await?;
    if before.available_quantity < req.quantity {
        return Err(not_enough(&before, req.quantity));
    }
    let allocation = AllocationId::new();
    repo::insert_allocation(
        &mut tx,
        allocation,
        id,
        req.quantity,
        req.target,
        &req.note,
        p.user_id,
    )
    .await?;
    let serials = if before.tracking == Tracking::Serial {
        let got =
            repo::allocate_units(&mut tx, id, allocation, req.quantity, &req.unit_ids).await?;
        if got.len() != req.quantity as usize {
            return Err(Problem::conflict(if req.unit_ids.is_empty() {
                format!(
                    "Only {} serial-numbered units of {} are in stock.",
                    got.len(),
                    before.sku.as_str()
                )
            } else {
                "Some of the listed units are not in stock.".to_owned()
            })
            .into());
        }
        got
    } else {
        Vec::new()
    };
    let moved = repo::move_stock(
        &mut tx,
        &NewMovement {
            allocation_id: Some(allocation),
            serials: &serials,
            ..NewMovement::new(
                id,
                MovementKind::Allocation,
                (0, -req.quantity),
                &req.note,
                p.user_id,
            )
        },
    )
    .await?;
    if !moved {
        return Err(not_enough(&before, req.quantity));
    }
    let after = reload(&mut tx, id).await?;
    let scoped = repo::allocation(&mut tx, allocation)
        .await?
        .ok_or_else(|| ServiceError::internal("written allocation vanished"))?;
    let created = scoped.allocation;
    audit(
        &mut tx,
        actor,
        Change {
            entity: "allocation",
            verb: "create",
            id: allocation.0,
        },
        None,
        Some(&created),
    )
    .await?;
    let mut data = target_json(req.target);
    if let Some(m) = data.as_object_mut() {
        m.insert("allocation_id".into(), json!(allocation));
        m.insert("quantity".into(), json!(req.quantity));
        m.insert("sku".into(), json!(after.sku));
        m.insert("name".into(), json!(after.name));
        m.insert("note".into(), json!(req.note));
        m.insert("available_quantity".into(), json!(after.available_quantity));
        // Who may read where the units went (taken out again before the event goes out).
        m.insert(domain::live::OWNER_ID.into(), json!(scoped.customer_owner));
        m.insert(domain::live::OWNER_TEAM.into(), json!(scoped.customer_team));
    }
    outbox::insert(
        &mut tx,
        NewEvent {
            r#type: domain::live::ASSET_ALLOCATED,
            entity: "asset",
            entity_id: id.0,
            data,
            actor_id: Some(p.user_id.0),
        },
    )
    .await?;
    low_stock_event(&mut tx, actor, &before, &after).await?;
    tx.commit().await?;
    Ok(created)
}

/// `POST /assets/{id}/return`: part or all of an allocation comes back; good units become available, damaged
/// or lost ones are written off. More than is outstanding → 409.
pub async fn return_items(
    ctx: &AppCtx,
    actor: &Actor,
    id: AssetId,
    input: ReturnInput,
) -> Result<Allocation> {
    let p = &actor.principal;
    let req = input.clean()?;
    let mut tx = ctx.db.begin().await?;
    let before = locked(&mut tx, p, id).await?;
    let current = repo::allocation(&mut tx, req.allocation_id)
        .await?
        .map(|s| s.allocation)
        .filter(|a| a.asset_id == id)
        .ok_or_else(|| {
            Problem::invalid_field("allocation_id", "No allocation of this asset with this id.")
        })?;
    if req.quantity > current.outstanding_quantity {
        return Err(Problem::conflict(format!(
            "Only {} of this allocation are still out; {} cannot be returned.",
            current.outstanding_quantity, req.quantity
        ))
        .into());
    }
    if !repo::return_to_allocation(&mut tx, req.allocation_id, req.quantity).await? {
        return Err(Problem::conflict("This allocation changed meanwhile; try again.").into());
    }
    let serials = if before.tracking == Tracking::Serial {
        let status = returned_unit_status(req.condition);
        let got = repo::return_units(
            &mut tx,
            req.allocation_id,
            req.quantity,
            &req.unit_ids,
            status,
        )
        .await?;
        if got.len() != req.quantity as usize {
            return Err(Problem::invalid_field(
                "unit_ids",
                "Some of the listed units are not part of this allocation.",
            )
            .into());
        }
        got
    } else {
        Vec::new()
    };
    let reason = if req.note.is_empty() {
        format!("Returned ({})", req.condition.as_str())
    } else {
        format!("Returned ({}): {}", req.condition.as_str(), req.note)
    };
    for (kind, total, available) in return_movements(req.condition, req.quantity) {
        let movement = NewMovement {
            allocation_id: Some(req.allocation_id),
            serials: &serials,
            ..NewMovement::new(id, kind, (total, available), &reason, p.user_id)
        };
        if !repo::move_stock(&mut tx, &movement).await? {
            return Err(ServiceError::internal("return refused by the stock check"));
        }
    }
    let scoped = repo::allocation(&mut tx, req.allocation_id)
        .await?
        .ok_or_else(|| ServiceError::internal("allocation vanished"))?;
    let updated = scoped.allocation.clone();
    audit(
        &mut tx,
        actor,
        Change {
            entity: "allocation",
            verb: "return",
            id: req.allocation_id.0,
        },
        Some(&current),
        Some(&updated),
    )
    .await?;
    let after = reload(&mut tx, id).await?;
    outbox::insert(
        &mut tx,
        NewEvent {
            r#type: domain::live::ASSET_RETURNED,
            entity: "asset",
            entity_id: id.0,
            data: json!({"allocation_id": req.allocation_id, "quantity": req.quantity,
                "condition": req.condition, "available_quantity": after.available_quantity}),
            actor_id: Some(p.user_id.0),
        },
    )
    .await?;
    low_stock_event(&mut tx, actor, &before, &after).await?;
    tx.commit().await?;
    Ok(updated.redacted_for(p, scoped.customer_owner, scoped.customer_team.as_deref()))
}

/// `POST /assets/{id}/adjustments`: a counted correction or a write-off of shelf stock, with a reason, audited.
pub async fn adjust(
    ctx: &AppCtx,
    actor: &Actor,
    id: AssetId,
    input: AdjustmentInput,
) -> Result<Asset> {
    let p = &actor.principal;
    let input = input.clean()?;
    let mut tx = ctx.db.begin().await?;
    let before = locked(&mut tx, p, id).await?;
    let delta = input.quantity_delta;
    if before.tracking == Tracking::Serial {
        if input.serials.len() != delta.unsigned_abs() as usize {
            return Err(Problem::invalid_field(
                "serials",
                "serial-tracked: list one serial number per unit added or removed",
            )
            .into());
        }
        if delta > 0 {
            repo::insert_units(&mut tx, id, &input.serials, None).await?;
        } else {
            let found = repo::write_off_units(&mut tx, id, &input.serials).await?;
            if found.len() != input.serials.len() {
                return Err(Problem::invalid_field(
                    "serials",
                    "Some of these serial numbers are not in stock.",
                )
                .into());
            }
        }
    } else if !input.serials.is_empty() {
        return Err(Problem::invalid_field("serials", "this asset is counted by quantity").into());
    }
    let moved = repo::move_stock(
        &mut tx,
        &NewMovement {
            serials: &input.serials,
            ..NewMovement::new(
                id,
                input.kind.unwrap_or(MovementKind::Adjustment),
                (delta, delta),
                &input.reason,
                p.user_id,
            )
        },
    )
    .await?;
    if !moved {
        return Err(Problem::conflict(format!(
            "Only {} of {} are on the shelf; {} cannot be removed.",
            before.available_quantity,
            before.sku.as_str(),
            -delta
        ))
        .into());
    }
    let after = reload(&mut tx, id).await?;
    let mut changes = domain::audit::diff(Some(&snapshot(&before)), Some(&snapshot(&after)));
    if let Some(m) = changes.as_object_mut() {
        m.insert("reason".into(), json!({"from": null, "to": input.reason}));
    }
    super::record(&mut tx, actor, "asset.adjust", "asset", id.0, changes).await?;
    // The counted stock changed: live clients showing it refetch.
    super::events::publish(&mut tx, actor, domain::live::Verb::Updated, &after).await?;
    low_stock_event(&mut tx, actor, &before, &after).await?;
    tx.commit().await?;
    Ok(after)
}

/// Ledger page of an asset, newest first.
pub async fn movements(
    ctx: &AppCtx,
    actor: &Actor,
    id: AssetId,
    cursor: Option<String>,
    limit: Option<i64>,
) -> Result<Page<StockMovement>> {
    get(ctx, actor, id).await?;
    let limit = domain::page::clamp_limit(limit);
    let after = match cursor.as_deref().filter(|c| !c.is_empty()) {
        Some(c) => {
            let c = Cursor::decode(c, "-at").map_err(|m| Problem::invalid_field("cursor", m))?;
            let t = chrono::DateTime::parse_from_rfc3339(&c.value)
                .map_err(|_| Problem::invalid_field("cursor", "is not a valid cursor"))?;
            Some((t.with_timezone(&chrono::Utc), c.id))
        }
        None => None,
    };
    let rows = repo::movements(&ctx.db, id, after, limit).await?;
    Ok(Page::from_rows(rows, limit, |m: &StockMovement| {
        Cursor::new("-at", m.at.to_rfc3339(), m.id.0)
    }))
}

pub async fn allocations(
    ctx: &AppCtx,
    actor: &Actor,
    of: AllocationsOf,
    open_only: bool,
) -> Result<Vec<Allocation>> {
    let p = &actor.principal;
    require(p, R, Action::Read)?;
    let mut conn = ctx.db.acquire().await?;
    match of {
        AllocationsOf::Asset(a) => {
            repo::asset(&mut conn, a, false)
                .await?
                .ok_or_else(not_found)?;
        }
        AllocationsOf::Project(id) => {
            super::projects::get_in(&mut conn, p, id).await?;
        }
        AllocationsOf::Customer(id) => {
            super::customers::ensure_visible(&mut conn, p, id).await?;
        }
        AllocationsOf::User(_) => {}
    }
    drop(conn);
    let rows = repo::allocations(&ctx.db, of, open_only, 500).await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            r.allocation
                .redacted_for(p, r.customer_owner, r.customer_team.as_deref())
        })
        .collect())
}

pub async fn units(ctx: &AppCtx, actor: &Actor, id: AssetId) -> Result<Vec<AssetUnit>> {
    get(ctx, actor, id).await?;
    Ok(repo::units(&ctx.db, id, 2000).await?)
}

/// `crm-ims stock reconcile` and `GET /assets/reconcile`: assets whose quantities disagree with the ledger.
pub async fn reconcile(ctx: &AppCtx, actor: &Actor) -> Result<Vec<StockDiscrepancy>> {
    require(&actor.principal, R, Action::Read)?;
    Ok(repo::discrepancies(&ctx.db).await?)
}

/// Reads the discrepancies without a caller (the CLI).
pub async fn reconcile_all(db: &sqlx::PgPool) -> Result<Vec<StockDiscrepancy>> {
    Ok(repo::discrepancies(db).await?)
}

pub async fn maintenance(ctx: &AppCtx, actor: &Actor, id: AssetId) -> Result<Vec<Maintenance>> {
    get(ctx, actor, id).await?;
    Ok(repo::maintenance(&ctx.db, id).await?)
}

/// Logs maintenance; a planned date (or the next due date of work done) becomes a task with a reminder for the
/// person logging it, delivered by the job queue like every task reminder.
pub async fn add_maintenance(
    ctx: &AppCtx,
    actor: &Actor,
    id: AssetId,
    input: MaintenanceInput,
) -> Result<Maintenance> {
    let input = input.clean()?;
    let mut tx = ctx.db.begin().await?;
    let asset = locked(&mut tx, &actor.principal, id).await?;
    let task = match input.reminder_date() {
        Some(date) => Some(
            super::tasks::maintenance_task(
                &mut tx,
                actor,
                &format!("Maintenance due: {} ({})", asset.name, asset.sku.as_str()),
                &input.description,
                date,
            )
            .await?,
        ),
        None => None,
    };
    let m = repo::insert_maintenance(
        &mut tx,
        domain::MaintenanceId::new(),
        id,
        &input,
        actor.principal.user_id,
        task,
    )
    .await?;
    audit(
        &mut tx,
        actor,
        Change {
            entity: "maintenance",
            verb: "create",
            id: m.id.0,
        },
        None,
        Some(&m),
    )
    .await?;
    tx.commit().await?;
    Ok(m)
}

pub async fn set_usage(ctx: &AppCtx, actor: &Actor, id: AssetId, input: UsageInput) -> Result<()> {
    let mut errors = Vec::new();
    if input.month.is_none() {
        errors.push(domain::FieldError::new("month", "is required"));
    }
    if input.units < Decimal::ZERO {
        errors.push(domain::FieldError::new("units", "must not be negative"));
    }
    let Some(month) = input.month.filter(|_| errors.is_empty()) else {
        return Err(Problem::invalid(errors).into());
    };
    let month = month.with_day(1).unwrap_or(month);
    let mut tx = ctx.db.begin().await?;
    locked(&mut tx, &actor.principal, id).await?;
    repo::set_usage(&mut tx, id, month, input.units).await?;
    super::record(
        &mut tx,
        actor,
        "asset.usage",
        "asset",
        id.0,
        json!({"usage": {"from": null, "to": {"month": month, "units": input.units}}}),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

fn depreciation_input(a: &Asset, usage: &[(NaiveDate, Decimal)]) -> Option<DepreciationInput> {
    let cost = a.purchase_price?;
    let months = a.useful_life_months?;
    let start = a.purchase_date.unwrap_or_else(|| a.created_at.date_naive());
    let start_month = start.with_day(1).unwrap_or(start);
    let units_by_month = if a.depreciation_method == DepreciationMethod::UnitsOfProduction {
        (0..months)
            .map(|k| {
                let m = start_month
                    .checked_add_months(chrono::Months::new(u32::try_from(k).unwrap_or(0)))
                    .unwrap_or(start_month);
                usage
                    .iter()
                    .find(|(d, _)| *d == m)
                    .map_or(Decimal::ZERO, |(_, u)| *u)
            })
            .collect()
    } else {
        Vec::new()
    };
    Some(DepreciationInput {
        cost,
        salvage_value: a.salvage_value.unwrap_or(Decimal::ZERO).min(cost),
        useful_life_months: u32::try_from(months).ok()?,
        start,
        method: a.depreciation_method,
        total_units: a.lifetime_units,
        units_by_month,
    })
}

pub async fn depreciation(
    ctx: &AppCtx,
    actor: &Actor,
    id: AssetId,
    as_of: Option<NaiveDate>,
) -> Result<Depreciation> {
    let a = get(ctx, actor, id).await?;
    let usage = repo::usage(&ctx.db, id).await?;
    let Some(input) = depreciation_input(&a, &usage) else {
        return Err(Problem::conflict(
            "Set the purchase price and the useful life (months) of this asset to see its depreciation.",
        )
        .into());
    };
    if let Err(errors) = input.check() {
        return Err(Problem::invalid(errors).into());
    }
    let as_of = as_of.unwrap_or_else(|| chrono::Utc::now().date_naive());
    let book_value = depreciation::book_value_at(&input, as_of);
    Ok(Depreciation {
        asset_id: id,
        method: input.method,
        cost: input.cost,
        salvage_value: input.salvage_value,
        useful_life_months: a.useful_life_months.unwrap_or(0),
        start: input.start,
        as_of,
        book_value,
        total_book_value: book_value * Decimal::from(a.total_quantity),
        schedule: depreciation::schedule(&input),
    })
}

/// `reports/valuation`: sum of book values (at `as_of`) by category, amounts in each asset's own currency
/// summed as given (one currency per installation is assumed; the report says which ones it saw).
pub async fn valuation(
    ctx: &AppCtx,
    actor: &Actor,
    as_of: Option<NaiveDate>,
) -> Result<Vec<ValuationRow>> {
    require(&actor.principal, Resource::Reports, Action::Read)?;
    require(&actor.principal, R, Action::Read)?;
    let as_of = as_of.unwrap_or_else(|| chrono::Utc::now().date_naive());
    let assets = repo::valuation_inputs(&ctx.db).await?;
    let mut rows: Vec<ValuationRow> = Vec::new();
    for a in &assets {
        let usage = if a.depreciation_method == DepreciationMethod::UnitsOfProduction {
            repo::usage(&ctx.db, a.id).await?
        } else {
            Vec::new()
        };
        let units = Decimal::from(a.total_quantity);
        let cost = a.purchase_price.unwrap_or_default();
        let book = match depreciation_input(a, &usage).filter(|i| i.check().is_ok()) {
            Some(i) => depreciation::book_value_at(&i, as_of),
            None => cost,
        };
        let top = a.category.split('/').next().unwrap_or("").to_owned();
        let category = if top.is_empty() {
            "Uncategorised".to_owned()
        } else {
            top
        };
        match rows.iter_mut().find(|r| r.category == category) {
            Some(r) => {
                r.asset_count += 1;
                r.units += i64::from(a.total_quantity);
                r.cost += cost * units;
                r.book_value += book * units;
            }
            None => rows.push(ValuationRow {
                category,
                asset_count: 1,
                units: i64::from(a.total_quantity),
                cost: cost * units,
                book_value: book * units,
            }),
        }
    }
    rows.sort_by(|a, b| a.category.cmp(&b.category));
    Ok(rows)
}

pub async fn demands(ctx: &AppCtx, actor: &Actor, project: ProjectId) -> Result<Vec<Demand>> {
    let p = &actor.principal;
    require(p, R, Action::Read)?;
    super::projects::get_in(&mut *ctx.db.acquire().await?, p, project).await?;
    Ok(repo::demands(&ctx.db, Some(project), None).await?)
}

/// Project demand is written by whoever may update the project (managers) or the inventory.
fn require_demand_write(p: &Principal) -> Result<()> {
    if p.can(Resource::Projects, Action::Update) || p.can(R, Action::Update) {
        Ok(())
    } else {
        Err(Problem::forbidden(format!(
            "Your role ({}) may not plan project demand.",
            p.role
        ))
        .into())
    }
}

pub async fn add_demand(
    ctx: &AppCtx,
    actor: &Actor,
    project: ProjectId,
    input: DemandInput,
) -> Result<Demand> {
    let p = &actor.principal;
    let req = input.clean()?;
    let mut tx = ctx.db.begin().await?;
    super::projects::get_in(&mut tx, p, project).await?;
    require_demand_write(p)?;
    if repo::asset(&mut tx, req.asset_id, false).await?.is_none() {
        return Err(Problem::invalid_field("asset_id", "No asset with this id.").into());
    }
    let d = repo::insert_demand(&mut tx, DemandId::new(), project, &req).await?;
    audit(
        &mut tx,
        actor,
        Change {
            entity: "project_demand",
            verb: "create",
            id: d.id.0,
        },
        None,
        Some(&d),
    )
    .await?;
    tx.commit().await?;
    Ok(d)
}

pub async fn delete_demand(
    ctx: &AppCtx,
    actor: &Actor,
    project: ProjectId,
    id: DemandId,
) -> Result<()> {
    let p = &actor.principal;
    let mut tx = ctx.db.begin().await?;
    super::projects::get_in(&mut tx, p, project).await?;
    require_demand_write(p)?;
    let d = repo::delete_demand(&mut tx, project, id)
        .await?
        .ok_or_else(|| Problem::not_found("demand"))?;
    audit(
        &mut tx,
        actor,
        Change {
            entity: "project_demand",
            verb: "delete",
            id: id.0,
        },
        Some(&d),
        None,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Demand planning for one asset: what projects still need (demand minus what they already got) against what
/// is available and on order, walked by date to find when stock runs short.
pub async fn demand_plan(ctx: &AppCtx, actor: &Actor, id: AssetId) -> Result<DemandPlan> {
    let a = get(ctx, actor, id).await?;
    let demands = repo::demands(&ctx.db, None, Some(id)).await?;
    let mut got = repo::allocated_to_projects(&ctx.db, id).await?;
    let mut events = Vec::new();
    let mut required = 0;
    for d in &demands {
        // Units already allocated to the project cover its earliest needs first.
        let covered = got
            .iter_mut()
            .find(|(p, _)| *p == d.project_id)
            .map_or(0, |(_, n)| {
                let c = (*n).min(i64::from(d.quantity));
                *n -= c;
                c
            });
        let open = i64::from(d.quantity) - covered;
        if open > 0 {
            required += open;
            events.push(DemandEvent {
                date: d.needed_by,
                quantity: -open,
                label: d.project_name.clone(),
            });
        }
    }
    let today = chrono::Utc::now().date_naive();
    let mut on_order = 0;
    for (number, expected, qty) in repo::expected_receipts(&ctx.db, id).await? {
        on_order += qty;
        events.push(DemandEvent {
            date: expected.unwrap_or(today).max(today),
            quantity: qty,
            label: format!("PO-{number}"),
        });
    }
    let (shortfall, shortfall_date) =
        project_shortfall(i64::from(a.available_quantity), &mut events);
    Ok(DemandPlan {
        asset_id: id,
        sku: a.sku.as_str().to_owned(),
        name: a.name,
        available_quantity: a.available_quantity,
        required_quantity: required,
        on_order_quantity: on_order,
        shortfall,
        shortfall_date,
        events,
    })
}

/// The demand-planning overview: every asset with open project demand, shortest first.
pub async fn demand_overview(ctx: &AppCtx, actor: &Actor) -> Result<Vec<DemandPlan>> {
    require(&actor.principal, R, Action::Read)?;
    let mut plans = Vec::new();
    for id in repo::assets_with_demand(&ctx.db, 500).await? {
        plans.push(demand_plan(ctx, actor, id).await?);
    }
    plans.sort_by(|a, b| {
        b.shortfall
            .cmp(&a.shortfall)
            .then(a.shortfall_date.cmp(&b.shortfall_date))
    });
    Ok(plans)
}
