//! The outbox dispatcher: handles committed domain events (today: in-app notifications for allocations and low
//! stock). It claims events with `FOR UPDATE SKIP LOCKED` and marks each handled in the same transaction as the
//! notifications it creates, whose `dedupe_key` names the event — so several app nodes never handle an event
//! twice, a crash before the commit leaves the event to be handled on restart, and a retried event never
//! notifies twice.

use super::Result;
use super::repo::notifications::{self as notifications, NewNotification};
use super::repo::outbox::{self as repo, Event};
use domain::UserId;
use sqlx::{PgConnection, PgPool};
use std::time::Duration;
use tokio::sync::watch;

pub const BATCH: i64 = 50;

/// A committed domain event as live clients receive it (`GET /api/v1/ws`): `{"type","entity","id","at","data"}`
/// with `id` the record the event is about, `seq` its position in the stream and `event_id` to drop duplicates.
#[derive(Clone, Debug, serde::Serialize)]
pub struct LiveEvent {
    pub seq: i64,
    pub event_id: uuid::Uuid,
    #[serde(rename = "type")]
    pub kind: String,
    pub entity: String,
    pub id: uuid::Uuid,
    pub at: chrono::DateTime<chrono::Utc>,
    pub data: serde_json::Value,
}

/// In-process fan-out of committed events to this node's sockets (a slow receiver lags and is told so).
pub type EventHub = tokio::sync::broadcast::Sender<LiveEvent>;

pub fn event_hub() -> EventHub {
    tokio::sync::broadcast::channel(1024).0
}

/// Handles up to `limit` pending events and, after their commit, publishes them to `hub`; returns how many were
/// handled.
pub async fn dispatch_pending(db: &PgPool, limit: i64, hub: Option<&EventHub>) -> Result<usize> {
    let mut tx = db.begin().await?;
    let events = repo::claim(&mut tx, limit).await?;
    let mut handled = 0;
    let mut failed = Vec::new();
    let mut live = Vec::new();
    for event in events {
        let mut sp = sqlx::Connection::begin(&mut *tx).await?;
        let mut pushes = Vec::new();
        match handle(&mut sp, &event, &mut pushes).await {
            Ok(()) => {
                repo::mark_handled(&mut sp, event.id).await?;
                sp.commit().await?;
                handled += 1;
                live.append(&mut pushes);
                live.push(LiveEvent {
                    seq: event.id,
                    event_id: event.event_id,
                    kind: event.r#type.clone(),
                    entity: event.entity.clone(),
                    id: event.entity_id,
                    at: event.created_at,
                    data: event.data.clone(),
                });
            }
            Err(e) => {
                sp.rollback().await?;
                failed.push((event.id, e));
            }
        }
    }
    for (id, error) in failed {
        tracing::warn!(event = id, %error, "outbox event failed");
        repo::mark_failed(&mut tx, id, &error).await?;
    }
    tx.commit().await?;
    if let Some(hub) = hub {
        for e in live {
            // No receiver is fine: nobody is connected to this node.
            let _ = hub.send(e);
        }
    }
    Ok(handled)
}

/// Creates the notification (once per event and recipient) and, when it is new, its live `notification` push for
/// that recipient alone.
async fn notify(
    conn: &mut PgConnection,
    event: &Event,
    (user, title, body): (uuid::Uuid, &str, &str),
    pushes: &mut Vec<LiveEvent>,
) -> Result<(), String> {
    let key = format!("event:{}:{user}", event.event_id);
    let inserted = notifications::insert(
        conn,
        NewNotification {
            user_id: UserId(user),
            kind: &event.r#type,
            title,
            body,
            entity: Some(&event.entity),
            entity_id: Some(event.entity_id),
            dedupe_key: Some(&key),
        },
    )
    .await
    .map_err(|e| format!("database: {e}"))?;
    if inserted {
        pushes.push(LiveEvent {
            seq: event.id,
            event_id: uuid::Uuid::now_v7(),
            kind: "notification".to_owned(),
            entity: event.entity.clone(),
            id: event.entity_id,
            at: event.created_at,
            data: serde_json::json!({"user_id": user, "kind": event.r#type, "title": title, "body": body}),
        });
    }
    Ok(())
}

async fn handle(
    conn: &mut PgConnection,
    event: &Event,
    pushes: &mut Vec<LiveEvent>,
) -> Result<(), String> {
    let text = |k: &str| {
        event
            .data
            .get(k)
            .and_then(|v| v.as_str())
            .unwrap_or_default()
            .to_owned()
    };
    let qty = event
        .data
        .get("quantity")
        .and_then(serde_json::Value::as_i64)
        .unwrap_or(0);
    match event.r#type.as_str() {
        "asset.allocated" => {
            // The person the items were handed to hears about it (unless they did it themselves).
            let to_user = event
                .data
                .get("user_id")
                .and_then(|v| v.as_str())
                .and_then(|s| uuid::Uuid::parse_str(s).ok());
            if let Some(user) = to_user.filter(|u| Some(*u) != event.actor_id) {
                let title = format!("{qty} × {} allocated to you", text("name"));
                notify(conn, event, (user, &title, &text("note")), pushes).await?;
            }
            Ok(())
        }
        "stock.low" => {
            let users = repo::users_with_role(conn, "inventory")
                .await
                .map_err(|e| format!("database: {e}"))?;
            let title = format!("Low stock: {} ({})", text("name"), text("sku"));
            let body = format!(
                "{} available, reorder point {}",
                event
                    .data
                    .get("available_quantity")
                    .cloned()
                    .unwrap_or_default(),
                event.data.get("reorder_point").cloned().unwrap_or_default()
            );
            for u in users {
                notify(conn, event, (u, &title, &body), pushes).await?;
            }
            Ok(())
        }
        // Events without server-side work (they are for live clients, issue #6).
        _ => Ok(()),
    }
}

/// Polls for pending events every `every` until `stop` turns true.
pub async fn run_dispatcher(
    db: PgPool,
    hub: EventHub,
    every: Duration,
    stop: watch::Receiver<bool>,
) {
    super::poll::until_stopped("outbox dispatcher", every, BATCH, stop, || {
        dispatch_pending(&db, BATCH, Some(&hub))
    })
    .await;
}

/// Starts the dispatcher; send `true` on the returned sender to stop it, then await the handle.
pub fn spawn_dispatcher(
    db: PgPool,
    hub: EventHub,
    every: Duration,
) -> (watch::Sender<bool>, tokio::task::JoinHandle<()>) {
    let (tx, rx) = watch::channel(false);
    (tx, tokio::spawn(run_dispatcher(db, hub, every, rx)))
}
