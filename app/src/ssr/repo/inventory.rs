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

/// Applies a movement to the asset's quantities — only if the result keeps `0 <= available <= total` — and
/// appends it to the ledger. `false` (nothing written) when the stock does not allow it.
pub async fn move_stock(conn: &mut PgConnection, m: &NewMovement<'_>) -> Result<bool, sqlx::Error> {
    let updated = sqlx::query(
        "UPDATE assets SET total_quantity = total_quantity + $2, available_quantity = available_quantity + $3,
                updated_at = now()
         WHERE id = $1 AND available_quantity + $3 >= 0
           AND available_quantity + $3 <= total_quantity + $2",
    )
    .bind(m.asset_id.0)
    .bind(m.total_delta)
    .bind(m.available_delta)
    .execute(&mut *conn)
    .await?;
    if updated.rows_affected() != 1 {
        return Ok(false);
    }
    sqlx::query(
        "INSERT INTO stock_movements (id, asset_id, kind, total_delta, available_delta, reason, allocation_id,
                po_line_id, serials, actor_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(MovementId::new().0)
    .bind(m.asset_id.0)
    .bind(m.kind.as_str())
    .bind(m.total_delta)
    .bind(m.available_delta)
    .bind(m.reason)
    .bind(m.allocation_id.map(|a| a.0))
    .bind(m.po_line_id.map(|l| l.0))
    .bind(m.serials)
    .bind(m.actor_id.map(|u| u.0))
    .execute(conn)
    .await?;
    Ok(true)
}

pub struct NewMovement<'a> {
    pub asset_id: AssetId,
    pub kind: MovementKind,
    pub total_delta: i32,
    pub available_delta: i32,
    pub reason: &'a str,
    pub allocation_id: Option<AllocationId>,
    pub po_line_id: Option<PurchaseOrderLineId>,
    pub serials: &'a [String],
    pub actor_id: Option<UserId>,
}

impl<'a> NewMovement<'a> {
    /// A movement of `(total, available)` by `actor`, tied to nothing else (set `allocation_id`, `po_line_id`
    /// and `serials` with struct update syntax).
    pub fn new(
        asset_id: AssetId,
        kind: MovementKind,
        (total_delta, available_delta): (i32, i32),
        reason: &'a str,
        actor: UserId,
    ) -> Self {
        Self {
            asset_id,
            kind,
            total_delta,
            available_delta,
            reason,
            allocation_id: None,
            po_line_id: None,
            serials: &[],
            actor_id: Some(actor),
        }
    }
}

#[derive(sqlx::FromRow)]
struct MovementRow {
    id: Uuid,
    asset_id: Uuid,
    kind: String,
    total_delta: i32,
    available_delta: i32,
    reason: String,
    allocation_id: Option<Uuid>,
    po_line_id: Option<Uuid>,
    serials: Vec<String>,
    actor_id: Option<Uuid>,
    actor_name: Option<String>,
    at: Time,
}

/// The ledger of an asset, newest first, keyset paged by (at, id).
pub async fn movements(
    db: &PgPool,
    asset: AssetId,
    after: Option<(Time, Uuid)>,
    limit: i64,
) -> Result<Vec<StockMovement>, sqlx::Error> {
    let rows = sqlx::query_as::<_, MovementRow>(
        "SELECT m.id, m.asset_id, m.kind, m.total_delta, m.available_delta, m.reason, m.allocation_id,
                m.po_line_id, m.serials, m.actor_id, u.name AS actor_name, m.at
         FROM stock_movements m LEFT JOIN users u ON u.id = m.actor_id
         WHERE m.asset_id = $1 AND ($2::timestamptz IS NULL OR (m.at, m.id) < ($2, $3))
         ORDER BY m.at DESC, m.id DESC LIMIT $4",
    )
    .bind(asset.0)
    .bind(after.map(|a| a.0))
    .bind(after.map(|a| a.1))
    .bind(limit + 1)
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| StockMovement {
            id: MovementId(r.id),
            asset_id: AssetId(r.asset_id),
            kind: MovementKind::parse(&r.kind).unwrap_or_default(),
            total_delta: r.total_delta,
            available_delta: r.available_delta,
            reason: r.reason,
            allocation_id: r.allocation_id.map(AllocationId),
            purchase_order_line_id: r.po_line_id.map(PurchaseOrderLineId),
            serials: r.serials,
            actor_id: r.actor_id.map(UserId),
            actor_name: r.actor_name,
            at: r.at,
        })
        .collect())
}

