//! Fan-out of committed events to the WebSocket clients of every app node.
//!
//! The outbox dispatcher (whichever node claimed the events) publishes each handled event once:
//! - without Redis, into this process's broadcast channel — one node sees its own events;
//! - with `REDIS_URL`, to a Redis pub/sub channel named after the database, which every node subscribes to and
//!   forwards into its own broadcast channel — so a socket on node B sees a change made through node A. The
//!   publishing node hears its own message back like every other node, so nothing is delivered twice.
//!
//! Events are at-least-once: a client drops duplicates by `event_id` and, after a gap, asks for a replay from
//! the last `seq` it saw (see `replay`); when a gap cannot be replayed it gets `resync` and fetches afresh.

use super::Result;
use super::repo::outbox::Event;
use futures::StreamExt;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::broadcast;

/// Events a node buffers for its sockets; a socket further behind than this is told to resync.
pub const BUFFER: usize = 4096;

/// A committed domain event as live clients receive it (`GET /api/v1/ws`): `{"type","entity","id","at","data"}`
/// with `id` the record the event is about, `seq` its position in the stream and `event_id` to drop duplicates.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
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

impl From<&Event> for LiveEvent {
    fn from(e: &Event) -> Self {
        LiveEvent {
            seq: e.id,
            event_id: e.event_id,
            kind: e.r#type.clone(),
            entity: e.entity.clone(),
            id: e.entity_id,
            at: e.created_at,
            data: e.data.clone(),
        }
    }
}

impl LiveEvent {
    /// A server message telling the client to fetch afresh (it missed more than can be replayed).
    pub fn resync(reason: &str) -> serde_json::Value {
        serde_json::json!({ "type": domain::live::RESYNC, "reason": reason })
    }
}

/// An event as fanned out to a node's sockets: encoded once, shared by every socket (a socket checks the
/// permission on `event` and sends `text` as it is).
#[derive(Debug)]
pub struct Published {
    pub event: LiveEvent,
    pub text: axum::extract::ws::Utf8Bytes,
}

impl Published {
    fn new(event: LiveEvent) -> Option<Arc<Self>> {
        let text = serde_json::to_string(&event).ok()?;
        Some(Arc::new(Published {
            event,
            text: text.into(),
        }))
    }
}

/// Where the dispatcher publishes and where sockets subscribe.
#[derive(Clone)]
pub struct EventHub {
    local: broadcast::Sender<Arc<Published>>,
    redis: Option<RedisFanout>,
}

#[derive(Clone)]
struct RedisFanout {
    conn: redis::aio::ConnectionManager,
    channel: String,
}

impl Default for EventHub {
    fn default() -> Self {
        Self::local()
    }
}

impl EventHub {
    /// In-process fan-out only (one app node).
    pub fn local() -> Self {
        EventHub {
            local: broadcast::channel(BUFFER).0,
            redis: None,
        }
    }

    /// Fan-out through Redis pub/sub on `channel`: connects, and spawns the subscriber that feeds this node's
    /// sockets (it reconnects on its own, telling sockets to resync after a gap).
    pub async fn redis(url: &str, channel: String) -> Result<Self, redis::RedisError> {
        let client = redis::Client::open(url)?;
        let conn = redis::aio::ConnectionManager::new(client.clone()).await?;
        let hub = EventHub {
            local: broadcast::channel(BUFFER).0,
            redis: Some(RedisFanout {
                conn,
                channel: channel.clone(),
            }),
        };
        // Subscribe before returning, so that nothing published after this call is missed.
        let pubsub = subscribe(&client, &channel).await?;
        tokio::spawn(forward(client, channel, pubsub, hub.local.clone()));
        Ok(hub)
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Arc<Published>> {
        self.local.subscribe()
    }

    /// How many sockets listen on this node.
    pub fn receivers(&self) -> usize {
        self.local.receiver_count()
    }

    /// Publishes handled events to every node. A Redis failure is logged and the events still reach this node's
    /// sockets; other nodes' clients catch up by replay when they reconnect.
    pub async fn publish(&self, events: Vec<LiveEvent>) {
        if events.is_empty() {
            return;
        }
        if let Some(r) = &self.redis {
            let mut pipe = redis::pipe();
            for e in &events {
                match serde_json::to_string(e) {
                    Ok(text) => {
                        pipe.publish(&r.channel, text).ignore();
                    }
                    Err(error) => tracing::warn!(%error, "an event could not be encoded"),
                }
            }
            let mut conn = r.conn.clone();
            match pipe.query_async::<()>(&mut conn).await {
                Ok(()) => return,
                Err(error) => {
                    tracing::warn!(%error, "redis publish failed: events reach this node only")
                }
            }
        }
        for e in events.into_iter().filter_map(Published::new) {
            // No receiver is fine: nobody is connected to this node.
            let _ = self.local.send(e);
        }
    }
}

async fn subscribe(
    client: &redis::Client,
    channel: &str,
) -> Result<redis::aio::PubSub, redis::RedisError> {
    let mut pubsub = client.get_async_pubsub().await?;
    pubsub.subscribe(channel).await?;
    Ok(pubsub)
}

/// Forwards messages from Redis into this node's broadcast channel, resubscribing (with backoff) when the
/// connection drops; after a drop, sockets are told to resync since messages may have been missed.
async fn forward(
    client: redis::Client,
    channel: String,
    mut pubsub: redis::aio::PubSub,
    local: broadcast::Sender<Arc<Published>>,
) {
    let mut backoff = Duration::from_millis(250);
    loop {
        {
            let mut messages = pubsub.on_message();
            while let Some(msg) = messages.next().await {
                backoff = Duration::from_millis(250);
                let Ok(text) = msg.get_payload::<String>() else {
                    continue;
                };
                // The message is the event's JSON as sockets get it: decoded for the permission check, sent as is.
                match serde_json::from_str::<LiveEvent>(&text) {
                    Ok(event) => {
                        let text = text.into();
                        let _ = local.send(Arc::new(Published { event, text }));
                    }
                    Err(error) => tracing::warn!(%error, "ignored a malformed event from redis"),
                }
            }
        }
        tracing::warn!("redis event subscription lost: reconnecting");
        loop {
            tokio::time::sleep(backoff).await;
            backoff = (backoff * 2).min(Duration::from_secs(10));
            match subscribe(&client, &channel).await {
                Ok(p) => {
                    pubsub = p;
                    break;
                }
                Err(error) => tracing::warn!(%error, "redis event subscription: still down"),
            }
        }
        let _ = local.send(gap_marker());
    }
}

/// A marker event (seq 0) telling this node's sockets that events may have been missed.
fn gap_marker() -> Arc<Published> {
    let event = LiveEvent {
        seq: 0,
        event_id: uuid::Uuid::nil(),
        kind: domain::live::RESYNC.to_owned(),
        entity: String::new(),
        id: uuid::Uuid::nil(),
        at: chrono::Utc::now(),
        data: serde_json::json!({ "reason": "fan-out interrupted" }),
    };
    let text = LiveEvent::resync("fan-out interrupted").to_string().into();
    Arc::new(Published { event, text })
}
