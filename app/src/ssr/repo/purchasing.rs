//! Vendors, vendor prices and purchase orders with their lines.

use super::sort::Column;
use domain::page::{SortDir, SortType};
use domain::purchase_order::{PoSortKey, PoStatus, PurchaseOrder, PurchaseOrderLine, line_total};
use domain::vendor::{Vendor, VendorAsset, VendorAssetInput, VendorInput, VendorSortKey};
use domain::{AssetId, PurchaseOrderId, PurchaseOrderLineId, UserId, VendorId};
use rust_decimal::Decimal;
use sqlx::{PgConnection, PgPool, Postgres, QueryBuilder};
use uuid::Uuid;

type Time = chrono::DateTime<chrono::Utc>;
type Date = chrono::NaiveDate;

#[derive(sqlx::FromRow)]
struct VendorRow {
    id: Uuid,
    name: String,
    email: Option<String>,
    phone: Option<String>,
    website: Option<String>,
    contact_name: Option<String>,
    contacts: sqlx::types::Json<Vec<domain::vendor::VendorContact>>,
    lead_time_days: i32,
    notes: String,
    asset_count: i64,
    version: i32,
    created_at: Time,
    updated_at: Time,
}

impl From<VendorRow> for Vendor {
    fn from(r: VendorRow) -> Self {
        Vendor {
            id: VendorId(r.id),
            name: r.name,
            email: r.email,
            phone: r.phone,
            website: r.website,
            contact_name: r.contact_name,
            contacts: r.contacts.0,
            lead_time_days: r.lead_time_days,
            notes: r.notes,
            asset_count: r.asset_count,
            version: r.version,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

const VENDOR_SELECT: &str =
    "SELECT v.id, v.name, v.email, v.phone, v.website, v.contact_name, v.contacts, v.lead_time_days,
        v.notes, (SELECT count(*) FROM assets a WHERE a.vendor_id = v.id)
            + (SELECT count(*) FROM vendor_assets va JOIN assets a ON a.id = va.asset_id
               WHERE va.vendor_id = v.id AND a.vendor_id IS DISTINCT FROM v.id) AS asset_count,
        v.version, v.created_at, v.updated_at
    FROM vendors v";

pub async fn vendor(
    conn: &mut PgConnection,
    id: VendorId,
    lock: bool,
) -> Result<Option<Vendor>, sqlx::Error> {
    let sql = format!(
        "{VENDOR_SELECT} WHERE v.id = $1{}",
        if lock { " FOR UPDATE OF v" } else { "" }
    );
    let row = sqlx::query_as::<_, VendorRow>(&sql)
        .bind(id.0)
        .fetch_optional(conn)
        .await?;
    Ok(row.map(Into::into))
}

pub async fn insert_vendor(
    conn: &mut PgConnection,
    id: VendorId,
    v: &VendorInput,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO vendors (id, name, email, phone, website, contact_name, lead_time_days, notes, contacts)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(id.0)
    .bind(&v.name)
    .bind(&v.email)
    .bind(&v.phone)
    .bind(&v.website)
    .bind(&v.contact_name)
    .bind(v.lead_time_days)
    .bind(&v.notes)
    .bind(sqlx::types::Json(&v.contacts))
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn update_vendor(
    conn: &mut PgConnection,
    id: VendorId,
    v: &VendorInput,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE vendors SET name = $2, email = $3, phone = $4, website = $5, contact_name = $6,
                lead_time_days = $7, notes = $8, contacts = $9, version = version + 1, updated_at = now()
         WHERE id = $1",
    )
    .bind(id.0)
    .bind(&v.name)
    .bind(&v.email)
    .bind(&v.phone)
    .bind(&v.website)
    .bind(&v.contact_name)
    .bind(v.lead_time_days)
    .bind(&v.notes)
    .bind(sqlx::types::Json(&v.contacts))
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn delete_vendor(conn: &mut PgConnection, id: VendorId) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM vendors WHERE id = $1")
        .bind(id.0)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn list_vendors(
    db: &PgPool,
    fields: &domain::query::FieldFilters,
    tsquery: Option<String>,
    order: (VendorSortKey, SortDir),
    after: Option<&domain::page::Cursor>,
    limit: i64,
) -> Result<Vec<Vendor>, crate::ssr::ServiceError> {
    let mut qb = QueryBuilder::<Postgres>::new(VENDOR_SELECT);
    qb.push(" WHERE true");
    super::push_field_filters(
        &mut qb,
        fields,
        &[
            ("name", "v.name"),
            ("email", "v.email"),
            ("phone", "v.phone"),
            ("lead_time_days", "v.lead_time_days"),
        ],
    );
    if let Some(t) = tsquery {
        qb.push(" AND v.search @@ to_tsquery('simple', ")
            .push_bind(t)
            .push(")");
    }
    let (key, desc) = (order.0, order.1 == SortDir::Desc);
    let col = vendor_column(key);
    if let Some(c) = after {
        col.push_after(&mut qb, "v.id", desc, c)?;
    }
    col.push_order(&mut qb, "v.id", desc);
    super::limit(&mut qb, limit + 1);
    let rows = qb.build_query_as::<VendorRow>().fetch_all(db).await?;
    Ok(rows.into_iter().map(Into::into).collect())
}

fn vendor_column(key: VendorSortKey) -> Column {
    match key {
        VendorSortKey::Name => Column::text("v.name"),
        VendorSortKey::Email => Column::nullable("v.email", SortType::Text),
        VendorSortKey::Phone => Column::nullable("v.phone", SortType::Text),
        VendorSortKey::Website => Column::nullable("v.website", SortType::Text),
        VendorSortKey::LeadTimeDays => Column::new("v.lead_time_days", SortType::Int),
        VendorSortKey::CreatedAt => Column::time("v.created_at"),
        VendorSortKey::UpdatedAt => Column::time("v.updated_at"),
    }
}

#[derive(sqlx::FromRow)]
struct VendorAssetRow {
    vendor_id: Uuid,
    vendor_name: String,
    asset_id: Uuid,
    sku: String,
    asset_name: String,
    unit_price: Decimal,
    currency: String,
    vendor_sku: Option<String>,
    lead_time_days: Option<i32>,
}

const VENDOR_ASSET_SELECT: &str = "SELECT va.vendor_id, v.name AS vendor_name, va.asset_id, a.sku,
        a.name AS asset_name, va.unit_price, va.currency::text AS currency, va.vendor_sku, va.lead_time_days
    FROM vendor_assets va JOIN vendors v ON v.id = va.vendor_id JOIN assets a ON a.id = va.asset_id";

/// Prices of a vendor (by SKU) or of an asset (by vendor name).
pub async fn vendor_assets(
    db: &PgPool,
    vendor: Option<VendorId>,
    asset: Option<AssetId>,
) -> Result<Vec<VendorAsset>, sqlx::Error> {
    let sql = format!(
        "{VENDOR_ASSET_SELECT} WHERE ($1::uuid IS NULL OR va.vendor_id = $1) AND ($2::uuid IS NULL OR va.asset_id = $2)
         ORDER BY a.sku, v.name LIMIT 2000"
    );
    let rows = sqlx::query_as::<_, VendorAssetRow>(&sql)
        .bind(vendor.map(|v| v.0))
        .bind(asset.map(|a| a.0))
        .fetch_all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|r| VendorAsset {
            vendor_id: VendorId(r.vendor_id),
            vendor_name: r.vendor_name,
            asset_id: AssetId(r.asset_id),
            sku: r.sku,
            asset_name: r.asset_name,
            unit_price: r.unit_price,
            currency: r.currency,
            vendor_sku: r.vendor_sku,
            lead_time_days: r.lead_time_days,
        })
        .collect())
}

pub async fn upsert_vendor_asset(
    conn: &mut PgConnection,
    vendor: VendorId,
    asset: AssetId,
    v: &VendorAssetInput,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO vendor_assets (vendor_id, asset_id, unit_price, currency, vendor_sku, lead_time_days)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (vendor_id, asset_id) DO UPDATE SET unit_price = EXCLUDED.unit_price,
             currency = EXCLUDED.currency, vendor_sku = EXCLUDED.vendor_sku,
             lead_time_days = EXCLUDED.lead_time_days, updated_at = now()",
    )
    .bind(vendor.0)
    .bind(asset.0)
    .bind(v.unit_price)
    .bind(&v.currency)
    .bind(&v.vendor_sku)
    .bind(v.lead_time_days)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn delete_vendor_asset(
    conn: &mut PgConnection,
    vendor: VendorId,
    asset: AssetId,
) -> Result<bool, sqlx::Error> {
    let r = sqlx::query("DELETE FROM vendor_assets WHERE vendor_id = $1 AND asset_id = $2")
        .bind(vendor.0)
        .bind(asset.0)
        .execute(conn)
        .await?;
    Ok(r.rows_affected() == 1)
}

/// The price a line gets when none is given: the vendor's price, else the asset's purchase price, else 0.
pub async fn default_price(
    conn: &mut PgConnection,
    vendor: VendorId,
    asset: AssetId,
) -> Result<Option<Decimal>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT coalesce((SELECT unit_price FROM vendor_assets WHERE vendor_id = $1 AND asset_id = $2),
                         a.purchase_price, 0)
         FROM assets a WHERE a.id = $2",
    )
    .bind(vendor.0)
    .bind(asset.0)
    .fetch_optional(conn)
    .await
}