pub async fn insert_allocation(
    conn: &mut PgConnection,
    id: AllocationId,
    asset: AssetId,
    quantity: i32,
    target: AllocationTarget,
    note: &str,
    by: UserId,
) -> Result<(), sqlx::Error> {
    let (project, customer, user) = match target {
        AllocationTarget::Project(p) => (Some(p.0), None, None),
        AllocationTarget::Customer(c) => (None, Some(c.0), None),
        AllocationTarget::User(u) => (None, None, Some(u.0)),
    };
    sqlx::query(
        "INSERT INTO allocations (id, asset_id, quantity, project_id, customer_id, user_id, note, allocated_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(id.0)
    .bind(asset.0)
    .bind(quantity)
    .bind(project)
    .bind(customer)
    .bind(user)
    .bind(note)
    .bind(by.0)
    .execute(conn)
    .await?;
    Ok(())
}

/// Counts `quantity` more units of an allocation as returned (closing it when nothing is left); `false` when
/// fewer are outstanding.
pub async fn return_to_allocation(
    conn: &mut PgConnection,
    id: AllocationId,
    quantity: i32,
) -> Result<bool, sqlx::Error> {
    let r = sqlx::query(
        "UPDATE allocations SET returned_quantity = returned_quantity + $2,
                closed_at = CASE WHEN returned_quantity + $2 = quantity THEN now() END
         WHERE id = $1 AND returned_quantity + $2 <= quantity",
    )
    .bind(id.0)
    .bind(quantity)
    .execute(conn)
    .await?;
    Ok(r.rows_affected() == 1)
}

#[derive(sqlx::FromRow)]
struct AllocationRow {
    id: Uuid,
    asset_id: Uuid,
    sku: String,
    asset_name: String,
    quantity: i32,
    returned_quantity: i32,
    project_id: Option<Uuid>,
    project_name: Option<String>,
    customer_id: Option<Uuid>,
    customer_name: Option<String>,
    customer_owner: Option<Uuid>,
    customer_team: Option<String>,
    user_id: Option<Uuid>,
    user_name: Option<String>,
    note: String,
    serials: Vec<String>,
    allocated_by: Option<Uuid>,
    allocated_at: Time,
    closed_at: Option<Time>,
}

impl From<AllocationRow> for Allocation {
    fn from(r: AllocationRow) -> Self {
        Allocation {
            id: AllocationId(r.id),
            asset_id: AssetId(r.asset_id),
            sku: r.sku,
            asset_name: r.asset_name,
            quantity: r.quantity,
            returned_quantity: r.returned_quantity,
            outstanding_quantity: r.quantity - r.returned_quantity,
            project_id: r.project_id.map(ProjectId),
            project_name: r.project_name,
            customer_id: r.customer_id.map(CustomerId),
            customer_name: r.customer_name,
            user_id: r.user_id.map(UserId),
            user_name: r.user_name,
            note: r.note,
            serials: r.serials,
            allocated_by: r.allocated_by.map(UserId),
            allocated_at: r.allocated_at,
            closed_at: r.closed_at,
        }
    }
}

const ALLOCATION_SELECT: &str = "SELECT al.id, al.asset_id, a.sku, a.name AS asset_name, al.quantity,
        al.returned_quantity, al.project_id, p.name AS project_name, coalesce(al.customer_id, p.customer_id) AS customer_id,
        c.name AS customer_name, c.owner_id AS customer_owner, co.team AS customer_team,
        al.user_id, u.name AS user_name, al.note,
        array(SELECT s.serial FROM asset_units s WHERE s.allocation_id = al.id ORDER BY s.serial) AS serials,
        al.allocated_by, al.allocated_at, al.closed_at
    FROM allocations al JOIN assets a ON a.id = al.asset_id
    LEFT JOIN projects p ON p.id = al.project_id
    LEFT JOIN customers c ON c.id = coalesce(al.customer_id, p.customer_id)
    LEFT JOIN users co ON co.id = c.owner_id
    LEFT JOIN users u ON u.id = al.user_id";

pub async fn allocation(
    conn: &mut PgConnection,
    id: AllocationId,
) -> Result<Option<ScopedAllocation>, sqlx::Error> {
    let sql = format!("{ALLOCATION_SELECT} WHERE al.id = $1");
    let row = sqlx::query_as::<_, AllocationRow>(&sql)
        .bind(id.0)
        .fetch_optional(conn)
        .await?;
    Ok(row.map(Into::into))
}

/// Whose allocations to list.
#[derive(Clone, Copy, Debug)]
pub enum AllocationsOf {
    Asset(AssetId),
    Project(ProjectId),
    Customer(CustomerId),
    User(UserId),
}

/// An allocation with the owner (and the owner's team) of the customer it went to, directly or through its
/// project, which decide who may read where it went.
pub struct ScopedAllocation {
    pub allocation: Allocation,
    pub customer_owner: Option<UserId>,
    pub customer_team: Option<String>,
}

impl From<AllocationRow> for ScopedAllocation {
    fn from(r: AllocationRow) -> Self {
        ScopedAllocation {
            customer_owner: r.customer_owner.map(UserId),
            customer_team: r.customer_team.clone(),
            allocation: r.into(),
        }
    }
}

/// Allocations, newest first (at most `limit`), optionally only those still outstanding.
pub async fn allocations(
    db: &PgPool,
    of: AllocationsOf,
    open_only: bool,
    limit: i64,
) -> Result<Vec<ScopedAllocation>, sqlx::Error> {
    let (cond, id) = match of {
        AllocationsOf::Asset(a) => ("al.asset_id = $1", a.0),
        AllocationsOf::Project(p) => ("al.project_id = $1", p.0),
        AllocationsOf::Customer(c) => ("coalesce(al.customer_id, p.customer_id) = $1", c.0),
        AllocationsOf::User(u) => ("al.user_id = $1", u.0),
    };
    let sql = format!(
        "{ALLOCATION_SELECT} WHERE {cond}{} ORDER BY al.allocated_at DESC, al.id DESC LIMIT $2",
        if open_only {
            " AND al.closed_at IS NULL"
        } else {
            ""
        }
    );
    let rows = sqlx::query_as::<_, AllocationRow>(&sql)
        .bind(id)
        .bind(limit)
        .fetch_all(db)
        .await?;
    Ok(rows.into_iter().map(Into::into).collect())
}

/// Adds received (or counted) units with their serial numbers.
pub async fn insert_units(
    conn: &mut PgConnection,
    asset: AssetId,
    serials: &[String],
    po_line: Option<PurchaseOrderLineId>,
) -> Result<(), sqlx::Error> {
    let ids: Vec<Uuid> = serials.iter().map(|_| AssetUnitId::new().0).collect();
    sqlx::query(
        "INSERT INTO asset_units (id, asset_id, serial, po_line_id)
         SELECT id, $2, serial, $4 FROM unnest($1::uuid[], $3::text[]) AS t (id, serial)",
    )
    .bind(&ids)
    .bind(asset.0)
    .bind(serials)
    .bind(po_line.map(|l| l.0))
    .execute(conn)
    .await?;
    Ok(())
}

/// Hands `quantity` in-stock units to an allocation: the listed ones, or the first by serial. Returns their
/// serial numbers; fewer than asked when they are not in stock.
pub async fn allocate_units(
    conn: &mut PgConnection,
    asset: AssetId,
    allocation: AllocationId,
    quantity: i32,
    unit_ids: &[AssetUnitId],
) -> Result<Vec<String>, sqlx::Error> {
    let ids: Vec<Uuid> = unit_ids.iter().map(|u| u.0).collect();
    sqlx::query_scalar(
        "UPDATE asset_units SET status = 'allocated', allocation_id = $2
         WHERE id IN (SELECT id FROM asset_units
                      WHERE asset_id = $1 AND status = 'in_stock' AND (cardinality($4::uuid[]) = 0 OR id = ANY($4))
                      ORDER BY serial LIMIT $3 FOR UPDATE)
         RETURNING serial",
    )
    .bind(asset.0)
    .bind(allocation.0)
    .bind(i64::from(quantity))
    .bind(&ids)
    .fetch_all(conn)
    .await
}

/// Takes `quantity` units back from an allocation (listed ones or the first by serial) into stock or out of it
/// (`written_off`); returns their serials.
pub async fn return_units(
    conn: &mut PgConnection,
    allocation: AllocationId,
    quantity: i32,
    unit_ids: &[AssetUnitId],
    status: UnitStatus,
) -> Result<Vec<String>, sqlx::Error> {
    let ids: Vec<Uuid> = unit_ids.iter().map(|u| u.0).collect();
    sqlx::query_scalar(
        "UPDATE asset_units SET status = $4, allocation_id = NULL
         WHERE id IN (SELECT id FROM asset_units
                      WHERE allocation_id = $1 AND (cardinality($3::uuid[]) = 0 OR id = ANY($3))
                      ORDER BY serial LIMIT $2 FOR UPDATE)
         RETURNING serial",
    )
    .bind(allocation.0)
    .bind(i64::from(quantity))
    .bind(&ids)
    .bind(status.as_str())
    .fetch_all(conn)
    .await
}

/// Writes off in-stock units by serial; returns those found.
pub async fn write_off_units(
    conn: &mut PgConnection,
    asset: AssetId,
    serials: &[String],
) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar(
        "UPDATE asset_units SET status = 'written_off'
         WHERE asset_id = $1 AND status = 'in_stock' AND serial = ANY($2) RETURNING serial",
    )
    .bind(asset.0)
    .bind(serials)
    .fetch_all(conn)
    .await
}

