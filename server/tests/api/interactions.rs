use crate::common::{TestApp, TestUser, fields};
use chrono::{DateTime, Datelike, Duration, Utc};
use domain::Role;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sqlx::PgPool;
use uuid::Uuid;

async fn customer(app: &TestApp, u: &TestUser, name: &str) -> String {
    app.customer(u, json!({ "name": name })).await["id"]
        .as_str()
        .expect("helper step")
        .to_owned()
}

async fn interaction(app: &TestApp, u: &TestUser, body: Value) -> Value {
    let (status, i) = app.post("/api/v1/interactions", u, body).await;
    assert_eq!(status, StatusCode::CREATED, "{i}");
    i
}

/// Which partition holds the row.
async fn partition(app: &TestApp, id: &str) -> String {
    sqlx::query_scalar("SELECT tableoid::regclass::text FROM interactions WHERE id = $1::uuid")
        .bind(id)
        .fetch_one(&app.db)
        .await
        .expect("helper step")
}

fn month_partition(t: DateTime<Utc>) -> String {
    format!("interactions_p{:04}_{:02}", t.year(), t.month())
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn crud_with_etag_author_partition_move_and_audit(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let u = app.user(Role::Sales, None).await;
    let c = customer(&app, &u, "Acme").await;
    let res = app
        .send(
            Method::POST,
            "/api/v1/interactions",
            Some(&u.token),
            Some(json!({"customer_id": c, "kind": "call", "subject": " Intro call ", "body": "Talked pricing",
                        "duration_minutes": 30, "participants": ["Ada", " "]})),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    assert_eq!(res.headers()["etag"], "\"1\"");
    let location = res.headers()["location"].to_str().unwrap().to_owned();
    let i: Value = res.json().await.unwrap();
    let id = i["id"].as_str().unwrap().to_owned();
    assert_eq!(location, format!("/api/v1/interactions/{id}"));
    assert_eq!(i["subject"], "Intro call");
    assert_eq!(i["author_id"], u.id.as_str(), "the caller is the author");
    assert_eq!(i["author_name"], "Test User");
    assert_eq!(i["customer_name"], "Acme");
    assert_eq!(i["participants"], json!(["Ada"]));
    let occurred: DateTime<Utc> = i["occurred_at"].as_str().unwrap().parse().unwrap();
    assert!(
        (Utc::now() - occurred).num_seconds().abs() < 60,
        "defaults to now"
    );
    assert_eq!(partition(&app, &id).await, month_partition(occurred));

    let (status, got) = app.get(&location, &u).await;
    assert_eq!((status, &got), (StatusCode::OK, &i));

    // Moving it to a month a year ago moves the row to that month's partition.
    let past = Utc::now() - Duration::days(365);
    let res = app
        .http
        .patch(format!("{}{location}", app.base))
        .bearer_auth(&u.token)
        .header("if-match", "\"1\"")
        .json(
            &json!({"occurred_at": past.to_rfc3339(), "kind": "meeting", "duration_minutes": null}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let updated: Value = res.json().await.unwrap();
    assert_eq!(updated["version"], 2);
    assert_eq!(updated["kind"], "meeting");
    assert_eq!(updated["duration_minutes"], Value::Null);
    assert_eq!(updated["subject"], "Intro call", "absent fields stay");
    assert_eq!(partition(&app, &id).await, month_partition(past));
    assert_eq!(app.get(&location, &u).await.0, StatusCode::OK);

    let (status, _) = app.delete(&location, &u).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(app.get(&location, &u).await.0, StatusCode::NOT_FOUND);
    let actions: Vec<String> = sqlx::query_scalar(
        "SELECT action FROM audit_logs WHERE entity = 'interaction' AND entity_id = $1::uuid ORDER BY id",
    )
    .bind(&id)
    .fetch_all(&app.db)
    .await
    .unwrap();
    assert_eq!(
        actions,
        [
            "interaction.create",
            "interaction.update",
            "interaction.delete"
        ]
    );
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn audit_row_is_written_by_the_same_transaction(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let u = app.user(Role::Support, None).await;
    let c = customer(&app, &app.user(Role::Manager, None).await, "Acme").await;
    let i = interaction(
        &app,
        &u,
        json!({"customer_id": c, "kind": "note", "subject": "Note"}),
    )
    .await;
    let id = i["id"].as_str().unwrap();
    let row_xid: String =
        sqlx::query_scalar("SELECT xmin::text FROM interactions WHERE id = $1::uuid")
            .bind(id)
            .fetch_one(&app.db)
            .await
            .unwrap();
    let audit_xid: String = sqlx::query_scalar(
        "SELECT xmin::text FROM audit_logs WHERE entity = 'interaction' AND entity_id = $1::uuid",
    )
    .bind(id)
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(
        row_xid, audit_xid,
        "row and audit entry share a transaction"
    );
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn bad_input_is_422_naming_each_field_and_writes_nothing(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let u = app.user(Role::Manager, None).await;
    let c = customer(&app, &u, "Acme").await;
    let other = customer(&app, &u, "Globex").await;
    let (_, contact) = app
        .post(
            &format!("/api/v1/customers/{other}/contacts"),
            &u,
            json!({"first_name": "Ada"}),
        )
        .await;
    let audits = app.count("audit_logs").await;

    let (status, p) = app
        .post(
            "/api/v1/interactions",
            &u,
            json!({"subject": "x".repeat(301)}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
    assert_eq!(fields(&p), ["customer_id", "subject", "kind"]);

    let (status, p) = app
        .post(
            "/api/v1/interactions",
            &u,
            json!({"customer_id": c, "kind": "fax", "subject": "Hi"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
    assert_eq!(fields(&p), ["kind"]);

    let (status, p) = app
        .post("/api/v1/interactions", &u, json!({"customer_id": c, "kind": "call", "subject": "Hi",
                                                 "contact_id": contact["id"], "ticket_id": Uuid::now_v7()}))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
    assert_eq!(fields(&p), ["contact_id", "ticket_id"]);

    let (status, p) = app
        .post(
            "/api/v1/interactions",
            &u,
            json!({"customer_id": Uuid::now_v7(), "kind": "call", "subject": "Hi"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
    assert_eq!(fields(&p), ["customer_id"]);

    let (status, p) = app
        .post(
            "/api/v1/interactions",
            &u,
            json!({"customer_id": c, "kind": "call", "subject": "Hi",
                                                 "occurred_at": "2200-01-01T00:00:00Z"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
    assert_eq!(fields(&p), ["occurred_at"]);

    assert_eq!(app.count("interactions").await, 0);
    assert_eq!(app.count("audit_logs").await, audits);

    // The contact of the right customer is fine.
    let (_, mine) = app
        .post(
            &format!("/api/v1/customers/{c}/contacts"),
            &u,
            json!({"first_name": "Bo"}),
        )
        .await;
    let i = interaction(
        &app,
        &u,
        json!({"customer_id": c, "kind": "call", "subject": "Hi", "contact_id": mine["id"]}),
    )
    .await;
    assert_eq!(i["contact_id"], mine["id"]);
    let (status, p) = app
        .patch(
            &format!("/api/v1/interactions/{}", i["id"].as_str().unwrap()),
            &u,
            json!({"contact_id": contact["id"], "subject": null}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
    assert_eq!(fields(&p), ["subject"]);
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn other_sales_get_404_and_viewer_gets_403(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let a = app.user(Role::Sales, None).await;
    let b = app.user(Role::Sales, None).await;
    let viewer = app.user(Role::Viewer, None).await;
    let c = customer(&app, &a, "Acme").await;
    let i = interaction(
        &app,
        &a,
        json!({"customer_id": c, "kind": "email", "subject": "Quote"}),
    )
    .await;
    let path = format!("/api/v1/interactions/{}", i["id"].as_str().unwrap());

    assert_eq!(app.get(&path, &b).await.0, StatusCode::NOT_FOUND);
    assert_eq!(
        app.patch(&path, &b, json!({"subject": "x"})).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(app.delete(&path, &b).await.0, StatusCode::NOT_FOUND);
    let (status, p) = app
        .post(
            "/api/v1/interactions",
            &b,
            json!({"customer_id": c, "kind": "call", "subject": "x"}),
        )
        .await;
    assert_eq!(
        (status, fields(&p)),
        (StatusCode::UNPROCESSABLE_ENTITY, vec!["customer_id".into()])
    );
    let (status, list) = app.get("/api/v1/interactions", &b).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list["data"], json!([]));
    for p in [
        format!("/api/v1/customers/{c}/interactions"),
        format!("/api/v1/customers/{c}/timeline"),
    ] {
        assert_eq!(app.get(&p, &b).await.0, StatusCode::NOT_FOUND, "{p}");
    }

    assert_eq!(app.get(&path, &viewer).await.0, StatusCode::OK);
    assert_eq!(
        app.patch(&path, &viewer, json!({"subject": "x"})).await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(app.delete(&path, &viewer).await.0, StatusCode::FORBIDDEN);
    assert_eq!(
        app.post(
            "/api/v1/interactions",
            &viewer,
            json!({"customer_id": c, "kind": "call", "subject": "x"})
        )
        .await
        .0,
        StatusCode::FORBIDDEN
    );
    let (status, _) = app
        .call(Method::GET, "/api/v1/interactions", None, None)
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(app.count("interactions").await, 1);
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn stale_if_match_is_412_and_changes_nothing(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let u = app.user(Role::Manager, None).await;
    let c = customer(&app, &u, "Acme").await;
    let i = interaction(
        &app,
        &u,
        json!({"customer_id": c, "kind": "note", "subject": "One"}),
    )
    .await;
    let url = format!(
        "{}/api/v1/interactions/{}",
        app.base,
        i["id"].as_str().unwrap()
    );
    let (status, _) = app
        .patch(
            &format!("/api/v1/interactions/{}", i["id"].as_str().unwrap()),
            &u,
            json!({"subject": "Two"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let stale = app
        .http
        .patch(&url)
        .bearer_auth(&u.token)
        .header("if-match", "\"1\"")
        .json(&json!({"subject": "Three"}))
        .send()
        .await
        .unwrap();
    assert_eq!(stale.status(), StatusCode::PRECONDITION_FAILED);
    let stale = app
        .http
        .delete(&url)
        .bearer_auth(&u.token)
        .header("if-match", "\"1\"")
        .send()
        .await
        .unwrap();
    assert_eq!(stale.status(), StatusCode::PRECONDITION_FAILED);
    let (_, got) = app
        .get(
            &format!("/api/v1/interactions/{}", i["id"].as_str().unwrap()),
            &u,
        )
        .await;
    assert_eq!(
        (got["subject"].as_str(), got["version"].as_i64()),
        (Some("Two"), Some(2))
    );
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn bulk_create_and_delete_are_all_or_nothing(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let u = app.user(Role::Sales, None).await;
    let other = app.user(Role::Sales, None).await;
    let c = customer(&app, &u, "Acme").await;
    let theirs = customer(&app, &other, "Globex").await;
    let good = json!({"customer_id": c, "kind": "call", "subject": "Hi"});
    let (status, p) = app
        .post(
            "/api/v1/interactions/bulk",
            &u,
            json!({"items": [good, good, {"customer_id": c, "kind": "call", "subject": ""}]}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&p), ["items[2].subject"]);
    let (status, p) = app
        .post(
            "/api/v1/interactions/bulk",
            &u,
            json!({"items": [good, {"customer_id": theirs, "kind": "call", "subject": "x"}]}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&p), ["items[1].customer_id"]);
    assert_eq!(app.count("interactions").await, 0);
    assert_eq!(
        app.count("audit_logs WHERE entity = 'interaction'").await,
        0
    );

    let (status, created) = app
        .post(
            "/api/v1/interactions/bulk",
            &u,
            json!({"items": [good, good, good]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let ids: Vec<Value> = created["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].clone())
        .collect();
    assert_eq!(ids.len(), 3);

    let mine = interaction(
        &app,
        &other,
        json!({"customer_id": theirs, "kind": "call", "subject": "x"}),
    )
    .await;
    let (status, p) = app
        .post(
            "/api/v1/interactions/bulk-actions",
            &u,
            json!({"action": "delete", "ids": [ids[0], mine["id"]]}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{p}");
    assert_eq!(app.count("interactions").await, 4, "nothing deleted");
    let (status, r) = app
        .post(
            "/api/v1/interactions/bulk-actions",
            &u,
            json!({"action": "delete", "ids": [ids[0], ids[1]]}),
        )
        .await;
    assert_eq!((status, r["affected"].as_i64()), (StatusCode::OK, Some(2)));
    assert_eq!(app.count("interactions").await, 2);
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn search_finds_body_words_and_hides_other_customers(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let a = app.user(Role::Sales, None).await;
    let b = app.user(Role::Sales, None).await;
    let manager = app.user(Role::Manager, None).await;
    let ca = customer(&app, &a, "Acme").await;
    let cb = customer(&app, &b, "Globex").await;
    let mine = interaction(
        &app,
        &a,
        json!({"customer_id": ca, "kind": "email", "subject": "Follow-up",
                                           "body": "They asked about the zanzibar rollout"}),
    )
    .await;
    interaction(
        &app,
        &a,
        json!({"customer_id": ca, "kind": "email", "subject": "Other", "body": "Nothing here"}),
    )
    .await;
    interaction(
        &app,
        &b,
        json!({"customer_id": cb, "kind": "call", "subject": "Zanzibar too"}),
    )
    .await;

    let (status, page) = app.get("/api/v1/interactions?q=zanzib", &a).await;
    assert_eq!(status, StatusCode::OK);
    let ids: Vec<&Value> = page["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| &i["id"])
        .collect();
    assert_eq!(ids, [&mine["id"]], "only A's matching interaction");

    let (_, page) = app.get("/api/v1/interactions?q=zanzibar", &manager).await;
    assert_eq!(page["data"].as_array().unwrap().len(), 2);
    let (_, page) = app
        .get("/api/v1/interactions?q=zanzibar&kind=call", &manager)
        .await;
    assert_eq!(page["data"].as_array().unwrap().len(), 1);
    let (status, p) = app
        .get("/api/v1/interactions?kind=fax&from=yesterday", &a)
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&p), ["kind", "from"]);
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn customer_interactions_are_newest_first_and_paged(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let u = app.user(Role::Sales, None).await;
    let c = customer(&app, &u, "Acme").await;
    let now = Utc::now();
    for d in [3, 1, 2, 5, 4] {
        let at = (now - Duration::days(d * 40)).to_rfc3339();
        interaction(&app, &u, json!({"customer_id": c, "kind": "note", "subject": format!("d{d}"), "occurred_at": at})).await;
    }
    let mut subjects = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut path = format!("/api/v1/customers/{c}/interactions?limit=2");
        if let Some(cur) = &cursor {
            path.push_str(&format!("&cursor={cur}"));
        }
        let (status, page) = app.get(&path, &u).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        for i in page["data"].as_array().unwrap() {
            subjects.push(i["subject"].as_str().unwrap().to_owned());
        }
        match page["next_cursor"].as_str() {
            Some(n) => cursor = Some(n.to_owned()),
            None => break,
        }
    }
    assert_eq!(subjects, ["d1", "d2", "d3", "d4", "d5"]);
}

/// Inserts a task, a ticket and an opportunity with one stage change for `customer` at the given times.
async fn other_sources(
    app: &TestApp,
    customer: &str,
    task_at: DateTime<Utc>,
    ticket_at: DateTime<Utc>,
    stage_at: DateTime<Utc>,
) -> [Uuid; 3] {
    let (task, ticket, opp, change) = (
        Uuid::now_v7(),
        Uuid::now_v7(),
        Uuid::now_v7(),
        Uuid::now_v7(),
    );
    sqlx::query("INSERT INTO tasks (id, title, customer_id, created_at) VALUES ($1, 'Send quote', $2::uuid, $3)")
        .bind(task).bind(customer).bind(task_at).execute(&app.db).await.expect("helper step");
    sqlx::query("INSERT INTO tickets (id, subject, customer_id, sla_due_at, created_at) VALUES ($1, 'Printer broken', $2::uuid, now(), $3)")
        .bind(ticket).bind(customer).bind(ticket_at).execute(&app.db).await.expect("helper step");
    sqlx::query("INSERT INTO opportunities (id, name, customer_id, probability) VALUES ($1, 'Big deal', $2::uuid, 10)")
        .bind(opp).bind(customer).execute(&app.db).await.expect("helper step");
    sqlx::query("INSERT INTO opportunity_stage_history (id, opportunity_id, from_stage, to_stage, amount, probability, changed_at)
                 VALUES ($1, $2, 'qualification', 'proposal', 1000, 40, $3)")
        .bind(change).bind(opp).bind(stage_at).execute(&app.db).await.expect("helper step");
    [task, ticket, change]
}

async fn timeline_pages(app: &TestApp, u: &TestUser, c: &str, limit: usize) -> Vec<Value> {
    let mut out = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..50 {
        let mut path = format!("/api/v1/customers/{c}/timeline?limit={limit}");
        if let Some(cur) = &cursor {
            path.push_str(&format!("&cursor={cur}"));
        }
        let (status, page) = app.get(&path, u).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        let data = page["data"].as_array().expect("helper step");
        assert!(data.len() <= limit);
        out.extend(data.iter().cloned());
        match page["next_cursor"].as_str() {
            Some(n) => cursor = Some(n.to_owned()),
            None => return out,
        }
    }
    panic!("the cursor chain does not end");
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn timeline_merges_every_source_newest_first_and_pages_without_gaps(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let u = app.user(Role::Sales, None).await;
    let c = customer(&app, &u, "Acme").await;
    app.patch(
        &format!("/api/v1/customers/{c}"),
        &u,
        json!({"status": "active"}),
    )
    .await;
    let now = Utc::now();
    let i = interaction(
        &app,
        &u,
        json!({"customer_id": c, "kind": "meeting", "subject": "Kickoff",
                                        "occurred_at": (now - Duration::days(4)).to_rfc3339()}),
    )
    .await;
    let [task, ticket, change] = other_sources(
        &app,
        &c,
        now - Duration::days(3),
        now - Duration::days(2),
        now - Duration::days(1),
    )
    .await;
    // Three entries at one instant: the cursor must order them by kind and id.
    let tie = now - Duration::days(10);
    other_sources(&app, &c, tie, tie, tie).await;
    interaction(&app, &u, json!({"customer_id": c, "kind": "note", "subject": "Tie", "occurred_at": tie.to_rfc3339()})).await;
    // Another customer's rows never show up.
    let other = customer(&app, &u, "Globex").await;
    other_sources(&app, &other, now, now, now).await;

    let all = timeline_pages(&app, &u, &c, 50).await;
    let kinds: Vec<&str> = all.iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert_eq!(
        kinds,
        [
            "audit",
            "audit",
            "stage_change",
            "ticket",
            "task",
            "interaction",
            "ticket",
            "task",
            "stage_change",
            "interaction"
        ]
    );
    assert_eq!(all[0]["title"], "Customer updated");
    assert_eq!(all[0]["actor_id"], u.id.as_str());
    assert_eq!(all[1]["title"], "Customer created");
    assert_eq!(all[2]["id"], change.to_string());
    assert_eq!(all[2]["summary"], "qualification → proposal");
    assert!(
        all[2]["link"]
            .as_str()
            .unwrap()
            .starts_with("/opportunities/")
    );
    assert_eq!(all[3]["id"], ticket.to_string());
    assert_eq!(all[3]["link"], format!("/tickets/{ticket}"));
    assert_eq!(all[4]["id"], task.to_string());
    assert_eq!(all[5]["id"], i["id"]);
    assert_eq!(
        all[5]["link"],
        format!("/interactions/{}", i["id"].as_str().unwrap())
    );
    assert_eq!(all[5]["data"]["interaction_kind"], "meeting");
    let times: Vec<DateTime<Utc>> = all
        .iter()
        .map(|e| e["at"].as_str().unwrap().parse().unwrap())
        .collect();
    assert!(times.windows(2).all(|w| w[0] >= w[1]), "newest first");

    for limit in [1, 2, 3] {
        let paged = timeline_pages(&app, &u, &c, limit).await;
        let ids = |v: &[Value]| v.iter().map(|e| e["id"].clone()).collect::<Vec<_>>();
        assert_eq!(ids(&paged), ids(&all), "limit {limit}: no gaps, no repeats");
    }
    let (status, p) = app
        .get(
            &format!("/api/v1/customers/{c}/timeline?cursor=garbage"),
            &u,
        )
        .await;
    assert_eq!(
        (status, fields(&p)),
        (StatusCode::UNPROCESSABLE_ENTITY, vec!["cursor".into()])
    );
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn far_future_interaction_lands_in_default_partition_and_moves_when_its_month_exists(
    db: PgPool,
) {
    let app = TestApp::spawn(db).await;
    let u = app.user(Role::Manager, None).await;
    let c = customer(&app, &u, "Acme").await;
    let at = Utc::now() + Duration::days(600);
    let i = interaction(
        &app,
        &u,
        json!({"customer_id": c, "kind": "meeting", "subject": "Planned",
                                        "occurred_at": at.to_rfc3339()}),
    )
    .await;
    let id = i["id"].as_str().unwrap();
    assert_eq!(partition(&app, id).await, "interactions_default");

    // Today's check creates nothing new (the migration made this month and the next three).
    let created =
        app::ssr::services::interactions::ensure_partitions(&app.db, Utc::now().date_naive())
            .await
            .unwrap();
    assert_eq!(created, 0);
    server::partitions::run_once(&app.db).await;
    assert_eq!(partition(&app, id).await, "interactions_default");

    let created = app::ssr::services::interactions::ensure_partitions(&app.db, at.date_naive())
        .await
        .unwrap();
    assert_eq!(created, 4, "that month and the three after it");
    assert_eq!(partition(&app, id).await, month_partition(at));
    let (status, got) = app.get(&format!("/api/v1/interactions/{id}"), &u).await;
    assert_eq!((status, &got), (StatusCode::OK, &i));

    // Every partition, old or new, searches without a pending list and keeps finer lexeme statistics.
    let untuned: Vec<String> = sqlx::query_scalar(
        "SELECT c.relname::text FROM pg_inherits h JOIN pg_class c ON c.oid = h.inhrelid
         WHERE h.inhparent = 'interactions'::regclass
           AND ((SELECT attstattarget FROM pg_attribute WHERE attrelid = c.oid AND attname = 'search') <> 1000
             OR NOT EXISTS (SELECT 1 FROM pg_index i JOIN pg_class x ON x.oid = i.indexrelid
                            WHERE i.indrelid = c.oid AND 'fastupdate=off' = ANY(x.reloptions)))",
    )
    .fetch_all(&app.db)
    .await
    .unwrap();
    assert_eq!(untuned, Vec::<String>::new());
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn server_functions_history_and_openapi_cover_interactions(db: PgPool) {
    use leptos::server_fn::ServerFn;
    let app = TestApp::spawn(db).await;
    let a = app.user(Role::Sales, None).await;
    let b = app.user(Role::Sales, None).await;
    let c = customer(&app, &a, "Acme").await;
    let url = |p: &str| format!("{}{p}", app.base);
    let browser = app.browser_login(&a.email).await;
    let res = browser
        .post(url(app::api::interactions::CreateInteraction::PATH))
        .json(&json!({"input": {"customer_id": c, "kind": "note", "subject": "From the UI"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let i: Value = res.json().await.unwrap();
    let res = browser
        .post(url(app::api::interactions::CustomerTimeline::PATH))
        .json(&json!({"customer": c, "query": {"limit": "10"}}))
        .send()
        .await
        .unwrap();
    let page: Value = res.json().await.unwrap();
    assert_eq!(page["data"][0]["id"], i["id"], "{page}");
    let history = |who: reqwest::Client| {
        let body = json!({"entity": "interaction", "entity_id": i["id"]});
        async move {
            let res = who
                .post(url(app::api::audit::RecordHistory::PATH))
                .json(&body)
                .send()
                .await
                .unwrap();
            res.json::<Value>().await.unwrap()
        }
    };
    let entries = history(browser).await;
    assert_eq!(entries[0]["action"], "interaction.create", "{entries}");
    let denied = history(app.browser_login(&b.email).await).await;
    assert_eq!(denied["status"], 404);

    let (_, doc) = app
        .call(Method::GET, "/api/v1/openapi.json", None, None)
        .await;
    for path in [
        "/api/v1/interactions",
        "/api/v1/interactions/{id}",
        "/api/v1/interactions/bulk",
        "/api/v1/interactions/bulk-actions",
        "/api/v1/customers/{id}/interactions",
        "/api/v1/customers/{id}/timeline",
    ] {
        assert!(doc["paths"].get(path).is_some(), "{path} documented");
    }
}
