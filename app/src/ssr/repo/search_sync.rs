//! What the search engine must be told (`search_sync_queue`, filled by triggers in the writing transaction),
//! how far it has been told (`search_sync_state`), and the documents it is sent.

use serde::{Deserialize, Serialize};
use sqlx::PgConnection;
use uuid::Uuid;

type Time = chrono::DateTime<chrono::Utc>;

/// The state row, locked by the one worker that talks to the engine.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct State {
    pub target: String,
    pub settings_applied: bool,
    pub backfill_at: Option<Time>,
    pub backfill_id: Option<Uuid>,
    pub backfilled_at: Option<Time>,
}

/// An interaction as the engine stores it: the searched text and every field a list filters or sorts on;
/// times in microseconds since 1970 (exact in the engine's 64-bit floats until the year 2255).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, sqlx::FromRow)]
pub struct InteractionDoc {
    pub id: Uuid,
    pub customer_id: Uuid,
    /// The customer's owner, who (with their team and managers) may see it.
    pub owner_id: Option<Uuid>,
    pub contact_id: Option<Uuid>,
    pub opportunity_id: Option<Uuid>,
    pub ticket_id: Option<Uuid>,
    pub author_id: Option<Uuid>,
    pub kind: String,
    pub subject: String,
    pub body: String,
    pub occurred_at: i64,
    pub created_at: i64,
}

/// The part of a document a new customer owner changes.
#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct OwnerDoc {
    pub id: Uuid,
    pub owner_id: Option<Uuid>,
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Queued {
    pub id: i64,
    pub entity: String,
    pub entity_id: Uuid,
}

const DOC: &str = "SELECT i.id, i.customer_id, c.owner_id, i.contact_id, i.opportunity_id, i.ticket_id, i.author_id,
    i.kind, i.subject, i.body,
    (extract(epoch FROM i.occurred_at) * 1000000)::int8 AS occurred_at,
    (extract(epoch FROM i.created_at) * 1000000)::int8 AS created_at
    FROM interactions i JOIN customers c ON c.id = i.customer_id";

/// The state, locked; `None` when another node holds it (or there is none).
pub async fn lock_state(conn: &mut PgConnection) -> Result<Option<State>, sqlx::Error> {
    sqlx::query_as(
        "SELECT target, settings_applied, backfill_at, backfill_id, backfilled_at FROM search_sync_state
         FOR UPDATE SKIP LOCKED",
    )
    .fetch_optional(conn)
    .await
}

/// The state as it is (unlocked).
pub async fn state(conn: &mut PgConnection) -> Result<Option<State>, sqlx::Error> {
    sqlx::query_as(
        "SELECT target, settings_applied, backfill_at, backfill_id, backfilled_at FROM search_sync_state",
    )
    .fetch_optional(conn)
    .await
}

/// Whether the engine has every row (unlocked: for the read path of every node).
pub async fn backfilled(conn: &mut PgConnection, target: &str) -> Result<bool, sqlx::Error> {
    Ok(sqlx::query_scalar::<_, bool>(
        "SELECT backfilled_at IS NOT NULL FROM search_sync_state WHERE target = $1",
    )
    .bind(target)
    .fetch_optional(conn)
    .await?
    .unwrap_or(false))
}

/// Starts syncing `target` from scratch unless the state already describes it: from this commit on, every
/// change is queued, and the backfill sends what existed before. Returns whether it started anew.
pub async fn start(conn: &mut PgConnection, target: &str) -> Result<bool, sqlx::Error> {
    let current: Option<String> =
        sqlx::query_scalar("SELECT target FROM search_sync_state FOR UPDATE")
            .fetch_optional(&mut *conn)
            .await?;
    if current.as_deref() == Some(target) {
        return Ok(false);
    }
    reset(conn, target).await?;
    Ok(true)
}

/// Forgets what any engine was told: the state names `target`, unconfigured and not backfilled, and the
/// queue is empty (the backfill will send every row as it is then).
pub async fn reset(conn: &mut PgConnection, target: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM search_sync_state")
        .execute(&mut *conn)
        .await?;
    sqlx::query("DELETE FROM search_sync_queue")
        .execute(&mut *conn)
        .await?;
    sqlx::query("INSERT INTO search_sync_state (target) VALUES ($1)")
        .bind(target)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

pub async fn mark_settings_applied(conn: &mut PgConnection) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE search_sync_state SET settings_applied = true, updated_at = now()")
        .execute(conn)
        .await?;
    Ok(())
}

/// The next `limit` interactions of the backfill, in (occurred_at, id) order after the saved position.
pub async fn backfill_batch(
    conn: &mut PgConnection,
    after: Option<(Time, Uuid)>,
    limit: i64,
) -> Result<Vec<InteractionDoc>, sqlx::Error> {
    let (at, id) = after.unzip();
    sqlx::query_as(&format!(
        "{DOC} WHERE $1::timestamptz IS NULL OR (i.occurred_at, i.id) > ($1, $2)
         ORDER BY i.occurred_at, i.id LIMIT $3"
    ))
    .bind(at)
    .bind(id)
    .bind(limit)
    .fetch_all(conn)
    .await
}

pub async fn save_backfill(
    conn: &mut PgConnection,
    last: Option<(Time, Uuid)>,
    done: bool,
) -> Result<(), sqlx::Error> {
    let (at, id) = last.unzip();
    sqlx::query(
        "UPDATE search_sync_state SET backfill_at = coalesce($1, backfill_at), backfill_id = coalesce($2, backfill_id),
             backfilled_at = CASE WHEN $3 THEN now() END, updated_at = now()",
    )
    .bind(at)
    .bind(id)
    .bind(done)
    .execute(conn)
    .await?;
    Ok(())
}

/// The oldest `limit` queued changes (the caller holds the state lock, so no other node takes them).
pub async fn queued(conn: &mut PgConnection, limit: i64) -> Result<Vec<Queued>, sqlx::Error> {
    sqlx::query_as("SELECT id, entity, entity_id FROM search_sync_queue ORDER BY id LIMIT $1")
        .bind(limit)
        .fetch_all(conn)
        .await
}

pub async fn dequeue(conn: &mut PgConnection, ids: &[i64]) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM search_sync_queue WHERE id = ANY($1)")
        .bind(ids)
        .execute(conn)
        .await?;
    Ok(())
}

/// How many changes wait, and how old the oldest is (seconds).
pub async fn backlog(conn: &mut PgConnection) -> Result<(i64, Option<f64>), sqlx::Error> {
    sqlx::query_as(
        "SELECT count(*), extract(epoch FROM now() - min(queued_at))::float8 FROM search_sync_queue",
    )
    .fetch_one(conn)
    .await
}

/// The current documents of these interactions (those still there).
pub async fn interaction_docs(
    conn: &mut PgConnection,
    ids: &[Uuid],
) -> Result<Vec<InteractionDoc>, sqlx::Error> {
    sqlx::query_as(&format!("{DOC} WHERE i.id = ANY($1)"))
        .bind(ids)
        .fetch_all(conn)
        .await
}

/// The owner part of every interaction of these customers.
pub async fn owner_docs(
    conn: &mut PgConnection,
    customers: &[Uuid],
) -> Result<Vec<OwnerDoc>, sqlx::Error> {
    sqlx::query_as(
        "SELECT i.id, c.owner_id FROM interactions i JOIN customers c ON c.id = i.customer_id
         WHERE i.customer_id = ANY($1)",
    )
    .bind(customers)
    .fetch_all(conn)
    .await
}