#[derive(sqlx::FromRow)]
struct UnitRow {
    id: Uuid,
    asset_id: Uuid,
    serial: String,
    status: String,
    allocation_id: Option<Uuid>,
    received_at: Time,
}

pub async fn units(db: &PgPool, asset: AssetId, limit: i64) -> Result<Vec<AssetUnit>, sqlx::Error> {
    let rows = sqlx::query_as::<_, UnitRow>(
        "SELECT id, asset_id, serial, status, allocation_id, received_at FROM asset_units
         WHERE asset_id = $1 ORDER BY serial LIMIT $2",
    )
    .bind(asset.0)
    .bind(limit)
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| AssetUnit {
            id: AssetUnitId(r.id),
            asset_id: AssetId(r.asset_id),
            serial: r.serial,
            status: UnitStatus::parse(&r.status).unwrap_or_default(),
            allocation_id: r.allocation_id.map(AllocationId),
            received_at: r.received_at,
        })
        .collect())
}

/// Assets whose stored quantities differ from their ledger (or whose allocated stock differs from the open
/// allocations). Reads only; never changes anything.
pub async fn discrepancies(db: &PgPool) -> Result<Vec<StockDiscrepancy>, sqlx::Error> {
    let rows: Vec<(Uuid, String, i32, i64, i32, i64, i64)> = sqlx::query_as(
        "SELECT a.id, a.sku, a.total_quantity, coalesce(m.total, 0), a.available_quantity, coalesce(m.available, 0),
                coalesce(o.open, 0)
         FROM assets a
         LEFT JOIN (SELECT asset_id, sum(total_delta)::bigint AS total, sum(available_delta)::bigint AS available
                    FROM stock_movements GROUP BY asset_id) m ON m.asset_id = a.id
         LEFT JOIN (SELECT asset_id, sum(quantity - returned_quantity)::bigint AS open
                    FROM allocations WHERE closed_at IS NULL GROUP BY asset_id) o ON o.asset_id = a.id
         WHERE a.total_quantity <> coalesce(m.total, 0) OR a.available_quantity <> coalesce(m.available, 0)
            OR coalesce(m.total, 0) - coalesce(m.available, 0) <> coalesce(o.open, 0)
         ORDER BY a.sku",
    )
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| StockDiscrepancy {
            asset_id: AssetId(r.0),
            sku: r.1,
            stored_total: r.2,
            ledger_total: r.3,
            stored_available: r.4,
            ledger_available: r.5,
            open_allocations: r.6,
        })
        .collect())
}

