//! The outbox dispatcher: handles committed domain events (in-app notifications for allocations, low stock,
//! ticket assignments and deals won or lost) and publishes them to live clients (`super::live`). It claims
//! events with `FOR UPDATE SKIP LOCKED` and marks each handled in the same transaction as the notifications it
//! creates, whose `dedupe_key` names the event — so several app nodes never handle an event twice, a crash
//! before the commit leaves the event to be handled on restart, and a retried event never notifies twice.
//! A committed outbox insert wakes the dispatchers at once (`NOTIFY crm_outbox`); they also poll.

use super::Result;
pub use super::live::{EventHub, LiveEvent};
use super::repo::notifications::{self as notifications, NewNotification};
use super::repo::outbox::{self as repo, Event};
use domain::UserId;
use domain::live;
use sqlx::postgres::PgListener;
use sqlx::{PgConnection, PgPool};
use std::time::Duration;
use tokio::sync::watch;

pub const BATCH: i64 = 50;
/// How long handled events stay for replay.
pub const KEEP: chrono::Duration = chrono::Duration::hours(24);

/// Handles up to `limit` pending events and, after their commit, publishes them to `hub`; returns how many were
/// handled.
pub async fn dispatch_pending(db: &PgPool, limit: i64, hub: Option<&EventHub>) -> Result<usize> {
    let mut tx = db.begin().await?;
    let events = repo::claim(&mut tx, limit).await?;
    let mut live = Vec::new();
    let mut failed = Vec::new();
    for event in events {
        // A savepoint per event: a failing event's partial work is undone without losing the others'.
        let mut sp = sqlx::Connection::begin(&mut *tx).await?;
        match handle(&mut sp, &event).await {
            Ok(()) => {
                repo::mark_handled(&mut sp, event.id).await?;
                sp.commit().await?;
                live.push(LiveEvent::from(&event));
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
    let handled = live.len();
    if let Some(hub) = hub {
        hub.publish(live).await;
    }
    Ok(handled)
}

/// Creates the notification, once per event and recipient (its live push is an outbox event of its own).
async fn notify(
    conn: &mut PgConnection,
    event: &Event,
    (user, title, body): (uuid::Uuid, &str, &str),
) -> Result<(), String> {
    let key = format!("event:{}:{user}", event.event_id);
    notifications::insert(
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
    .map_err(db_error)?;
    Ok(())
}

fn db_error(e: sqlx::Error) -> String {
    format!("database: {e}")
}

fn user_of(event: &Event, key: &str) -> Option<uuid::Uuid> {
    event
        .data
        .get(key)
        .and_then(|v| v.as_str())
        .and_then(|s| uuid::Uuid::parse_str(s).ok())
}

async fn handle(conn: &mut PgConnection, event: &Event) -> Result<(), String> {
    let text = |k: &str| match event.data.get(k) {
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(serde_json::Value::Null) | None => String::new(),
        Some(other) => other.to_string(),
    };
    // Nobody is told about their own action.
    let others = |u: &uuid::Uuid| Some(*u) != event.actor_id;
    match event.r#type.as_str() {
        live::ASSET_ALLOCATED => {
            // The person the items were handed to hears about it.
            if let Some(user) = user_of(event, "user_id").filter(others) {
                let title = format!("{} × {} allocated to you", text("quantity"), text("name"));
                notify(conn, event, (user, &title, &text("note"))).await?;
            }
        }
        live::STOCK_LOW => {
            let users = repo::users_with_role(conn, "inventory")
                .await
                .map_err(db_error)?;
            let title = format!("Low stock: {} ({})", text("name"), text("sku"));
            let body = format!(
                "{} available, reorder point {}",
                text("available_quantity"),
                text("reorder_point")
            );
            for u in users {
                notify(conn, event, (u, &title, &body)).await?;
            }
        }
        // A ticket assigned to someone (on creation or by a change of assignee) tells them.
        live::TICKET_CREATED | live::TICKET_UPDATED => {
            let newly = event.r#type == live::TICKET_CREATED
                || event.data.get("assignee_changed").and_then(|v| v.as_bool()) == Some(true);
            if let Some(user) = user_of(event, "assignee_id")
                .filter(others)
                .filter(|_| newly)
            {
                let title = format!("Ticket assigned to you: {}", text("subject"));
                let body = format!("Priority {}, status {}", text("priority"), text("status"));
                notify(conn, event, (user, &title, &body)).await?;
            }
        }
        // A deal won or lost tells its owner and the managers of the owner's team.
        live::OPPORTUNITY_WON | live::OPPORTUNITY_LOST => {
            let team = event.data.get(live::OWNER_TEAM).and_then(|v| v.as_str());
            let mut users = repo::team_managers(conn, team).await.map_err(db_error)?;
            users.extend(user_of(event, live::OWNER_ID));
            users.sort();
            users.dedup();
            let outcome = if event.r#type == live::OPPORTUNITY_WON {
                "won"
            } else {
                "lost"
            };
            let title = format!("Deal {outcome}: {}", text("name"));
            let body = format!("{} {}", text("amount"), text("currency"));
            for u in users.into_iter().filter(others) {
                notify(conn, event, (u, &title, &body)).await?;
            }
        }
        // Events without server-side work (they are for live clients).
        _ => {}
    }
    Ok(())
}

/// Runs the dispatcher until `stop` turns true: a batch whenever a committed outbox insert wakes it (LISTEN
/// crm_outbox), at the latest every `every`; handled events older than [`KEEP`] are purged every ten minutes.
pub async fn run_dispatcher(
    db: PgPool,
    hub: EventHub,
    every: Duration,
    mut stop: watch::Receiver<bool>,
) {
    let mut listener = wake_listener(&db).await;
    let mut listener_tried = tokio::time::Instant::now();
    let mut last_purge: Option<tokio::time::Instant> = None;
    loop {
        if *stop.borrow() {
            break;
        }
        // Lost wake-ups (the listening connection failed to come back): try again every 30 s, poll meanwhile.
        if listener.is_none() && listener_tried.elapsed() > Duration::from_secs(30) {
            listener_tried = tokio::time::Instant::now();
            listener = wake_listener(&db).await;
        }
        let busy = match dispatch_pending(&db, BATCH, Some(&hub)).await {
            Ok(n) => n as i64 == BATCH,
            Err(e) => {
                tracing::warn!(error = %e, "outbox dispatcher: a batch failed");
                false
            }
        };
        if last_purge.is_none_or(|t| t.elapsed() > Duration::from_secs(600)) {
            last_purge = Some(tokio::time::Instant::now());
            if let Err(error) = purge(&db).await {
                tracing::warn!(%error, "outbox purge failed");
            }
        }
        if busy {
            continue;
        }
        let woken = async {
            match listener.as_mut() {
                Some(l) => l.recv().await.map(drop),
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            changed = stop.changed() => if changed.is_err() { break },
            () = tokio::time::sleep(every) => {}
            r = woken => if let Err(error) = r {
                tracing::warn!(%error, "outbox wake-ups lost: polling until the listener is back");
                listener = None;
                listener_tried = tokio::time::Instant::now();
            },
        }
    }
    tracing::info!("outbox dispatcher stopped");
}

async fn wake_listener(db: &PgPool) -> Option<PgListener> {
    let listener = async {
        let mut l = PgListener::connect_with(db).await?;
        l.listen("crm_outbox").await?;
        Ok::<_, sqlx::Error>(l)
    };
    match listener.await {
        Ok(l) => Some(l),
        Err(error) => {
            tracing::warn!(%error, "outbox wake-ups unavailable: polling only");
            None
        }
    }
}

async fn purge(db: &PgPool) -> Result<()> {
    let n = repo::purge_handled(&mut *db.acquire().await?, KEEP).await?;
    if n > 0 {
        tracing::info!(events = n, "purged published outbox events");
    }
    Ok(())
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