#[derive(sqlx::FromRow)]
struct PoRow {
    id: Uuid,
    number: i64,
    vendor_id: Uuid,
    vendor_name: String,
    status: String,
    currency: String,
    notes: String,
    expected_on: Option<Date>,
    ordered_at: Option<Time>,
    received_at: Option<Time>,
    created_by: Option<Uuid>,
    version: i32,
    created_at: Time,
    updated_at: Time,
}

#[derive(sqlx::FromRow)]
struct LineRow {
    id: Uuid,
    purchase_order_id: Uuid,
    line_no: i32,
    asset_id: Uuid,
    sku: String,
    asset_name: String,
    tracking: String,
    quantity: i32,
    unit_price: Decimal,
    received_quantity: i32,
}

const PO_SELECT: &str = "SELECT o.id, o.number, o.vendor_id, v.name AS vendor_name, o.status,
        o.currency::text AS currency, o.notes, o.expected_on, o.ordered_at, o.received_at, o.created_by,
        o.version, o.created_at, o.updated_at
    FROM purchase_orders o JOIN vendors v ON v.id = o.vendor_id";

async fn with_lines(
    conn: &mut PgConnection,
    rows: Vec<PoRow>,
) -> Result<Vec<PurchaseOrder>, sqlx::Error> {
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let lines = sqlx::query_as::<_, LineRow>(
        "SELECT l.id, l.purchase_order_id, l.line_no, l.asset_id, a.sku, a.name AS asset_name, a.tracking,
                l.quantity, l.unit_price, l.received_quantity
         FROM purchase_order_lines l JOIN assets a ON a.id = l.asset_id
         WHERE l.purchase_order_id = ANY($1) ORDER BY l.purchase_order_id, l.line_no",
    )
    .bind(&ids)
    .fetch_all(conn)
    .await?;
    let today = chrono::Utc::now().date_naive();
    Ok(rows
        .into_iter()
        .map(|r| {
            let lines: Vec<PurchaseOrderLine> = lines
                .iter()
                .filter(|l| l.purchase_order_id == r.id)
                .map(|l| PurchaseOrderLine {
                    id: PurchaseOrderLineId(l.id),
                    line_no: l.line_no,
                    asset_id: AssetId(l.asset_id),
                    sku: l.sku.clone(),
                    asset_name: l.asset_name.clone(),
                    serial_tracked: l.tracking == "serial",
                    quantity: l.quantity,
                    unit_price: l.unit_price,
                    line_total: line_total(l.quantity, l.unit_price),
                    received_quantity: l.received_quantity,
                    outstanding_quantity: l.quantity - l.received_quantity,
                })
                .collect();
            let status = PoStatus::parse(&r.status).unwrap_or_default();
            PurchaseOrder {
                id: PurchaseOrderId(r.id),
                number: r.number,
                vendor_id: VendorId(r.vendor_id),
                vendor_name: r.vendor_name,
                status,
                currency: r.currency,
                notes: r.notes,
                total: lines.iter().map(|l| l.line_total).sum(),
                lines,
                expected_on: r.expected_on,
                overdue: status.is_open() && r.expected_on.is_some_and(|d| d < today),
                ordered_at: r.ordered_at,
                received_at: r.received_at,
                created_by: r.created_by.map(UserId),
                version: r.version,
                created_at: r.created_at,
                updated_at: r.updated_at,
            }
        })
        .collect())
}