/// Stock-levels rows for a page of assets (with what is on order).
pub async fn stock_levels(db: &PgPool, assets: &[Asset]) -> Result<Vec<StockLevel>, sqlx::Error> {
    let ids: Vec<AssetId> = assets.iter().map(|a| a.id).collect();
    let ordered = on_order(db, &ids).await?;
    Ok(assets
        .iter()
        .map(|a| {
            let mut row = StockLevel::from(a);
            row.on_order_quantity = ordered
                .iter()
                .find(|(id, _)| *id == a.id)
                .map_or(0, |(_, n)| *n);
            row
        })
        .collect())
}

#[derive(sqlx::FromRow)]
struct MaintenanceRow {
    id: Uuid,
    asset_id: Uuid,
    kind: String,
    description: String,
    scheduled_for: Option<Date>,
    performed_at: Option<Time>,
    cost: Option<Decimal>,
    next_due: Option<Date>,
    created_by: Option<Uuid>,
    created_at: Time,
}

impl From<MaintenanceRow> for Maintenance {
    fn from(r: MaintenanceRow) -> Self {
        let today = chrono::Utc::now().date_naive();
        Maintenance {
            id: MaintenanceId(r.id),
            asset_id: AssetId(r.asset_id),
            kind: domain::asset::MaintenanceKind::parse(&r.kind).unwrap_or_default(),
            description: r.description,
            scheduled_for: r.scheduled_for,
            performed_at: r.performed_at,
            cost: r.cost,
            next_due: r.next_due,
            status: maintenance_status(r.performed_at, r.scheduled_for, today).to_owned(),
            created_by: r.created_by.map(UserId),
            created_at: r.created_at,
        }
    }
}

