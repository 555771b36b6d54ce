//! `GET /api/v1/ws`: committed domain events, live, for the connected user. Authenticated like every API call
//! (the session cookie, or `Authorization: Bearer` / `?access_token=` for API clients). Each event reaches only
//! users who may read the record it is about (`domain::live::may_receive`, the REST API's permission matrix and
//! record scope). A heartbeat ping goes out every 25 s.
//!
//! - `?last_event_id=<seq>` replays what was published after that event (at most [`REPLAY_LIMIT`] events of
//!   the last day); beyond that window the client gets `{"type":"resync"}` and should fetch afresh.
//! - Events are at-least-once: around a replay or a reconnect a client may see an event twice (same
//!   `event_id`).
//! - A user who is deactivated (or whose password is reset) is disconnected within seconds, on every node
//!   (the `user.access_revoked` event).
//! - A client too slow to keep up (the node's buffer overtook it, or a send blocks for 10 s) gets `resync`
//!   and is disconnected rather than slowing anyone else down.

use crate::extract::{ApiQuery, Caller};
use crate::problem::ApiResult;
use crate::state::AppState;
use app::ssr::live::{LiveEvent, Published};
use app::ssr::repo::outbox as repo;
use axum::extract::State;
use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket, WebSocketUpgrade, close_code};
use axum::response::Response;
use domain::Principal;
use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::broadcast::error::RecvError;

/// Most events one reconnect replays; further behind, the client resyncs.
pub const REPLAY_LIMIT: i64 = 1000;
const HEARTBEAT: Duration = Duration::from_secs(25);
const SEND_TIMEOUT: Duration = Duration::from_secs(10);

/// May this user see this event? (Unknown kinds of record are never sent.)
pub fn may_receive(p: &Principal, event: &LiveEvent) -> bool {
    domain::live::may_receive(p, &event.kind, &event.entity, &event.data)
}

#[derive(serde::Deserialize, utoipa::IntoParams)]
pub struct WsQuery {
    /// The `seq` of the last event this client received: what was published after it is sent first.
    last_event_id: Option<i64>,
    /// The access token, for clients that cannot send an `Authorization` header (browsers' WebSocket); read
    /// by the authentication layer.
    #[expect(
        dead_code,
        reason = "declared so the query parser accepts it; auth_layer reads it from the URI"
    )]
    access_token: Option<String>,
}

#[utoipa::path(get, path = "/ws", tag = "events", params(WsQuery),
    responses((status = 101, description = "WebSocket of JSON events {type, entity, id, at, data, seq, event_id}; {type: resync} after a gap that cannot be replayed"), (status = 400, description = "Not a WebSocket upgrade request", body = domain::Problem), (status = 401, body = domain::Problem)),
    security(("bearer" = [])))]
