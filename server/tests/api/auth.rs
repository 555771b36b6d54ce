use crate::common::{PASSWORD, TestApp};
use domain::Role;
use reqwest::{Method, StatusCode};
use serde_json::json;
use sqlx::PgPool;

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn login_returns_tokens_and_user(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let u = app.user(Role::Sales, Some("north")).await;
    let (status, me) = app.get("/api/v1/users/me", &u).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(me["email"], u.email.as_str());
    assert_eq!(me["role"], "sales");
    assert!(me.get("password_hash").is_none() && me.get("password").is_none());
    let (_, body) = app
        .call(
            Method::POST,
            "/api/v1/auth/login",
            None,
            Some(json!({"email": u.email, "password": PASSWORD})),
        )
        .await;
    assert_eq!(body["token_type"], "Bearer");
    assert!(body["expires_in"].as_i64().unwrap() > 0);
    assert_eq!(body["user"]["role"], "sales");
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn wrong_password_and_unknown_email_answer_the_same_401(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let u = app.user(Role::Viewer, None).await;
    let (s1, b1) = app
        .call(
            Method::POST,
            "/api/v1/auth/login",
            None,
            Some(json!({"email": u.email, "password": "wrong password"})),
        )
        .await;
    let (s2, b2) = app
        .call(
            Method::POST,
            "/api/v1/auth/login",
            None,
            Some(json!({"email": "nobody@x.example", "password": "wrong password"})),
        )
        .await;
    assert_eq!(
        (s1, s2),
        (StatusCode::UNAUTHORIZED, StatusCode::UNAUTHORIZED)
    );
    assert_eq!(b1, b2);
    let failures = app
        .count("audit_logs WHERE action = 'auth.login_failed'")
        .await;
    assert_eq!(failures, 2);
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn no_or_bad_token_is_401(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let (status, body) = app.call(Method::GET, "/api/v1/customers", None, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["status"], 401);
    let (status, _) = app
        .call(Method::GET, "/api/v1/customers", Some("not.a.jwt"), None)
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn refresh_rotates_and_reuse_revokes_the_family(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let u = app.user(Role::Sales, None).await;
    let refresh = |t: String| {
        app.call(
            Method::POST,
            "/api/v1/auth/refresh",
            None,
            Some(json!({"refresh_token": t})),
        )
    };
    let (status, second) = refresh(u.refresh.clone()).await;
    assert_eq!(status, StatusCode::OK, "{second}");
    let second_refresh = second["refresh_token"].as_str().unwrap().to_owned();
    assert_ne!(second_refresh, u.refresh);
    // The new access token works.
    let (status, _) = app
        .call(
            Method::GET,
            "/api/v1/users/me",
            second["access_token"].as_str(),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    // Reusing the first token is theft: 401, and the whole family (including the second token) is revoked.
    let (status, _) = refresh(u.refresh.clone()).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = refresh(second_refresh).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = refresh("garbage".into()).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn logout_revokes_the_refresh_token(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let u = app.user(Role::Support, None).await;
    let (status, _) = app
        .call(
            Method::POST,
            "/api/v1/auth/logout",
            Some(&u.token),
            Some(json!({"refresh_token": u.refresh})),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = app
        .call(
            Method::POST,
            "/api/v1/auth/refresh",
            None,
            Some(json!({"refresh_token": u.refresh})),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let logouts = app.count("audit_logs WHERE action = 'auth.logout'").await;
    assert_eq!(logouts, 1);
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn repeated_failures_are_rate_limited_per_account(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let u = app.user(Role::Viewer, None).await;
    let attempt = |pw: &'static str| {
        app.send(
            Method::POST,
            "/api/v1/auth/login",
            None,
            Some(json!({"email": u.email, "password": pw})),
        )
    };
    for _ in 0..5 {
        assert_eq!(
            attempt("wrong password").await.status(),
            StatusCode::UNAUTHORIZED
        );
    }
    let res = attempt(PASSWORD).await;
    assert_eq!(
        res.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "even the right password waits"
    );
    let retry: u64 = res.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(retry > 0 && retry <= 900);
    // Another account from the same IP is not locked out by this one.
    let other = app.user(Role::Viewer, None).await;
    assert!(!other.token.is_empty());
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn deactivation_ends_tokens_and_logins_at_once(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let admin = app.user(Role::Admin, None).await;
    let u = app.user(Role::Sales, None).await;
    let (status, user) = app.get(&format!("/api/v1/users/{}", u.id), &admin).await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = app
        .patch(
            &format!("/api/v1/users/{}", u.id),
            &admin,
            json!({"is_active": false}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["version"], user["version"].as_i64().unwrap() + 1);
    // The still-unexpired access token is refused, and so are refresh and login.
    assert_eq!(
        app.get("/api/v1/users/me", &u).await.0,
        StatusCode::UNAUTHORIZED
    );
    let (status, _) = app
        .call(
            Method::POST,
            "/api/v1/auth/refresh",
            None,
            Some(json!({"refresh_token": u.refresh})),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = app
        .call(
            Method::POST,
            "/api/v1/auth/login",
            None,
            Some(json!({"email": u.email, "password": PASSWORD})),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn browser_session_login_and_csrf_protection(db: PgPool) {
    use leptos::server_fn::ServerFn;
    let app = TestApp::spawn(db).await;
    let u = app.user(Role::Sales, None).await;
    let browser = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap();
    let url = |p: &str| format!("{}{p}", app.base);
    let login = browser
        .post(url(app::api::auth::Login::PATH))
        .json(&json!({"email": u.email, "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    let login_status = login.status();
    let cookie_header = login.headers().get("set-cookie").cloned();
    assert_eq!(
        login_status,
        StatusCode::OK,
        "{}",
        login.text().await.unwrap()
    );
    let login_cookie = cookie_header.unwrap();
    let cookie = login_cookie.to_str().unwrap().to_owned();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    // Server-function errors carry the problem's status.
    let wrong = browser
        .post(url(app::api::auth::Login::PATH))
        .json(&json!({"email": u.email, "password": "wrong password"}))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        wrong.json::<serde_json::Value>().await.unwrap()["type"],
        "/problems/invalid-credentials"
    );
    // The session cookie authenticates REST and server functions alike.
    let me = browser.get(url("/api/v1/users/me")).send().await.unwrap();
    assert_eq!(me.status(), StatusCode::OK);
    let created = browser
        .post(url(app::api::customers::CreateCustomer::PATH))
        .header("origin", app.base.clone())
        .json(&json!({"input": {"name": "Session Co"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        created.status(),
        StatusCode::OK,
        "{}",
        created.text().await.unwrap()
    );
    // A write carrying the cookie from another site is refused, and nothing is written.
    let before = app.count("customers").await;
    let forged = browser
        .post(url("/api/v1/customers"))
        .header("origin", "https://evil.example")
        .json(&json!({"name": "Forged"}))
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.count("customers").await, before);
    // Logout ends the session.
    let out = browser
        .post(url(app::api::auth::Logout::PATH))
        .header("origin", app.base.clone())
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), StatusCode::OK);
    assert_eq!(
        browser
            .get(url("/api/v1/users/me"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::UNAUTHORIZED
    );
}

/// The Redis session store, against a real Redis server (`TEST_REDIS_URL`, default the local one).
#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn sessions_live_in_redis_when_configured(db: PgPool) {
    use leptos::server_fn::ServerFn;
    let url = std::env::var("TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into());
    let Ok(mut redis) = redis::Client::open(url.as_str()).and_then(|c| c.get_connection()) else {
        eprintln!("SKIPPED sessions_live_in_redis_when_configured: no Redis at {url}");
        return;
    };
    let mut config = crate::common::config();
    config.redis_url = Some(url);
    let app = TestApp::spawn_with(db, config).await;
    let u = app.user(Role::Sales, None).await;
    let browser = app.browser_login(&u.email).await;
    assert_eq!(app.count("sessions").await, 0, "nothing in PostgreSQL");
    let keys: Vec<String> = redis::cmd("KEYS")
        .arg("crm-ims:session:*")
        .query(&mut redis)
        .unwrap();
    assert!(!keys.is_empty());
    assert_eq!(
        browser
            .get(format!("{}/api/v1/users/me", app.base))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
    let logout = browser
        .post(format!("{}{}", app.base, app::api::auth::Logout::PATH))
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(logout.status(), StatusCode::OK);
    assert_eq!(
        browser
            .get(format!("{}/api/v1/users/me", app.base))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::UNAUTHORIZED
    );
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn deactivation_ends_browser_sessions_at_once(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let admin = app.user(Role::Admin, None).await;
    let u = app.user(Role::Sales, None).await;
    let browser = app.browser_login(&u.email).await;
    let me = || browser.get(format!("{}/api/v1/users/me", app.base)).send();
    assert_eq!(me().await.unwrap().status(), StatusCode::OK);
    let (status, _) = app
        .patch(
            &format!("/api/v1/users/{}", u.id),
            &admin,
            json!({"is_active": false}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        me().await.unwrap().status(),
        StatusCode::UNAUTHORIZED,
        "the open session ends at once"
    );
    // Reactivating does not revive the old session: the user logs in again.
    app.patch(
        &format!("/api/v1/users/{}", u.id),
        &admin,
        json!({"is_active": true}),
    )
    .await;
    assert_eq!(me().await.unwrap().status(), StatusCode::UNAUTHORIZED);
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn repeated_failures_are_rate_limited_per_ip(db: PgPool) {
    let app = TestApp::spawn(db).await;
    // 50 failures from one address, each for a different account (so no account limit is reached).
    for i in 0..50 {
        let body = json!({"email": format!("nobody{i}@x.example"), "password": "wrong password"});
        let (status, _) = app
            .call(Method::POST, "/api/v1/auth/login", None, Some(body))
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "attempt {i}");
    }
    let res = app
        .send(
            Method::POST,
            "/api/v1/auth/login",
            None,
            Some(json!({"email": "someone@x.example", "password": "whatever pw"})),
        )
        .await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(res.headers().contains_key("retry-after"));
    let p: serde_json::Value = res.json().await.unwrap();
    assert_eq!(p["type"], "/problems/rate-limited");
    assert!(p["retry_after"].as_u64().unwrap() > 0);
}

/// A login from `address` (the app trusts `X-Forwarded-For` in these tests): status and `Retry-After`.
async fn login_from(
    app: &TestApp,
    email: &str,
    password: &str,
    address: &str,
) -> (StatusCode, u64) {
    let res = app
        .http
        .post(format!("{}/api/v1/auth/login", app.base))
        .header("x-forwarded-for", address)
        .json(&json!({"email": email, "password": password}))
        .send()
        .await
        .expect("sent");
    let retry = res
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok()?.parse().ok())
        .unwrap_or(0);
    (res.status(), retry)
}

async fn behind_proxy(db: PgPool) -> TestApp {
    TestApp::spawn_with(
        db,
        server::config::Config {
            trust_proxy: true,
            ..crate::common::config()
        },
    )
    .await
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn parallel_guesses_get_no_more_password_checks_than_the_limit(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let u = app.user(Role::Viewer, None).await;
    let guesses = (0..100).map(|i| {
        let (app, email) = (&app, u.email.clone());
        async move {
            let body = json!({"email": email, "password": format!("wrong guess {i}")});
            app.call(Method::POST, "/api/v1/auth/login", None, Some(body))
                .await
                .0
        }
    });
    let statuses = futures::future::join_all(guesses).await;
    let checked = statuses
        .iter()
        .filter(|s| **s == StatusCode::UNAUTHORIZED)
        .count();
    let limited = statuses
        .iter()
        .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert_eq!(checked + limited, 100, "{statuses:?}");
    assert!(
        checked <= 5,
        "{checked} of 100 parallel guesses were checked"
    );
    let audited = app
        .count("audit_logs WHERE action = 'auth.login_failed'")
        .await;
    assert_eq!(audited, checked as i64);
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn failures_from_one_address_do_not_lock_the_owner_out(db: PgPool) {
    let app = behind_proxy(db).await;
    let u = app.user(Role::Admin, None).await;
    for _ in 0..5 {
        let (status, _) = login_from(&app, &u.email, "wrong password", "203.0.113.7").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    // The attacker's address is locked out of this account ...
    let (status, retry) = login_from(&app, &u.email, PASSWORD, "203.0.113.7").await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert!(retry > 0 && retry <= 900);
    // ... the owner, elsewhere, is not.
    let (status, _) = login_from(&app, &u.email, PASSWORD, "198.51.100.20").await;
    assert_eq!(status, StatusCode::OK);
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn failures_spread_over_addresses_slow_the_account_down(db: PgPool) {
    let app = behind_proxy(db).await;
    let u = app.user(Role::Viewer, None).await;
    for i in 0..6 {
        let (status, _) =
            login_from(&app, &u.email, "wrong password", &format!("203.0.113.{i}")).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "attempt {i}");
    }
    // Six failures from six addresses: the next attempt, from anywhere, waits a second.
    let (status, retry) = login_from(&app, &u.email, PASSWORD, "198.51.100.20").await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert!((1..=60).contains(&retry), "retry after {retry}");
    tokio::time::sleep(std::time::Duration::from_millis(1100 * retry)).await;
    let (status, _) = login_from(&app, &u.email, PASSWORD, "198.51.100.20").await;
    assert_eq!(status, StatusCode::OK);
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn an_admin_can_unlock_a_locked_out_user(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let admin = app.user(Role::Admin, None).await;
    let u = app.user(Role::Sales, None).await;
    let attempt = |pw: &'static str| {
        let email = u.email.clone();
        let app = &app;
        async move {
            app.call(
                Method::POST,
                "/api/v1/auth/login",
                None,
                Some(json!({"email": email, "password": pw})),
            )
            .await
            .0
        }
    };
    for _ in 0..5 {
        assert_eq!(attempt("wrong password").await, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(attempt(PASSWORD).await, StatusCode::TOO_MANY_REQUESTS);
    // Only an admin may unlock.
    let (status, _) = app
        .post(&format!("/api/v1/users/{}/unlock", u.id), &u, json!({}))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, body) = app
        .post(
            &format!("/api/v1/users/{}/unlock", admin.id),
            &admin,
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = app
        .post(&format!("/api/v1/users/{}/unlock", u.id), &admin, json!({}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(attempt(PASSWORD).await, StatusCode::OK);
    assert_eq!(
        app.count("audit_logs WHERE action = 'user.unlock'").await,
        2
    );
}
