//! REST API `/api/v1`: thin handlers — parse, call a service, shape the response.

pub mod audit;
pub mod auth;
pub mod contacts;
pub mod customers;
pub mod system;
pub mod users;

// Support tickets and projects (CRM core).
pub mod projects;
pub mod tickets;

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
        // Support tickets and projects (CRM core).
        .route("/tickets", get(tickets::list).post(tickets::create))
        .route("/tickets/bulk", post(tickets::bulk_create))
        .route("/tickets/bulk-actions", post(tickets::bulk_action))
        .route(
            "/tickets/{id}",
            get(tickets::get)
                .patch(tickets::update)
                .delete(tickets::delete),
        )
        .route(
            "/tickets/{id}/comments",
            get(tickets::comments).post(tickets::add_comment),
        )
        .route("/projects", get(projects::list).post(projects::create))
        .route("/projects/bulk", post(projects::bulk_create))
        .route("/projects/bulk-actions", post(projects::bulk_action))
        .route(
            "/projects/{id}",
            get(projects::get)
                .patch(projects::update)
                .delete(projects::delete),
        )
        .route(
            "/projects/{id}/milestones",
            get(projects::milestones).post(projects::create_milestone),
        )
        .route(
            "/projects/{id}/milestones/{milestone_id}",
            axum::routing::patch(projects::update_milestone).delete(projects::delete_milestone),
        )
        .route("/audit-logs", get(audit::list))
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
