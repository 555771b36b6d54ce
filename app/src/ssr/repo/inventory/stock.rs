//! The stock ledger, allocations, serial units and the checks of quantities against the ledger.

use super::*;

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
