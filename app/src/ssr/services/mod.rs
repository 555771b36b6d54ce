//! Services: one module per area. Each public function authorises the caller, validates with the domain
//! crate, runs its writes in one transaction together with the audit row, and returns domain types.

pub mod audit;
pub mod auth;
pub mod contacts;
pub mod customers;
pub(crate) mod events;
pub mod interactions;
pub mod lead_conversion;
pub mod leads;
pub mod users;
// Tasks and notifications.
pub mod notifications;
pub mod tasks;

// Support tickets and projects (CRM core).
pub mod projects;
pub(crate) mod records;
pub mod tickets;
// opportunities (pipeline) and the sales-pipeline report
pub mod opportunities;
pub mod sales_report;
// Role dashboards and the activity report.
pub mod dashboard;
// Inventory and purchasing.
pub mod assets;
pub mod purchase_orders;
pub mod vendors;

use super::repo::audit::NewAudit;
use super::repo::scope::Visible;
use super::{Actor, Result};
use domain::{Action, Principal, Problem, Resource, Scope};
use serde_json::Value;
use sqlx::PgConnection;
use uuid::Uuid;

/// 403 unless the caller's role may take `action` on `resource`.
pub(crate) fn require(p: &Principal, resource: Resource, action: Action) -> Result<(), Problem> {
    if p.can(resource, action) {
        Ok(())
    } else {
        Err(Problem::forbidden(format!(
            "Your role ({}) may not {} {}.",
            p.role,
            action.as_str(),
            resource.as_str().replace('_', " ")
        )))
    }
}

/// 412 when the client's `If-Match` version is not the stored one.
pub(crate) fn check_version(expected: Option<i32>, current: i32) -> Result<(), Problem> {
    match expected {
        Some(v) if v != current => Err(Problem::stale(current)),
        _ => Ok(()),
    }
}

/// The owners whose records the caller may list (a query only for team scopes).
pub(crate) async fn visible(
    db: &sqlx::PgPool,
    p: &Principal,
    resource: Resource,
) -> Result<Visible> {
    Ok(match p.scope(resource) {
        Scope::All => Visible::All,
        Scope::Own(me) => Visible::OwnedBy(vec![me]),
        Scope::Team(team) => {
            let mut conn = db.acquire().await?;
            Visible::OwnedBy(super::repo::users::team_members(&mut conn, &team).await?)
        }
    })
}

/// Appends the audit row of a write, on the write's own transaction.
pub(crate) async fn record(
    conn: &mut PgConnection,
    actor: &Actor,
    action: &str,
    entity: &str,
    entity_id: Uuid,
    changes: Value,
) -> Result<()> {
    super::repo::audit::insert(
        conn,
        NewAudit {
            actor_id: Some(actor.principal.user_id.0),
            actor_email: Some(&actor.principal.email),
            action,
            entity,
            entity_id: Some(entity_id),
            changes,
            request_id: actor.meta.request_id.as_deref(),
            ip: actor.meta.ip.as_deref(),
        },
    )
    .await?;
    Ok(())
}

/// A record as JSON for audit diffs.
pub(crate) fn snapshot<T: serde::Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

/// Rejects oversized bulk requests before any work.
pub(crate) fn check_bulk_size(n: usize) -> Result<(), Problem> {
    const MAX: usize = 1000;
    if n == 0 {
        return Err(Problem::invalid_field(
            "items",
            "must contain at least one item",
        ));
    }
    if n > MAX {
        return Err(Problem::too_large(format!(
            "At most {MAX} items per bulk request; this one has {n}."
        )));
    }
    Ok(())
}

/// Checks the size of a bulk action's `ids` (the error names `ids`, without item errors).
pub(crate) fn check_bulk_ids(n: usize) -> Result<(), Problem> {
    check_bulk_size(n).map_err(|p| {
        Problem {
            errors: vec![],
            ..p
        }
        .prefixed("ids")
    })
}

/// Names the id a bulk action failed on (`ids[3]: …`, fields `ids[3].assignee_id`).
pub(crate) fn name_bulk_id(e: super::ServiceError, i: usize) -> super::ServiceError {
    match e {
        super::ServiceError::Problem(p) => super::ServiceError::Problem(Problem {
            detail: format!("ids[{i}]: {}", p.detail),
            ..p.prefixed(&format!("ids[{i}]"))
        }),
        other => other,
    }
}

/// Validates every item of a bulk request before anything is written: all invalid fields at once, named
/// `items[i].field`.
pub(crate) fn clean_all<T>(
    items: Vec<T>,
    clean: impl Fn(T) -> Result<T, Problem>,
) -> Result<Vec<T>, Problem> {
    check_bulk_size(items.len())?;
    let mut cleaned = Vec::with_capacity(items.len());
    let mut errors = Vec::new();
    for (i, item) in items.into_iter().enumerate() {
        match clean(item) {
            Ok(c) => cleaned.push(c),
            Err(p) => errors.extend(p.prefixed(&format!("items[{i}]")).errors),
        }
    }
    if errors.is_empty() {
        Ok(cleaned)
    } else {
        Err(Problem::invalid(errors))
    }
}
