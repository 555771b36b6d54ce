//! Vendors and what they charge per asset. Everyone with inventory read access reads them; the inventory role
//! (and admins) write them.

use super::records::{audit_create, audit_delete, audit_update};
use super::{check_version, require};
use crate::ssr::repo::purchasing as repo;
use crate::ssr::{Actor, AppCtx, Result, ServiceError};
use domain::vendor::{Vendor, VendorAsset, VendorAssetInput, VendorInput, VendorQuery};
use domain::{Action, AssetId, Page, Principal, Problem, Resource, VendorId};
use sqlx::PgConnection;

const R: Resource = Resource::Vendors;

pub type JsonPatch = serde_json::Map<String, serde_json::Value>;

fn not_found() -> ServiceError {
    Problem::not_found("vendor").into()
}

pub async fn list(ctx: &AppCtx, actor: &Actor, query: VendorQuery) -> Result<Page<Vendor>> {
    require(&actor.principal, R, Action::Read)?;
    let f = query.parse()?;
    let rows = repo::list_vendors(
        &ctx.db,
        &f.fields,
        f.q.as_deref().and_then(domain::search::prefix_tsquery),
        (f.order.sort.field, f.order.sort.dir),
        f.order.cursor.as_ref(),
        f.limit,
    )
    .await?;
    let (key, text) = (f.order.sort.field, f.order.sort_text.clone());
    Ok(Page::from_rows(rows, f.limit, |v: &Vendor| {
        key.cursor(&text, v, v.id.0)
    }))
}

pub async fn get(ctx: &AppCtx, actor: &Actor, id: VendorId) -> Result<Vendor> {
    require(&actor.principal, R, Action::Read)?;
    let mut conn = ctx.db.acquire().await?;
    repo::vendor(&mut conn, id, false)
        .await?
        .ok_or_else(not_found)
}

async fn locked(
    conn: &mut PgConnection,
    p: &Principal,
    id: VendorId,
    action: Action,
) -> Result<Vendor> {
    require(p, R, Action::Read)?;
    let v = repo::vendor(conn, id, true).await?.ok_or_else(not_found)?;
    require(p, R, action)?;
    Ok(v)
}

async fn reload(conn: &mut PgConnection, id: VendorId) -> Result<Vendor> {
    repo::vendor(conn, id, false)
        .await?
        .ok_or_else(|| ServiceError::internal("written vendor vanished"))
}

fn name_taken(e: sqlx::Error, prefix: &str) -> ServiceError {
    match &e {
        sqlx::Error::Database(db) if db.constraint() == Some("vendors_name_key") => {
            ServiceError::Problem(Problem::duplicate(
                &format!("{prefix}name"),
                "A vendor with this name already exists.",
            ))
        }
        _ => e.into(),
    }
}

async fn insert_one(
    conn: &mut PgConnection,
    actor: &Actor,
    input: VendorInput,
    prefix: &str,
) -> Result<Vendor> {
    let id = VendorId::new();
    repo::insert_vendor(conn, id, &input)
        .await
        .map_err(|e| name_taken(e, prefix))?;
    let created = reload(conn, id).await?;
    audit_create(conn, actor, &created).await?;
    Ok(created)
}

pub async fn create(ctx: &AppCtx, actor: &Actor, input: VendorInput) -> Result<Vendor> {
    super::records::create(ctx, actor, input).await
}

/// All or nothing: every item is validated first (errors named `items[i].field`), then inserted in one
/// transaction.
pub async fn bulk_create(
    ctx: &AppCtx,
    actor: &Actor,
    items: Vec<VendorInput>,
) -> Result<Vec<Vendor>> {
    super::records::bulk_create(ctx, actor, items).await
}

super::records::impl_creatable!(Vendor, VendorInput, R, insert => insert_one);

