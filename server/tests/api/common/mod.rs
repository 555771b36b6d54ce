//! `TestApp`: the real router on a real port over a fresh database (one per test, from `#[sqlx::test]`).
#![allow(dead_code)]

use app::ssr::services::users::{CliUser, create_or_reset};
use domain::Role;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use server::config::Config;
use sqlx::PgPool;
use std::net::SocketAddr;

pub const PASSWORD: &str = "test password 123";

pub struct TestApp {
    pub base: String,
    pub db: PgPool,
    pub http: reqwest::Client,
    /// This node's live-event hub (what `crm-ims serve` feeds from the outbox dispatcher).
    pub events: app::ssr::outbox::EventHub,
    /// The services' context (its search engine, for tests that drive the sync worker).
    pub ctx: app::ssr::AppCtx,
}

pub struct TestUser {
    pub id: String,
    pub email: String,
    pub token: String,
    pub refresh: String,
}

pub fn config() -> Config {
    Config {
        database_url: String::new(),
        bind_addr: SocketAddr::from(([127, 0, 0, 1], 0)),
        redis_url: None,
        meili_url: None,
        meili_key: None,
        meili_index_prefix: "crm_ims_test_".into(),
        data_dir: std::env::temp_dir(),
        site_dir: "/nonexistent-site".into(),
        db_max_connections: 10,
        request_timeout_secs: 30,
        header_timeout_secs: 10,
        jwt_secret: None,
        session_secret: None,
        secrets_key: None,
        cookie_secure: false,
        tls: false,
        trust_proxy: false,
        // Tests make thousands of requests a minute from one address; the limit has its own test.
        rate_limit_user_per_minute: 1_000_000,
        rate_limit_address_per_minute: 1_000_000,
        rate_limit_unauthenticated_per_minute: 1_000_000,
    }
}

impl TestApp {
    pub async fn spawn(db: PgPool) -> Self {
        Self::spawn_with(db, config()).await
    }

    pub async fn spawn_with(db: PgPool, config: Config) -> Self {
        let timeouts = server::listen::Timeouts {
            header: std::time::Duration::from_secs(config.header_timeout_secs),
        };
        let (router, state) = server::build(config, db.clone()).await.expect("app builds");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("port");
        let addr = listener.local_addr().expect("addr");
        tokio::spawn(server::listen::serve(
            listener,
            router,
            timeouts,
            std::future::pending(),
        ));
        Self {
            base: format!("http://{addr}"),
            db,
            http: reqwest::Client::new(),
            events: state.events,
            ctx: state.ctx,
        }
    }

    /// Creates a user with `role` (and `team`) and logs them in through the API.
    pub async fn user(&self, role: Role, team: Option<&str>) -> TestUser {
        let email = format!(
            "{}-{}@test.example",
            role.as_str(),
            uuid::Uuid::now_v7().simple()
        );
        let ctx = server::seed::cli_ctx(self.db.clone()).await.expect("ctx");
        create_or_reset(
            &ctx,
            CliUser {
                email: &email,
                password: PASSWORD,
                role,
                name: Some("Test User"),
                team,
            },
        )
        .await
        .expect("user created");
        let (status, body) = self
            .call(
                Method::POST,
                "/api/v1/auth/login",
                None,
                Some(json!({"email": email, "password": PASSWORD})),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        TestUser {
            id: body["user"]["id"].as_str().expect("id").to_owned(),
            email,
            token: body["access_token"].as_str().expect("token").to_owned(),
            refresh: body["refresh_token"].as_str().expect("refresh").to_owned(),
        }
    }

    /// A cookie-keeping client logged in through the `login` server function, as the browser app does.
    pub async fn browser_login(&self, email: &str) -> reqwest::Client {
        use leptos::server_fn::ServerFn;
        let browser = reqwest::Client::builder()
            .cookie_store(true)
            .build()
            .expect("client");
        let res = browser
            .post(format!("{}{}", self.base, app::api::auth::Login::PATH))
            .json(&json!({"email": email, "password": PASSWORD}))
            .send()
            .await
            .expect("request sent");
        assert_eq!(res.status(), StatusCode::OK, "session login of {email}");
        browser
    }

    pub async fn send(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> reqwest::Response {
        let mut req = self.http.request(method, format!("{}{path}", self.base));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        req.send().await.expect("request sent")
    }

    /// Status and JSON body (Null when empty or not JSON).
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let res = self.send(method, path, token, body).await;
        let status = res.status();
        let text = res.text().await.unwrap_or_default();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    pub async fn get(&self, path: &str, u: &TestUser) -> (StatusCode, Value) {
        self.call(Method::GET, path, Some(&u.token), None).await
    }
    pub async fn post(&self, path: &str, u: &TestUser, body: Value) -> (StatusCode, Value) {
        self.call(Method::POST, path, Some(&u.token), Some(body))
            .await
    }
    pub async fn patch(&self, path: &str, u: &TestUser, body: Value) -> (StatusCode, Value) {
        self.call(Method::PATCH, path, Some(&u.token), Some(body))
            .await
    }
    pub async fn delete(&self, path: &str, u: &TestUser) -> (StatusCode, Value) {
        self.call(Method::DELETE, path, Some(&u.token), None).await
    }

    /// Creates a customer as `u` and returns it.
    pub async fn customer(&self, u: &TestUser, body: Value) -> Value {
        let (status, c) = self.post("/api/v1/customers", u, body).await;
        assert_eq!(status, StatusCode::CREATED, "{c}");
        c
    }

    pub async fn audit_count(&self, entity_id: &str) -> i64 {
        let id = uuid::Uuid::parse_str(entity_id).expect("uuid");
        sqlx::query_scalar("SELECT count(*) FROM audit_logs WHERE entity_id = $1")
            .bind(id)
            .fetch_one(&self.db)
            .await
            .expect("count")
    }

    pub async fn count(&self, table: &str) -> i64 {
        sqlx::query_scalar(&format!("SELECT count(*) FROM {table}"))
            .fetch_one(&self.db)
            .await
            .expect("count")
    }
}

/// Follows `next_cursor` from `path` (with or without a query string) to the end: `field` of every row, in
/// order. More than 50 pages is a failure (a cursor that never ends).
pub async fn all_pages(app: &TestApp, u: &TestUser, path: &str, field: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..50 {
        let sep = if path.contains('?') { '&' } else { '?' };
        let url = match &cursor {
            Some(c) => format!("{path}{sep}cursor={c}"),
            None => path.to_owned(),
        };
        let (status, body) = app.get(&url, u).await;
        assert_eq!(status, StatusCode::OK, "{url}: {body}");
        for row in body["data"].as_array().expect("a page") {
            out.push(row[field].as_str().expect("a text field").to_owned());
        }
        match &body["next_cursor"] {
            Value::String(c) => cursor = Some(c.clone()),
            _ => return out,
        }
    }
    panic!("more than 50 pages for {path}");
}

/// Field names in a problem's `errors`.
pub fn fields(problem: &Value) -> Vec<String> {
    problem["errors"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|e| e["field"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}
