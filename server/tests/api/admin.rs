use crate::common::{TestApp, fields};
use domain::Role;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sqlx::PgPool;

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn admin_manages_users_and_others_cannot(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let admin = app.user(Role::Admin, None).await;
    let manager = app.user(Role::Manager, None).await;
    let body = json!({"email": "New.Person@x.example", "name": "New Person", "password": "a long password", "role": "sales", "team": "north"});
    let (status, p) = app.post("/api/v1/users", &manager, body.clone()).await;
    assert_eq!(
        (status, p["status"].as_u64()),
        (StatusCode::FORBIDDEN, Some(403))
    );
    let (status, u) = app.post("/api/v1/users", &admin, body.clone()).await;
    assert_eq!(status, StatusCode::CREATED, "{u}");
    assert_eq!(
        (
            u["email"].as_str(),
            u["role"].as_str(),
            u["team"].as_str(),
            u["is_active"].as_bool()
        ),
        (
            Some("new.person@x.example"),
            Some("sales"),
            Some("north"),
            Some(true)
        )
    );
    assert!(u.get("password").is_none() && u.get("password_hash").is_none());
    let (status, p) = app.post("/api/v1/users", &admin, body).await;
    assert_eq!(
        (status, fields(&p)),
        (StatusCode::CONFLICT, vec!["email".to_owned()])
    );
    let (status, p) = app
        .post(
            "/api/v1/users",
            &admin,
            json!({"email": "x", "password": "short", "role": "root"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        fields(&p),
        ["role"],
        "an unknown role is a type error, reported first"
    );

    // The new user logs in with the password the admin set.
    let (status, _) = app
        .call(
            Method::POST,
            "/api/v1/auth/login",
            None,
            Some(json!({"email": "new.person@x.example", "password": "a long password"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    // Every role may list users (to pick owners); search finds by name.
    let (status, list) = app.get("/api/v1/users?q=new%20person", &manager).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list["data"].as_array().unwrap().len(), 1);

    // Reset password + role change; the old password stops working; both are audited.
    let path = format!("/api/v1/users/{}", u["id"].as_str().unwrap());
    let (status, up) = app
        .patch(
            &path,
            &admin,
            json!({"password": "another long one", "role": "support"}),
        )
        .await;
    assert_eq!(
        (status, up["role"].as_str()),
        (StatusCode::OK, Some("support")),
        "{up}"
    );
    let (status, _) = app
        .call(
            Method::POST,
            "/api/v1/auth/login",
            None,
            Some(json!({"email": "new.person@x.example", "password": "a long password"})),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let role_changes = app
        .count("audit_logs WHERE action = 'user.role_change'")
        .await;
    assert_eq!(role_changes, 1);
    assert_eq!(
        app.patch(&path, &manager, json!({"role": "admin"})).await.0,
        StatusCode::FORBIDDEN
    );
    // PUT is accepted for users too.
    let res = app
        .send(
            Method::PUT,
            &path,
            Some(&admin.token),
            Some(json!({"name": "Renamed"})),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    // Admins cannot lock themselves out.
    let (status, _) = app
        .patch(
            &format!("/api/v1/users/{}", admin.id),
            &admin,
            json!({"is_active": false}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn audit_log_filters_pages_exports_and_is_append_only(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let admin = app.user(Role::Admin, None).await;
    let sales = app.user(Role::Sales, None).await;
    let c = app.customer(&sales, json!({"name": "Audited"})).await;
    let id = c["id"].as_str().unwrap();
    app.patch(
        &format!("/api/v1/customers/{id}"),
        &sales,
        json!({"name": "Audited Ltd"}),
    )
    .await;

    let (status, page) = app
        .get(
            &format!("/api/v1/audit-logs?entity=customer&entity_id={id}"),
            &admin,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let entries = page["data"].as_array().unwrap();
    assert_eq!(entries.len(), 2);
    let newest = &entries[0];
    assert_eq!(newest["action"], "customer.update");
    assert_eq!(newest["actor_id"], sales.id.as_str());
    assert_eq!(newest["actor_email"], sales.email.as_str());
    assert_eq!(
        newest["changes"]["name"],
        json!({"from": "Audited", "to": "Audited Ltd"})
    );
    assert!(newest["request_id"].as_str().is_some_and(|r| !r.is_empty()));
    assert_eq!(newest["ip"], "127.0.0.1");

    // Keyset pages over the whole log.
    let (_, first) = app.get("/api/v1/audit-logs?limit=1", &admin).await;
    let cursor = first["next_cursor"].as_str().unwrap();
    let (_, second) = app
        .get(
            &format!("/api/v1/audit-logs?limit=1&cursor={cursor}"),
            &admin,
        )
        .await;
    assert_ne!(first["data"][0]["id"], second["data"][0]["id"]);

    assert_eq!(
        app.get("/api/v1/audit-logs", &sales).await.0,
        StatusCode::FORBIDDEN
    );
    let (status, p) = app
        .get("/api/v1/audit-logs?entity_id=nope&from=never", &admin)
        .await;
    assert_eq!(
        (status, fields(&p).len()),
        (StatusCode::UNPROCESSABLE_ENTITY, 2)
    );

    let res = app
        .send(
            Method::GET,
            &format!("/api/v1/audit-logs?format=csv&entity_id={id}"),
            Some(&admin.token),
            None,
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let csv = res.text().await.unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert!(lines[0].starts_with("id,at,actor_id,actor_email,action"));
    assert_eq!(lines.len(), 3, "{csv}");
    assert!(lines[1].contains("customer.update"));

    // The database itself refuses to change or delete audit rows.
    let upd = sqlx::query("UPDATE audit_logs SET action = 'x'")
        .execute(&app.db)
        .await;
    assert!(upd.is_err_and(|e| e.to_string().contains("append-only")));
    assert!(
        sqlx::query("DELETE FROM audit_logs")
            .execute(&app.db)
            .await
            .is_err()
    );
    assert!(
        sqlx::query("TRUNCATE audit_logs")
            .execute(&app.db)
            .await
            .is_err()
    );
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn record_history_follows_record_visibility(db: PgPool) {
    use leptos::server_fn::ServerFn;
    let app = TestApp::spawn(db).await;
    let a = app.user(Role::Sales, None).await;
    let c = app.customer(&a, json!({"name": "History"})).await;
    let url = |p: &str| format!("{}{p}", app.base);
    let browser = app.browser_login(&a.email).await;
    let history = browser
        .post(url(app::api::audit::RecordHistory::PATH))
        .json(&json!({"entity": "customer", "entity_id": c["id"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(history.status(), StatusCode::OK);
    let entries: Value = history.json().await.unwrap();
    assert_eq!(entries[0]["action"], "customer.create");
    // Another sales user gets "not found", not the history.
    let b = app.user(Role::Sales, None).await;
    let browser = app.browser_login(&b.email).await;
    let denied = browser
        .post(url(app::api::audit::RecordHistory::PATH))
        .json(&json!({"entity": "customer", "entity_id": c["id"]}))
        .send()
        .await
        .unwrap();
    assert!(denied.status().is_client_error() || denied.status().is_server_error());
    let body: Value = denied.json().await.unwrap();
    assert_eq!(body["status"], 404);
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn health_readiness_metrics_openapi_and_request_ids(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let (status, h) = app.call(Method::GET, "/healthz", None, None).await;
    assert_eq!((status, h["status"].as_str()), (StatusCode::OK, Some("ok")));
    let (status, r) = app.call(Method::GET, "/readyz", None, None).await;
    assert_eq!(
        (status, &r),
        (
            StatusCode::OK,
            &json!({"database": true, "migrations": true})
        )
    );
    let res = app.send(Method::GET, "/api/v1/nope", None, None).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert_eq!(res.headers()["content-type"], "application/problem+json");
    assert!(res.headers().contains_key("x-request-id"));
    let res = app
        .http
        .get(format!("{}/healthz", app.base))
        .header("x-request-id", "my-id-1")
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["x-request-id"], "my-id-1");
    app.send(
        Method::GET,
        "/customers/0190aaaa-0000-7000-8000-000000000001",
        None,
        None,
    )
    .await;
    let metrics = app
        .send(Method::GET, "/metrics", None, None)
        .await
        .text()
        .await
        .unwrap();
    assert!(metrics.contains("endpoint=\"/healthz\""), "{metrics}");
    assert!(
        !metrics.contains("0190aaaa"),
        "SPA paths must not become metric labels"
    );
    assert!(metrics.contains("crm_ims_db_pool_connections"));
    let (status, doc) = app
        .call(Method::GET, "/api/v1/openapi.json", None, None)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    for path in [
        "/api/v1/customers",
        "/api/v1/customers/{id}",
        "/api/v1/auth/login",
        "/api/v1/audit-logs",
        "/api/v1/users",
    ] {
        assert!(
            doc["paths"].get(path).is_some(),
            "{path} missing from the OpenAPI document"
        );
    }
    let docs = app
        .send(Method::GET, "/api/docs", None, None)
        .await
        .text()
        .await
        .unwrap();
    assert!(docs.contains("/api/v1/openapi.json") && !docs.contains("cdn."));
}
