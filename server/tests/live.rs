mod common;

use common::TestApp;
use domain::Role;
use futures::StreamExt;
use reqwest::StatusCode;
use serde_json::{Value, json};
use sqlx::PgPool;
use std::time::Duration;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn connect(app: &TestApp, token: &str, in_query: bool) -> Socket {
    let ws = app.base.replace("http://", "ws://");
    let url = if in_query {
        format!("{ws}/api/v1/ws?access_token={token}")
    } else {
        format!("{ws}/api/v1/ws")
    };
    let mut req = url.into_client_request().expect("request");
    if !in_query {
        req.headers_mut().insert(
            "authorization",
            format!("Bearer {token}").parse().expect("header"),
        );
    }
    tokio_tungstenite::connect_async(req)
        .await
        .expect("upgraded")
        .0
}

/// The next JSON text message, or `None` after `wait` without one.
async fn next_event(socket: &mut Socket, wait: Duration) -> Option<Value> {
    let deadline = tokio::time::Instant::now() + wait;
    loop {
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        match tokio::time::timeout(left, socket.next()).await {
            Ok(Some(Ok(Message::Text(t)))) => return serde_json::from_str(&t).ok(),
            Ok(Some(Ok(_))) => continue,
            _ => return None,
        }
    }
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn a_committed_allocation_reaches_connected_sockets_and_a_rolled_back_one_does_not(
    db: PgPool,
) {
    let app = TestApp::spawn(db).await;
    let inv = app.user(Role::Inventory, None).await;
    let manager = app.user(Role::Manager, None).await;
    let (status, asset) = app
        .post(
            "/api/v1/assets",
            &inv,
            json!({"sku": "LIVE-1", "name": "Live", "kind": "software", "total_quantity": 2}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{asset}");
    let mut inv_socket = connect(&app, &inv.token, false).await;
    let mut manager_socket = connect(&app, &manager.token, true).await;

    // Refused (409, rolled back): nothing is published.
    let path = format!(
        "/api/v1/assets/{}/allocate",
        asset["id"].as_str().expect("id")
    );
    let (status, _) = app
        .post(&path, &inv, json!({"quantity": 5, "user_id": inv.id}))
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    app::ssr::outbox::dispatch_pending(&app.db, 50, Some(&app.events))
        .await
        .expect("dispatch");
    assert!(
        next_event(&mut inv_socket, Duration::from_millis(300))
            .await
            .is_none()
    );

    // Committed: once the dispatcher has handled it, both sockets get it, in the contract's shape.
    let (status, _) = app
        .post(&path, &inv, json!({"quantity": 1, "user_id": inv.id}))
        .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(
        app::ssr::outbox::dispatch_pending(&app.db, 50, Some(&app.events))
            .await
            .expect("dispatch"),
        1
    );
    for socket in [&mut inv_socket, &mut manager_socket] {
        let event = next_event(socket, Duration::from_secs(5))
            .await
            .expect("an event arrives");
        assert_eq!(event["type"], "asset.allocated");
        assert_eq!(event["entity"], "asset");
        assert_eq!(event["id"], asset["id"]);
        assert_eq!(event["data"]["quantity"], 1);
        assert!(
            event["at"].is_string() && event["event_id"].is_string() && event["seq"].is_number()
        );
    }
    // The person the items went to also gets their notification pushed — and only they do.
    let sales = app.user(Role::Sales, None).await;
    let mut sales_socket = connect(&app, &sales.token, false).await;
    let (status, _) = app
        .post(&path, &inv, json!({"quantity": 1, "user_id": sales.id}))
        .await;
    assert_eq!(status, StatusCode::CREATED);
    app::ssr::outbox::dispatch_pending(&app.db, 50, Some(&app.events))
        .await
        .expect("dispatch");
    let mut kinds = Vec::new();
    while let Some(e) = next_event(&mut sales_socket, Duration::from_millis(500)).await {
        if e["type"] == "notification" {
            assert_eq!(e["data"]["user_id"], sales.id.as_str());
            assert!(
                e["data"]["title"]
                    .as_str()
                    .unwrap_or("")
                    .contains("allocated to you")
            );
        }
        kinds.push(e["type"].as_str().unwrap_or("").to_owned());
    }
    assert!(kinds.contains(&"notification".to_owned()), "{kinds:?}");
    assert!(kinds.contains(&"asset.allocated".to_owned()), "{kinds:?}");
    let mut others = Vec::new();
    while let Some(e) = next_event(&mut manager_socket, Duration::from_millis(300)).await {
        others.push(e["type"].as_str().unwrap_or("").to_owned());
    }
    assert!(!others.contains(&"notification".to_owned()), "{others:?}");
    while next_event(&mut inv_socket, Duration::from_millis(100))
        .await
        .is_some()
    {}

    // Handled events are not published again.
    app::ssr::outbox::dispatch_pending(&app.db, 50, Some(&app.events))
        .await
        .expect("dispatch");
    assert!(
        next_event(&mut inv_socket, Duration::from_millis(300))
            .await
            .is_none()
    );
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn the_socket_needs_a_login(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let ws = app.base.replace("http://", "ws://");
    let err = tokio_tungstenite::connect_async(format!("{ws}/api/v1/ws"))
        .await
        .expect_err("refused");
    match err {
        tokio_tungstenite::tungstenite::Error::Http(res) => assert_eq!(res.status(), 401),
        other => panic!("expected an HTTP 401, got {other}"),
    }
    let bad = tokio_tungstenite::connect_async(format!("{ws}/api/v1/ws?access_token=nope")).await;
    assert!(bad.is_err());
}
