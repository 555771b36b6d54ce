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

/// Reads until the server closes the connection; `true` if it did within `wait`.
async fn closed_within(stream: &mut tokio::net::TcpStream, wait: std::time::Duration) -> bool {
    use tokio::io::AsyncReadExt;
    let mut buf = [0u8; 4096];
    let deadline = tokio::time::Instant::now() + wait;
    loop {
        match tokio::time::timeout_at(deadline, stream.read(&mut buf)).await {
            Err(_) => return false,
            Ok(Ok(0)) | Ok(Err(_)) => return true,
            Ok(Ok(_)) => {}
        }
    }
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn idle_and_half_sent_connections_are_closed(db: PgPool) {
    use tokio::io::AsyncWriteExt;
    let app = TestApp::spawn_with(
        db,
        server::config::Config {
            header_timeout_secs: 1,
            ..crate::common::config()
        },
    )
    .await;
    let addr = app.base.trim_start_matches("http://").to_owned();
    let connect = || tokio::net::TcpStream::connect(addr.clone());
    // Sends nothing; sends half a request head; finishes one request and then idles on keep-alive.
    let mut silent = Vec::new();
    for _ in 0..20 {
        silent.push(connect().await.expect("connect"));
    }
    let mut half = connect().await.expect("connect");
    half.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        .await
        .expect("write");
    let mut kept = connect().await.expect("connect");
    kept.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .expect("write");
    let started = std::time::Instant::now();
    let wait = std::time::Duration::from_secs(5);
    for (i, s) in silent.iter_mut().enumerate() {
        assert!(
            closed_within(s, wait).await,
            "silent connection {i} still open"
        );
    }
    assert!(
        closed_within(&mut half, wait).await,
        "half-sent head still open"
    );
    assert!(
        closed_within(&mut kept, wait).await,
        "idle keep-alive still open"
    );
    assert!(started.elapsed() < wait, "{:?}", started.elapsed());
    // The server still answers.
    let res = app.send(Method::GET, "/healthz", None, None).await;
    assert_eq!(res.status(), StatusCode::OK);
}

/// A request from `address` (the app trusts `X-Forwarded-For` here): status and `Retry-After`.
async fn from(
    app: &TestApp,
    address: &str,
    path: &str,
    token: Option<&str>,
) -> (StatusCode, Option<u64>, String) {
    let mut req = app
        .http
        .get(format!("{}{path}", app.base))
        .header("x-forwarded-for", format!("198.51.100.99, {address}"));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let res = req.send().await.expect("sent");
    let retry = res
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok()?.parse().ok());
    let kind = res
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    (res.status(), retry, kind)
}

/// Waits out the end of a minute, so the few requests that follow fall in one window of the limiter.
async fn fresh_window() {
    let secs = chrono::Utc::now().timestamp().rem_euclid(60);
    if secs > 50 {
        tokio::time::sleep(std::time::Duration::from_secs((61 - secs) as u64)).await;
    }
}

fn limited(rate: (u32, u32, u32), redis_url: Option<String>) -> server::config::Config {
    server::config::Config {
        trust_proxy: true,
        rate_limit_user_per_minute: rate.0,
        rate_limit_address_per_minute: rate.1,
        rate_limit_unauthenticated_per_minute: rate.2,
        redis_url,
        ..crate::common::config()
    }
}

