//! Reading the audit trail: the admin/manager log, and one record's history for whoever may read the record.

use super::require;
use crate::ssr::repo::audit as repo;
use crate::ssr::repo::scope::Visible;
use crate::ssr::{Actor, AppCtx, Result};
use domain::audit::{AuditEntry, AuditFilter, AuditQuery};
use domain::page::Cursor;
use domain::{Action, ContactId, CustomerId, Page, Problem, Resource, UserId};

pub async fn list(ctx: &AppCtx, actor: &Actor, query: AuditQuery) -> Result<Page<AuditEntry>> {
    let f = filter(ctx, actor, query).await?;
    let rows = page(ctx, &f).await?;
    Ok(Page::from_rows(rows, f.filter.limit, |e: &AuditEntry| {
        Cursor::new("-at", e.at.to_rfc3339(), e.id.0)
    }))
}

/// An authorised audit query: what was asked, and which entries the caller may read.
#[derive(Clone, Debug)]
pub struct Authorised {
    pub filter: AuditFilter,
    scope: repo::AuditScope,
}

/// Authorises and parses an audit query (also used by the CSV and PDF exports, which page through `page`).
/// A reader whose role sees only a team's records reads only the entries about those records (see
/// `repo::AuditScope`), everywhere the trail is listed or exported.
pub async fn filter(ctx: &AppCtx, actor: &Actor, query: AuditQuery) -> Result<Authorised> {
    let p = &actor.principal;
    require(p, Resource::AuditLogs, Action::Read)?;
    let filter = query.parse()?;
    let scope = match super::visible(&ctx.db, p, Resource::Customers).await? {
        Visible::All => repo::AuditScope::All,
        Visible::OwnedBy(owners) => {
            let open = [
                (Resource::Assets, &["asset", "maintenance"][..]),
                (Resource::Vendors, &["vendor"][..]),
                (Resource::PurchaseOrders, &["purchase_order"][..]),
            ]
            .into_iter()
            .filter(|(r, _)| p.can(*r, Action::Read))
            .flat_map(|(_, entities)| entities.iter().copied())
            .collect();
            repo::AuditScope::Team {
                owners: owners.into_iter().map(|u| u.0).collect(),
                open,
            }
        }
    };
    Ok(Authorised { filter, scope })
}

/// One page of an authorised filter (the exports walk these).
pub async fn page(ctx: &AppCtx, f: &Authorised) -> Result<Vec<AuditEntry>> {
    Ok(repo::list(&ctx.db, &f.filter, &f.scope).await?)
}

/// The history of one record, newest first (at most 200 entries), if the caller may read the record.
pub async fn record_history(
    ctx: &AppCtx,
    actor: &Actor,
    entity: &str,
    id: uuid::Uuid,
) -> Result<Vec<AuditEntry>> {
    match entity {
        "customer" => drop(super::customers::get(ctx, actor, CustomerId(id)).await?),
        "contact" => drop(super::contacts::get(ctx, actor, ContactId(id)).await?),
        "lead" => drop(super::leads::get(ctx, actor, domain::LeadId(id)).await?),
        "task" => drop(super::tasks::get(ctx, actor, domain::TaskId(id)).await?),
        "interaction" => {
            drop(super::interactions::get(ctx, actor, domain::InteractionId(id)).await?)
        }
        // Support tickets and projects (CRM core).
        "ticket" => drop(super::tickets::get(ctx, actor, domain::TicketId(id)).await?),
        "project" => drop(super::projects::get(ctx, actor, domain::ProjectId(id)).await?),
        "milestone" => drop(super::projects::milestone(ctx, actor, domain::MilestoneId(id)).await?),
        "opportunity" => {
            drop(super::opportunities::get(ctx, actor, domain::OpportunityId(id)).await?)
        }
        // Inventory and purchasing.
        "asset" => drop(super::assets::get(ctx, actor, domain::AssetId(id)).await?),
        "vendor" => drop(super::vendors::get(ctx, actor, domain::VendorId(id)).await?),
        "purchase_order" => {
            drop(super::purchase_orders::get(ctx, actor, domain::PurchaseOrderId(id)).await?)
        }
        "user"
            if actor.principal.can(Resource::AuditLogs, Action::Read)
                || actor.principal.user_id == UserId(id) => {}
        "user" => return Err(Problem::not_found("user").into()),
        other => {
            return Err(Problem::invalid_field(
                "entity",
                format!("\"{other}\" has no history here"),
            )
            .into());
        }
    }
    let f = AuditQuery {
        entity: Some(entity.to_owned()),
        entity_id: Some(id.to_string()),
        limit: Some("200".into()),
        ..Default::default()
    }
    .parse()?;
    Ok(repo::list(&ctx.db, &f, &repo::AuditScope::All)
        .await?
        .into_iter()
        .take(200)
        .collect())
}
