use crate::common::TestApp;
use domain::Role;
use futures::{SinkExt, StreamExt};
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

/// Runs the dispatcher until nothing is pending (a notification is an event of its own, written while its
/// cause is handled); returns how many events were published.
async fn dispatch_all(app: &TestApp) -> usize {
    let mut total = 0;
    loop {
        let n = app::ssr::outbox::dispatch_pending(&app.db, 50, Some(&app.events))
            .await
            .expect("dispatch");
        if n == 0 {
            return total;
        }
        total += n;
    }
}

/// Every message that arrives within `wait` of the previous one.
async fn drain(socket: &mut Socket, wait: Duration) -> Vec<Value> {
    let mut out = Vec::new();
    while let Some(e) = next_event(socket, wait).await {
        out.push(e);
    }
    out
}

fn types(events: &[Value]) -> Vec<&str> {
    events.iter().filter_map(|e| e["type"].as_str()).collect()
}

async fn connect_after(app: &TestApp, token: &str, last: &Value) -> Socket {
    let ws = app.base.replace("http://", "ws://");
    let url = format!("{ws}/api/v1/ws?access_token={token}&last_event_id={last}");
    tokio_tungstenite::connect_async(url)
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
    // The creation's own event (`asset.created`) is out before the sockets connect.
    dispatch_all(&app).await;
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
    dispatch_all(&app).await;
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

/// A new asset (its `asset.created` already published); returns its allocation path.
async fn new_asset(
    app: &TestApp,
    user: &crate::common::TestUser,
    sku: &str,
    quantity: i64,
) -> String {
    let (status, asset) = app
        .post(
            "/api/v1/assets",
            user,
            json!({"sku": sku, "name": sku, "kind": "software", "total_quantity": quantity}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{asset}");
    dispatch_all(app).await;
    format!(
        "/api/v1/assets/{}/allocate",
        asset["id"].as_str().expect("id")
    )
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn reconnecting_with_the_last_event_id_replays_what_was_missed(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let inv = app.user(Role::Inventory, None).await;
    let path = new_asset(&app, &inv, "REPLAY-1", 10).await;
    let mut socket = connect(&app, &inv.token, true).await;
    app.post(&path, &inv, json!({"quantity": 1, "user_id": inv.id}))
        .await;
    dispatch_all(&app).await;
    let first = next_event(&mut socket, Duration::from_secs(5))
        .await
        .expect("live event");
    drop(socket);

    // Two allocations while disconnected.
    for q in [2, 3] {
        let (status, _) = app
            .post(&path, &inv, json!({"quantity": q, "user_id": inv.id}))
            .await;
        assert_eq!(status, StatusCode::CREATED);
    }
    dispatch_all(&app).await;
    let mut socket = connect_after(&app, &inv.token, &first["seq"]).await;
    let missed = drain(&mut socket, Duration::from_millis(500)).await;
    let quantities: Vec<_> = missed
        .iter()
        .filter(|e| e["type"] == "asset.allocated")
        .map(|e| e["data"]["quantity"].as_i64().unwrap_or(0))
        .collect();
    assert_eq!(quantities, [2, 3], "{missed:?}");
    assert!(missed.iter().all(|e| e["event_id"] != first["event_id"]));

    // Live events keep coming after the replay.
    app.post(&path, &inv, json!({"quantity": 4, "user_id": inv.id}))
        .await;
    dispatch_all(&app).await;
    let next = next_event(&mut socket, Duration::from_secs(5))
        .await
        .expect("live after replay");
    assert_eq!(next["data"]["quantity"], 4);

    // An id the server does not know (purged, or from another database): resync.
    let mut socket = connect_after(&app, &inv.token, &json!(987_654_321)).await;
    let msg = next_event(&mut socket, Duration::from_secs(5))
        .await
        .expect("resync");
    assert_eq!(msg["type"], "resync");
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn deal_and_ticket_events_reach_only_those_who_may_see_the_record(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let rep = app.user(Role::Sales, None).await;
    let other_rep = app.user(Role::Sales, None).await;
    let manager = app.user(Role::Manager, None).await;
    let support = app.user(Role::Support, None).await;
    let agent = app.user(Role::Support, None).await;
    let (status, customer) = app
        .post("/api/v1/customers", &rep, json!({"name": "Live Deals Ltd"}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{customer}");
    let (status, opp) = app
        .post(
            "/api/v1/opportunities",
            &rep,
            json!({"name": "Big deal", "customer_id": customer["id"], "amount": "5000", "stage": "negotiation"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{opp}");
    dispatch_all(&app).await;
    let mut rep_socket = connect(&app, &rep.token, false).await;
    let mut other_socket = connect(&app, &other_rep.token, false).await;
    let mut manager_socket = connect(&app, &manager.token, false).await;
    let mut agent_socket = connect(&app, &agent.token, false).await;

    let (status, won) = app
        .patch(
            &format!("/api/v1/opportunities/{}", opp["id"].as_str().expect("id")),
            &rep,
            json!({"stage": "won"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{won}");
    let (status, ticket) = app
        .post(
            "/api/v1/tickets",
            &support,
            json!({"subject": "Printer on fire", "customer_id": customer["id"], "priority": "urgent", "assignee_id": agent.id}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{ticket}");
    dispatch_all(&app).await;

    let rep_got = drain(&mut rep_socket, Duration::from_millis(500)).await;
    assert!(types(&rep_got).contains(&"opportunity.won"), "{rep_got:?}");
    assert!(types(&rep_got).contains(&"opportunity.stage_changed"));
    assert!(
        types(&rep_got).contains(&"ticket.created"),
        "the rep sees tickets of their customer"
    );
    let won_event = rep_got
        .iter()
        .find(|e| e["type"] == "opportunity.won")
        .expect("won");
    assert_eq!(won_event["entity"], "opportunity");
    assert_eq!(won_event["id"], opp["id"]);
    assert_eq!(won_event["data"]["from_stage"], "negotiation");
    // The rep won it themselves: no notification for them.
    assert!(!types(&rep_got).contains(&"notification"), "{rep_got:?}");

    let manager_got = drain(&mut manager_socket, Duration::from_millis(300)).await;
    assert!(types(&manager_got).contains(&"opportunity.won"));
    let note = manager_got
        .iter()
        .find(|e| e["type"] == "notification")
        .expect("deal won notification");
    assert!(
        note["data"]["title"]
            .as_str()
            .unwrap_or("")
            .starts_with("Deal won"),
        "{note}"
    );

    let other_got = drain(&mut other_socket, Duration::from_millis(300)).await;
    assert!(
        other_got
            .iter()
            .all(|e| e["entity"] != "opportunity" && e["entity"] != "ticket"),
        "another rep sees nothing of this customer: {other_got:?}"
    );

    let agent_got = drain(&mut agent_socket, Duration::from_millis(300)).await;
    assert!(types(&agent_got).contains(&"ticket.created"));
    let assigned = agent_got
        .iter()
        .find(|e| e["type"] == "notification")
        .expect("assignment notification");
    assert!(
        assigned["data"]["title"]
            .as_str()
            .unwrap_or("")
            .contains("Printer on fire")
    );
    assert_eq!(
        assigned["data"]["link"],
        format!("/tickets/{}", ticket["id"].as_str().expect("id"))
    );

    // An internal note reaches staff only; a public comment everyone who sees the ticket.
    let comments = format!(
        "/api/v1/tickets/{}/comments",
        ticket["id"].as_str().expect("id")
    );
    let (status, _) = app
        .post(
            &comments,
            &agent,
            json!({"body": "internal", "internal": true}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    dispatch_all(&app).await;
    let agent_got = drain(&mut agent_socket, Duration::from_millis(300)).await;
    assert!(types(&agent_got).contains(&"ticket.commented"));
    let rep_got = drain(&mut rep_socket, Duration::from_millis(300)).await;
    assert!(
        !types(&rep_got).contains(&"ticket.commented"),
        "sales do not read internal notes"
    );
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn the_running_dispatcher_delivers_what_was_committed_before_it_started(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let inv = app.user(Role::Inventory, None).await;
    let path = new_asset(&app, &inv, "CRASH-1", 5).await;
    let mut socket = connect(&app, &inv.token, false).await;
    // Committed while no dispatcher runs (as if the process died right after the commit).
    let (status, _) = app
        .post(&path, &inv, json!({"quantity": 1, "user_id": inv.id}))
        .await;
    assert_eq!(status, StatusCode::CREATED);
    assert!(
        next_event(&mut socket, Duration::from_millis(300))
            .await
            .is_none()
    );
    // On restart the dispatcher finds it; a later commit wakes it at once (NOTIFY), well before its poll.
    let (stop, handle) = app::ssr::outbox::spawn_dispatcher(
        app.db.clone(),
        app.events.clone(),
        Duration::from_secs(30),
    );
    let e = next_event(&mut socket, Duration::from_secs(5))
        .await
        .expect("delivered on restart");
    assert_eq!(e["data"]["quantity"], 1);
    tokio::time::sleep(Duration::from_millis(300)).await;
    let (status, _) = app
        .post(&path, &inv, json!({"quantity": 2, "user_id": inv.id}))
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let e = next_event(&mut socket, Duration::from_secs(5))
        .await
        .expect("woken by the commit");
    assert_eq!(e["data"]["quantity"], 2);
    let _ = stop.send(true);
    handle.await.expect("stopped");
}

/// Two app nodes on one database and one Redis: a change made through node A reaches a socket on node B.
#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn with_redis_a_socket_on_another_node_sees_the_change(db: PgPool) {
    let env_url = std::env::var("TEST_REDIS_URL")
        .or_else(|_| std::env::var("REDIS_URL"))
        .ok();
    let url = env_url
        .clone()
        .unwrap_or_else(|| "redis://127.0.0.1:6379".into());
    if redis::Client::open(url.as_str())
        .and_then(|c| c.get_connection())
        .is_err()
    {
        assert!(
            env_url.is_none(),
            "REDIS_URL is set but {url} does not answer"
        );
        eprintln!("SKIPPED with_redis_a_socket_on_another_node_sees_the_change: no Redis at {url}");
        return;
    }
    let mut config = crate::common::config();
    config.redis_url = Some(url);
    let node_a = TestApp::spawn_with(db.clone(), config.clone()).await;
    let node_b = TestApp::spawn_with(db, config).await;
    let inv = node_a.user(Role::Inventory, None).await;
    let path = new_asset(&node_a, &inv, "FANOUT-1", 3).await;
    let mut on_b = connect(&node_b, &inv.token, false).await;
    let mut on_a = connect(&node_a, &inv.token, false).await;
    let (status, _) = node_a
        .post(&path, &inv, json!({"quantity": 1, "user_id": inv.id}))
        .await;
    assert_eq!(status, StatusCode::CREATED);
    // Node A's dispatcher publishes; both nodes' sockets get the event once.
    dispatch_all(&node_a).await;
    for socket in [&mut on_b, &mut on_a] {
        let got = drain(socket, Duration::from_millis(700)).await;
        assert_eq!(types(&got), ["asset.allocated"], "{got:?}");
    }
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn a_client_too_far_behind_is_told_to_resync_instead_of_replayed(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let inv = app.user(Role::Inventory, None).await;
    // 1,002 published events: more than one replay may send after the first of them.
    let first: i64 = sqlx::query_scalar(
        "WITH ins AS (
             INSERT INTO outbox (event_id, type, entity, entity_id, data, handled_at)
             SELECT gen_random_uuid(), 'asset.allocated', 'asset', gen_random_uuid(), '{}', now()
             FROM generate_series(1, 1002)
             RETURNING id)
         SELECT min(id) FROM ins",
    )
    .fetch_one(&app.db)
    .await
    .expect("events");
    let mut socket = connect_after(&app, &inv.token, &json!(first)).await;
    let msg = next_event(&mut socket, Duration::from_secs(5))
        .await
        .expect("a message");
    assert_eq!(msg["type"], "resync", "{msg}");
    assert_eq!(msg["reason"], "too far behind");
    // Two events behind is replayed as usual.
    let mut socket = connect_after(&app, &inv.token, &json!(first + 999)).await;
    let got = drain(&mut socket, Duration::from_millis(500)).await;
    assert_eq!(got.len(), 2, "{got:?}");
    assert!(got.iter().all(|e| e["type"] == "asset.allocated"));
}

/// Waits (up to 5 s) for the event `kind` about `id`; `None` if it does not come.
async fn event_about(socket: &mut Socket, kind: &str, id: &Value) -> Option<Value> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    loop {
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        let e = next_event(socket, left).await?;
        if e["type"] == kind && e["id"] == *id {
            return Some(e);
        }
    }
}

/// Everything about `id` that reaches `socket` within 300 ms.
async fn anything_about(socket: &mut Socket, id: &Value) -> Vec<Value> {
    drain(socket, Duration::from_millis(300))
        .await
        .into_iter()
        .filter(|e| e["id"] == *id)
        .collect()
}

/// Publishes what is pending; `reader` gets `kind` about each of `ids`, `outsider` nothing about any of them.
async fn each_delivered(
    app: &TestApp,
    kind: &str,
    ids: &[Value],
    reader: &mut Socket,
    outsider: &mut Socket,
) {
    dispatch_all(app).await;
    let got = drain(reader, Duration::from_millis(500)).await;
    for id in ids {
        assert!(
            got.iter().any(|e| e["type"] == kind && e["id"] == *id),
            "no {kind} about {id}: {got:?}"
        );
    }
    let heard = drain(outsider, Duration::from_millis(300)).await;
    assert!(
        heard.iter().all(|e| !ids.contains(&e["id"])),
        "{kind} reached an outsider: {heard:?}"
    );
}

/// One record's create, update and delete through the REST API.
struct Crud<'a> {
    /// `/api/v1/customers`; the record is at `<path>/<id>`.
    path: &'a str,
    create: Value,
    update: Value,
    /// The event prefix and `entity` (`customer`).
    entity: &'a str,
}

/// Publishes what is pending, then checks that every reader got `<entity>.<verb>` about `id` (returned, from the
/// first reader) and no other socket heard anything about it.
async fn delivered(
    app: &TestApp,
    (entity, verb, id): (&str, &str, &Value),
    readers: &mut [&mut Socket],
    others: &mut [&mut Socket],
) -> Value {
    dispatch_all(app).await;
    let kind = format!("{entity}.{verb}");
    let mut first = None;
    for (i, socket) in readers.iter_mut().enumerate() {
        let e = event_about(socket, &kind, id)
            .await
            .unwrap_or_else(|| panic!("reader {i} did not get {kind}"));
        assert_eq!(e["entity"], entity, "{e}");
        first.get_or_insert(e);
    }
    for (i, socket) in others.iter_mut().enumerate() {
        let got = anything_about(socket, id).await;
        assert!(got.is_empty(), "{kind} reached outsider {i}: {got:?}");
    }
    first.expect("at least one reader")
}

/// Runs `c` as `writer`; each step's event must reach `readers` and not `others`. Returns the created event.
async fn crud_reaches_only_readers(
    app: &TestApp,
    writer: &crate::common::TestUser,
    c: Crud<'_>,
    readers: &mut [&mut Socket],
    others: &mut [&mut Socket],
) -> Value {
    let (status, created) = app.post(c.path, writer, c.create).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let id = created["id"].clone();
    let at = format!("{}/{}", c.path, id.as_str().expect("id"));
    let event = delivered(app, (c.entity, "created", &id), readers, others).await;
    let (status, updated) = app.patch(&at, writer, c.update).await;
    assert_eq!(status, StatusCode::OK, "{updated}");
    delivered(app, (c.entity, "updated", &id), readers, others).await;
    let (status, gone) = app.delete(&at, writer).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{gone}");
    delivered(app, (c.entity, "deleted", &id), readers, others).await;
    event
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn customer_events_reach_the_owner_the_owners_team_and_unscoped_roles_only(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let owner = app.user(Role::Sales, Some("north")).await;
    let teammate = app.user(Role::Sales, Some("north")).await;
    let support = app.user(Role::Support, None).await;
    let south = app.user(Role::Sales, Some("south")).await;
    let south_manager = app.user(Role::Manager, Some("south")).await;
    let (mut a, mut b, mut c) = (
        connect(&app, &owner.token, false).await,
        connect(&app, &teammate.token, false).await,
        connect(&app, &support.token, false).await,
    );
    let (mut x, mut y) = (
        connect(&app, &south.token, false).await,
        connect(&app, &south_manager.token, false).await,
    );
    let crud = Crud {
        path: "/api/v1/customers",
        create: json!({"name": "Live Customer Ltd"}),
        update: json!({"name": "Live Customer plc"}),
        entity: "customer",
    };
    let created = crud_reaches_only_readers(
        &app,
        &owner,
        crud,
        &mut [&mut a, &mut b, &mut c],
        &mut [&mut x, &mut y],
    )
    .await;
    assert_eq!(created["data"]["owner_id"], owner.id.as_str(), "{created}");
    assert_eq!(created["data"]["owner_team"], "north");

    // Bulk create and bulk actions: one event per record.
    let (status, made) = app
        .post(
            "/api/v1/customers/bulk",
            &owner,
            json!({"items": [{"name": "Bulk One"}, {"name": "Bulk Two"}]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{made}");
    let ids: Vec<Value> = made["data"]
        .as_array()
        .expect("items")
        .iter()
        .map(|c| c["id"].clone())
        .collect();
    each_delivered(&app, "customer.created", &ids, &mut a, &mut x).await;
    let (status, r) = app
        .post(
            "/api/v1/customers/bulk-actions",
            &owner,
            json!({"ids": ids, "action": "add_tag", "tag": "live"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{r}");
    each_delivered(&app, "customer.updated", &ids, &mut b, &mut y).await;
    let (status, r) = app
        .post(
            "/api/v1/customers/bulk-actions",
            &owner,
            json!({"ids": ids, "action": "delete"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{r}");
    each_delivered(&app, "customer.deleted", &ids, &mut c, &mut x).await;
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn lead_events_follow_the_lead_owner(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let owner = app.user(Role::Sales, None).await;
    let manager = app.user(Role::Manager, None).await;
    let other = app.user(Role::Sales, None).await;
    let mut a = connect(&app, &owner.token, false).await;
    let mut b = connect(&app, &manager.token, false).await;
    let mut x = connect(&app, &other.token, false).await;
    let crud = Crud {
        path: "/api/v1/leads",
        create: json!({"name": "Live lead"}),
        update: json!({"status": "contacted", "name": "Live lead (called)"}),
        entity: "lead",
    };
    crud_reaches_only_readers(&app, &owner, crud, &mut [&mut a, &mut b], &mut [&mut x]).await;
}

/// The id of a new customer owned by `owner`.
async fn customer_of(app: &TestApp, owner: &crate::common::TestUser) -> String {
    app.customer(owner, json!({"name": "Owned Co"})).await["id"]
        .as_str()
        .expect("id")
        .to_owned()
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn contact_events_follow_their_customers_owner(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let owner = app.user(Role::Sales, None).await;
    let support = app.user(Role::Support, None).await;
    let other = app.user(Role::Sales, None).await;
    let customer = customer_of(&app, &owner).await;
    dispatch_all(&app).await;
    let mut a = connect(&app, &owner.token, false).await;
    let mut b = connect(&app, &support.token, false).await;
    let mut x = connect(&app, &other.token, false).await;
    let crud = Crud {
        path: "/api/v1/contacts",
        create: json!({"customer_id": customer, "first_name": "Ada", "last_name": "Lovelace"}),
        update: json!({"title": "CTO"}),
        entity: "contact",
    };
    let created =
        crud_reaches_only_readers(&app, &owner, crud, &mut [&mut a, &mut b], &mut [&mut x]).await;
    assert_eq!(created["data"]["customer_id"], customer.as_str());
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn interaction_events_follow_their_customers_owner(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let owner = app.user(Role::Sales, None).await;
    let inventory = app.user(Role::Inventory, None).await;
    let other = app.user(Role::Sales, None).await;
    let customer = customer_of(&app, &owner).await;
    dispatch_all(&app).await;
    let mut a = connect(&app, &owner.token, false).await;
    let mut b = connect(&app, &inventory.token, false).await;
    let mut x = connect(&app, &other.token, false).await;
    let crud = Crud {
        path: "/api/v1/interactions",
        create: json!({"customer_id": customer, "kind": "call", "subject": "Live call"}),
        update: json!({"subject": "Live call, rescheduled"}),
        entity: "interaction",
    };
    crud_reaches_only_readers(&app, &owner, crud, &mut [&mut a, &mut b], &mut [&mut x]).await;
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn task_events_follow_the_task_visibility_rules(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let rep = app.user(Role::Sales, Some("north")).await;
    let north_manager = app.user(Role::Manager, Some("north")).await;
    let viewer = app.user(Role::Viewer, None).await;
    let other = app.user(Role::Sales, Some("south")).await;
    let south_manager = app.user(Role::Manager, Some("south")).await;
    let lone = app.user(Role::Sales, None).await;
    let mut lone_socket = connect(&app, &lone.token, false).await;
    let mut a = connect(&app, &rep.token, false).await;
    let mut b = connect(&app, &north_manager.token, false).await;
    let mut c = connect(&app, &viewer.token, false).await;
    let mut x = connect(&app, &other.token, false).await;
    let mut y = connect(&app, &south_manager.token, false).await;
    // Assigned to the rep (by default): the rep, their team's manager and viewers see it.
    let crud = Crud {
        path: "/api/v1/tasks",
        create: json!({"title": "Live task"}),
        update: json!({"status": "in_progress"}),
        entity: "task",
    };
    let created = crud_reaches_only_readers(
        &app,
        &rep,
        crud,
        &mut [&mut a, &mut b, &mut c],
        &mut [&mut x, &mut y],
    )
    .await;
    assert_eq!(created["data"]["assignee_team"], "north", "{created}");

    // Linked to a customer of the south rep, assigned to the north rep by an admin (a manager assigns only
    // within their team): the south rep sees it through the link, the north manager through the assignee;
    // a rep with neither does not.
    let admin = app.user(Role::Admin, None).await;
    let customer = customer_of(&app, &other).await;
    dispatch_all(&app).await;
    let (status, linked) = app
        .post(
            "/api/v1/tasks",
            &admin,
            json!({"title": "Linked", "customer_id": customer, "assignee_id": rep.id}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{linked}");
    delivered(
        &app,
        ("task", "created", &linked["id"]),
        &mut [&mut a, &mut b, &mut x],
        &mut [&mut lone_socket],
    )
    .await;
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn project_and_milestone_events_follow_the_projects_customer(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let owner = app.user(Role::Sales, None).await;
    let manager = app.user(Role::Manager, None).await;
    let other = app.user(Role::Sales, None).await;
    let customer = customer_of(&app, &owner).await;
    dispatch_all(&app).await;
    let mut a = connect(&app, &owner.token, false).await;
    let mut b = connect(&app, &manager.token, false).await;
    let mut x = connect(&app, &other.token, false).await;
    let crud = Crud {
        path: "/api/v1/projects",
        create: json!({"name": "Live rollout", "customer_id": customer}),
        update: json!({"name": "Live rollout, phase 2"}),
        entity: "project",
    };
    crud_reaches_only_readers(&app, &manager, crud, &mut [&mut a, &mut b], &mut [&mut x]).await;

    let (status, project) = app
        .post(
            "/api/v1/projects",
            &manager,
            json!({"name": "With milestones", "customer_id": customer}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{project}");
    let path = format!(
        "/api/v1/projects/{}/milestones",
        project["id"].as_str().expect("id")
    );
    let crud = Crud {
        path: &path,
        create: json!({"name": "Design"}),
        update: json!({"status": "done"}),
        entity: "milestone",
    };
    let created =
        crud_reaches_only_readers(&app, &manager, crud, &mut [&mut a, &mut b], &mut [&mut x]).await;
    assert_eq!(created["data"]["project_id"], project["id"]);
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn vendor_asset_and_purchase_order_events_reach_inventory_readers(db: PgPool) {
    // Every role reads inventory (the matrix has no role that may not), so only delivery can be checked.
    let app = TestApp::spawn(db).await;
    let inv = app.user(Role::Inventory, None).await;
    let sales = app.user(Role::Sales, None).await;
    let mut a = connect(&app, &inv.token, false).await;
    let mut b = connect(&app, &sales.token, false).await;
    let crud = Crud {
        path: "/api/v1/vendors",
        create: json!({"name": "Live Supplies", "lead_time_days": 5}),
        update: json!({"lead_time_days": 7}),
        entity: "vendor",
    };
    crud_reaches_only_readers(&app, &inv, crud, &mut [&mut a, &mut b], &mut []).await;
    let crud = Crud {
        path: "/api/v1/assets",
        create: json!({"sku": "LIVE-CRUD", "name": "Live", "kind": "software", "total_quantity": 0}),
        update: json!({"name": "Live (renamed)"}),
        entity: "asset",
    };
    crud_reaches_only_readers(&app, &inv, crud, &mut [&mut a, &mut b], &mut []).await;

    let (_, vendor) = app
        .post(
            "/api/v1/vendors",
            &inv,
            json!({"name": "PO Vendor", "lead_time_days": 5}),
        )
        .await;
    let (_, asset) = app
        .post(
            "/api/v1/assets",
            &inv,
            json!({"sku": "LIVE-PO", "name": "On order", "kind": "software", "total_quantity": 0}),
        )
        .await;
    dispatch_all(&app).await;
    drain(&mut a, Duration::from_millis(300)).await;
    drain(&mut b, Duration::from_millis(300)).await;
    let crud = Crud {
        path: "/api/v1/purchase-orders",
        create: json!({"vendor_id": vendor["id"], "lines": [{"asset_id": asset["id"], "quantity": 3, "unit_price": "9.99"}]}),
        update: json!({"notes": "urgent"}),
        entity: "purchase_order",
    };
    crud_reaches_only_readers(&app, &inv, crud, &mut [&mut a, &mut b], &mut []).await;
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn deleting_a_deal_or_a_ticket_tells_only_those_who_saw_it(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let owner = app.user(Role::Sales, None).await;
    let support = app.user(Role::Support, None).await;
    let other = app.user(Role::Sales, None).await;
    let customer = customer_of(&app, &owner).await;
    let (status, opp) = app
        .post(
            "/api/v1/opportunities",
            &owner,
            json!({"name": "Doomed deal", "customer_id": customer, "amount": "100"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{opp}");
    let (status, ticket) = app
        .post(
            "/api/v1/tickets",
            &support,
            json!({"subject": "Doomed ticket", "customer_id": customer}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{ticket}");
    dispatch_all(&app).await;
    let mut a = connect(&app, &owner.token, false).await;
    let mut b = connect(&app, &support.token, false).await;
    let mut x = connect(&app, &other.token, false).await;
    let at = format!("/api/v1/opportunities/{}", opp["id"].as_str().expect("id"));
    assert_eq!(app.delete(&at, &owner).await.0, StatusCode::NO_CONTENT);
    delivered(
        &app,
        ("opportunity", "deleted", &opp["id"]),
        &mut [&mut a, &mut b],
        &mut [&mut x],
    )
    .await;
    let at = format!("/api/v1/tickets/{}", ticket["id"].as_str().expect("id"));
    assert_eq!(app.delete(&at, &support).await.0, StatusCode::NO_CONTENT);
    delivered(
        &app,
        ("ticket", "deleted", &ticket["id"]),
        &mut [&mut a, &mut b],
        &mut [&mut x],
    )
    .await;
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn a_deactivated_users_socket_is_closed(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let admin = app.user(Role::Admin, None).await;
    let sales = app.user(Role::Sales, None).await;
    let mut socket = connect(&app, &sales.token, true).await;
    let mut bystander = connect(&app, &admin.token, true).await;
    let (status, body) = app
        .patch(
            &format!("/api/v1/users/{}", sales.id),
            &admin,
            json!({"is_active": false}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    dispatch_all(&app).await;
    // The socket ends (a close frame, then the end of the stream) within seconds.
    let closed = tokio::time::timeout(Duration::from_secs(5), async {
        loop {
            match socket.next().await {
                Some(Ok(Message::Close(frame))) => return frame.map(|f| u16::from(f.code)),
                Some(Ok(_)) => continue,
                _ => return None,
            }
        }
    })
    .await
    .expect("closed within 5 s");
    assert_eq!(closed, Some(1008), "closed as a policy violation");
    // Nobody else is disconnected, and the revocation itself is not an event clients see.
    assert!(
        next_event(&mut bystander, Duration::from_millis(300))
            .await
            .is_none()
    );
    bystander
        .send(Message::Ping(Vec::new().into()))
        .await
        .expect("the admin's socket is still open");
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn a_cookie_upgrade_from_a_foreign_origin_is_refused(db: PgPool) {
    use leptos::server_fn::ServerFn;
    let app = TestApp::spawn(db).await;
    let u = app.user(Role::Sales, None).await;
    let res = app
        .http
        .post(format!("{}{}", app.base, app::api::auth::Login::PATH))
        .json(&json!({"email": u.email, "password": crate::common::PASSWORD}))
        .send()
        .await
        .expect("login");
    let cookie = res.headers()["set-cookie"]
        .to_str()
        .expect("cookie")
        .split(';')
        .next()
        .expect("name=value")
        .to_owned();
    let upgrade = |origin: String| {
        let mut req = format!("{}/api/v1/ws", app.base.replace("http://", "ws://"))
            .into_client_request()
            .expect("request");
        req.headers_mut()
            .insert("cookie", cookie.parse().expect("header"));
        req.headers_mut()
            .insert("origin", origin.parse().expect("header"));
        tokio_tungstenite::connect_async(req)
    };
    match upgrade("http://evil.example".into()).await {
        Err(tokio_tungstenite::tungstenite::Error::Http(res)) => {
            assert_eq!(res.status(), StatusCode::FORBIDDEN.as_u16())
        }
        other => panic!("a foreign origin was upgraded: {:?}", other.map(|_| ())),
    }
    assert!(upgrade(app.base.clone()).await.is_ok(), "our own origin is");
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn an_allocation_to_another_teams_customer_shows_where_only_to_its_readers(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let inv = app.user(Role::Inventory, None).await;
    let north = app.user(Role::Sales, Some("north")).await;
    let south = app.user(Role::Sales, Some("south")).await;
    let customer = customer_of(&app, &north).await;
    let north_manager = app.user(Role::Manager, Some("north")).await;
    let (status, project) = app
        .post(
            "/api/v1/projects",
            &north_manager,
            json!({"name": "North rollout", "customer_id": customer}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{project}");
    let path = new_asset(&app, &inv, "LAPTOP-RD", 10).await;
    let mut north_socket = connect(&app, &north.token, false).await;
    let mut south_socket = connect(&app, &south.token, false).await;
    let asset_id = json!(path.split('/').nth(4).expect("asset id"));

    for target in [
        json!({"quantity": 1, "customer_id": customer}),
        json!({"quantity": 1, "project_id": project["id"]}),
    ] {
        let (status, a) = app.post(&path, &inv, target).await;
        assert_eq!(status, StatusCode::CREATED, "{a}");
        dispatch_all(&app).await;
        // The event: the team that owns the customer reads where the units went, the other team only that
        // they went; nobody reads the owner facts used to decide.
        let seen = event_about(&mut north_socket, "asset.allocated", &asset_id)
            .await
            .expect("north gets the event");
        assert!(
            seen["data"]["customer_id"].is_string() || seen["data"]["project_id"].is_string(),
            "{seen}"
        );
        assert!(seen["data"].get("owner_id").is_none(), "{seen}");
        let hidden = event_about(&mut south_socket, "asset.allocated", &asset_id)
            .await
            .expect("south gets the event");
        assert_eq!(hidden["data"]["quantity"], 1);
        for key in ["customer_id", "project_id", "owner_id", "owner_team"] {
            assert!(hidden["data"].get(key).is_none(), "{key}: {hidden}");
        }
    }

    // The list: the same rule, row by row.
    let list = path.replace("/allocate", "/allocations");
    let (status, rows) = app.get(&list, &south).await;
    assert_eq!(status, StatusCode::OK, "{rows}");
    let rows = rows
        .as_array()
        .cloned()
        .unwrap_or_else(|| rows["data"].as_array().cloned().unwrap_or_default());
    assert_eq!(rows.len(), 2, "{rows:?}");
    for r in &rows {
        for key in ["customer_id", "customer_name", "project_id", "project_name"] {
            assert!(r[key].is_null(), "{key}: {r}");
        }
    }
    let (_, rows) = app.get(&list, &north).await;
    let text = rows.to_string();
    assert_eq!(text.matches("Owned Co").count(), 2, "{text}");
    assert!(text.contains("North rollout"), "{text}");
}
