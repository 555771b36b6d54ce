use crate::common::{TestApp, TestUser, fields};
use domain::Role;
use reqwest::StatusCode;
use serde_json::{Value, json};
use sqlx::PgPool;

struct World {
    app: TestApp,
    manager: TestUser,
    sales_a: TestUser,
    sales_b: TestUser,
    customer: String,
}

async fn world(db: PgPool) -> World {
    let app = TestApp::spawn(db).await;
    let manager = app.user(Role::Manager, None).await;
    let sales_a = app.user(Role::Sales, None).await;
    let sales_b = app.user(Role::Sales, None).await;
    let customer = app.customer(&sales_a, json!({"name": "Acme"})).await["id"]
        .as_str()
        .expect("test setup")
        .to_owned();
    World {
        app,
        manager,
        sales_a,
        sales_b,
        customer,
    }
}

impl World {
    /// An opportunity of the customer (owned by sales A) in `stage`, written with SQL.
    async fn opportunity(&self, stage: &str) -> String {
        let id = uuid::Uuid::now_v7();
        sqlx::query(
            "INSERT INTO opportunities (id, name, customer_id, stage, probability, owner_id, closed_at)
             VALUES ($1, 'Big deal', $2::uuid, $3, 50, $4::uuid,
                     CASE WHEN $3 IN ('won', 'lost') THEN now() END)",
        )
        .bind(id)
        .bind(&self.customer)
        .bind(stage)
        .bind(&self.sales_a.id)
        .execute(&self.app.db)
        .await
        .expect("test setup");
        id.to_string()
    }

    async fn project(&self, body: Value) -> Value {
        let (status, p) = self.app.post("/api/v1/projects", &self.manager, body).await;
        assert_eq!(status, StatusCode::CREATED, "{p}");
        p
    }
}

