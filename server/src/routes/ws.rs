//! `GET /api/v1/ws`: committed domain events, live, for the connected user. Authenticated like every API call
//! (the session cookie, or `Authorization: Bearer` / `?access_token=` for API clients). Each event reaches only
//! users who may read the record it is about (the permission matrix the REST API uses). A heartbeat ping goes
//! out every 25 s; a client too slow to keep up (the node's buffer overtook it) gets a `resync` message and is
//! disconnected rather than slowing anyone else down.
//!
//! Today: in-process fan-out of the events the outbox dispatcher handles on this node. Redis fan-out across
//! nodes and replay from a last event id are issue #6.

use crate::extract::Caller;
use crate::problem::ApiResult;
use crate::state::AppState;
use app::ssr::outbox::LiveEvent;
use axum::extract::State;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::response::Response;
use domain::{Action, Principal, Resource};
use std::time::Duration;
use tokio::sync::broadcast::error::RecvError;

/// May this user see an event about this kind of record? Unknown kinds are never sent.
pub fn may_receive(p: &Principal, event: &LiveEvent) -> bool {
    // A notification is for its recipient alone.
    if event.kind == "notification" {
        return event.data.get("user_id").and_then(|v| v.as_str())
            == Some(p.user_id.to_string().as_str());
    }
    let resource = match event.entity.as_str() {
        "asset" => Resource::Assets,
        "purchase_order" => Resource::PurchaseOrders,
        "vendor" => Resource::Vendors,
        _ => return false,
    };
    p.can(resource, Action::Read)
}

#[utoipa::path(get, path = "/api/v1/ws", tag = "events",
    responses((status = 101, description = "WebSocket of JSON events {type, entity, id, at, data, seq, event_id}"), (status = 401, body = domain::Problem)),
    security(("bearer" = [])))]
pub async fn connect(
    State(s): State<AppState>,
    Caller(a): Caller,
    upgrade: WebSocketUpgrade,
) -> ApiResult<Response> {
    let events = s.events.subscribe();
    let principal = a.principal;
    Ok(upgrade.on_upgrade(move |socket| serve_socket(socket, principal, events)))
}

async fn serve_socket(
    mut socket: WebSocket,
    p: Principal,
    mut events: tokio::sync::broadcast::Receiver<LiveEvent>,
) {
    let mut heartbeat = tokio::time::interval(Duration::from_secs(25));
    heartbeat.tick().await;
    loop {
        tokio::select! {
            received = events.recv() => match received {
                Ok(event) if may_receive(&p, &event) => {
                    let Ok(text) = serde_json::to_string(&event) else { continue };
                    if socket.send(Message::Text(text.into())).await.is_err() {
                        break;
                    }
                }
                Ok(_) => {}
                Err(RecvError::Lagged(missed)) => {
                    let text = serde_json::json!({"type": "resync", "missed": missed}).to_string();
                    let _ = socket.send(Message::Text(text.into())).await;
                    break;
                }
                Err(RecvError::Closed) => break,
            },
            incoming = socket.recv() => match incoming {
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => break,
                Some(Ok(_)) => {}
            },
            _ = heartbeat.tick() => {
                if socket.send(Message::Ping(Vec::new().into())).await.is_err() {
                    break;
                }
            }
        }
    }
}
