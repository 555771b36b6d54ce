use domain::audit::{AuditEntry, AuditFilter};
use domain::{AuditId, UserId};
use serde_json::Value;
use sqlx::{PgConnection, PgPool, Postgres, QueryBuilder};
use uuid::Uuid;

/// One audit row to append.
pub struct NewAudit<'a> {
    pub actor_id: Option<Uuid>,
    pub actor_email: Option<&'a str>,
    pub action: &'a str,
    pub entity: &'a str,
    pub entity_id: Option<Uuid>,
    pub changes: Value,
    pub request_id: Option<&'a str>,
    pub ip: Option<&'a str>,
}

/// Appends an audit row on the caller's connection — inside the caller's transaction.
pub async fn insert(conn: &mut PgConnection, a: NewAudit<'_>) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO audit_logs (id, actor_id, actor_email, action, entity, entity_id, changes, request_id, ip)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        AuditId::new().0,
        a.actor_id,
        a.actor_email,
        a.action,
        a.entity,
        a.entity_id,
        a.changes,
        a.request_id,
        a.ip,
    )
    .execute(conn)
    .await?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct AuditRow {
    id: Uuid,
    at: chrono::DateTime<chrono::Utc>,
    actor_id: Option<Uuid>,
    actor_email: Option<String>,
    action: String,
    entity: String,
    entity_id: Option<Uuid>,
    changes: Value,
    request_id: Option<String>,
    ip: Option<String>,
}

impl From<AuditRow> for AuditEntry {
    fn from(r: AuditRow) -> Self {
        Self {
            id: AuditId(r.id),
            at: r.at,
            actor_id: r.actor_id.map(UserId),
            actor_email: r.actor_email,
            action: r.action,
            entity: r.entity,
            entity_id: r.entity_id,
            changes: r.changes,
            request_id: r.request_id,
            ip: r.ip,
        }
    }
}

/// Newest first, keyset on the time-ordered id; fetches `limit + 1` rows so the caller can tell if there is more.
pub async fn list(db: &PgPool, f: &AuditFilter) -> Result<Vec<AuditEntry>, sqlx::Error> {
    let mut qb: QueryBuilder<Postgres> = QueryBuilder::new(
        "SELECT id, at, actor_id, actor_email, action, entity, entity_id, changes, request_id, ip FROM audit_logs WHERE true",
    );
    if let Some(e) = &f.entity {
        qb.push(" AND entity = ").push_bind(e.clone());
    }
    if let Some(id) = f.entity_id {
        qb.push(" AND entity_id = ").push_bind(id);
    }
    if let Some(a) = f.actor_id {
        qb.push(" AND actor_id = ").push_bind(a.0);
    }
    if let Some(a) = &f.action {
        qb.push(" AND action = ").push_bind(a.clone());
    }
    if let Some(t) = f.from {
        qb.push(" AND at >= ").push_bind(t);
    }
    if let Some(t) = f.to {
        qb.push(" AND at < ").push_bind(t);
    }
    if let Some(before) = f.before_id {
        qb.push(" AND id < ").push_bind(before.0);
    }
    qb.push(" ORDER BY id DESC");
    super::limit(&mut qb, f.limit + 1);
    Ok(qb
        .build_query_as::<AuditRow>()
        .fetch_all(db)
        .await?
        .into_iter()
        .map(Into::into)
        .collect())
}