/// `PATCH /vendors/{id}`: a JSON merge patch.
pub async fn update(
    ctx: &AppCtx,
    actor: &Actor,
    id: VendorId,
    if_match: Option<i32>,
    patch: JsonPatch,
) -> Result<Vendor> {
    let mut tx = ctx.db.begin().await?;
    let current = locked(&mut tx, &actor.principal, id, Action::Update).await?;
    check_version(if_match, current.version)?;
    let merged = domain::patch::merge(&VendorInput::from(&current), &patch)?.clean()?;
    repo::update_vendor(&mut tx, id, &merged)
        .await
        .map_err(|e| name_taken(e, ""))?;
    let updated = reload(&mut tx, id).await?;
    audit_update(&mut tx, actor, &current, &updated).await?;
    tx.commit().await?;
    Ok(updated)
}

/// A vendor with purchase orders is kept (409); its assets lose the vendor link.
pub async fn delete(
    ctx: &AppCtx,
    actor: &Actor,
    id: VendorId,
    if_match: Option<i32>,
) -> Result<()> {
    let mut tx = ctx.db.begin().await?;
    let current = locked(&mut tx, &actor.principal, id, Action::Delete).await?;
    check_version(if_match, current.version)?;
    repo::delete_vendor(&mut tx, id)
        .await
        .map_err(|e| match &e {
            sqlx::Error::Database(db) if db.code().as_deref() == Some("23503") => {
                ServiceError::Problem(Problem::conflict(
                    "This vendor has purchase orders, which are kept: it cannot be deleted.",
                ))
            }
            _ => e.into(),
        })?;
    audit_delete(&mut tx, actor, &current).await?;
    tx.commit().await?;
    Ok(())
}

/// The assets a vendor supplies at its prices.
pub async fn assets(ctx: &AppCtx, actor: &Actor, id: VendorId) -> Result<Vec<VendorAsset>> {
    get(ctx, actor, id).await?;
    Ok(repo::vendor_assets(&ctx.db, Some(id), None).await?)
}

/// The vendors of an asset with their prices.
pub async fn of_asset(ctx: &AppCtx, actor: &Actor, asset: AssetId) -> Result<Vec<VendorAsset>> {
    super::assets::get(ctx, actor, asset).await?;
    Ok(repo::vendor_assets(&ctx.db, None, Some(asset)).await?)
}

/// `PUT /vendors/{id}/assets/{asset_id}`: sets the vendor's price for an asset.
pub async fn set_price(
    ctx: &AppCtx,
    actor: &Actor,
    id: VendorId,
    asset: AssetId,
    input: VendorAssetInput,
) -> Result<VendorAsset> {
    let input = input.clean()?;
    let mut tx = ctx.db.begin().await?;
    locked(&mut tx, &actor.principal, id, Action::Update).await?;
    if crate::ssr::repo::inventory::asset(&mut tx, asset, false)
        .await?
        .is_none()
    {
        return Err(Problem::not_found("asset").into());
    }
    repo::upsert_vendor_asset(&mut tx, id, asset, &input).await?;
    super::record(
        &mut tx,
        actor,
        "vendor.price",
        "vendor",
        id.0,
        serde_json::json!({"price": {"from": null, "to": {"asset_id": asset, "unit_price": input.unit_price,
            "currency": input.currency}}}),
    )
    .await?;
    tx.commit().await?;
    repo::vendor_assets(&ctx.db, Some(id), Some(asset))
        .await?
        .pop()
        .ok_or_else(|| ServiceError::internal("written price vanished"))
}

pub async fn remove_price(ctx: &AppCtx, actor: &Actor, id: VendorId, asset: AssetId) -> Result<()> {
    let mut tx = ctx.db.begin().await?;
    locked(&mut tx, &actor.principal, id, Action::Update).await?;
    if !repo::delete_vendor_asset(&mut tx, id, asset).await? {
        return Err(Problem::not_found("vendor price").into());
    }
    super::record(
        &mut tx,
        actor,
        "vendor.price_removed",
        "vendor",
        id.0,
        serde_json::json!({"price": {"from": {"asset_id": asset}, "to": null}}),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
