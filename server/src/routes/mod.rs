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
        .route("/leads", get(leads::list).post(leads::create))
        .route("/leads/bulk", post(leads::bulk_create))
        .route("/leads/bulk-actions", post(leads::bulk_action))
        .route(
            "/leads/{id}",
            get(leads::get).patch(leads::update).delete(leads::delete),
        )
        .route("/leads/{id}/convert", post(leads::convert))
        .route("/leads/{id}/duplicates", get(leads::duplicates))
        .route(
            "/interactions",
            get(interactions::list).post(interactions::create),
        )
        .route("/interactions/bulk", post(interactions::bulk_create))
        .route(
            "/interactions/bulk-actions",
            post(interactions::bulk_action),
        )
        .route(
            "/interactions/{id}",
            get(interactions::get)
                .patch(interactions::update)
                .delete(interactions::delete),
        )
        .route(
            "/customers/{id}/interactions",
            get(interactions::list_for_customer),
        )
        .route("/customers/{id}/timeline", get(interactions::timeline))
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
        // Tasks and notifications.
        .route("/tasks", get(tasks::list).post(tasks::create))
        .route("/tasks/bulk", post(tasks::bulk_create))
        .route("/tasks/bulk-actions", post(tasks::bulk_action))
        .route(
            "/tasks/{id}",
            get(tasks::get).patch(tasks::update).delete(tasks::delete),
        )
        .route("/notifications", get(notifications::list))
        .route(
            "/notifications/unread-count",
            get(notifications::unread_count),
        )
        .route(
            "/notifications/read-all",
            post(notifications::mark_all_read),
        )
        .route("/notifications/{id}/read", post(notifications::mark_read))
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
        // Inventory and purchasing.
        .route("/reports/stock-levels", get(reports::stock_levels))
        .route("/reports/activity", get(reports::activity))
        .route("/reports/performance", get(reports::performance))
        .route("/dashboard", get(reports::dashboard))
        .route("/reports/valuation", get(reports::valuation))
        .route("/reports/demand-planning", get(reports::demand_planning))
        .route("/assets", get(assets::list).post(assets::create))
        .route("/assets/bulk", post(assets::bulk_create))
        .route("/assets/reconcile", get(assets::reconcile))
        .route(
            "/assets/{id}",
            get(assets::get)
                .patch(assets::update)
                .delete(assets::delete),
        )
        .route("/assets/{id}/allocate", post(assets::allocate))
        .route("/assets/{id}/return", post(assets::return_items))
        .route("/assets/{id}/adjustments", post(assets::adjust))
        .route("/assets/{id}/movements", get(assets::movements))
        .route("/assets/{id}/allocations", get(assets::allocations))
        .route("/assets/{id}/units", get(assets::units))
        .route(
            "/assets/{id}/maintenance",
            get(assets::maintenance).post(assets::add_maintenance),
        )
        .route("/assets/{id}/usage", post(assets::set_usage))
        .route("/assets/{id}/depreciation", get(assets::depreciation))
        .route("/assets/{id}/demand", get(assets::demand))
        .route("/assets/{id}/vendors", get(vendors::of_asset))
        .route(
            "/projects/{id}/allocations",
            get(assets::project_allocations),
        )
        .route(
            "/projects/{id}/demand",
            get(projects_demand::list).post(projects_demand::create),
        )
        .route(
            "/projects/{id}/demand/{demand_id}",
            axum::routing::delete(projects_demand::delete),
        )
        .route(
            "/customers/{id}/allocations",
            get(assets::customer_allocations),
        )
        .route("/users/{id}/allocations", get(assets::user_allocations))
        .route("/vendors", get(vendors::list).post(vendors::create))
        .route("/vendors/bulk", post(vendors::bulk_create))
        .route(
            "/vendors/{id}",
            get(vendors::get)
                .patch(vendors::update)
                .delete(vendors::delete),
        )
        .route("/vendors/{id}/assets", get(vendors::assets))
        .route(
            "/vendors/{id}/assets/{asset_id}",
            axum::routing::put(vendors::set_price).delete(vendors::remove_price),
        )
        .route(
            "/purchase-orders",
            get(purchase_orders::list).post(purchase_orders::create),
        )
        .route("/purchase-orders/bulk", post(purchase_orders::bulk_create))
        .route(
            "/purchase-orders/suggested",
            get(purchase_orders::suggested).post(purchase_orders::draft_suggested),
        )
        .route(
            "/purchase-orders/{id}",
            get(purchase_orders::get)
                .patch(purchase_orders::update)
                .delete(purchase_orders::delete),
        )
        .route(
            "/purchase-orders/{id}/receive",
            post(purchase_orders::receive),
        )
        .route("/ws", get(ws::connect))
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