const MAINTENANCE_SELECT: &str =
    "SELECT id, asset_id, kind, description, scheduled_for, performed_at, cost,
        next_due, created_by, created_at FROM maintenance";

pub async fn insert_maintenance(
    conn: &mut PgConnection,
    id: MaintenanceId,
    asset: AssetId,
    m: &MaintenanceInput,
    by: UserId,
    task: Option<domain::TaskId>,
) -> Result<Maintenance, sqlx::Error> {
    sqlx::query(
        "INSERT INTO maintenance (id, asset_id, kind, description, scheduled_for, performed_at, cost, next_due,
                created_by, task_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(id.0)
    .bind(asset.0)
    .bind(m.kind.as_str())
    .bind(&m.description)
    .bind(m.scheduled_for)
    .bind(m.performed_at)
    .bind(m.cost)
    .bind(m.next_due)
    .bind(by.0)
    .bind(task.map(|t| t.0))
    .execute(&mut *conn)
    .await?;
    let sql = format!("{MAINTENANCE_SELECT} WHERE id = $1");
    let row = sqlx::query_as::<_, MaintenanceRow>(&sql)
        .bind(id.0)
        .fetch_one(conn)
        .await?;
    Ok(row.into())
}

pub async fn maintenance(db: &PgPool, asset: AssetId) -> Result<Vec<Maintenance>, sqlx::Error> {
    let sql = format!(
        "{MAINTENANCE_SELECT} WHERE asset_id = $1 ORDER BY created_at DESC, id DESC LIMIT 500"
    );
    let rows = sqlx::query_as::<_, MaintenanceRow>(&sql)
        .bind(asset.0)
        .fetch_all(db)
        .await?;
    Ok(rows.into_iter().map(Into::into).collect())
}

/// Monthly usage (units-of-production), oldest month first.
pub async fn usage(db: &PgPool, asset: AssetId) -> Result<Vec<(Date, Decimal)>, sqlx::Error> {
    sqlx::query_as("SELECT month, units FROM asset_usage WHERE asset_id = $1 ORDER BY month")
        .bind(asset.0)
        .fetch_all(db)
        .await
}

pub async fn set_usage(
    conn: &mut PgConnection,
    asset: AssetId,
    month: Date,
    units: Decimal,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO asset_usage (asset_id, month, units) VALUES ($1, $2, $3)
         ON CONFLICT (asset_id, month) DO UPDATE SET units = EXCLUDED.units",
    )
    .bind(asset.0)
    .bind(month)
    .bind(units)
    .execute(conn)
    .await?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct DemandRow {
    id: Uuid,
    project_id: Uuid,
    project_name: String,
    asset_id: Uuid,
    sku: String,
    asset_name: String,
    quantity: i32,
    needed_by: Date,
    note: String,
    created_at: Time,
}

const DEMAND_SELECT: &str = "SELECT d.id, d.project_id, p.name AS project_name, d.asset_id, a.sku,
        a.name AS asset_name, d.quantity, d.needed_by, d.note, d.created_at
    FROM project_demands d JOIN projects p ON p.id = d.project_id JOIN assets a ON a.id = d.asset_id";

fn demand(r: DemandRow) -> Demand {
    Demand {
        id: DemandId(r.id),
        project_id: ProjectId(r.project_id),
        project_name: r.project_name,
        asset_id: AssetId(r.asset_id),
        sku: r.sku,
        asset_name: r.asset_name,
        quantity: r.quantity,
        needed_by: r.needed_by,
        note: r.note,
        created_at: r.created_at,
    }
}

pub async fn insert_demand(
    conn: &mut PgConnection,
    id: DemandId,
    project: ProjectId,
    d: &DemandRequest,
) -> Result<Demand, sqlx::Error> {
    sqlx::query(
        "INSERT INTO project_demands (id, project_id, asset_id, quantity, needed_by, note)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(id.0)
    .bind(project.0)
    .bind(d.asset_id.0)
    .bind(d.quantity)
    .bind(d.needed_by)
    .bind(&d.note)
    .execute(&mut *conn)
    .await?;
    let sql = format!("{DEMAND_SELECT} WHERE d.id = $1");
    Ok(demand(
        sqlx::query_as::<_, DemandRow>(&sql)
            .bind(id.0)
            .fetch_one(conn)
            .await?,
    ))
}

pub async fn delete_demand(
    conn: &mut PgConnection,
    project: ProjectId,
    id: DemandId,
) -> Result<Option<Demand>, sqlx::Error> {
    let sql = format!("{DEMAND_SELECT} WHERE d.id = $1 AND d.project_id = $2");
    let found = sqlx::query_as::<_, DemandRow>(&sql)
        .bind(id.0)
        .bind(project.0)
        .fetch_optional(&mut *conn)
        .await?;
    if found.is_some() {
        sqlx::query("DELETE FROM project_demands WHERE id = $1")
            .bind(id.0)
            .execute(conn)
            .await?;
    }
    Ok(found.map(demand))
}

/// Demand rows of a project, or of an asset (for planning), by date.
pub async fn demands(
    db: &PgPool,
    project: Option<ProjectId>,
    asset: Option<AssetId>,
) -> Result<Vec<Demand>, sqlx::Error> {
    let sql = format!(
        "{DEMAND_SELECT} WHERE ($1::uuid IS NULL OR d.project_id = $1) AND ($2::uuid IS NULL OR d.asset_id = $2)
         AND p.status NOT IN ('completed', 'cancelled')
         ORDER BY d.needed_by, d.id LIMIT 2000"
    );
    let rows = sqlx::query_as::<_, DemandRow>(&sql)
        .bind(project.map(|p| p.0))
        .bind(asset.map(|a| a.0))
        .fetch_all(db)
        .await?;
    Ok(rows.into_iter().map(demand).collect())
}

/// Units already allocated to a project per asset (they count against its demand).
pub async fn allocated_to_projects(
    db: &PgPool,
    asset: AssetId,
) -> Result<Vec<(ProjectId, i64)>, sqlx::Error> {
    let rows: Vec<(Uuid, i64)> = sqlx::query_as(
        "SELECT project_id, sum(quantity - returned_quantity)::bigint FROM allocations
         WHERE asset_id = $1 AND project_id IS NOT NULL GROUP BY project_id",
    )
    .bind(asset.0)
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().map(|(p, n)| (ProjectId(p), n)).collect())
}

/// Expected receipts of an asset: outstanding quantity and expected date of each open purchase order.
pub async fn expected_receipts(
    db: &PgPool,
    asset: AssetId,
) -> Result<Vec<(i64, Option<Date>, i64)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT o.number, o.expected_on, (l.quantity - l.received_quantity)::bigint
         FROM purchase_order_lines l JOIN purchase_orders o ON o.id = l.purchase_order_id
         WHERE l.asset_id = $1 AND o.status IN ('ordered', 'partially_received') AND l.received_quantity < l.quantity
         ORDER BY o.expected_on NULLS LAST",
    )
    .bind(asset.0)
    .fetch_all(db)
    .await
}

