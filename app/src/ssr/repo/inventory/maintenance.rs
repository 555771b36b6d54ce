//! Maintenance logs and monthly usage.

use super::*;

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
