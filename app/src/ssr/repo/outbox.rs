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

/// A record whose owner decides who may read events about it (for a project: its customer's owner).
#[derive(Clone, Copy, Debug)]
pub enum OwnerOf {
    Customer,
    Lead,
    Opportunity,
    ProjectCustomer,
}

/// The owner of a record and the owner's team, as an event's audience; `None` when there is no such record.
pub async fn owner_of(
    conn: &mut PgConnection,
    of: OwnerOf,
    id: Uuid,
) -> Result<Option<(Option<Uuid>, Option<String>)>, sqlx::Error> {
    let sql = match of {
        OwnerOf::Customer => {
            "SELECT r.owner_id, u.team FROM customers r LEFT JOIN users u ON u.id = r.owner_id WHERE r.id = $1"
        }
        OwnerOf::Lead => {
            "SELECT r.owner_id, u.team FROM leads r LEFT JOIN users u ON u.id = r.owner_id WHERE r.id = $1"
        }
        OwnerOf::Opportunity => {
            "SELECT r.owner_id, u.team FROM opportunities r LEFT JOIN users u ON u.id = r.owner_id WHERE r.id = $1"
        }
        OwnerOf::ProjectCustomer => {
            "SELECT c.owner_id, u.team FROM projects p JOIN customers c ON c.id = p.customer_id
             LEFT JOIN users u ON u.id = c.owner_id WHERE p.id = $1"
        }
    };
    sqlx::query_as(sql).bind(id).fetch_optional(conn).await
}

/// A user's team (`None` without one, or for no such user).
pub async fn team_of(conn: &mut PgConnection, user: Uuid) -> Result<Option<String>, sqlx::Error> {
    Ok(
        sqlx::query_scalar::<_, Option<String>>("SELECT team FROM users WHERE id = $1")
            .bind(user)
            .fetch_optional(conn)
            .await?
            .flatten(),
    )
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

/// Managers who hear about their team's deals: those of `team`, or every manager when the owner has no team.
pub async fn team_managers(
    conn: &mut PgConnection,
    team: Option<&str>,
) -> Result<Vec<Uuid>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT id FROM users WHERE role = 'manager' AND is_active AND ($1::text IS NULL OR team = $1)
         ORDER BY id LIMIT 1000",
    )
    .bind(team)
    .fetch_all(conn)
    .await
}

/// What a client that last saw event `after` missed: up to `limit` events published after it, in publishing
/// order. `None` when `after` is not (or no longer) known — the client must resync.
pub async fn replay(
    conn: &mut PgConnection,
    after: i64,
    limit: i64,
) -> Result<Option<Vec<Event>>, sqlx::Error> {
    let Some(at) = sqlx::query_scalar::<_, Option<chrono::DateTime<chrono::Utc>>>(
        "SELECT handled_at FROM outbox WHERE id = $1",
    )
    .bind(after)
    .fetch_optional(&mut *conn)
    .await?
    .flatten() else {
        return Ok(None);
    };
    let events = sqlx::query_as::<_, Event>(
        "SELECT id, event_id, type, entity, entity_id, data, actor_id, attempts, created_at FROM outbox
         WHERE handled_at IS NOT NULL AND (handled_at, id) > ($1, $2) ORDER BY handled_at, id LIMIT $3",
    )
    .bind(at)
    .bind(after)
    .bind(limit)
    .fetch_all(conn)
    .await?;
    Ok(Some(events))
}

/// The newest published event's seq (a client that has seen nothing yet starts from here).
pub async fn last_published(conn: &mut PgConnection) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT id FROM outbox WHERE handled_at IS NOT NULL ORDER BY handled_at DESC, id DESC LIMIT 1",
    )
    .fetch_optional(conn)
    .await
}

/// Deletes handled events published more than `keep` ago (the replay window); failed ones stay for inspection.
pub async fn purge_handled(
    conn: &mut PgConnection,
    keep: chrono::Duration,
) -> Result<u64, sqlx::Error> {
    Ok(
        sqlx::query("DELETE FROM outbox WHERE handled_at < now() - $1::interval")
            .bind(format!("{} seconds", keep.num_seconds()))
            .execute(conn)
            .await?
            .rows_affected(),
    )
}
