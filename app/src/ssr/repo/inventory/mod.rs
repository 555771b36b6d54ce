//! Assets, the stock ledger, serial units, allocations, maintenance, demand and usage. Stock changes are
//! conditional `UPDATE`s of the asset row (`… WHERE available_quantity >= $n`), so concurrent allocations
//! serialise on the row lock and can never oversell; the table's CHECK is the last line of defence.

use super::sort::Column;
use domain::asset::{
    Allocation, AllocationTarget, Asset, AssetInput, AssetKind, AssetSortKey, AssetStatus,
    AssetUnit, Demand, DemandRequest, Maintenance, MaintenanceInput, MovementKind, Sku,
    StockDiscrepancy, StockLevel, StockMovement, Tracking, UnitStatus, maintenance_status,
};
use domain::depreciation::DepreciationMethod;
use domain::page::{SortDir, SortType};
use domain::{
    AllocationId, AssetId, AssetUnitId, CustomerId, DemandId, MaintenanceId, MovementId, ProjectId,
    PurchaseOrderLineId, UserId, VendorId,
};
use rust_decimal::Decimal;
use sqlx::{PgConnection, PgPool, Postgres, QueryBuilder};
use uuid::Uuid;

type Time = chrono::DateTime<chrono::Utc>;
type Date = chrono::NaiveDate;

#[derive(sqlx::FromRow)]
struct AssetRow {
    id: Uuid,
    sku: String,
    name: String,
    kind: String,
    category: String,
    tracking: String,
    vendor_id: Option<Uuid>,
    vendor_name: Option<String>,
    total_quantity: i32,
    available_quantity: i32,
    reorder_point: i32,
    reorder_quantity: i32,
    purchase_price: Option<Decimal>,
    currency: String,
    purchase_date: Option<Date>,
    depreciation_method: String,
    useful_life_months: Option<i32>,
    salvage_value: Option<Decimal>,
    lifetime_units: Option<Decimal>,
    status: String,
    location: String,
    license_expires_on: Option<Date>,
    notes: String,
    version: i32,
    created_at: Time,
    updated_at: Time,
}

impl From<AssetRow> for Asset {
    fn from(r: AssetRow) -> Self {
        Asset {
            id: AssetId(r.id),
            sku: Sku::stored(r.sku),
            name: r.name,
            kind: AssetKind::parse(&r.kind).unwrap_or_default(),
            category: r.category,
            tracking: Tracking::parse(&r.tracking).unwrap_or_default(),
            vendor_id: r.vendor_id.map(VendorId),
            vendor_name: r.vendor_name,
            total_quantity: r.total_quantity,
            available_quantity: r.available_quantity,
            allocated_quantity: r.total_quantity - r.available_quantity,
            reorder_point: r.reorder_point,
            reorder_quantity: r.reorder_quantity,
            below_reorder_point: domain::asset::below_reorder_point(
                r.available_quantity,
                r.reorder_point,
            ),
            purchase_price: r.purchase_price,
            currency: r.currency,
            purchase_date: r.purchase_date,
            depreciation_method: DepreciationMethod::parse(&r.depreciation_method)
                .unwrap_or_default(),
            useful_life_months: r.useful_life_months,
            salvage_value: r.salvage_value,
            lifetime_units: r.lifetime_units,
            status: AssetStatus::parse(&r.status).unwrap_or_default(),
            location: r.location,
            license_expires_on: r.license_expires_on,
            notes: r.notes,
            version: r.version,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

const ASSET_SELECT: &str = "SELECT a.id, a.sku, a.name, a.kind, a.category, a.tracking, a.vendor_id,
        v.name AS vendor_name, a.total_quantity, a.available_quantity, a.reorder_point, a.reorder_quantity,
        a.purchase_price, a.currency::text AS currency, a.purchase_date, a.depreciation_method,
        a.useful_life_months, a.salvage_value, a.lifetime_units, a.status, a.location, a.license_expires_on,
        a.notes, a.version, a.created_at, a.updated_at
    FROM assets a LEFT JOIN vendors v ON v.id = a.vendor_id";

pub async fn asset(
    conn: &mut PgConnection,
    id: AssetId,
    lock: bool,
) -> Result<Option<Asset>, sqlx::Error> {
    let sql = format!(
        "{ASSET_SELECT} WHERE a.id = $1{}",
        if lock { " FOR UPDATE OF a" } else { "" }
    );
    let row = sqlx::query_as::<_, AssetRow>(&sql)
        .bind(id.0)
        .fetch_optional(conn)
        .await?;
    Ok(row.map(Into::into))
}

pub async fn insert_asset(
    conn: &mut PgConnection,
    id: AssetId,
    a: &AssetInput,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO assets (id, sku, name, kind, category, tracking, vendor_id, reorder_point, reorder_quantity,
                purchase_price, currency, purchase_date, depreciation_method, useful_life_months, salvage_value,
                lifetime_units, status, location, license_expires_on, notes)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)",
    )
    .bind(id.0)
    .bind(&a.sku)
    .bind(&a.name)
    .bind(a.kind.as_str())
    .bind(&a.category)
    .bind(a.tracking.unwrap_or_default().as_str())
    .bind(a.vendor_id.map(|v| v.0))
    .bind(a.reorder_point)
    .bind(a.reorder_quantity)
    .bind(a.purchase_price)
    .bind(&a.currency)
    .bind(a.purchase_date)
    .bind(a.depreciation_method.as_str())
    .bind(a.useful_life_months)
    .bind(a.salvage_value)
    .bind(a.lifetime_units)
    .bind(a.status.as_str())
    .bind(&a.location)
    .bind(a.license_expires_on)
    .bind(&a.notes)
    .execute(conn)
    .await?;
    Ok(())
}

/// Updates the catalog fields (quantities change only through movements).
pub async fn update_asset(
    conn: &mut PgConnection,
    id: AssetId,
    a: &AssetInput,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE assets SET sku = $2, name = $3, kind = $4, category = $5, tracking = $6, vendor_id = $7,
                reorder_point = $8, reorder_quantity = $9, purchase_price = $10, currency = $11, purchase_date = $12,
                depreciation_method = $13, useful_life_months = $14, salvage_value = $15, lifetime_units = $16,
                status = $17, location = $18, license_expires_on = $19, notes = $20, version = version + 1,
                updated_at = now()
         WHERE id = $1",
    )
    .bind(id.0)
    .bind(&a.sku)
    .bind(&a.name)
    .bind(a.kind.as_str())
    .bind(&a.category)
    .bind(a.tracking.unwrap_or_default().as_str())
    .bind(a.vendor_id.map(|v| v.0))
    .bind(a.reorder_point)
    .bind(a.reorder_quantity)
    .bind(a.purchase_price)
    .bind(&a.currency)
    .bind(a.purchase_date)
    .bind(a.depreciation_method.as_str())
    .bind(a.useful_life_months)
    .bind(a.salvage_value)
    .bind(a.lifetime_units)
    .bind(a.status.as_str())
    .bind(&a.location)
    .bind(a.license_expires_on)
    .bind(&a.notes)
    .execute(conn)
    .await?;
    Ok(())
}

