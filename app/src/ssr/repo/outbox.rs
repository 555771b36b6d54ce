//! The transactional outbox: events written in the transaction of the change they describe, claimed by the
//! dispatcher with `FOR UPDATE SKIP LOCKED` and marked handled in the claiming transaction.

use sqlx::PgConnection;
use uuid::Uuid;

/// A domain event as stored (and, later, as sent over the WebSocket).
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Event {
    pub id: i64,
    pub event_id: Uuid,
    pub r#type: String,
    pub entity: String,
    pub entity_id: Uuid,
    pub data: serde_json::Value,
    pub actor_id: Option<Uuid>,
    pub attempts: i32,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

pub struct NewEvent<'a> {
    pub r#type: &'a str,
    pub entity: &'a str,
    pub entity_id: Uuid,
    pub data: serde_json::Value,
    pub actor_id: Option<Uuid>,
}

/// Appends an event on the caller's transaction; returns its event id.
pub async fn insert(conn: &mut PgConnection, e: NewEvent<'_>) -> Result<Uuid, sqlx::Error> {
    let id = Uuid::now_v7();
    sqlx::query(
        "INSERT INTO outbox (event_id, type, entity, entity_id, data, actor_id) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(id)
    .bind(e.r#type)
    .bind(e.entity)
    .bind(e.entity_id)
    .bind(e.data)
    .bind(e.actor_id)
    .execute(conn)
    .await?;
    Ok(id)
}

/// Locks up to `limit` unhandled events, oldest first, that no other dispatcher holds.
pub async fn claim(conn: &mut PgConnection, limit: i64) -> Result<Vec<Event>, sqlx::Error> {
    sqlx::query_as::<_, Event>(
        "SELECT id, event_id, type, entity, entity_id, data, actor_id, attempts, created_at FROM outbox
         WHERE handled_at IS NULL AND attempts < 10 ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED",
    )
    .bind(limit)
    .fetch_all(conn)
    .await
}

pub async fn mark_handled(conn: &mut PgConnection, id: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE outbox SET handled_at = now() WHERE id = $1")
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn mark_failed(conn: &mut PgConnection, id: i64, error: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE outbox SET attempts = attempts + 1, last_error = $2 WHERE id = $1")
        .bind(id)
        .bind(error)
        .execute(conn)
        .await?;
    Ok(())
}

/// Active users of a role (who gets role-wide notifications such as low stock).
pub async fn users_with_role(
    conn: &mut PgConnection,
    role: &str,
) -> Result<Vec<Uuid>, sqlx::Error> {
    sqlx::query_scalar("SELECT id FROM users WHERE role = $1 AND is_active ORDER BY id LIMIT 1000")
        .bind(role)
        .fetch_all(conn)
        .await
}
