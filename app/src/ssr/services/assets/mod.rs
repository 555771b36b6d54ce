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

mod demand;
mod maintenance;
mod stock;
mod valuation;
pub use demand::*;
pub use maintenance::*;
pub use stock::*;
pub use valuation::*;