/// Deletes an asset that never had stock movements (its ledger is permanent): `false` when it has some.
pub async fn delete_asset(conn: &mut PgConnection, id: AssetId) -> Result<bool, sqlx::Error> {
    let r = sqlx::query(
        "DELETE FROM assets WHERE id = $1
           AND NOT EXISTS (SELECT 1 FROM stock_movements m WHERE m.asset_id = $1)
           AND NOT EXISTS (SELECT 1 FROM purchase_order_lines l WHERE l.asset_id = $1)",
    )
    .bind(id.0)
    .execute(conn)
    .await?;
    Ok(r.rows_affected() == 1)
}

pub struct AssetListParams {
    pub fields: domain::query::FieldFilters,
    pub tsquery: Option<String>,
    pub sku_prefix: Option<String>,
    pub kind: Option<AssetKind>,
    pub status: Option<AssetStatus>,
    pub category: Option<String>,
    pub vendor_id: Option<VendorId>,
    pub tracking: Option<Tracking>,
    pub below_reorder_point: bool,
    pub sort: AssetSortKey,
    pub dir: SortDir,
    pub after: Option<domain::page::Cursor>,
    pub limit: i64,
}

/// The smallest ASCII string above every string that starts with `prefix` (`BENCH-0004` → `BENCH-0005`).
fn prefix_upper_bound(prefix: &str) -> Option<String> {
    let mut bytes = prefix.as_bytes().to_vec();
    let last = bytes.pop()?;
    (last < 0x7f && prefix.is_ascii()).then(|| {
        bytes.push(last + 1);
        String::from_utf8_lossy(&bytes).into_owned()
    })
}

fn asset_column(key: AssetSortKey) -> Column {
    use AssetSortKey as K;
    let int = |expr| Column::new(expr, SortType::Int);
    match key {
        K::Sku => Column::text("a.sku"),
        K::Name => Column::text("a.name"),
        K::Kind => Column::text("a.kind"),
        K::Category => Column::text("a.category"),
        K::Tracking => Column::text("a.tracking"),
        K::VendorId => Column::nullable("a.vendor_id", SortType::Uuid),
        K::VendorName => Column::nullable("v.name", SortType::Text),
        K::TotalQuantity => int("a.total_quantity"),
        K::AvailableQuantity => int("a.available_quantity"),
        K::AllocatedQuantity => int("(a.total_quantity - a.available_quantity)"),
        K::ReorderPoint => int("a.reorder_point"),
        K::ReorderQuantity => int("a.reorder_quantity"),
        K::PurchasePrice => Column::nullable("a.purchase_price", SortType::Decimal),
        K::Currency => Column::text("a.currency::text"),
        K::PurchaseDate => Column::nullable("a.purchase_date", SortType::Date),
        K::DepreciationMethod => Column::text("a.depreciation_method"),
        K::UsefulLifeMonths => Column::nullable("a.useful_life_months", SortType::Int),
        K::SalvageValue => Column::nullable("a.salvage_value", SortType::Decimal),
        K::Status => Column::text("a.status"),
        K::Location => Column::text("a.location"),
        K::LicenseExpiresOn => Column::nullable("a.license_expires_on", SortType::Date),
        K::CreatedAt => Column::time("a.created_at"),
        K::UpdatedAt => Column::time("a.updated_at"),
    }
}

