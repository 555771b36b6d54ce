//! The OpenAPI 3.1 document, generated from the handlers and types, and an offline docs page.

use crate::routes;
use axum::Json;
use axum::response::{Html, IntoResponse};
use std::sync::OnceLock;
use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(title = "CRM-IMS API", version = "1", description = "CRM and inventory management. Errors are RFC 9457 problem+json."),
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

/// The served document: built once from the router's declarations (`routes::api`).
pub fn document() -> &'static utoipa::openapi::OpenApi {
    static DOC: OnceLock<utoipa::openapi::OpenApi> = OnceLock::new();
    DOC.get_or_init(|| routes::api().1)
}

pub async fn json() -> impl IntoResponse {
    Json(document())
}

/// The problem answers every operation may give, by what it takes: declared once here rather than on each
/// handler, and every answer of 400 or more is `application/problem+json` (RFC 9457).
fn problem_statuses(method: &str, path: &str, op: &Operation) -> Vec<(u16, &'static str)> {
    let secured = op.security.as_ref().is_some_and(|s| !s.is_empty());
    let params = op.parameters.as_deref().unwrap_or_default();
    let has_query = params.iter().any(|p| p.parameter_in == ParameterIn::Query);
    let has_body = op.request_body.is_some();
    let names_a_record = params
        .iter()
        .any(|p| p.parameter_in == ParameterIn::Query && p.name.ends_with("_id"));
    let mut out = vec![
        (429, "Too many requests: wait for `Retry-After` seconds."),
        (
            400,
            "A malformed request (unparseable JSON, a repeated query parameter).",
        ),
    ];
    if secured {
        out.push((401, "Not logged in (no or an expired token)."));
        out.push((403, "The caller's role may not do this."));
    }
    if path.contains('{') || names_a_record {
        out.push((
            404,
            "No such record, or one the caller may not see (also one a filter names).",
        ));
    }
    if has_query || has_body || path.contains('{') {
        out.push((422, "Invalid fields or parameters, each named in `errors`."));
    }
    if has_body {
        out.push((413, "The request body is too large."));
        out.push((415, "The body is not JSON."));
    }
    if matches!(method, "post" | "patch" | "put" | "delete") {
        out.push((
            409,
            "A conflict: a duplicate value, not enough stock, or an invalid state change.",
        ));
    }
    if matches!(method, "patch" | "put" | "delete") && path.contains('{') {
        out.push((412, "`If-Match` no longer matches the record's version."));
    }
    out
}

/// Completes the document the router produced: paths under `/api/v1` (the router is nested there), the problem
/// answers of every operation, and problem bodies typed `application/problem+json`.
pub fn finish(mut doc: utoipa::openapi::OpenApi) -> utoipa::openapi::OpenApi {
    let problem = || {
        ContentBuilder::new()
            .schema(Some(Ref::from_schema_name("Problem")))
            .build()
    };
    let paths = std::mem::take(&mut doc.paths.paths);
    for (path, mut item) in paths {
        let ops = [
            ("get", &mut item.get),
            ("post", &mut item.post),
            ("put", &mut item.put),
            ("patch", &mut item.patch),
            ("delete", &mut item.delete),
        ];
        for (method, op) in ops {
            let Some(op) = op.as_mut() else { continue };
            for (status, description) in problem_statuses(method, &path, op) {
                op.responses
                    .responses
                    .entry(status.to_string())
                    .or_insert_with(|| {
                        RefOr::T(ResponseBuilder::new().description(description).build())
                    });
            }
            if method == "post"
                && op.security.as_ref().is_some_and(|s| !s.is_empty())
                && path != "/ws"
            {
                idempotent(op);
            }
            for (code, response) in op.responses.responses.iter_mut() {
                if code.parse::<u16>().is_ok_and(|c| c >= 400)
                    && let RefOr::T(r) = response
                {
                    r.content.clear();
                    r.content
                        .insert("application/problem+json".to_owned(), problem());
                }
            }
        }
        doc.paths.paths.insert(format!("/api/v1{path}"), item);
    }
    doc
}

/// The optional `Idempotency-Key` of every authenticated `POST` (see `crate::idempotency`).
fn idempotent(op: &mut Operation) {
    use utoipa::openapi::path::ParameterBuilder;
    use utoipa::openapi::{ObjectBuilder, Required, Type};
    let key = ParameterBuilder::new()
        .name("Idempotency-Key")
        .parameter_in(ParameterIn::Header)
        .required(Required::False)
        .description(Some(
            "A client-chosen key (e.g. a UUID): a retry with the same key and body within 24 hours gets the first \
             answer again (`Idempotent-Replayed: true`) instead of applying the request twice.",
        ))
        .schema(Some(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .min_length(Some(1))
                .max_length(Some(255))
                .pattern(Some("^[!-~]+$")),
        ))
        .build();
    op.parameters.get_or_insert_with(Vec::new).push(key);
    op.responses.responses.entry("422".to_owned()).or_insert_with(|| {
        RefOr::T(
            ResponseBuilder::new()
                .description("Invalid fields or parameters (here also a malformed `Idempotency-Key`), each named in `errors`.")
                .build(),
        )
    });
    op.responses.responses.entry("303".to_owned()).or_insert_with(|| {
        RefOr::T(
            ResponseBuilder::new()
                .description(
                    "A retry with an `Idempotency-Key` whose request was applied but whose answer was lost: the \
                     record created is at `Location`.",
                )
                .build(),
        )
    });
}

/// Interactive API reference (Swagger UI); its files are served from our own static files (no CDN).
/// Starts Swagger UI on `/api/docs` (a file, not an inline script: the Content-Security-Policy allows none).
pub async fn docs_script() -> impl IntoResponse {
    (
        [(
            axum::http::header::CONTENT_TYPE,
            "text/javascript; charset=utf-8",
        )],
        r##"window.ui = SwaggerUIBundle({ url: "/api/v1/openapi.json", dom_id: "#swagger-ui", deepLinking: true, persistAuthorization: true });"##,
    )
}

pub async fn docs() -> impl IntoResponse {
    Html(
        r##"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>CRM-IMS API reference</title><link rel="stylesheet" href="/vendor/swagger-ui/swagger-ui.css"></head>
<body>
<div id="swagger-ui"><noscript>The API reference needs JavaScript. The raw document is at
<a href="/api/v1/openapi.json">/api/v1/openapi.json</a>.</noscript></div>
<script src="/vendor/swagger-ui/swagger-ui-bundle.js"></script>
<script src="/api/docs/init.js"></script>
</body></html>"##,
    )
}
