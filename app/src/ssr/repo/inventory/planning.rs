//! Project demand, expected receipts, reorder candidates and the valuation's inputs.

use super::*;

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