/// A keyset page of assets.
pub async fn list_assets(
    db: &PgPool,
    p: AssetListParams,
) -> Result<Vec<Asset>, crate::ssr::ServiceError> {
    let mut qb = QueryBuilder::<Postgres>::new(ASSET_SELECT);
    qb.push(" WHERE true");
    super::push_field_filters(
        &mut qb,
        &p.fields,
        &[
            ("sku", "a.sku"),
            ("name", "a.name"),
            ("reorder_point", "a.reorder_point"),
            ("purchase_date", "a.purchase_date"),
            ("depreciation_method", "a.depreciation_method"),
            ("useful_life_months", "a.useful_life_months"),
        ],
    );
    if let Some(t) = p.tsquery {
        qb.push(" AND a.search @@ to_tsquery('simple', ")
            .push_bind(t)
            .push(")");
    }
    // A SKU prefix as a range of the SKU index (`assets_sku_key`, which also gives the default order): SKUs are
    // ASCII, so the prefix with its last character incremented bounds it. The LIKE states the intent.
    if let Some(prefix) = p.sku_prefix {
        qb.push(" AND a.sku LIKE ")
            .push_bind(format!("{}%", super::like_escape(&prefix)));
        if let Some(upper) = prefix_upper_bound(&prefix) {
            qb.push(" AND a.sku >= ")
                .push_bind(prefix.clone())
                .push(" AND a.sku < ")
                .push_bind(upper);
        }
    }
    if let Some(k) = p.kind {
        qb.push(" AND a.kind = ").push_bind(k.as_str());
    }
    if let Some(s) = p.status {
        qb.push(" AND a.status = ").push_bind(s.as_str());
    }
    if let Some(t) = p.tracking {
        qb.push(" AND a.tracking = ").push_bind(t.as_str());
    }
    if let Some(v) = p.vendor_id {
        qb.push(" AND a.vendor_id = ").push_bind(v.0);
    }
    if let Some(c) = p.category {
        qb.push(" AND (a.category = ")
            .push_bind(c.clone())
            .push(" OR a.category LIKE ")
            .push_bind(format!("{}/%", super::like_escape(&c)))
            .push(")");
    }
    if p.below_reorder_point {
        qb.push(" AND a.reorder_point > 0 AND a.available_quantity <= a.reorder_point");
    }
    let col = asset_column(p.sort);
    let desc = p.dir == SortDir::Desc;
    if let Some(c) = &p.after {
        col.push_after(&mut qb, "a.id", desc, c)?;
    }
    col.push_order(&mut qb, "a.id", desc);
    super::limit(&mut qb, p.limit + 1);
    let rows = qb.build_query_as::<AssetRow>().fetch_all(db).await?;
    Ok(rows.into_iter().map(Into::into).collect())
}

/// Units on open purchase orders not yet received, per asset.
pub async fn on_order(db: &PgPool, assets: &[AssetId]) -> Result<Vec<(AssetId, i64)>, sqlx::Error> {
    let ids: Vec<Uuid> = assets.iter().map(|a| a.0).collect();
    let rows: Vec<(Uuid, i64)> = sqlx::query_as(
        "SELECT l.asset_id, sum(l.quantity - l.received_quantity)::bigint
         FROM purchase_order_lines l JOIN purchase_orders o ON o.id = l.purchase_order_id
         WHERE l.asset_id = ANY($1) AND o.status IN ('ordered', 'partially_received')
         GROUP BY l.asset_id",
    )
    .bind(&ids)
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().map(|(a, n)| (AssetId(a), n)).collect())
}

mod maintenance;
mod planning;
mod stock;
pub use maintenance::*;
pub use planning::*;
pub use stock::*;

#[cfg(test)]
mod tests {
    #[test]
    fn prefix_bounds() {
        assert_eq!(
            super::prefix_upper_bound("BENCH-0004").as_deref(),
            Some("BENCH-0005")
        );
        assert_eq!(super::prefix_upper_bound("LAP-").as_deref(), Some("LAP."));
        assert_eq!(super::prefix_upper_bound(""), None);
    }
}
