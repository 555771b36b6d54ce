use crate::common::{TestApp, TestUser, fields};
use domain::Role;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sqlx::PgPool;

/// Support, sales A (owns the customer), sales B (another rep) and the customer of A.
struct World {
    app: TestApp,
    support: TestUser,
    sales_a: TestUser,
    sales_b: TestUser,
    customer: String,
}

async fn world(db: PgPool) -> World {
    let app = TestApp::spawn(db).await;
    let support = app.user(Role::Support, None).await;
    let sales_a = app.user(Role::Sales, None).await;
    let sales_b = app.user(Role::Sales, None).await;
    let customer = app.customer(&sales_a, json!({"name": "Acme"})).await["id"]
        .as_str()
        .expect("test setup")
        .to_owned();
    World {
        app,
        support,
        sales_a,
        sales_b,
        customer,
    }
}

impl World {
    async fn ticket(&self, body: Value) -> Value {
        let mut body = body;
        body["customer_id"] = json!(self.customer);
        let (status, t) = self.app.post("/api/v1/tickets", &self.support, body).await;
        assert_eq!(status, StatusCode::CREATED, "{t}");
        t
    }
}

fn path(t: &Value) -> String {
    format!("/api/v1/tickets/{}", t["id"].as_str().expect("test setup"))
}