/// Assets with open demand (for the demand-planning overview).
pub async fn assets_with_demand(db: &PgPool, limit: i64) -> Result<Vec<AssetId>, sqlx::Error> {
    let ids: Vec<Uuid> = sqlx::query_scalar(
        "SELECT DISTINCT d.asset_id FROM project_demands d JOIN projects p ON p.id = d.project_id
         WHERE p.status NOT IN ('completed', 'cancelled') LIMIT $1",
    )
    .bind(limit)
    .fetch_all(db)
    .await?;
    Ok(ids.into_iter().map(AssetId).collect())
}

/// Book-value inputs of every asset with a purchase price (valuation report).
pub async fn valuation_inputs(db: &PgPool) -> Result<Vec<Asset>, sqlx::Error> {
    let sql = format!(
        "{ASSET_SELECT} WHERE a.purchase_price IS NOT NULL AND a.total_quantity > 0 ORDER BY a.category, a.sku LIMIT 100000"
    );
    let rows = sqlx::query_as::<_, AssetRow>(&sql).fetch_all(db).await?;
    Ok(rows.into_iter().map(Into::into).collect())
}

/// Assets below their reorder point that a vendor supplies (the asset's vendor or a vendor price), with the
/// vendor's price and what is on order.
#[derive(sqlx::FromRow)]
pub struct ReorderRow {
    pub vendor_id: Uuid,
    pub vendor_name: String,
    pub asset_id: Uuid,
    pub sku: String,
    pub name: String,
    pub available_quantity: i32,
    pub reorder_point: i32,
    pub reorder_quantity: i32,
    pub unit_price: Decimal,
    pub currency: String,
    pub on_order: i64,
}