pub async fn connect(
    State(s): State<AppState>,
    Caller(a): Caller,
    ApiQuery(q): ApiQuery<WsQuery>,
    upgrade: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> ApiResult<Response> {
    // A plain GET (no upgrade headers) gets a problem like every other bad request.
    let upgrade = upgrade.map_err(|e| domain::Problem::bad_request(e.body_text()))?;
    // Subscribe before reading the replay, so nothing published in between is lost (duplicates are dropped).
    let events = s.events.subscribe();
    let principal = a.principal;
    let db = s.ctx.db.clone();
    // Clients send nothing but control frames: small buffers keep an idle socket cheap (the defaults are
    // 128 KiB each way).
    let upgrade = upgrade
        .read_buffer_size(4 * 1024)
        .write_buffer_size(0)
        .max_message_size(64 * 1024);
    Ok(upgrade.on_upgrade(move |socket| async move {
        let mut conn = Conn {
            socket,
            p: principal,
        };
        let replayed = match q.last_event_id {
            Some(after) => conn.replay(&db, after).await,
            None => Some(HashSet::new()),
        };
        if let Some(replayed) = replayed {
            conn.live(events, replayed).await;
        }
    }))
}

struct Conn {
    socket: WebSocket,
    p: Principal,
}

impl Conn {
    /// Sends one message; `false` when the client is gone or too slow.
    async fn send(&mut self, text: Utf8Bytes) -> bool {
        matches!(
            tokio::time::timeout(SEND_TIMEOUT, self.socket.send(Message::Text(text))).await,
            Ok(Ok(()))
        )
    }

    /// Sends an event this user may see (encoded once per node, shared by every socket, unless part of it is
    /// hidden from this user).
    async fn send_published(&mut self, e: &Published) -> bool {
        if !may_receive(&self.p, &e.event) {
            return true;
        }
        match domain::live::redact(&self.p, &e.event.kind, &e.event.data) {
            None => self.send(e.text.clone()).await,
            Some(_) => self.send_event(&e.event).await,
        }
    }

    async fn send_event(&mut self, event: &LiveEvent) -> bool {
        if !may_receive(&self.p, event) {
            return true;
        }
        let redacted;
        let event = match domain::live::redact(&self.p, &event.kind, &event.data) {
            None => event,
            Some(data) => {
                redacted = LiveEvent {
                    data,
                    ..event.clone()
                };
                &redacted
            }
        };
        match serde_json::to_string(event) {
            Ok(text) => self.send(text.into()).await,
            Err(_) => true,
        }
    }

    async fn resync(&mut self, reason: &str) -> bool {
        self.send(LiveEvent::resync(reason).to_string().into())
            .await
    }

    /// Sends what was published after `after`; the ids sent (to drop their live duplicates), or `None` when the
    /// client went away.
    async fn replay(&mut self, db: &sqlx::PgPool, after: i64) -> Option<HashSet<uuid::Uuid>> {
        let missed = match db.acquire().await {
            Ok(mut c) => repo::replay(&mut c, after, REPLAY_LIMIT + 1).await,
            Err(e) => Err(e),
        };
        let mut sent = HashSet::new();
        let ok = match missed {
            Ok(Some(events)) if events.len() as i64 <= REPLAY_LIMIT => {
                for e in &events {
                    let live = LiveEvent::from(e);
                    if !self.send_event(&live).await {
                        return None;
                    }
                    sent.insert(live.event_id);
                }
                true
            }
            Ok(Some(_)) => self.resync("too far behind").await,
            Ok(None) => self.resync("unknown last_event_id").await,
            Err(error) => {
                tracing::warn!(%error, "websocket replay failed");
                self.resync("replay unavailable").await
            }
        };
        ok.then_some(sent)
    }

    async fn live(
        &mut self,
        mut events: tokio::sync::broadcast::Receiver<Arc<Published>>,
        replayed: HashSet<uuid::Uuid>,
    ) {
        let mut heartbeat = tokio::time::interval(HEARTBEAT);
        heartbeat.tick().await;
        loop {
            tokio::select! {
                received = events.recv() => match received {
                    // This user was deactivated (or their password reset) on some node: the socket ends.
                    Ok(e) if e.event.kind == domain::live::USER_ACCESS_REVOKED => {
                        if e.event.id == self.p.user_id.0 {
                            let _ = self.socket.send(Message::Close(Some(CloseFrame {
                                code: close_code::POLICY,
                                reason: "access revoked".into(),
                            }))).await;
                            break;
                        }
                    }
                    // The fan-out was interrupted (Redis reconnected): events may be missing.
                    Ok(e) if e.event.kind == domain::live::RESYNC => {
                        if !self.send(e.text.clone()).await { break }
                    }
                    Ok(e) if replayed.contains(&e.event.event_id) => {}
                    Ok(e) => if !self.send_published(&e).await { break },
                    Err(RecvError::Lagged(_)) => {
                        let _ = self.resync("too slow").await;
                        break;
                    }
                    Err(RecvError::Closed) => break,
                },
                incoming = self.socket.recv() => match incoming {
                    Some(Ok(Message::Close(_))) | None | Some(Err(_)) => break,
                    Some(Ok(_)) => {}
                },
                _ = heartbeat.tick() => {
                    let ping = self.socket.send(Message::Ping(Vec::new().into()));
                    if !matches!(tokio::time::timeout(SEND_TIMEOUT, ping).await, Ok(Ok(()))) {
                        break;
                    }
                }
            }
        }
    }
}
