//! The services' error: a problem for the caller, or an internal failure that is logged and hidden.

use crate::ApiError;
use domain::Problem;

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error("{0}")]
    Problem(Problem),
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
    #[error("internal: {0}")]
    Internal(String),
}

impl From<Problem> for ServiceError {
    fn from(p: Problem) -> Self {
        Self::Problem(p)
    }
}

impl ServiceError {
    /// Names the bulk item in a constraint error (`email` → `items[3].email`); other errors are unchanged.
    pub(crate) fn prefixed(self, prefix: &str) -> ServiceError {
        match self {
            ServiceError::Db(_) => {
                let mut p = self.into_problem();
                if p.errors.is_empty() && p.status < 500 {
                    p.detail = format!("{prefix}: {}", p.detail);
                    ServiceError::Problem(p)
                } else if p.status < 500 {
                    ServiceError::Problem(p.prefixed(prefix))
                } else {
                    ServiceError::Problem(p)
                }
            }
            other => other,
        }
    }
}

/// Constraint names → the field they guard and what to tell the user.
const CONSTRAINTS: &[(&str, &str, &str)] = &[
    (
        "users_email_key",
        "email",
        "A user with this e-mail already exists.",
    ),
    (
        "customers_email_unique",
        "email",
        "A customer with this e-mail already exists.",
    ),
    (
        "customers_owner_id_fkey",
        "owner_id",
        "No user with this id.",
    ),
    (
        "assets_sku_key",
        "sku",
        "An asset with this SKU already exists.",
    ),
    (
        "vendors_name_key",
        "name",
        "A vendor with this name already exists.",
    ),
    (
        "assets_vendor_id_fkey",
        "vendor_id",
        "No vendor with this id.",
    ),
    (
        "asset_units_asset_id_serial_key",
        "serials",
        "A unit of this asset with this serial number exists already.",
    ),
    (
        "contacts_customer_id_fkey",
        "customer_id",
        "No customer with this id.",
    ),
];

impl ServiceError {
    pub fn internal(e: impl std::fmt::Display) -> Self {
        Self::Internal(e.to_string())
    }

    /// The problem to answer with. Constraint violations become field errors (409/422); anything else is
    /// logged here with its cause and answered with a plain 500.
    pub fn into_problem(self) -> Problem {
        match self {
            Self::Problem(p) => p,
            Self::Db(sqlx::Error::Database(db)) if db.constraint().is_some() => {
                let constraint = db.constraint().unwrap_or_default();
                let known = CONSTRAINTS.iter().find(|(name, _, _)| *name == constraint);
                match (db.code().as_deref(), known) {
                    (Some("23505"), Some((_, field, msg))) => Problem::duplicate(field, *msg),
                    (Some("23505"), None) => Problem::conflict(format!(
                        "A record with this value already exists ({constraint})."
                    )),
                    (Some("23503"), Some((_, field, msg))) => Problem::invalid_field(field, *msg),
                    (Some("23503"), None) => {
                        Problem::conflict("The record is still referenced by other records.")
                    }
                    (Some("23514"), _) => Problem::invalid_field(
                        constraint.split('_').nth(1).unwrap_or(""),
                        "is out of range",
                    ),
                    _ => {
                        tracing::error!(error = %db, "database constraint error");
                        Problem::internal()
                    }
                }
            }
            Self::Db(e) => {
                tracing::error!(error = %e, "database error");
                match e {
                    sqlx::Error::PoolTimedOut => {
                        Problem::unavailable("The database is busy; try again shortly.")
                    }
                    // The database cannot be reached, is restarting or closed the connection: nothing of this
                    // request was committed, so it can be sent again once the database is back.
                    sqlx::Error::Io(_)
                    | sqlx::Error::Tls(_)
                    | sqlx::Error::PoolClosed
                    | sqlx::Error::WorkerCrashed
                    | sqlx::Error::Protocol(_) => Problem::unavailable(
                        "The database cannot be reached right now; nothing was saved. Try again shortly.",
                    ),
                    sqlx::Error::Database(db)
                        if db.code().is_some_and(|c| {
                            c.starts_with("08") || matches!(c.as_ref(), "57P01" | "57P02" | "57P03")
                        }) =>
                    {
                        Problem::unavailable(
                            "The database cannot be reached right now; nothing was saved. Try again shortly.",
                        )
                    }
                    // Text the checks above let through that PostgreSQL cannot store (a NUL byte).
                    sqlx::Error::Database(db) if db.code().as_deref() == Some("22021") => {
                        Problem::invalid_field(
                            "",
                            "Text must not contain control characters such as NUL.",
                        )
                    }
                    // Two writes of the same summary rows at the same moment (e.g. the pipeline rollups): one
                    // is rolled back whole, so nothing was saved and the same request can simply be sent again.
                    sqlx::Error::Database(db)
                        if matches!(db.code().as_deref(), Some("40P01") | Some("40001")) =>
                    {
                        Problem::unavailable(
                            "Another change collided with this one; nothing was saved. Try again.",
                        )
                    }
                    _ => Problem::internal(),
                }
            }
            Self::Internal(e) => {
                tracing::error!(error = %e, "internal error");
                Problem::internal()
            }
        }
    }
}

impl From<ServiceError> for ApiError {
    fn from(e: ServiceError) -> Self {
        answer(e.into_problem())
    }
}

/// A server function's error, with the problem's status as the HTTP status (Leptos would answer 500 for
/// every error, which hides 401/403/404/409/412/422 from logs and metrics).
pub fn answer(problem: Problem) -> ApiError {
    if let Some(res) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>()
        && let Ok(status) = axum::http::StatusCode::from_u16(problem.status)
    {
        res.set_status(status);
    }
    ApiError(problem)
}