fn hours_between(a: &Value, b: &Value) -> i64 {
    let t = |v: &Value| {
        chrono::DateTime::parse_from_rfc3339(v.as_str().expect("test setup")).expect("test setup")
    };
    (t(b) - t(a)).num_hours()
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn crud_with_sla_etag_and_audit(db: PgPool) {
    let w = world(db).await;
    let t = w
        .ticket(json!({"subject": " Printer on fire ", "priority": "urgent", "assignee_id": w.support.id}))
        .await;
    assert_eq!(t["subject"], "Printer on fire");
    assert_eq!(t["status"], "open");
    assert_eq!(t["customer_name"], "Acme");
    assert_eq!(t["assignee_name"], "Test User");
    assert_eq!(t["sla_breached"], false);
    assert_eq!(hours_between(&t["created_at"], &t["sla_due_at"]), 4);

    let (status, got) = w.app.get(&path(&t), &w.support).await;
    assert_eq!((status, &got), (StatusCode::OK, &t));

    // A new priority recomputes the deadline from the creation time.
    let (status, u) = w
        .app
        .patch(&path(&t), &w.support, json!({"priority": "low"}))
        .await;
    assert_eq!(status, StatusCode::OK, "{u}");
    assert_eq!(hours_between(&t["created_at"], &u["sla_due_at"]), 72);
    assert_eq!(u["version"], 2);

    let (status, page) = w
        .app
        .get(
            "/api/v1/tickets?status=open,in_progress&priority=low&q=print",
            &w.support,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(page["data"].as_array().unwrap().len(), 1);
    let (_, page) = w.app.get("/api/v1/tickets?mine=true", &w.support).await;
    assert_eq!(page["data"].as_array().unwrap().len(), 1);
    let (_, page) = w.app.get("/api/v1/tickets?breached=true", &w.support).await;
    assert_eq!(page["data"].as_array().unwrap().len(), 0);
    let (_, page) = w.app.get("/api/v1/tickets?status=closed", &w.support).await;
    assert_eq!(page["data"].as_array().unwrap().len(), 0);
    let (_, page) = w
        .app
        .get(
            "/api/v1/tickets?created_from=2000-01-01&created_to=2000-12-31",
            &w.support,
        )
        .await;
    assert_eq!(page["data"].as_array().unwrap().len(), 0);
    let (_, page) = w
        .app
        .get(
            &format!("/api/v1/tickets?customer_id={}&sort=sla_due_at", w.customer),
            &w.support,
        )
        .await;
    assert_eq!(page["data"].as_array().unwrap().len(), 1);

    let (status, _) = w.app.delete(&path(&t), &w.support).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(
        w.app.get(&path(&t), &w.support).await.0,
        StatusCode::NOT_FOUND
    );
    let actions: Vec<String> = sqlx::query_scalar(
        "SELECT action FROM audit_logs WHERE entity = 'ticket' AND entity_id = $1::uuid ORDER BY id",
    )
    .bind(t["id"].as_str().unwrap())
    .fetch_all(&w.app.db)
    .await
    .unwrap();
    assert_eq!(actions, ["ticket.create", "ticket.update", "ticket.delete"]);
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn bad_input_is_422_and_writes_nothing(db: PgPool) {
    let w = world(db).await;
    let (status, p) = w
        .app
        .post(
            "/api/v1/tickets",
            &w.support,
            json!({"subject": "  ", "priority": "asap"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
    let (status, p) = w
        .app
        .post("/api/v1/tickets", &w.support, json!({"subject": " "}))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let mut f = fields(&p);
    f.sort();
    assert_eq!(f, ["customer_id", "subject"]);
    let (status, p) = w
        .app
        .post(
            "/api/v1/tickets",
            &w.support,
            json!({"subject": "x", "customer_id": w.customer, "assignee_id": uuid::Uuid::now_v7(), "contact_id": uuid::Uuid::now_v7()}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&p), ["contact_id"]);
    let (status, p) = w
        .app
        .get("/api/v1/tickets?status=gone&sort=password", &w.support)
        .await;
    assert_eq!(
        (status, fields(&p).len()),
        (StatusCode::UNPROCESSABLE_ENTITY, 2)
    );
    assert_eq!(w.app.count("tickets").await, 0);
    assert_eq!(w.app.count("audit_logs WHERE entity = 'ticket'").await, 0);
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn visibility_follows_the_customer_and_sales_only_read(db: PgPool) {
    let w = world(db).await;
    let t = w.ticket(json!({"subject": "Broken"})).await;
    let comment = json!({"body": "hello"});

    // Sales A sees the ticket of their customer but may not change or comment on it.
    assert_eq!(w.app.get(&path(&t), &w.sales_a).await.0, StatusCode::OK);
    let (status, _) = w
        .app
        .patch(&path(&t), &w.sales_a, json!({"subject": "x"}))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let comments = format!("{}/comments", path(&t));
    assert_eq!(
        w.app.post(&comments, &w.sales_a, comment.clone()).await.0,
        StatusCode::FORBIDDEN
    );
    let (status, _) = w
        .app
        .post(
            "/api/v1/tickets",
            &w.sales_a,
            json!({"subject": "x", "customer_id": w.customer}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // Sales B cannot see it at all: 404 everywhere, and not in lists.
    assert_eq!(
        w.app.get(&path(&t), &w.sales_b).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        w.app.get(&comments, &w.sales_b).await.0,
        StatusCode::NOT_FOUND
    );
    let (_, page) = w.app.get("/api/v1/tickets", &w.sales_b).await;
    assert_eq!(page["data"], json!([]));
    let (_, page) = w.app.get("/api/v1/tickets", &w.sales_a).await;
    assert_eq!(page["data"].as_array().unwrap().len(), 1);

    // A viewer reads but never writes.
    let viewer = w.app.user(Role::Viewer, None).await;
    assert_eq!(w.app.get(&path(&t), &viewer).await.0, StatusCode::OK);
    assert_eq!(
        w.app.delete(&path(&t), &viewer).await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        w.app.post(&comments, &viewer, comment).await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        w.app
            .call(Method::GET, "/api/v1/tickets", None, None)
            .await
            .0,
        StatusCode::UNAUTHORIZED
    );
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn stale_if_match_is_412(db: PgPool) {
    let w = world(db).await;
    let t = w.ticket(json!({"subject": "Slow"})).await;
    w.app
        .patch(&path(&t), &w.support, json!({"subject": "Slower"}))
        .await;
    let res = w
        .app
        .http
        .patch(format!("{}{}", w.app.base, path(&t)))
        .bearer_auth(&w.support.token)
        .header("if-match", "\"1\"")
        .json(&json!({"subject": "Mine"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::PRECONDITION_FAILED);
    let (_, got) = w.app.get(&path(&t), &w.support).await;
    assert_eq!(got["subject"], "Slower");
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn workflow_moves_and_timestamps(db: PgPool) {
    let w = world(db).await;
    let t = w.ticket(json!({"subject": "Flow"})).await;
    let set = |status: &str| json!({"status": status});
    let (status, t1) = w.app.patch(&path(&t), &w.support, set("in_progress")).await;
    assert_eq!(status, StatusCode::OK, "{t1}");
    let (_, t2) = w.app.patch(&path(&t), &w.support, set("resolved")).await;
    assert!(t2["resolved_at"].is_string());
    let (_, t3) = w.app.patch(&path(&t), &w.support, set("closed")).await;
    assert!(t3["closed_at"].is_string() && t3["resolved_at"].is_string());

    let (status, p) = w.app.patch(&path(&t), &w.support, set("resolved")).await;
    assert_eq!(status, StatusCode::CONFLICT, "{p}");
    assert_eq!(p["type"], "/problems/conflict");

    let (status, t4) = w.app.patch(&path(&t), &w.support, set("open")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        t4["resolved_at"],
        Value::Null,
        "reopening clears resolved_at"
    );
    assert_eq!(t4["closed_at"], Value::Null);
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn breached_sla_is_flagged_and_filtered(db: PgPool) {
    let w = world(db).await;
    let late = w
        .ticket(json!({"subject": "Late", "priority": "urgent"}))
        .await;
    w.ticket(json!({"subject": "Fine"})).await;
    sqlx::query("UPDATE tickets SET sla_due_at = now() - interval '1 hour' WHERE id = $1::uuid")
        .bind(late["id"].as_str().unwrap())
        .execute(&w.app.db)
        .await
        .unwrap();
    let (_, page) = w.app.get("/api/v1/tickets?breached=true", &w.support).await;
    let data = page["data"].as_array().unwrap();
    assert_eq!(data.len(), 1);
    assert_eq!(data[0]["subject"], "Late");
    assert_eq!(data[0]["sla_breached"], true);
    let (_, page) = w
        .app
        .get("/api/v1/tickets?sort=-priority&limit=1", &w.support)
        .await;
    assert_eq!(page["data"][0]["subject"], "Late");
    let next = page["next_cursor"].as_str().unwrap();
    let (status, page) = w
        .app
        .get(
            &format!("/api/v1/tickets?sort=-priority&limit=1&cursor={next}"),
            &w.support,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(page["data"][0]["subject"], "Fine");
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn comments_first_response_internal_notes_and_audit(db: PgPool) {
    let w = world(db).await;
    let t = w.ticket(json!({"subject": "Help"})).await;
    let comments = format!("{}/comments", path(&t));

    let (status, note) = w
        .app
        .post(
            &comments,
            &w.support,
            json!({"body": "customer is grumpy", "internal": true}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{note}");
    assert_eq!(note["internal"], true);
    let (_, got) = w.app.get(&path(&t), &w.support).await;
    assert_eq!(
        got["first_response_at"],
        Value::Null,
        "an internal note is no response"
    );

    let (status, reply) = w
        .app
        .post(&comments, &w.support, json!({"body": " On it "}))
        .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(reply["body"], "On it");
    assert_eq!(reply["author_id"], w.support.id.as_str());
    let (_, got) = w.app.get(&path(&t), &w.support).await;
    assert_eq!(got["first_response_at"], reply["created_at"]);
    assert_eq!(got["comment_count"], 2);

    let (status, p) = w
        .app
        .post(&comments, &w.support, json!({"body": " "}))
        .await;
    assert_eq!(
        (status, fields(&p)),
        (StatusCode::UNPROCESSABLE_ENTITY, vec!["body".to_owned()])
    );

    let (_, staff) = w.app.get(&comments, &w.support).await;
    assert_eq!(staff["data"].as_array().unwrap().len(), 2);
    let (_, sales) = w.app.get(&comments, &w.sales_a).await;
    let sales = sales["data"].as_array().unwrap();
    assert_eq!(sales.len(), 1, "sales never sees internal notes");
    assert_eq!(sales[0]["body"], "On it");
    let (_, seen) = w.app.get(&path(&t), &w.sales_a).await;
    assert_eq!(seen["comment_count"], 1, "nor counts them");
    let (_, first) = w.app.get(&format!("{comments}?limit=1"), &w.support).await;
    assert_eq!(first["data"][0]["internal"], true);
    let next = first["next_cursor"].as_str().unwrap();
    let (_, second) = w
        .app
        .get(&format!("{comments}?limit=1&cursor={next}"), &w.support)
        .await;
    assert_eq!(second["data"][0]["body"], "On it");
    assert_eq!(second["next_cursor"], Value::Null);

    let n: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_logs WHERE action = 'ticket.comment' AND entity_id = $1::uuid",
    )
    .bind(t["id"].as_str().unwrap())
    .fetch_one(&w.app.db)
    .await
    .unwrap();
    assert_eq!(n, 2);
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn bulk_create_and_actions_are_all_or_nothing(db: PgPool) {
    let w = world(db).await;
    let (status, p) = w
        .app
        .post(
            "/api/v1/tickets/bulk",
            &w.support,
            json!({"items": [{"subject": "ok", "customer_id": w.customer}, {"subject": "", "customer_id": w.customer}]}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&p), ["items[1].subject"]);
    assert_eq!(w.app.count("tickets").await, 0);

    let (status, created) = w
        .app
        .post(
            "/api/v1/tickets/bulk",
            &w.support,
            json!({"items": [{"subject": "a", "customer_id": w.customer}, {"subject": "b", "customer_id": w.customer}]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let ids: Vec<Value> = created["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].clone())
        .collect();

    let (status, r) = w
        .app
        .post(
            "/api/v1/tickets/bulk-actions",
            &w.support,
            json!({"ids": ids, "action": "assign", "assignee_id": w.support.id}),
        )
        .await;
    assert_eq!((status, &r["affected"]), (StatusCode::OK, &json!(2)));

    // Close the first; then "resolve both" fails on the closed one and changes neither.
    w.app
        .post(
            "/api/v1/tickets/bulk-actions",
            &w.support,
            json!({"ids": [ids[0]], "action": "set_status", "status": "closed"}),
        )
        .await;
    let (status, p) = w
        .app
        .post(
            "/api/v1/tickets/bulk-actions",
            &w.support,
            json!({"ids": [ids[1], ids[0]], "action": "set_status", "status": "resolved"}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{p}");
    let (_, second) = w
        .app
        .get(
            &format!("/api/v1/tickets/{}", ids[1].as_str().unwrap()),
            &w.support,
        )
        .await;
    assert_eq!(second["status"], "open", "nothing was written");
    assert_eq!(second["assignee_id"], w.support.id.as_str());

    let (status, _) = w
        .app
        .post(
            "/api/v1/tickets/bulk-actions",
            &w.sales_a,
            json!({"ids": ids, "action": "delete"}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = w
        .app
        .post(
            "/api/v1/tickets/bulk-actions",
            &w.support,
            json!({"ids": ids, "action": "delete"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(w.app.count("tickets").await, 0);
}

/// A record's history through the `record_history` server function, as the browser reads it.
async fn history(app: &TestApp, user: &TestUser, entity: &str, id: &Value) -> Value {
    use leptos::server_fn::ServerFn;
    let browser = app.browser_login(&user.email).await;
    browser
        .post(format!(
            "{}{}",
            app.base,
            app::api::audit::RecordHistory::PATH
        ))
        .json(&json!({"entity": entity, "entity_id": id}))
        .send()
        .await
        .expect("sent")
        .json()
        .await
        .expect("json")
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn history_follows_visibility_and_failed_bulk_leaves_no_audit(db: PgPool) {
    let w = world(db).await;
    let t = w.ticket(json!({"subject": "Audited"})).await;
    let comments = format!("{}/comments", path(&t));
    let note = json!({"body": "staff only secret", "internal": true});
    assert_eq!(
        w.app.post(&comments, &w.support, note).await.0,
        StatusCode::CREATED
    );
    let mine = history(&w.app, &w.sales_a, "ticket", &t["id"]).await;
    assert_eq!(mine[0]["action"], "ticket.comment", "{mine}");
    assert_eq!(mine[1]["action"], "ticket.create", "{mine}");
    assert!(
        !mine.to_string().contains("secret"),
        "internal text never reaches the history"
    );
    let theirs = history(&w.app, &w.sales_b, "ticket", &t["id"]).await;
    assert_eq!(theirs["status"], 404, "{theirs}");

    // Item 0 is inserted (with its audit row) before item 1 fails on a customer nobody has: both roll back.
    let before = w.app.count("audit_logs").await;
    let (status, p) = w
        .app
        .post(
            "/api/v1/tickets/bulk",
            &w.support,
            json!({"items": [{"subject": "a", "customer_id": w.customer}, {"subject": "b", "customer_id": uuid::Uuid::now_v7()}]}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&p), ["items[1].customer_id"]);
    assert_eq!(w.app.count("tickets").await, 1);
    assert_eq!(w.app.count("audit_logs").await, before);

    let (_, doc) = w
        .app
        .call(Method::GET, "/api/v1/openapi.json", None, None)
        .await;
    assert!(doc["paths"]["/api/v1/tickets/{id}/comments"].is_object());
    assert!(doc["paths"]["/api/v1/projects/{id}/milestones/{milestone_id}"].is_object());
}
