//! REST API `/api/v1`: thin handlers — parse, call a service, shape the response.

pub mod audit;
pub mod auth;
pub mod contacts;
pub mod customers;
pub mod system;
pub mod users;
// opportunities (pipeline) and the sales-pipeline report
pub mod opportunities;
pub mod reports;

use crate::state::AppState;
use axum::Router;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Serialize;

pub fn api() -> Router<AppState> {
    Router::new()
        .route("/auth/login", post(auth::login))
        .route("/auth/refresh", post(auth::refresh))
        .route("/auth/logout", post(auth::logout))
        .route("/users", get(users::list).post(users::create))
        .route("/users/me", get(users::me))
        .route(
            "/users/{id}",
            get(users::get).patch(users::update).put(users::update),
        )
        .route("/customers", get(customers::list).post(customers::create))
        .route("/customers/bulk", post(customers::bulk_create))
        .route("/customers/bulk-actions", post(customers::bulk_action))
        .route(
            "/customers/{id}",
            get(customers::get)
                .patch(customers::update)
                .delete(customers::delete),
        )
        .route(
            "/customers/{id}/contacts",
            get(contacts::list_for_customer).post(contacts::create_for_customer),
        )
        .route("/contacts", get(contacts::list).post(contacts::create))
        .route("/contacts/bulk", post(contacts::bulk_create))
        .route(
            "/contacts/{id}",
            get(contacts::get)
                .patch(contacts::update)
                .delete(contacts::delete),
        )
        .route("/audit-logs", get(audit::list))
        // opportunities (pipeline) and the sales-pipeline report
        .route(
            "/opportunities",
            get(opportunities::list).post(opportunities::create),
        )
        .route("/opportunities/bulk", post(opportunities::bulk_create))
        .route(
            "/opportunities/bulk-actions",
            post(opportunities::bulk_action),
        )
        .route(
            "/opportunities/{id}",
            get(opportunities::get)
                .patch(opportunities::update)
                .delete(opportunities::delete),
        )
        .route(
            "/opportunities/{id}/stage-history",
            get(opportunities::stage_history),
        )
        .route("/reports/sales-pipeline", get(reports::sales_pipeline))
        .route("/openapi.json", get(crate::openapi::json))
        .fallback(crate::problem::api_not_found)
}

/// A record with its `ETag` (the version).
pub fn record<T: Serialize>(
    status: StatusCode,
    body: &T,
    version: i32,
    location: Option<String>,
) -> Response {
    let mut res = (status, axum::Json(body)).into_response();
    let h = res.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&format!("\"{version}\"")) {
        h.insert(header::ETAG, v);
    }
    if let Some(loc) = location.and_then(|l| HeaderValue::from_str(&l).ok()) {
        h.insert(header::LOCATION, loc);
    }
    res
}
