//! Issue #20's probes that are not about one area: control characters in any text, database failures.

use crate::common::{TestApp, fields};
use domain::Role;
use reqwest::{Method, StatusCode};
use serde_json::json;
use sqlx::PgPool;

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn a_nul_byte_anywhere_is_a_422_naming_the_field(db: PgPool) {
    let app = TestApp::spawn(db).await;
    // Unauthenticated: the login e-mail.
    let (status, p) = app
        .call(
            Method::POST,
            "/api/v1/auth/login",
            None,
            Some(json!({"email": "a\u{0}@x.example", "password": "whatever pw"})),
        )
        .await;
    assert_eq!(
        (status, fields(&p)),
        (StatusCode::UNPROCESSABLE_ENTITY, vec!["email".to_owned()]),
        "{p}"
    );
    let u = app.user(Role::Sales, None).await;
    // Names, bodies, bulk items (named by position), query parameters.
    let (status, p) = app
        .post("/api/v1/customers", &u, json!({"name": "Acme\u{0}"}))
        .await;
    assert_eq!(
        (status, fields(&p)),
        (StatusCode::UNPROCESSABLE_ENTITY, vec!["name".to_owned()]),
        "{p}"
    );
    let (status, p) = app
        .post(
            "/api/v1/customers/bulk",
            &u,
            json!({"items": [{"name": "ok"}, {"name": "x", "tags": ["a\u{1b}[31m"]}]}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
    assert_eq!(fields(&p), vec!["items[1].tags[0]".to_owned()]);
    for query in ["q=acme%00", "tag=a%00", "name=%00"] {
        let (status, p) = app.get(&format!("/api/v1/customers?{query}"), &u).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{query}: {p}");
        assert_eq!(fields(&p).len(), 1, "{query}: {p}");
    }
    // Tabs (and line breaks) are text.
    let (status, p) = app
        .post("/api/v1/customers", &u, json!({"name": "Acme\tLtd"}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{p}");
    // Server functions, the browser's path, follow the same rule.
    let browser = app.browser_login(&u.email).await;
    let res = browser
        .post(format!("{}/rpc/create_customer", app.base))
        .header("origin", &app.base)
        .json(&json!({"input": {"name": "Acme\u{0}"}}))
        .send()
        .await
        .expect("sent");
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let p: serde_json::Value = res.json().await.expect("problem");
    assert_eq!(fields(&p), vec!["input.name".to_owned()], "{p}");
    assert_eq!(app.count("customers").await, 1);
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn a_database_that_is_gone_answers_503_with_retry_after_and_readyz_fails_fast(db: PgPool) {
    let app = TestApp::spawn(db.clone()).await;
    let u = app.user(Role::Admin, None).await;
    db.close().await;
    let res = app
        .send(Method::GET, "/api/v1/customers", Some(&u.token), None)
        .await;
    assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(res.headers().contains_key("retry-after"));
    assert_eq!(
        res.headers()["content-type"].to_str().unwrap_or_default(),
        "application/problem+json"
    );
    let started = std::time::Instant::now();
    let res = app.send(Method::GET, "/readyz", None, None).await;
    assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(started.elapsed() < std::time::Duration::from_secs(1));
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn the_streamed_csv_export_survives_gzip(db: PgPool) {
    use std::io::Read;
    let app = TestApp::spawn(db).await;
    let admin = app.user(Role::Admin, None).await;
    // More than two pages of the export (1,000 rows each).
    sqlx::query(
        "INSERT INTO audit_logs (id, action, entity, changes)
         SELECT gen_random_uuid(), 'test.row', 'test', jsonb_build_object('n', n, 'text', repeat('x', 200))
         FROM generate_series(1, 2500) AS n",
    )
    .execute(&app.db)
    .await
    .expect("rows");
    let rows = app.count("audit_logs").await;
    let res = app
        .http
        .get(format!("{}/api/v1/audit-logs?format=csv", app.base))
        .bearer_auth(&admin.token)
        .header("accept-encoding", "gzip")
        .send()
        .await
        .expect("sent");
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-encoding"], "gzip");
    let compressed = res.bytes().await.expect("the whole body arrives");
    let mut text = String::new();
    flate2::read::GzDecoder::new(&compressed[..])
        .read_to_string(&mut text)
        .expect("a complete gzip stream");
    let records = csv::Reader::from_reader(text.as_bytes()).records().count();
    assert_eq!(records as i64, rows, "every row, header aside");
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn every_answer_carries_the_security_headers(db: PgPool) {
    let app = TestApp::spawn(db.clone()).await;
    let u = app.user(Role::Viewer, None).await;
    let check = |res: &reqwest::Response, what: &str| {
        let h = res.headers();
        let csp = h["content-security-policy"].to_str().unwrap_or_default();
        assert!(csp.contains("frame-ancestors 'none'"), "{what}: {csp}");
        assert!(
            csp.split(';')
                .any(|d| d.trim().starts_with("script-src") && !d.contains("unsafe-inline")),
            "{what}: no inline scripts: {csp}"
        );
        assert_eq!(h["x-frame-options"], "DENY", "{what}");
        assert_eq!(h["x-content-type-options"], "nosniff", "{what}");
        assert!(h.contains_key("referrer-policy"), "{what}");
        assert!(
            !h.contains_key("strict-transport-security"),
            "{what}: no HSTS over http"
        );
    };
    let res = app
        .send(Method::GET, "/api/v1/customers", Some(&u.token), None)
        .await;
    check(&res, "an API answer");
    let res = app.send(Method::GET, "/api/v1/customers", None, None).await;
    check(&res, "a 401");
    let res = app.send(Method::GET, "/api/docs", None, None).await;
    check(&res, "the API reference");
    assert!(
        !res.text().await.unwrap_or_default().contains("<script>"),
        "no inline script"
    );
    let res = app.send(Method::GET, "/api/docs/init.js", None, None).await;
    assert_eq!(res.status(), StatusCode::OK);
    // A method a path does not take: 405 problem+json (axum's own answer has no body), `Allow` kept.
    let res = app
        .send(Method::DELETE, "/api/v1/openapi.json", Some(&u.token), None)
        .await;
    check(&res, "a 405");
    assert_eq!(res.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert!(res.headers().contains_key("allow"));
    assert_eq!(res.headers()["content-type"], "application/problem+json");
    let p: serde_json::Value = res.json().await.expect("problem");
    assert_eq!(p["status"], 405);
    // Served over TLS: HSTS too.
    let tls = TestApp::spawn_with(
        db,
        server::config::Config {
            tls: true,
            ..crate::common::config()
        },
    )
    .await;
    let res = tls.send(Method::GET, "/healthz", None, None).await;
    assert!(
        res.headers()["strict-transport-security"]
            .to_str()
            .unwrap_or_default()
            .contains("max-age=")
    );
}
