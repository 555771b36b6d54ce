//! The optional search engine (Meilisearch): the queue the triggers fill, the fallback to PostgreSQL, and —
//! against a real server when `MEILI_URL` is set — search that follows writes, owners and rights.

use crate::common::{TestApp, TestUser, config};
use app::ssr::search::{self, Meili};
use domain::Role;
use reqwest::StatusCode;
use serde_json::{Value, json};
use sqlx::PgPool;
use std::sync::Arc;

async fn customer(app: &TestApp, u: &TestUser, name: &str) -> String {
    app.customer(u, json!({ "name": name })).await["id"]
        .as_str()
        .expect("helper step")
        .to_owned()
}

async fn interaction(
    app: &TestApp,
    u: &TestUser,
    customer: &str,
    subject: &str,
    at: &str,
) -> String {
    let (status, i) = app
        .post(
            "/api/v1/interactions",
            u,
            json!({"customer_id": customer, "kind": "note", "subject": subject, "body": "Notes", "occurred_at": at}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{i}");
    i["id"].as_str().expect("id").to_owned()
}

/// The subjects a search lists, in order.
async fn subjects(app: &TestApp, u: &TestUser, q: &str) -> Vec<String> {
    let (status, page) = app
        .get(
            &format!("/api/v1/interactions?q={}", q.replace(' ', "+")),
            u,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    page["data"]
        .as_array()
        .expect("data")
        .iter()
        .map(|i| i["subject"].as_str().expect("subject").to_owned())
        .collect()
}

/// The subjects of every page of a search, `limit` rows a page, following the cursors (at most 20 pages).
async fn all_pages(app: &TestApp, u: &TestUser, q: &str, limit: usize) -> Vec<String> {
    let first = format!(
        "/api/v1/interactions?q={}&limit={limit}",
        q.replace(' ', "+")
    );
    let mut path = first.clone();
    let mut seen: Vec<String> = Vec::new();
    for _ in 0..20 {
        let (status, page) = app.get(&path, u).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        let rows = page["data"].as_array().expect("data");
        assert!(rows.len() <= limit);
        seen.extend(
            rows.iter()
                .map(|r| r["subject"].as_str().expect("subject").to_owned()),
        );
        match page["next_cursor"].as_str() {
            Some(c) => path = format!("{first}&cursor={c}"),
            None => return seen,
        }
    }
    panic!("more than 20 pages: {seen:?}");
}

/// The admin gives the customer to a new owner.
async fn set_owner(app: &TestApp, admin: &TestUser, customer: &str, owner: &TestUser) {
    let (status, body) = app
        .patch(
            &format!("/api/v1/customers/{customer}"),
            admin,
            json!({"owner_id": owner.id}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

async fn queue(app: &TestApp) -> Vec<(String, String)> {
    sqlx::query_as("SELECT entity, entity_id::text FROM search_sync_queue ORDER BY id")
        .fetch_all(&app.db)
        .await
        .expect("queue")
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn changes_are_queued_in_their_transaction_only_while_an_engine_is_configured(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let admin = app.user(Role::Admin, None).await;
    let other = app.user(Role::Sales, None).await;
    let c = customer(&app, &admin, "Queue Co").await;
    interaction(
        &app,
        &admin,
        &c,
        "Before any engine",
        "2026-11-02T10:00:00Z",
    )
    .await;
    assert!(queue(&app).await.is_empty(), "no engine, nothing queued");

    sqlx::query("INSERT INTO search_sync_state (target) VALUES ('http://engine idx')")
        .execute(&app.db)
        .await
        .expect("state");
    let i = interaction(&app, &admin, &c, "Queued", "2026-11-03T10:00:00Z").await;
    let (status, _) = app
        .patch(
            &format!("/api/v1/interactions/{i}"),
            &admin,
            json!({"subject": "Queued again"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    // A new owner re-labels the customer's documents; another change of the customer does not.
    set_owner(&app, &admin, &c, &other).await;
    let (status, _) = app
        .patch(
            &format!("/api/v1/customers/{c}"),
            &admin,
            json!({"name": "Queue Company"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = app
        .delete(&format!("/api/v1/interactions/{i}"), &admin)
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let ent = |e: &str, id: &str| (e.to_owned(), id.to_owned());
    assert_eq!(
        queue(&app).await,
        vec![
            ent("interaction", &i),
            ent("interaction", &i),
            ent("customer", &c),
            ent("interaction", &i),
        ]
    );

    // A write that fails queues nothing: a bulk create with one bad item is all or nothing.
    let (status, _) = app
        .post(
            "/api/v1/interactions/bulk",
            &admin,
            json!({"items": [
                {"customer_id": c, "kind": "note", "subject": "ok"},
                {"customer_id": c, "kind": "nonsense", "subject": "bad"}
            ]}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(queue(&app).await.len(), 4);
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn an_unreachable_engine_leaves_search_to_postgres(db: PgPool) {
    // Nothing listens on port 9 (discard): every engine call fails at once.
    let mut cfg = config();
    cfg.meili_url = Some("http://127.0.0.1:9".into());
    let app = TestApp::spawn_with(db, cfg).await;
    let engine = app.ctx.search.clone().expect("engine configured");
    let u = app.user(Role::Sales, None).await;
    let c = customer(&app, &u, "Fallback Co").await;
    interaction(
        &app,
        &u,
        &c,
        "Renewal budget review",
        "2026-11-04T10:00:00Z",
    )
    .await;
    interaction(&app, &u, &c, "Unrelated call", "2026-11-05T10:00:00Z").await;

    // Not backfilled: PostgreSQL answers, and the engine's worker cannot get anywhere.
    assert!(!engine.is_ready());
    assert_eq!(
        subjects(&app, &u, "renewal budget").await,
        ["Renewal budget review"]
    );
    assert!(
        search::sync_once(&app.db, &engine).await.is_ok(),
        "no state row: nothing to do"
    );
    search::enable(&app.db, &engine)
        .await
        .expect("enable needs only the database");
    assert!(
        search::sync_once(&app.db, &engine).await.is_err(),
        "settings cannot be sent"
    );
    assert!(!engine.is_ready());

    // Say the engine had every row and then went away: the search still answers, from PostgreSQL.
    sqlx::query("UPDATE search_sync_state SET settings_applied = true, backfilled_at = now()")
        .execute(&app.db)
        .await
        .expect("state");
    sqlx::query("DELETE FROM search_sync_queue")
        .execute(&app.db)
        .await
        .expect("queue");
    assert_eq!(search::sync_once(&app.db, &engine).await.expect("idle"), 0);
    assert!(engine.is_ready());
    assert_eq!(
        subjects(&app, &u, "renewal budget").await,
        ["Renewal budget review"]
    );
}

/// The engine of `MEILI_URL`, on a fresh index for this test's database; `None` (with the reason printed)
/// when no engine is configured.
async fn real_engine(db: PgPool) -> Option<(TestApp, Arc<Meili>)> {
    let Ok(url) = std::env::var("MEILI_URL") else {
        eprintln!(
            "skipped: MEILI_URL is not set (no Meilisearch server to test the engine against)"
        );
        return None;
    };
    let mut cfg = config();
    cfg.meili_url = Some(url);
    cfg.meili_key = std::env::var("MEILI_KEY").ok();
    let app = TestApp::spawn_with(db, cfg).await;
    let engine = app.ctx.search.clone().expect("engine configured");
    engine.delete_index().await.expect("engine reachable");
    Some((app, engine))
}

async fn synced(app: &TestApp, engine: &Meili) {
    search::sync_until_idle(&app.db, engine)
        .await
        .expect("sync");
    assert!(engine.is_ready());
    assert!(queue(app).await.is_empty());
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn the_engine_searches_what_postgres_holds_for_whoever_may_see_it(db: PgPool) {
    let Some((app, engine)) = real_engine(db).await else {
        return;
    };
    let admin = app.user(Role::Admin, None).await;
    let a = app.user(Role::Sales, None).await;
    let b = app.user(Role::Sales, None).await;
    let ca = customer(&app, &a, "Alpha Co").await;
    let cb = customer(&app, &b, "Beta Co").await;
    // Rows from before the engine was configured come in by the backfill.
    interaction(
        &app,
        &a,
        &ca,
        "Renewal budget for Alpha",
        "2026-10-01T09:00:00Z",
    )
    .await;
    interaction(
        &app,
        &b,
        &cb,
        "Renewal budget for Beta",
        "2026-10-02T09:00:00Z",
    )
    .await;
    interaction(
        &app,
        &a,
        &ca,
        "Budget without the other word",
        "2026-10-03T09:00:00Z",
    )
    .await;
    search::enable(&app.db, &engine).await.expect("enable");
    synced(&app, &engine).await;

    // Every word must match; each seller sees their own customer's rows; a typo is forgiven (PostgreSQL
    // would find nothing for it, so this also shows the engine answered).
    assert_eq!(
        subjects(&app, &a, "renewal budget").await,
        ["Renewal budget for Alpha"]
    );
    assert_eq!(
        subjects(&app, &b, "renewal budget").await,
        ["Renewal budget for Beta"]
    );
    assert_eq!(
        subjects(&app, &admin, "renewal budget").await,
        ["Renewal budget for Beta", "Renewal budget for Alpha"]
    );
    assert_eq!(
        subjects(&app, &a, "renewl").await,
        ["Renewal budget for Alpha"]
    );
    assert_eq!(
        subjects(&app, &a, "renewal bud").await,
        ["Renewal budget for Alpha"],
        "prefix"
    );

    // Writes reach the engine through the queue.
    let new = interaction(&app, &a, &ca, "Procurement kickoff", "2026-10-04T09:00:00Z").await;
    synced(&app, &engine).await;
    assert_eq!(
        subjects(&app, &a, "procurement").await,
        ["Procurement kickoff"]
    );
    let (status, _) = app
        .patch(
            &format!("/api/v1/interactions/{new}"),
            &a,
            json!({"subject": "Security review"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    synced(&app, &engine).await;
    assert!(subjects(&app, &a, "procurement").await.is_empty());
    assert_eq!(subjects(&app, &a, "security").await, ["Security review"]);
    let (status, _) = app.delete(&format!("/api/v1/interactions/{new}"), &a).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    synced(&app, &engine).await;
    assert!(subjects(&app, &a, "security").await.is_empty());

    // A new owner: before the engine hears of it, the rows are checked against PostgreSQL and A no longer
    // sees them; after, B finds them through the engine.
    set_owner(&app, &admin, &ca, &b).await;
    assert!(subjects(&app, &a, "renewal budget").await.is_empty());
    synced(&app, &engine).await;
    assert!(subjects(&app, &a, "renewal budget").await.is_empty());
    assert_eq!(
        subjects(&app, &b, "renewal budget").await,
        ["Renewal budget for Beta", "Renewal budget for Alpha"]
    );
    // Filters go to the engine too.
    let (_, page) = app
        .get(
            &format!("/api/v1/interactions?q=renewal&customer_id={cb}"),
            &b,
        )
        .await;
    let only: Vec<&Value> = page["data"].as_array().expect("data").iter().collect();
    assert_eq!(only.len(), 1);
    assert_eq!(only[0]["customer_id"], json!(cb));

    // Keyset pages through the engine: newest first, every row once, same times broken by id.
    for day in 10..17 {
        interaction(
            &app,
            &b,
            &cb,
            &format!("Weekly sync {day}"),
            &format!("2026-10-{day}T09:00:00Z"),
        )
        .await;
    }
    // Four rows of one time: more than a page of one and its lookahead.
    for tie in ["tie", "tie 2", "tie 3"] {
        interaction(
            &app,
            &b,
            &cb,
            &format!("Weekly sync {tie}"),
            "2026-10-16T09:00:00Z",
        )
        .await;
    }
    synced(&app, &engine).await;
    // Pages of 3 end between times; pages of 1 end inside the tie (the rows of one time come in id order).
    let mut orders: Vec<Vec<String>> = Vec::new();
    for limit in [3, 1] {
        let seen = all_pages(&app, &b, "weekly sync", limit).await;
        assert_eq!(seen.len(), 10, "{seen:?}");
        assert_eq!(
            &seen[4..],
            [
                "Weekly sync 15",
                "Weekly sync 14",
                "Weekly sync 13",
                "Weekly sync 12",
                "Weekly sync 11",
                "Weekly sync 10"
            ]
        );
        let mut unique = seen.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), 10);
        orders.push(seen);
    }
    assert_eq!(
        orders[0], orders[1],
        "the same order whatever the page size"
    );

    // Rows the engine still lists for A after their customer went to B are checked out of A's pages; the
    // engine is asked again past them, so A's own older rows still come, in order, on the pages after.
    let gamma = customer(&app, &a, "Gamma Co").await;
    let delta = customer(&app, &a, "Delta Co").await;
    for day in 1..4 {
        interaction(
            &app,
            &a,
            &gamma,
            &format!("Quarterly review old {day}"),
            &format!("2026-09-0{day}T09:00:00Z"),
        )
        .await;
    }
    // More rows than the engine's rounds for one page cover (4 × 3 hits): a page may come back empty, but
    // with a cursor to go on from.
    for day in 10..23 {
        interaction(
            &app,
            &a,
            &delta,
            &format!("Quarterly review new {day}"),
            &format!("2026-09-{day}T09:00:00Z"),
        )
        .await;
    }
    synced(&app, &engine).await;
    set_owner(&app, &admin, &delta, &b).await;
    let seen = all_pages(&app, &a, "quarterly review", 2).await;
    assert_eq!(
        seen,
        [
            "Quarterly review old 3",
            "Quarterly review old 2",
            "Quarterly review old 1"
        ]
    );

    // An index lost behind the app's back (the engine's data gone) is rebuilt when a node starts.
    engine.delete_index().await.expect("index deleted");
    search::enable(&app.db, &engine).await.expect("enable");
    let fresh: bool = sqlx::query_scalar(
        "SELECT backfilled_at IS NULL AND NOT settings_applied FROM search_sync_state",
    )
    .fetch_one(&app.db)
    .await
    .expect("state");
    assert!(fresh, "starts over");
    synced(&app, &engine).await;
    assert_eq!(
        subjects(&app, &b, "weekly sync 11").await,
        ["Weekly sync 11"]
    );

    // Starting over sends every row again.
    search::reindex(&app.db, &engine).await.expect("reindex");
    assert!(!engine.is_ready());
    synced(&app, &engine).await;
    assert_eq!(
        subjects(&app, &b, "weekly sync 12").await,
        ["Weekly sync 12"]
    );
    engine.delete_index().await.expect("cleanup");
}