pub async fn reorder_candidates(db: &PgPool) -> Result<Vec<ReorderRow>, sqlx::Error> {
    sqlx::query_as::<_, ReorderRow>(
        "SELECT DISTINCT ON (a.id) v.id AS vendor_id, v.name AS vendor_name, a.id AS asset_id, a.sku, a.name,
                a.available_quantity, a.reorder_point, a.reorder_quantity,
                coalesce(va.unit_price, a.purchase_price, 0) AS unit_price,
                coalesce(va.currency, a.currency)::text AS currency,
                coalesce((SELECT sum(l.quantity - l.received_quantity) FROM purchase_order_lines l
                          JOIN purchase_orders o ON o.id = l.purchase_order_id
                          WHERE l.asset_id = a.id AND o.status IN ('draft', 'ordered', 'partially_received')), 0)::bigint
                    AS on_order
         FROM assets a
         JOIN vendors v ON v.id = a.vendor_id
              OR v.id IN (SELECT vendor_id FROM vendor_assets WHERE asset_id = a.id)
         LEFT JOIN vendor_assets va ON va.vendor_id = v.id AND va.asset_id = a.id
         WHERE a.status = 'active' AND a.reorder_point > 0 AND a.available_quantity <= a.reorder_point
         ORDER BY a.id, (v.id = a.vendor_id) DESC, va.unit_price NULLS LAST
         LIMIT 5000",
    )
    .fetch_all(db)
    .await
}

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
