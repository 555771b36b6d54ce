//! Notifications of one user: insert once (by `dedupe_key`), list newest first, count and mark read.

use super::outbox::{self, NewEvent};
use domain::notification::{Notification, NotificationFilter, link_for};
use domain::{NotificationId, UserId};
use sqlx::{PgConnection, PgPool, Postgres, QueryBuilder};
use uuid::Uuid;

type Time = chrono::DateTime<chrono::Utc>;

pub struct NewNotification<'a> {
    pub user_id: UserId,
    pub kind: &'a str,
    pub title: &'a str,
    pub body: &'a str,
    pub entity: Option<&'a str>,
    pub entity_id: Option<Uuid>,
    pub dedupe_key: Option<&'a str>,
}

/// Inserts the notification unless one with the same `dedupe_key` exists; `true` when it was inserted. A new
/// notification also gets its live `notification` event (for the recipient's open sockets) in the same
/// transaction.
pub async fn insert(conn: &mut PgConnection, n: NewNotification<'_>) -> Result<bool, sqlx::Error> {
    let id = NotificationId::new();
    let r = sqlx::query(
        "INSERT INTO notifications (id, user_id, kind, title, body, entity, entity_id, dedupe_key)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (dedupe_key) DO NOTHING",
    )
    .bind(id.0)
    .bind(n.user_id.0)
    .bind(n.kind)
    .bind(n.title)
    .bind(n.body)
    .bind(n.entity)
    .bind(n.entity_id)
    .bind(n.dedupe_key)
    .execute(&mut *conn)
    .await?;
    if r.rows_affected() != 1 {
        return Ok(false);
    }
    let data = serde_json::json!({
        "user_id": n.user_id,
        "notification_id": id,
        "kind": n.kind,
        "title": n.title,
        "body": n.body,
        "entity": n.entity,
        "entity_id": n.entity_id,
        "link": link_for(n.entity, n.entity_id),
    });
    outbox::insert(
        conn,
        NewEvent {
            r#type: domain::live::NOTIFICATION,
            entity: "notification",
            entity_id: id.0,
            data,
            actor_id: None,
        },
    )
    .await?;
    Ok(true)
}

#[derive(sqlx::FromRow)]
struct Row {
    id: Uuid,
    kind: String,
    title: String,
    body: String,
    entity: Option<String>,
    entity_id: Option<Uuid>,
    read_at: Option<Time>,
    created_at: Time,
}

impl From<Row> for Notification {
    fn from(r: Row) -> Self {
        Self {
            id: NotificationId(r.id),
            link: link_for(r.entity.as_deref(), r.entity_id),
            kind: r.kind,
            title: r.title,
            body: r.body,
            entity: r.entity,
            entity_id: r.entity_id,
            read_at: r.read_at,
            created_at: r.created_at,
        }
    }
}

/// One keyset page (`limit + 1` rows) of `user`'s notifications, newest first (notifications_user_idx).
pub async fn list(
    db: &PgPool,
    user: UserId,
    f: &NotificationFilter,
) -> Result<Vec<Notification>, sqlx::Error> {
    let mut qb: QueryBuilder<Postgres> = QueryBuilder::new(
        "SELECT id, kind, title, body, entity, entity_id, read_at, created_at FROM notifications WHERE user_id = ",
    );
    qb.push_bind(user.0);
    if f.unread {
        qb.push(" AND read_at IS NULL");
    }
    if let Some((t, id)) = f.after {
        super::push_keyset(&mut qb, "created_at", "id", true, t, id);
    }
    qb.push(" ORDER BY created_at DESC, id DESC");
    super::limit(&mut qb, f.limit + 1);
    Ok(qb
        .build_query_as::<Row>()
        .fetch_all(db)
        .await?
        .into_iter()
        .map(Into::into)
        .collect())
}

pub async fn unread_count(db: &PgPool, user: UserId) -> Result<i64, sqlx::Error> {
    let n = sqlx::query_scalar!(
        "SELECT count(*) AS \"n!\" FROM notifications WHERE user_id = $1 AND read_at IS NULL",
        user.0
    )
    .fetch_one(db)
    .await?;
    Ok(n)
}

/// Marks one of `user`'s notifications read (keeping the first read time); `false` if it is not theirs.
pub async fn mark_read(db: &PgPool, user: UserId, id: NotificationId) -> Result<bool, sqlx::Error> {
    let r = sqlx::query!(
        "UPDATE notifications SET read_at = coalesce(read_at, now()) WHERE id = $1 AND user_id = $2",
        id.0,
        user.0
    )
    .execute(db)
    .await?;
    Ok(r.rows_affected() == 1)
}

pub async fn mark_all_read(db: &PgPool, user: UserId) -> Result<u64, sqlx::Error> {
    let r = sqlx::query!(
        "UPDATE notifications SET read_at = now() WHERE user_id = $1 AND read_at IS NULL",
        user.0
    )
    .execute(db)
    .await?;
    Ok(r.rows_affected())
}
