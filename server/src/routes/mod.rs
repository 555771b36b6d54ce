//! REST API `/api/v1`: thin handlers — parse, call a service, shape the response.

pub mod audit;
pub mod auth;
pub mod contacts;
pub mod customers;
pub mod interactions;
pub mod leads;
pub mod system;
pub mod users;
// Tasks and notifications.
pub mod notifications;
pub mod tasks;

// Support tickets and projects (CRM core).
pub mod projects;
pub mod tickets;
// opportunities (pipeline) and the sales-pipeline report
pub mod opportunities;
pub mod reports;
// Inventory and purchasing.
pub mod assets;
pub mod projects_demand;
pub mod purchase_orders;
pub mod vendors;
// Live events.
pub mod ws;

use crate::state::AppState;
use axum::Router;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Serialize;
use utoipa::OpenApi as _;
use utoipa_axum::{router::OpenApiRouter, routes};

/// The documented API under `/api/v1`: each handler's `#[utoipa::path]` gives both its route and its entry in
/// the OpenAPI document (one declaration per endpoint), split into the router and the document.
pub fn api() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    let (router, doc) = OpenApiRouter::with_openapi(crate::openapi::ApiDoc::openapi())
        .routes(routes!(auth::login))
        .routes(routes!(auth::refresh))
        .routes(routes!(auth::logout))
        .routes(routes!(users::list, users::create))
        .routes(routes!(users::me))
        .routes(routes!(users::get, users::update))
        .routes(routes!(users::unlock))
        .routes(routes!(customers::list, customers::create))
        .routes(routes!(customers::bulk_create))
        .routes(routes!(customers::bulk_action))
        .routes(routes!(
            customers::get,
            customers::update,
            customers::delete
        ))
        .routes(routes!(
            contacts::list_for_customer,
            contacts::create_for_customer
        ))
        .routes(routes!(contacts::list, contacts::create))
        .routes(routes!(contacts::bulk_create))
        .routes(routes!(contacts::get, contacts::update, contacts::delete))
        .routes(routes!(leads::list, leads::create))
        .routes(routes!(leads::bulk_create))
        .routes(routes!(leads::bulk_action))
        .routes(routes!(leads::get, leads::update, leads::delete))
        .routes(routes!(leads::convert))
        .routes(routes!(leads::duplicates))
        .routes(routes!(interactions::list, interactions::create))
        .routes(routes!(interactions::bulk_create))
        .routes(routes!(interactions::bulk_action))
        .routes(routes!(
            interactions::get,
            interactions::update,
            interactions::delete
        ))
        .routes(routes!(interactions::list_for_customer))
        .routes(routes!(interactions::timeline))
        .routes(routes!(tickets::list, tickets::create))
        .routes(routes!(tickets::bulk_create))
        .routes(routes!(tickets::bulk_action))
        .routes(routes!(tickets::get, tickets::update, tickets::delete))
        .routes(routes!(tickets::comments, tickets::add_comment))
        .routes(routes!(projects::list, projects::create))
        .routes(routes!(projects::bulk_create))
        .routes(routes!(projects::bulk_action))
        .routes(routes!(projects::get, projects::update, projects::delete))
        .routes(routes!(projects::milestones, projects::create_milestone))
        .routes(routes!(
            projects::update_milestone,
            projects::delete_milestone
        ))
        .routes(routes!(audit::list))
        .routes(routes!(tasks::list, tasks::create))
        .routes(routes!(tasks::bulk_create))
        .routes(routes!(tasks::bulk_action))
        .routes(routes!(tasks::get, tasks::update, tasks::delete))
        .routes(routes!(notifications::list))
        .routes(routes!(notifications::unread_count))
        .routes(routes!(notifications::mark_all_read))
        .routes(routes!(notifications::mark_read))
        .routes(routes!(opportunities::list, opportunities::create))
        .routes(routes!(opportunities::bulk_create))
        .routes(routes!(opportunities::bulk_action))
        .routes(routes!(
            opportunities::get,
            opportunities::update,
            opportunities::delete
        ))
        .routes(routes!(opportunities::stage_history))
        .routes(routes!(reports::sales_pipeline))
        .routes(routes!(reports::stock_levels))
        .routes(routes!(reports::activity))
        .routes(routes!(reports::performance))
        .routes(routes!(reports::dashboard))
        .routes(routes!(reports::valuation))
        .routes(routes!(reports::demand_planning))
        .routes(routes!(assets::list, assets::create))
        .routes(routes!(assets::bulk_create))
        .routes(routes!(assets::reconcile))
        .routes(routes!(assets::get, assets::update, assets::delete))
        .routes(routes!(assets::allocate))
        .routes(routes!(assets::return_items))
        .routes(routes!(assets::adjust))
        .routes(routes!(assets::movements))
        .routes(routes!(assets::allocations))
        .routes(routes!(assets::units))
        .routes(routes!(assets::maintenance, assets::add_maintenance))
        .routes(routes!(assets::set_usage))
        .routes(routes!(assets::depreciation))
        .routes(routes!(assets::demand))
        .routes(routes!(vendors::of_asset))
        .routes(routes!(assets::project_allocations))
        .routes(routes!(projects_demand::list, projects_demand::create))
        .routes(routes!(projects_demand::delete))
        .routes(routes!(assets::customer_allocations))
        .routes(routes!(assets::user_allocations))
        .routes(routes!(vendors::list, vendors::create))
        .routes(routes!(vendors::bulk_create))
        .routes(routes!(vendors::get, vendors::update, vendors::delete))
        .routes(routes!(vendors::assets))
        .routes(routes!(vendors::set_price, vendors::remove_price))
        .routes(routes!(purchase_orders::list, purchase_orders::create))
        .routes(routes!(purchase_orders::bulk_create))
        .routes(routes!(
            purchase_orders::suggested,
            purchase_orders::draft_suggested
        ))
        .routes(routes!(
            purchase_orders::get,
            purchase_orders::update,
            purchase_orders::delete
        ))
        .routes(routes!(purchase_orders::receive))
        .routes(routes!(ws::connect))
        .split_for_parts();
    // Users may also be replaced with PUT (the contract); the document lists the PATCH.
    let router = router
        .route("/users/{id}", axum::routing::put(users::update))
        .route("/openapi.json", get(crate::openapi::json))
        .fallback(crate::problem::api_not_found);
    (router, crate::openapi::finish(doc))
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