/// Counts the answers that were not refused, and checks each refusal is a 429 problem with `Retry-After`.
async fn answered(app: &TestApp, address: &str, token: Option<&str>, n: usize) -> usize {
    let mut ok = 0;
    for _ in 0..n {
        let (status, retry, kind) = from(app, address, "/api/v1/customers", token).await;
        if status == StatusCode::TOO_MANY_REQUESTS {
            assert!(retry.is_some_and(|s| (1..=60).contains(&s)), "{retry:?}");
            assert_eq!(kind, "application/problem+json");
        } else {
            ok += 1;
        }
    }
    ok
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn requests_past_the_rate_limits_get_429_with_retry_after(db: PgPool) {
    // Per user: a second user on the same address has their own budget.
    let app = TestApp::spawn_with(db.clone(), limited((10, 1000, 1000), None)).await;
    let (a, b) = (
        app.user(Role::Viewer, None).await,
        app.user(Role::Viewer, None).await,
    );
    fresh_window().await;
    assert_eq!(answered(&app, "203.0.113.1", Some(&a.token), 14).await, 10);
    assert_eq!(answered(&app, "203.0.113.1", Some(&b.token), 3).await, 3);

    // Per address: one address's budget covers all its users; a forged first X-Forwarded-For entry does
    // not give a new one.
    let app = TestApp::spawn_with(db.clone(), limited((1000, 30, 1000), None)).await;
    let c = app.user(Role::Viewer, None).await;
    fresh_window().await;
    assert_eq!(answered(&app, "203.0.113.2", Some(&c.token), 35).await, 30);
    assert_eq!(answered(&app, "203.0.113.3", Some(&c.token), 2).await, 2);

    // Without a valid login (guessed tokens, login, refresh): a tighter budget per address.
    let app = TestApp::spawn_with(db.clone(), limited((1000, 1000, 5), None)).await;
    fresh_window().await;
    assert_eq!(answered(&app, "203.0.113.4", Some("guessed"), 8).await, 5);
    let (status, _, _) = from(&app, "203.0.113.5", "/api/v1/customers", Some("guessed")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // With Redis every node counts against the same budget.
    let Some(url) = std::env::var("REDIS_URL").ok().filter(|u| !u.is_empty()) else {
        // scripts/test.sh always sets REDIS_URL (CI runs this part).
        eprintln!("REDIS_URL unset: the shared-budget part was not run");
        return;
    };
    let one = TestApp::spawn_with(db.clone(), limited((10, 1000, 1000), Some(url.clone()))).await;
    let two = TestApp::spawn_with(db, limited((10, 1000, 1000), Some(url))).await;
    let d = one.user(Role::Viewer, None).await;
    fresh_window().await;
    let first = answered(&one, "203.0.113.6", Some(&d.token), 6).await;
    let second = answered(&two, "203.0.113.6", Some(&d.token), 6).await;
    assert_eq!(first + second, 10, "{first} + {second}");
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn generated_secrets_are_stored_encrypted_and_an_old_plain_one_is_encrypted_in_place(
    db: PgPool,
) {
    // What an older version stored.
    sqlx::query("INSERT INTO app_settings (key, value) VALUES ('jwt_secret', 'plain secret of an older version')")
        .execute(&db)
        .await
        .unwrap();
    let one = TestApp::spawn(db.clone()).await;
    let u = one.user(Role::Viewer, None).await;
    let stored: Vec<(String, String)> = sqlx::query_as(
        "SELECT key, value FROM app_settings WHERE key IN ('jwt_secret', 'session_secret') ORDER BY key",
    )
    .fetch_all(&db)
    .await
    .unwrap();
    assert_eq!(stored.len(), 2, "{stored:?}");
    for (key, value) in &stored {
        assert!(value.starts_with("enc1:"), "{key} is stored in plain text");
        assert!(!value.contains("older version"), "{key}: {value}");
    }
    // The secret itself is unchanged, and another node decrypts it: a token from one node works on the other.
    let two = TestApp::spawn(db).await;
    let (status, _) = two.get("/api/v1/customers", &u).await;
    assert_eq!(status, StatusCode::OK);
}

/// POSTs `body` to `path` as `u` with an `Idempotency-Key`: status, `Idempotent-Replayed`, `Location`, JSON body.
async fn keyed_post(
    app: &TestApp,
    u: &crate::common::TestUser,
    path: &str,
    key: &str,
    body: serde_json::Value,
) -> (StatusCode, bool, Option<String>, serde_json::Value) {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let res = client
        .post(format!("{}{path}", app.base))
        .bearer_auth(&u.token)
        .header("idempotency-key", key)
        .json(&body)
        .send()
        .await
        .expect("sent");
    let status = res.status();
    let replayed = res.headers().get("idempotent-replayed").is_some();
    let location = res
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let json = res.json().await.unwrap_or(serde_json::Value::Null);
    (status, replayed, location, json)
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn a_create_retried_with_its_idempotency_key_is_applied_once(db: PgPool) {
    let app = TestApp::spawn(db.clone()).await;
    let u = app.user(Role::Sales, None).await;
    let named = |name: &str| {
        let db = db.clone();
        let name = name.to_owned();
        async move {
            sqlx::query_scalar::<_, i64>("SELECT count(*) FROM customers WHERE name = $1")
                .bind(name)
                .fetch_one(&db)
                .await
                .expect("count")
        }
    };
    let body = json!({"name": "Retried Ltd"});
    let (s1, r1, loc1, first) =
        keyed_post(&app, &u, "/api/v1/customers", "k-1", body.clone()).await;
    assert_eq!((s1, r1), (StatusCode::CREATED, false), "{first}");
    let (s2, r2, loc2, again) =
        keyed_post(&app, &u, "/api/v1/customers", "k-1", body.clone()).await;
    assert_eq!((s2, r2), (StatusCode::CREATED, true), "{again}");
    assert_eq!((again["id"].clone(), loc2), (first["id"].clone(), loc1));
    assert_eq!(named("Retried Ltd").await, 1);
    // The same key for another request is refused; another user's key of the same name is their own.
    let (s, _, _, p) = keyed_post(
        &app,
        &u,
        "/api/v1/customers",
        "k-1",
        json!({"name": "Other"}),
    )
    .await;
    assert_eq!(
        (s, fields(&p)),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            vec!["Idempotency-Key".to_owned()]
        ),
        "{p}"
    );
    let v = app.user(Role::Sales, None).await;
    let (s, r, _, _) = keyed_post(&app, &v, "/api/v1/customers", "k-1", body.clone()).await;
    assert_eq!((s, r), (StatusCode::CREATED, false));
    assert_eq!(named("Retried Ltd").await, 2);
    // A 4xx answer is kept too: the retry gets it again without running.
    let (s, _, _, p) =
        keyed_post(&app, &u, "/api/v1/customers", "k-bad", json!({"name": ""})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
    let (s, r, _, _) =
        keyed_post(&app, &u, "/api/v1/customers", "k-bad", json!({"name": ""})).await;
    assert_eq!((s, r), (StatusCode::UNPROCESSABLE_ENTITY, true));
    for bad in ["", "a b", &"x".repeat(256)] {
        let (s, _, _, p) = keyed_post(&app, &u, "/api/v1/customers", bad, body.clone()).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{bad:?}: {p}");
    }

    // The app died after the create committed and before its answer was stored: the retry is sent to the
    // record (the audit row of that attempt proves the write), never creating it again.
    let (s, _, _, lost) = keyed_post(
        &app,
        &u,
        "/api/v1/customers",
        "k-lost",
        json!({"name": "Lost answer"}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED);
    let forget =
        "UPDATE idempotency_keys SET status = NULL, headers = NULL, body = NULL, locked_until = $2
                   WHERE key = $1";
    sqlx::query(forget)
        .bind("k-lost")
        .bind(chrono::Utc::now() + chrono::Duration::seconds(60))
        .execute(&db)
        .await
        .expect("forget the answer");
    let (s, r, loc, _) = keyed_post(
        &app,
        &u,
        "/api/v1/customers",
        "k-lost",
        json!({"name": "Lost answer"}),
    )
    .await;
    assert_eq!((s, r), (StatusCode::SEE_OTHER, true));
    assert_eq!(
        loc,
        Some(format!(
            "/api/v1/customers/{}",
            lost["id"].as_str().unwrap()
        ))
    );
    assert_eq!(named("Lost answer").await, 1);

    // An attempt that is still running (its lease not over, nothing written yet) answers 409; once the lease is
    // over with nothing written, it died before committing and the retry runs.
    let body = json!({"name": "Died early"});
    let (s, _, _, _) = keyed_post(&app, &u, "/api/v1/customers", "k-dead", body.clone()).await;
    assert_eq!(s, StatusCode::CREATED);
    sqlx::query("DELETE FROM customers WHERE name = 'Died early'")
        .execute(&db)
        .await
        .expect("as if it had rolled back");
    let dead = "UPDATE idempotency_keys SET attempt = 'idem-never-committed', status = NULL, headers = NULL,
                       body = NULL, locked_until = $2 WHERE key = $1";
    sqlx::query(dead)
        .bind("k-dead")
        .bind(chrono::Utc::now() + chrono::Duration::seconds(60))
        .execute(&db)
        .await
        .expect("running");
    let res = app
        .http
        .post(format!("{}/api/v1/customers", app.base))
        .bearer_auth(&u.token)
        .header("idempotency-key", "k-dead")
        .json(&body)
        .send()
        .await
        .expect("sent");
    assert_eq!(res.status(), StatusCode::CONFLICT);
    assert_eq!(
        res.headers().get("retry-after").map(|v| v.as_bytes()),
        Some(&b"1"[..])
    );
    sqlx::query(dead)
        .bind("k-dead")
        .bind(chrono::Utc::now() - chrono::Duration::seconds(1))
        .execute(&db)
        .await
        .expect("dead");
    let (s, r, _, _) = keyed_post(&app, &u, "/api/v1/customers", "k-dead", body.clone()).await;
    assert_eq!((s, r), (StatusCode::CREATED, false));
    assert_eq!(named("Died early").await, 1);

    // Parallel retries of one key: one create.
    let body = json!({"name": "Raced"});
    let racers = (0..8).map(|_| keyed_post(&app, &u, "/api/v1/customers", "k-race", body.clone()));
    let answers = futures::future::join_all(racers).await;
    // One ran; the others got its answer (201 replayed), were sent to the record (303: committed, answer not
    // stored yet) or were told to wait (409).
    let ran = answers
        .iter()
        .filter(|(s, replayed, ..)| *s == StatusCode::CREATED && !replayed)
        .count();
    assert_eq!(
        ran,
        1,
        "{:?}",
        answers.iter().map(|a| (a.0, a.1)).collect::<Vec<_>>()
    );
    assert!(answers.iter().all(|(s, ..)| {
        [
            StatusCode::CREATED,
            StatusCode::SEE_OTHER,
            StatusCode::CONFLICT,
        ]
        .contains(s)
    }));
    assert_eq!(named("Raced").await, 1);
}
