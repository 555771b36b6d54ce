//! Server functions (`/rpc/…`): every one declared in `app/src/api/` is registered (no hand-kept list), and
//! their answers follow the REST API's rules (problem+json with the problem's own HTTP status).

use crate::common::TestApp;
use reqwest::StatusCode;
use serde_json::Value;
use sqlx::PgPool;

/// Every `endpoint = "…"` of a `#[server]` attribute in `app/src/api/`.
fn declared_endpoints() -> Vec<String> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../app/src/api");
    let mut out = Vec::new();
    for entry in std::fs::read_dir(&dir).expect("app/src/api") {
        let text = std::fs::read_to_string(entry.expect("entry").path()).expect("source");
        for attr in text.split("#[server(").skip(1) {
            let attr = &attr[..attr.find(")]").expect("attribute end")];
            let name = attr
                .split("endpoint = \"")
                .nth(1)
                .and_then(|rest| rest.split('"').next())
                .expect("every server function names its endpoint");
            out.push(name.to_owned());
        }
    }
    out.sort();
    out
}

async fn post_raw(app: &TestApp, path: &str, body: &str) -> (StatusCode, String, Value) {
    let res = app
        .http
        .post(format!("{}{path}", app.base))
        .header("content-type", "application/json")
        .body(body.to_owned())
        .send()
        .await
        .expect("request sent");
    let status = res.status();
    let content_type = res
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let text = res.text().await.unwrap_or_default();
    (
        status,
        content_type,
        serde_json::from_str(&text).unwrap_or(Value::Null),
    )
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn every_declared_server_function_is_registered(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let endpoints = declared_endpoints();
    assert!(endpoints.len() > 90, "found only {endpoints:?}");
    for name in endpoints {
        let (status, content_type, body) = post_raw(&app, &format!("/rpc/{name}"), "{}").await;
        // Unregistered would be 404. Without a session every function is 401 (or 400: its arguments are
        // missing), except the three that need none.
        assert_ne!(status, StatusCode::NOT_FOUND, "{name} is not registered");
        if status.is_client_error() {
            assert_eq!(content_type, "application/problem+json", "{name}");
            assert_eq!(body["status"], status.as_u16(), "{name}: {body}");
        } else {
            assert!(
                ["current_user", "logout"].contains(&name.as_str()),
                "{name} answered {status} without a session"
            );
        }
    }
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn server_function_errors_are_problems_with_their_own_status(db: PgPool) {
    let app = TestApp::spawn(db).await;
    // No session: 401, not Leptos's 500 with the status inside.
    let (status, content_type, body) = post_raw(&app, "/rpc/list_tickets", r#"{"query":{}}"#).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert_eq!(content_type, "application/problem+json");
    assert_eq!(body["status"], 401);
    // A malformed body: 400 problem.
    let (status, content_type, body) = post_raw(&app, "/rpc/list_tickets", "{not json").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(content_type, "application/problem+json");
    // An unknown function: 404 problem naming the path.
    let (status, content_type, body) = post_raw(&app, "/rpc/no_such_function", "{}").await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert_eq!(content_type, "application/problem+json");
    assert!(
        body["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("/rpc/no_such_function")
    );
    // A known function with the wrong method: 405 problem.
    let res = app
        .http
        .get(format!("{}/rpc/list_tickets", app.base))
        .send()
        .await
        .expect("sent");
    assert_eq!(res.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(
        res.headers()["content-type"].to_str().unwrap_or_default(),
        "application/problem+json"
    );
}
