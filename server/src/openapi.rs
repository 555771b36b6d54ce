//! The OpenAPI 3.1 document, generated from the handlers and types, and an offline docs page.

use crate::routes;
use axum::Json;
use axum::response::{Html, IntoResponse};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(title = "CRM-IMS API", version = "1", description = "CRM and inventory management. Errors are RFC 9457 problem+json."),
    paths(
        routes::auth::login, routes::auth::refresh, routes::auth::logout,
        routes::users::list, routes::users::me, routes::users::get, routes::users::create, routes::users::update,
        routes::customers::list, routes::customers::get, routes::customers::create, routes::customers::update,
        routes::customers::delete, routes::customers::bulk_create, routes::customers::bulk_action,
        routes::contacts::list, routes::contacts::list_for_customer, routes::contacts::create,
        routes::contacts::create_for_customer, routes::contacts::bulk_create, routes::contacts::get,
        routes::contacts::update, routes::contacts::delete,
        routes::audit::list,
        routes::leads::list, routes::leads::get, routes::leads::create, routes::leads::update, routes::leads::delete,
        routes::leads::bulk_create, routes::leads::bulk_action, routes::leads::convert, routes::leads::duplicates,
        routes::tasks::list, routes::tasks::get, routes::tasks::create, routes::tasks::bulk_create,
        routes::tasks::bulk_action, routes::tasks::update, routes::tasks::delete,
        routes::notifications::list, routes::notifications::unread_count, routes::notifications::mark_read,
        routes::notifications::mark_all_read,
        routes::interactions::list, routes::interactions::list_for_customer, routes::interactions::timeline,
        routes::interactions::create, routes::interactions::bulk_create, routes::interactions::bulk_action,
        routes::interactions::get, routes::interactions::update, routes::interactions::delete,
        // Support tickets and projects (CRM core).
        routes::tickets::list, routes::tickets::create, routes::tickets::bulk_create, routes::tickets::bulk_action,
        routes::tickets::get, routes::tickets::update, routes::tickets::delete, routes::tickets::comments,
        routes::tickets::add_comment,
        routes::projects::list, routes::projects::create, routes::projects::bulk_create,
        routes::projects::bulk_action, routes::projects::get, routes::projects::update, routes::projects::delete,
        routes::projects::milestones, routes::projects::create_milestone, routes::projects::update_milestone,
        routes::projects::delete_milestone,
        // opportunities (pipeline) and the sales-pipeline report
        routes::opportunities::list, routes::opportunities::get, routes::opportunities::create,
        routes::opportunities::update, routes::opportunities::delete, routes::opportunities::bulk_create,
        routes::opportunities::bulk_action, routes::opportunities::stage_history,
        routes::reports::sales_pipeline,
        // Inventory and purchasing.
        routes::reports::stock_levels, routes::reports::valuation, routes::reports::demand_planning,
        routes::reports::activity, routes::reports::performance, routes::reports::dashboard,
        routes::assets::list, routes::assets::create, routes::assets::bulk_create, routes::assets::get,
        routes::assets::update, routes::assets::delete, routes::assets::allocate, routes::assets::return_items,
        routes::assets::adjust, routes::assets::movements, routes::assets::allocations,
        routes::assets::project_allocations, routes::assets::customer_allocations, routes::assets::user_allocations,
        routes::assets::units, routes::assets::maintenance, routes::assets::add_maintenance, routes::assets::set_usage,
        routes::assets::depreciation, routes::assets::demand, routes::assets::reconcile,
        routes::projects_demand::list, routes::projects_demand::create, routes::projects_demand::delete,
        routes::vendors::list, routes::vendors::create, routes::vendors::bulk_create, routes::vendors::get,
        routes::vendors::update, routes::vendors::delete, routes::vendors::assets, routes::vendors::of_asset,
        routes::vendors::set_price, routes::vendors::remove_price,
        routes::purchase_orders::list, routes::purchase_orders::create, routes::purchase_orders::bulk_create,
        routes::purchase_orders::get, routes::purchase_orders::update, routes::purchase_orders::delete,
        routes::purchase_orders::receive, routes::purchase_orders::suggested, routes::purchase_orders::draft_suggested,
        routes::ws::connect,
    ),
    components(schemas(domain::Problem, domain::FieldError, domain::Role, domain::customer::CustomerStatus)),
    modifiers(&BearerAuth),
    tags(
        (name = "auth", description = "Log in, refresh and log out"),
        (name = "users", description = "Users (admins write)"),
        (name = "customers", description = "Customers"),
        (name = "contacts", description = "Contacts of customers"),
        (name = "audit", description = "The append-only audit trail"),
        (name = "leads", description = "Leads and their conversion into customer, contact and opportunity"),
        (name = "tasks", description = "Tasks with due dates and reminders"),
        (name = "notifications", description = "The caller's in-app notifications"),
        (name = "interactions", description = "Calls, e-mails, meetings and notes; the customer timeline"),
        (name = "tickets", description = "Support tickets with comments and SLA"),
        (name = "projects", description = "Projects and their milestones"),
        (name = "opportunities", description = "Opportunities: the sales pipeline and its stage history"),
        (name = "reports", description = "Reports"),
        (name = "assets", description = "Assets, the stock ledger, allocation and return, maintenance, depreciation"),
        (name = "vendors", description = "Vendors and their prices"),
        (name = "events", description = "Live events over a WebSocket"),
        (name = "purchase-orders", description = "Purchase orders and receiving; reorder suggestions"),
    )
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
    }
}

pub async fn json() -> impl IntoResponse {
    Json(ApiDoc::openapi())
}

/// Interactive API reference (Swagger UI); its files are served from our own static files (no CDN).
pub async fn docs() -> impl IntoResponse {
    Html(
        r##"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>CRM-IMS API reference</title><link rel="stylesheet" href="/vendor/swagger-ui/swagger-ui.css"></head>
<body>
<div id="swagger-ui"><noscript>The API reference needs JavaScript. The raw document is at
<a href="/api/v1/openapi.json">/api/v1/openapi.json</a>.</noscript></div>
<script src="/vendor/swagger-ui/swagger-ui-bundle.js"></script>
<script>
  window.ui = SwaggerUIBundle({ url: "/api/v1/openapi.json", dom_id: "#swagger-ui", deepLinking: true, persistAuthorization: true });
</script>
</body></html>"##,
    )
}