pub async fn purchase_order(
    conn: &mut PgConnection,
    id: PurchaseOrderId,
    lock: bool,
) -> Result<Option<PurchaseOrder>, sqlx::Error> {
    let sql = format!(
        "{PO_SELECT} WHERE o.id = $1{}",
        if lock { " FOR UPDATE OF o" } else { "" }
    );
    let row = sqlx::query_as::<_, PoRow>(&sql)
        .bind(id.0)
        .fetch_optional(&mut *conn)
        .await?;
    match row {
        Some(r) => Ok(with_lines(conn, vec![r]).await?.pop()),
        None => Ok(None),
    }
}

pub struct NewPo<'a> {
    pub id: PurchaseOrderId,
    pub vendor_id: VendorId,
    pub currency: &'a str,
    pub notes: &'a str,
    pub expected_on: Option<Date>,
    pub status: PoStatus,
    pub created_by: UserId,
}

pub async fn insert_po(conn: &mut PgConnection, po: NewPo<'_>) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO purchase_orders (id, vendor_id, status, currency, notes, expected_on, ordered_at, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, CASE WHEN $3 = 'ordered' THEN now() END, $7)",
    )
    .bind(po.id.0)
    .bind(po.vendor_id.0)
    .bind(po.status.as_str())
    .bind(po.currency)
    .bind(po.notes)
    .bind(po.expected_on)
    .bind(po.created_by.0)
    .execute(conn)
    .await?;
    Ok(())
}

