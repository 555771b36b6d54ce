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

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn a_team_manager_reads_only_the_audit_trail_of_their_teams_records(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let admin = app.user(Role::Admin, None).await;
    let manager = app.user(Role::Manager, Some("north")).await;
    let north = app.user(Role::Sales, Some("north")).await;
    let south = app.user(Role::Sales, Some("south")).await;
    let ours = app.customer(&north, json!({"name": "North Co"})).await;
    let theirs = app.customer(&south, json!({"name": "South Co"})).await;
    let (status, call) = app
        .post(
            "/api/v1/interactions",
            &south,
            json!({"customer_id": theirs["id"], "kind": "call", "subject": "Pricing",
                "body": "South secret: 40% discount"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{call}");
    let gone_south = app.customer(&south, json!({"name": "Gone South"})).await;
    let gone_north = app.customer(&north, json!({"name": "Gone North"})).await;
    for (gone, who) in [(&gone_south, &south), (&gone_north, &north)] {
        let path = format!("/api/v1/customers/{}", gone["id"].as_str().unwrap());
        let res = app
            .send(Method::DELETE, &path, Some(&who.token), None)
            .await;
        assert_eq!(res.status(), StatusCode::NO_CONTENT);
    }
    let id = |v: &Value| v["id"].as_str().unwrap().to_owned();
    let hidden = [
        id(&theirs),
        id(&call),
        id(&gone_south),
        south.id.clone(),
        "South secret".to_owned(),
    ];
    let shown = [id(&ours), id(&gone_north), north.id.clone()];

    let text_of = |pages: Vec<Value>| {
        pages
            .iter()
            .flat_map(|p| p["data"].as_array().cloned().unwrap_or_default())
            .map(|e| e.to_string())
            .collect::<Vec<_>>()
            .join("\n")
    };
    let mut pages = Vec::new();
    let mut next = Some("/api/v1/audit-logs?limit=3".to_owned());
    while let Some(path) = next {
        let (status, page) = app.get(&path, &manager).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        next = page["next_cursor"]
            .as_str()
            .map(|c| format!("/api/v1/audit-logs?limit=3&cursor={c}"));
        pages.push(page);
    }
    let listed = text_of(pages);
    let csv = app
        .send(
            Method::GET,
            "/api/v1/audit-logs?format=csv",
            Some(&manager.token),
            None,
        )
        .await
        .text()
        .await
        .unwrap();
    let pdf = app
        .send(
            Method::GET,
            "/api/v1/audit-logs?format=pdf",
            Some(&manager.token),
            None,
        )
        .await
        .bytes()
        .await
        .unwrap();
    let pdf = String::from_utf8_lossy(&pdf).into_owned();
    for (what, text) in [("list", &listed), ("csv", &csv), ("pdf", &pdf)] {
        for h in &hidden {
            assert!(!text.contains(h.as_str()), "{what} shows {h}:\n{text}");
        }
        for s in &shown {
            assert!(text.contains(s.as_str()), "{what} lacks {s}:\n{text}");
        }
    }
    // The admin reads everything.
    let (_, all) = app.get("/api/v1/audit-logs?limit=200", &admin).await;
    let all = all.to_string();
    for h in hidden.iter().chain(shown.iter()) {
        assert!(all.contains(h.as_str()), "admin lacks {h}");
    }
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn the_audit_chain_catches_an_entry_edited_deleted_or_slipped_in_behind_the_apps_back(
    db: PgPool,
) {
    use app::ssr::audit_chain::{Break, seal_pending, verify};
    let app = TestApp::spawn(db.clone()).await;
    let rep = app.user(Role::Sales, None).await;
    for name in ["Chain A", "Chain B", "Chain C"] {
        app.customer(&rep, json!({"name": name})).await;
    }
    let sealed = seal_pending(&db).await.expect("seal");
    assert!(sealed >= 4, "{sealed}");
    assert_eq!(
        seal_pending(&db).await.expect("seal"),
        0,
        "each entry is sealed once"
    );
    let v = verify(&db).await.expect("verify");
    assert_eq!((v.broken, v.sealed), (None, sealed));

    let (victim, original): (uuid::Uuid, Value) = sqlx::query_as(
        "SELECT id, changes FROM audit_logs WHERE action = 'customer.create' ORDER BY id OFFSET 1 LIMIT 1",
    )
    .fetch_one(&db)
    .await
    .unwrap();
    let behind_the_back = |sql: &'static str| {
        let db = db.clone();
        async move {
            let mut tx = db.begin().await.unwrap();
            sqlx::query("ALTER TABLE audit_logs DISABLE TRIGGER audit_logs_no_update_delete")
                .execute(&mut *tx)
                .await
                .unwrap();
            sqlx::query(sql)
                .bind(victim)
                .execute(&mut *tx)
                .await
                .unwrap();
            sqlx::query("ALTER TABLE audit_logs ENABLE TRIGGER audit_logs_no_update_delete")
                .execute(&mut *tx)
                .await
                .unwrap();
            tx.commit().await.unwrap();
        }
    };
    // Edited: the amount quietly changed.
    behind_the_back("UPDATE audit_logs SET changes = '{\"name\": {\"from\": null, \"to\": \"Forged\"}}' WHERE id = $1").await;
    let broken = verify(&db).await.unwrap().broken.expect("caught");
    assert_eq!((broken.audit_id, broken.what), (victim, Break::Changed));
    assert!(broken.to_string().contains(&victim.to_string()));
    // Put back exactly as it was: intact again.
    let mut tx = db.begin().await.unwrap();
    sqlx::query("ALTER TABLE audit_logs DISABLE TRIGGER audit_logs_no_update_delete")
        .execute(&mut *tx)
        .await
        .unwrap();
    sqlx::query("UPDATE audit_logs SET changes = $2 WHERE id = $1")
        .bind(victim)
        .bind(&original)
        .execute(&mut *tx)
        .await
        .unwrap();
    sqlx::query("ALTER TABLE audit_logs ENABLE TRIGGER audit_logs_no_update_delete")
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(verify(&db).await.unwrap().broken, None);

    // Slipped in with an old date, out of the sealer's reach: reported as never sealed.
    let forged = uuid::Uuid::now_v7();
    sqlx::query(
        "INSERT INTO audit_logs (id, at, action, entity) VALUES ($1, now() - interval '3 days', 'customer.delete', 'customer')",
    )
    .bind(forged)
    .execute(&db)
    .await
    .unwrap();
    seal_pending(&db).await.unwrap();
    let broken = verify(&db).await.unwrap().broken.expect("caught");
    assert_eq!((broken.audit_id, broken.what), (forged, Break::Unsealed));

    // Deleted.
    behind_the_back("DELETE FROM audit_logs WHERE id = $1").await;
    let broken = verify(&db).await.unwrap().broken.expect("caught");
    assert_eq!((broken.audit_id, broken.what), (victim, Break::Deleted));
}
