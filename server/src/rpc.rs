//! Server functions (`/rpc/…`), answered by `leptos_axum` with the app context provided.
//!
//! Every `#[server]` function registers itself (Leptos collects them at start-up; `tests/api/rpc.rs` calls each
//! one found in `app/src/api/` so a function the linker dropped would fail a test). Answers follow the REST
//! API's rules: an error is problem+json with its own HTTP status, an unknown function is 404 (405 for a known
//! one called with the wrong method).

use crate::problem::ApiProblem;
use crate::state::AppState;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::response::{IntoResponse, Response};
use domain::Problem;
use leptos::prelude::provide_context;

/// Error answers up to this size are re-read to carry the problem's own status (they are a few hundred bytes).
const ERROR_BODY_LIMIT: usize = 64 * 1024;

pub async fn handle(State(state): State<AppState>, req: Request<Body>) -> Response {
    let path = req.uri().path().to_owned();
    let method = req.method().clone();
    let methods: Vec<_> = leptos::server_fn::axum::server_fn_paths()
        .filter(|(p, _)| *p == path)
        .map(|(_, m)| m)
        .collect();
    if !methods.contains(&method) {
        let problem = if !methods.is_empty() {
            Problem::new(
                405,
                "method-not-allowed",
                "Method not allowed",
                format!("{path} takes another HTTP method than {method}."),
            )
        } else {
            Problem::new(
                404,
                "not-found",
                "Not found",
                format!("There is no server function at {path}."),
            )
        };
        return ApiProblem(problem).into_response();
    }
    // The same text rule as the REST API's JSON bodies: a control character (NUL) is a 422 naming the field.
    let (parts, body) = req.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, crate::MAX_BODY_BYTES).await else {
        return ApiProblem(Problem::too_large(
            "The request body is too large (at most 2 MiB).",
        ))
        .into_response();
    };
    if let Err(problem) = crate::extract::check_json_text(&bytes) {
        return ApiProblem(problem).into_response();
    }
    let req = Request::from_parts(parts, Body::from(bytes));
    let ctx = state.ctx.clone();
    let res =
        leptos_axum::handle_server_fns_with_context(move || provide_context(ctx.clone()), req)
            .await
            .into_response();
    if res.status().is_success() || res.status().is_redirection() {
        return res;
    }
    // Leptos answers every error 500; the body is the function's `ApiError`, a problem with its real status.
    let body = axum::body::to_bytes(res.into_body(), ERROR_BODY_LIMIT).await;
    let problem = body
        .ok()
        .and_then(|b| serde_json::from_slice::<Problem>(&b).ok())
        .unwrap_or_else(Problem::internal);
    ApiProblem(problem).into_response()
}