fn path(p: &Value) -> String {
    format!("/api/v1/projects/{}", p["id"].as_str().expect("test setup"))
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn crud_with_budget_etag_and_audit(db: PgPool) {
    let w = world(db).await;
    let p = w
        .project(json!({"name": " Rollout ", "customer_id": w.customer, "budget": "1500.50", "currency": "eur",
            "start_date": "2026-01-01", "end_date": "2026-03-31", "manager_id": w.manager.id}))
        .await;
    assert_eq!(p["name"], "Rollout");
    assert_eq!(p["budget"], "1500.50");
    assert_eq!(p["currency"], "EUR");
    assert_eq!(p["status"], "planned");
    assert_eq!(p["customer_name"], "Acme");
    assert_eq!(p["progress_percent"], 0);
    let (status, got) = w.app.get(&path(&p), &w.manager).await;
    assert_eq!((status, &got), (StatusCode::OK, &p));

    let (status, u) = w
        .app
        .patch(
            &path(&p),
            &w.manager,
            json!({"status": "active", "budget": null}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{u}");
    assert_eq!(
        (u["status"].as_str(), &u["budget"]),
        (Some("active"), &Value::Null)
    );

    let (_, page) = w
        .app
        .get("/api/v1/projects?status=active&q=roll", &w.manager)
        .await;
    assert_eq!(page["data"].as_array().unwrap().len(), 1);
    let later = w
        .project(json!({"name": "Later", "customer_id": w.customer, "start_date": "2026-06-01"}))
        .await;
    let undated = w
        .project(json!({"name": "Undated", "customer_id": w.customer}))
        .await;
    let mut seen = Vec::new();
    let mut url = "/api/v1/projects?sort=start_date&limit=1".to_owned();
    loop {
        let (status, page) = w.app.get(&url, &w.manager).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        seen.push(page["data"][0]["id"].clone());
        match page["next_cursor"].as_str() {
            Some(c) => url = format!("/api/v1/projects?sort=start_date&limit=1&cursor={c}"),
            None => break,
        }
    }
    assert_eq!(
        seen,
        [p["id"].clone(), later["id"].clone(), undated["id"].clone()]
    );
    let (status, page) = w
        .app
        .get(
            &format!("/api/v1/projects?manager_id={}", w.manager.id),
            &w.manager,
        )
        .await;
    assert_eq!(
        (status, page["data"].as_array().unwrap().len()),
        (StatusCode::OK, 1)
    );

    let res = w
        .app
        .http
        .patch(format!("{}{}", w.app.base, path(&p)))
        .bearer_auth(&w.manager.token)
        .header("if-match", "\"1\"")
        .json(&json!({"name": "Stale"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::PRECONDITION_FAILED);

    assert_eq!(
        w.app.delete(&path(&p), &w.manager).await.0,
        StatusCode::NO_CONTENT
    );
    let actions: Vec<String> = sqlx::query_scalar(
        "SELECT action FROM audit_logs WHERE entity = 'project' AND entity_id = $1::uuid ORDER BY id",
    )
    .bind(p["id"].as_str().unwrap())
    .fetch_all(&w.app.db)
    .await
    .unwrap();
    assert_eq!(
        actions,
        ["project.create", "project.update", "project.delete"]
    );
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn bad_input_is_422(db: PgPool) {
    let w = world(db).await;
    let (status, p) = w
        .app
        .post(
            "/api/v1/projects",
            &w.manager,
            json!({"start_date": "2026-05-10", "end_date": "2026-05-01", "budget": "-1", "currency": "euro"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let mut f = fields(&p);
    f.sort();
    assert_eq!(f, ["budget", "currency", "customer_id", "end_date", "name"]);
    let (status, p) = w
        .app
        .post(
            "/api/v1/projects",
            &w.manager,
            json!({"name": "x", "customer_id": uuid::Uuid::now_v7()}),
        )
        .await;
    assert_eq!(
        (status, fields(&p)),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            vec!["customer_id".to_owned()]
        )
    );
    let pr = w
        .project(json!({"name": "x", "customer_id": w.customer, "start_date": "2026-05-10"}))
        .await;
    let (status, p) = w
        .app
        .patch(&path(&pr), &w.manager, json!({"end_date": "2026-05-01"}))
        .await;
    assert_eq!(
        (status, fields(&p)),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            vec!["end_date".to_owned()]
        )
    );
    assert_eq!(w.app.count("projects").await, 1);
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn from_a_won_opportunity_once(db: PgPool) {
    let w = world(db).await;
    let won = w.opportunity("won").await;
    let p = w.project(json!({"opportunity_id": won})).await;
    assert_eq!(
        p["name"], "Big deal",
        "the name defaults to the opportunity's"
    );
    assert_eq!(p["customer_id"], w.customer.as_str());
    assert_eq!(p["opportunity_id"], won.as_str());

    let (status, e) = w
        .app
        .post(
            "/api/v1/projects",
            &w.manager,
            json!({"opportunity_id": won}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{e}");
    assert_eq!(fields(&e), ["opportunity_id"]);

    let open = w.opportunity("negotiation").await;
    let (status, e) = w
        .app
        .post(
            "/api/v1/projects",
            &w.manager,
            json!({"opportunity_id": open}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(e["detail"].as_str().unwrap().contains("won"), "{e}");

    let other = w.app.customer(&w.manager, json!({"name": "Other"})).await;
    let won2 = w.opportunity("won").await;
    let (status, e) = w
        .app
        .post(
            "/api/v1/projects",
            &w.manager,
            json!({"opportunity_id": won2, "customer_id": other["id"]}),
        )
        .await;
    assert_eq!(
        (status, fields(&e)),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            vec!["customer_id".to_owned()]
        )
    );
    let (status, e) = w
        .app
        .post(
            "/api/v1/projects",
            &w.manager,
            json!({"opportunity_id": uuid::Uuid::now_v7()}),
        )
        .await;
    assert_eq!(
        (status, fields(&e)),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            vec!["opportunity_id".to_owned()]
        )
    );
    assert_eq!(w.app.count("projects").await, 1);
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn visibility_and_roles(db: PgPool) {
    let w = world(db).await;
    let p = w
        .project(json!({"name": "Secret", "customer_id": w.customer}))
        .await;
    assert_eq!(w.app.get(&path(&p), &w.sales_a).await.0, StatusCode::OK);
    assert_eq!(
        w.app.get(&path(&p), &w.sales_b).await.0,
        StatusCode::NOT_FOUND
    );
    let ms = format!("{}/milestones", path(&p));
    assert_eq!(w.app.get(&ms, &w.sales_b).await.0, StatusCode::NOT_FOUND);
    let (_, page) = w.app.get("/api/v1/projects", &w.sales_b).await;
    assert_eq!(page["data"], json!([]));
    assert_eq!(
        w.app
            .patch(&path(&p), &w.sales_a, json!({"name": "x"}))
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        w.app.post(&ms, &w.sales_a, json!({"name": "x"})).await.0,
        StatusCode::FORBIDDEN
    );
    let viewer = w.app.user(Role::Viewer, None).await;
    let (status, _) = w
        .app
        .post(
            "/api/v1/projects",
            &viewer,
            json!({"name": "x", "customer_id": w.customer}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn milestones_progress_overdue_and_audit(db: PgPool) {
    let w = world(db).await;
    let p = w
        .project(json!({"name": "Build", "customer_id": w.customer}))
        .await;
    let ms = format!("{}/milestones", path(&p));
    let past = (chrono::Utc::now().date_naive() - chrono::Duration::days(3)).to_string();
    let future = (chrono::Utc::now().date_naive() + chrono::Duration::days(30)).to_string();
    let mut created = Vec::new();
    for (name, due) in [("Design", &past), ("Build", &past), ("Ship", &future)] {
        let (status, m) = w
            .app
            .post(&ms, &w.manager, json!({"name": name, "due_date": due}))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{m}");
        created.push(m);
    }
    assert_eq!(created[0]["overdue"], true);
    assert_eq!(created[2]["overdue"], false);
    let (status, e) = w.app.post(&ms, &w.manager, json!({"name": " "})).await;
    assert_eq!(
        (status, fields(&e)),
        (StatusCode::UNPROCESSABLE_ENTITY, vec!["name".to_owned()])
    );

    let one = format!("{ms}/{}", created[0]["id"].as_str().unwrap());
    let (status, done) = w
        .app
        .patch(&one, &w.manager, json!({"status": "done"}))
        .await;
    assert_eq!(status, StatusCode::OK, "{done}");
    assert!(done["completed_at"].is_string());
    assert_eq!(done["overdue"], false);
    let res = w
        .app
        .http
        .patch(format!("{}{one}", w.app.base))
        .bearer_auth(&w.manager.token)
        .header("if-match", "\"1\"")
        .json(&json!({"name": "Stale"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::PRECONDITION_FAILED);

    let (_, got) = w.app.get(&path(&p), &w.manager).await;
    assert_eq!(got["milestone_count"], 3);
    assert_eq!(got["milestones_done"], 1);
    assert_eq!(got["progress_percent"], 33);
    assert_eq!(got["overdue_milestones"], 1);
    let (_, list) = w.app.get(&ms, &w.manager).await;
    assert_eq!(list["data"].as_array().unwrap().len(), 3);

    let (status, _) = w.app.delete(&one, &w.manager).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let id = created[0]["id"].as_str().unwrap();
    let actions: Vec<String> = sqlx::query_scalar(
        "SELECT action FROM audit_logs WHERE entity = 'milestone' AND entity_id = $1::uuid ORDER BY id",
    )
    .bind(id)
    .fetch_all(&w.app.db)
    .await
    .unwrap();
    assert_eq!(
        actions,
        ["milestone.create", "milestone.update", "milestone.delete"]
    );
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn bulk_create_and_actions_are_all_or_nothing(db: PgPool) {
    let w = world(db).await;
    let won = w.opportunity("won").await;
    let (status, e) = w
        .app
        .post(
            "/api/v1/projects/bulk",
            &w.manager,
            json!({"items": [{"opportunity_id": won}, {"opportunity_id": won}]}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{e}");
    assert_eq!(fields(&e), ["items[1].opportunity_id"]);
    assert_eq!(
        w.app.count("projects").await,
        0,
        "the first item was rolled back"
    );
    assert_eq!(w.app.count("audit_logs WHERE entity = 'project'").await, 0);

    let (status, c) = w
        .app
        .post(
            "/api/v1/projects/bulk",
            &w.manager,
            json!({"items": [{"name": "a", "customer_id": w.customer}, {"name": "b", "customer_id": w.customer}]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{c}");
    let ids: Vec<Value> = c["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].clone())
        .collect();
    let (status, r) = w
        .app
        .post(
            "/api/v1/projects/bulk-actions",
            &w.manager,
            json!({"ids": ids, "action": "set_status", "status": "on_hold"}),
        )
        .await;
    assert_eq!((status, &r["affected"]), (StatusCode::OK, &json!(2)));
    let (status, _) = w
        .app
        .post(
            "/api/v1/projects/bulk-actions",
            &w.manager,
            json!({"ids": [ids[0], uuid::Uuid::now_v7()], "action": "delete"}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(w.app.count("projects").await, 2);
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn project_and_milestone_history_follow_visibility(db: PgPool) {
    use leptos::server_fn::ServerFn;
    let w = world(db).await;
    let p = w
        .project(json!({"name": "Tracked", "customer_id": w.customer}))
        .await;
    let (_, m) = w
        .app
        .post(
            &format!("{}/milestones", path(&p)),
            &w.manager,
            json!({"name": "M1"}),
        )
        .await;
    for (user, entity, id, expect) in [
        (&w.sales_a, "project", &p["id"], json!("project.create")),
        (&w.sales_a, "milestone", &m["id"], json!("milestone.create")),
        (&w.sales_b, "milestone", &m["id"], Value::Null),
    ] {
        let browser = w.app.browser_login(&user.email).await;
        let body: Value = browser
            .post(format!(
                "{}{}",
                w.app.base,
                app::api::audit::RecordHistory::PATH
            ))
            .json(&json!({"entity": entity, "entity_id": id}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        if expect.is_null() {
            assert_eq!(body["status"], 404, "{body}");
        } else {
            assert_eq!(body[0]["action"], expect, "{body}");
        }
    }
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn racing_projects_for_one_opportunity_give_one_201_and_409s(db: PgPool) {
    let w = world(db).await;
    let won = w.opportunity("won").await;
    let body = json!({"opportunity_id": won});
    let calls = (0..6).map(|_| w.app.post("/api/v1/projects", &w.manager, body.clone()));
    let results = futures::future::join_all(calls).await;
    let mut statuses: Vec<u16> = results.iter().map(|(s, _)| s.as_u16()).collect();
    statuses.sort_unstable();
    assert_eq!(statuses, [201, 409, 409, 409, 409, 409], "{results:?}");
    for (status, body) in &results {
        if *status == StatusCode::CONFLICT {
            assert_eq!(fields(body), ["opportunity_id"], "{body}");
        }
    }
    assert_eq!(w.app.count("projects").await, 1);
    assert_eq!(
        w.app
            .count("audit_logs WHERE action = 'project.create'")
            .await,
        1
    );
}