/// Replaces the lines of a (draft) order.
pub async fn replace_lines(
    conn: &mut PgConnection,
    po: PurchaseOrderId,
    lines: &[(AssetId, i32, Decimal)],
) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM purchase_order_lines WHERE purchase_order_id = $1")
        .bind(po.0)
        .execute(&mut *conn)
        .await?;
    for (i, (asset, qty, price)) in lines.iter().enumerate() {
        sqlx::query(
            "INSERT INTO purchase_order_lines (id, purchase_order_id, line_no, asset_id, quantity, unit_price)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(PurchaseOrderLineId::new().0)
        .bind(po.0)
        .bind(i32::try_from(i + 1).unwrap_or(i32::MAX))
        .bind(asset.0)
        .bind(qty)
        .bind(price)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Status, notes, currency and expected date; `ordered_at`/`received_at`/`cancelled_at` follow the status.
pub async fn update_po(
    conn: &mut PgConnection,
    id: PurchaseOrderId,
    status: PoStatus,
    notes: &str,
    currency: &str,
    expected_on: Option<Date>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE purchase_orders SET status = $2, notes = $3, currency = $4, expected_on = $5,
                ordered_at = CASE WHEN $2 = 'draft' THEN NULL WHEN $2 = 'ordered' THEN coalesce(ordered_at, now())
                                  ELSE ordered_at END,
                received_at = CASE WHEN $2 = 'received' THEN coalesce(received_at, now()) END,
                cancelled_at = CASE WHEN $2 = 'cancelled' THEN now() END,
                version = version + 1, updated_at = now()
         WHERE id = $1",
    )
    .bind(id.0)
    .bind(status.as_str())
    .bind(notes)
    .bind(currency)
    .bind(expected_on)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn add_received(
    conn: &mut PgConnection,
    line: PurchaseOrderLineId,
    quantity: i32,
) -> Result<bool, sqlx::Error> {
    let r = sqlx::query(
        "UPDATE purchase_order_lines SET received_quantity = received_quantity + $2
         WHERE id = $1 AND received_quantity + $2 <= quantity",
    )
    .bind(line.0)
    .bind(quantity)
    .execute(conn)
    .await?;
    Ok(r.rows_affected() == 1)
}

pub async fn delete_po(conn: &mut PgConnection, id: PurchaseOrderId) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM purchase_orders WHERE id = $1")
        .bind(id.0)
        .execute(conn)
        .await?;
    Ok(())
}

pub struct PoListParams {
    pub status: Option<PoStatus>,
    pub vendor_id: Option<VendorId>,
    pub asset_id: Option<AssetId>,
    pub overdue: bool,
    pub sort: PoSortKey,
    pub dir: SortDir,
    pub after: Option<domain::page::Cursor>,
    pub limit: i64,
}

fn po_column(key: PoSortKey) -> Column {
    match key {
        PoSortKey::CreatedAt => Column::time("o.created_at"),
        PoSortKey::Number => Column::new("o.number", SortType::Int),
        PoSortKey::Status => Column::text("o.status"),
        PoSortKey::VendorId => Column::new("o.vendor_id", SortType::Uuid),
        PoSortKey::VendorName => Column::text("v.name"),
        PoSortKey::Currency => Column::text("o.currency::text"),
        PoSortKey::ExpectedOn => Column::nullable("o.expected_on", SortType::Date),
        PoSortKey::OrderedAt => Column::nullable("o.ordered_at", SortType::Time),
        PoSortKey::ReceivedAt => Column::nullable("o.received_at", SortType::Time),
        PoSortKey::UpdatedAt => Column::time("o.updated_at"),
    }
}

pub async fn list_pos(
    db: &PgPool,
    p: PoListParams,
) -> Result<Vec<PurchaseOrder>, crate::ssr::ServiceError> {
    let mut qb = QueryBuilder::<Postgres>::new(PO_SELECT);
    qb.push(" WHERE true");
    if let Some(s) = p.status {
        qb.push(" AND o.status = ").push_bind(s.as_str());
    }
    if let Some(v) = p.vendor_id {
        qb.push(" AND o.vendor_id = ").push_bind(v.0);
    }
    if let Some(a) = p.asset_id {
        qb.push(" AND EXISTS (SELECT 1 FROM purchase_order_lines l WHERE l.purchase_order_id = o.id AND l.asset_id = ")
            .push_bind(a.0)
            .push(")");
    }
    if p.overdue {
        qb.push(
            " AND o.status IN ('ordered', 'partially_received') AND o.expected_on < current_date",
        );
    }
    let desc = p.dir == SortDir::Desc;
    let col = po_column(p.sort);
    if let Some(c) = &p.after {
        col.push_after(&mut qb, "o.id", desc, c)?;
    }
    col.push_order(&mut qb, "o.id", desc);
    super::limit(&mut qb, p.limit + 1);
    let rows = qb.build_query_as::<PoRow>().fetch_all(db).await?;
    let mut conn = db.acquire().await?;
    Ok(with_lines(&mut conn, rows).await?)
}
