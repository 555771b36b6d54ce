//! Interactions: visible to whoever may see their customer; the author is the caller. Also the customer
//! timeline and the monthly partitions of the interactions table.

use super::customers::ensure_visible;
use super::records::{
    self, apply_all, audit_create, audit_update, delete_in, impl_record, lock_for,
};
use super::{require, visible};
use crate::ssr::repo::interactions::{self as repo, InteractionRecord, ListParams, TimelineRow};
use crate::ssr::search::interactions::{Hits, InteractionSearch, Postgres};
use crate::ssr::{Actor, AppCtx, Result, ServiceError};
use chrono::{Datelike, NaiveDate};
use domain::bulk::BulkResult;
use domain::interaction::{
    Interaction, InteractionBulkAction, InteractionBulkRequest, InteractionInput, InteractionPatch,
    InteractionQuery, TimelineEntry, TimelineKind, TimelinePos, TimelineQuery,
};
use domain::page::Cursor;
use domain::{Action, CustomerId, InteractionId, Page, Principal, Problem, Resource, UserId};
use sqlx::PgConnection;

const R: Resource = Resource::Interactions;

pub async fn list(
    ctx: &AppCtx,
    actor: &Actor,
    query: InteractionQuery,
) -> Result<Page<Interaction>> {
    let p = &actor.principal;
    require(p, R, Action::Read)?;
    let f = query.parse()?;
    if let Some(c) = f.customer_id {
        ensure_visible(&mut *ctx.db.acquire().await?, p, c).await?;
    }
    // A customer the caller sees makes every one of its interactions visible: no owner join needed.
    let visible = match f.customer_id {
        Some(_) => crate::ssr::repo::scope::Visible::All,
        None => visible(&ctx.db, p, Resource::Customers).await?,
    };
    repo::check_cursor(f.sort.field, f.cursor.as_ref())?;
    let params = ListParams {
        fields: f.fields.clone(),
        visible,
        tsquery: f.q.as_deref().and_then(domain::search::prefix_tsquery),
        customer_id: f.customer_id,
        contact_id: f.contact_id,
        opportunity_id: f.opportunity_id,
        ticket_id: f.ticket_id,
        kind: f.kind,
        author_id: f.author_id,
        from: f.from,
        to: f.to,
        sort: f.sort.field,
        dir: f.sort.dir,
        after: f.cursor.clone(),
        limit: f.limit,
    };
    // The engine orders by time and knows no field filters: other lists are read from PostgreSQL.
    let engine_serves = f.sort.field.is_engine_order() && f.fields.is_empty();
    let customer = f.customer_id;
    let visible = move |r: &InteractionRecord| visible_now(p, customer, r);
    let Hits { rows, resume } = match (&ctx.search, f.q.as_deref()) {
        (Some(engine), Some(q)) if engine.is_ready() && engine_serves => {
            match engine.page(&ctx.db, q, params.clone(), &visible).await? {
                Ok(found) => found,
                Err(error) => {
                    tracing::warn!(%error, "interaction search: the engine failed, PostgreSQL answers");
                    Postgres
                        .page(&ctx.db, q, params, &visible)
                        .await?
                        .map_err(ServiceError::internal)?
                }
            }
        }
        (_, q) => Postgres
            .page(&ctx.db, q.unwrap_or_default(), params, &visible)
            .await?
            .map_err(ServiceError::internal)?,
    };
    let items = rows.into_iter().map(|r| r.interaction).collect();
    let mut page = Page::from_rows(items, f.limit, |i: &Interaction| {
        f.sort.field.cursor(&f.sort_text, i, i.id.0)
    });
    if page.next_cursor.is_none() {
        page.next_cursor = resume
            .map(|h| Cursor::at(f.sort_text.clone(), Some(h.sort_at.to_rfc3339()), h.id).encode());
    }
    Ok(page)
}

/// Whether the caller sees the row: through its customer's owner, or because the list is of one customer
/// the caller was found to see.
fn visible_now(p: &Principal, customer: Option<CustomerId>, r: &InteractionRecord) -> bool {
    customer == Some(r.interaction.customer_id)
        || p.sees(Resource::Customers, r.owner_id, r.owner_team.as_deref())
}

/// The record if the caller may see its customer; 404 otherwise.
async fn visible_record(
    conn: &mut PgConnection,
    p: &Principal,
    id: InteractionId,
    lock: bool,
) -> Result<InteractionRecord> {
    match repo::by_id(conn, id, lock).await? {
        Some(r) if p.sees(Resource::Customers, r.owner_id, r.owner_team.as_deref()) => Ok(r),
        _ => Err(Problem::not_found("interaction").into()),
    }
}

impl_record!(
    Interaction, InteractionId, InteractionInput,
    insert => insert_one,
    locked(conn, p, id) => Ok(visible_record(conn, p, id, true).await?.interaction),
    remove(conn, current) => Ok(repo::delete(conn, current.id).await?),
);

pub async fn get(ctx: &AppCtx, actor: &Actor, id: InteractionId) -> Result<Interaction> {
    require(&actor.principal, R, Action::Read)?;
    let mut conn = ctx.db.acquire().await?;
    Ok(visible_record(&mut conn, &actor.principal, id, false)
        .await?
        .interaction)
}

/// The customer must be visible (else 422 on `customer_id`), and the linked contact, opportunity and ticket
/// must exist and belong to it (else 422 on that field). `prefix` names the bulk item.
async fn check_links(
    conn: &mut PgConnection,
    p: &Principal,
    input: &InteractionInput,
    prefix: &str,
) -> Result<()> {
    let customer = input
        .customer_id
        .ok_or_else(|| Problem::invalid_field(&format!("{prefix}customer_id"), "is required"))?;
    match ensure_visible(conn, p, customer).await {
        Ok(_) => {}
        Err(ServiceError::Problem(pr)) if pr.status == 404 => {
            return Err(Problem::invalid_field(
                &format!("{prefix}customer_id"),
                "No customer with this id.",
            )
            .into());
        }
        Err(e) => return Err(e),
    }
    let owners = repo::link_owners(conn, input).await?;
    let links = [
        (
            "contact_id",
            "contact",
            input.contact_id.map(|x| x.0),
            owners.contact,
        ),
        (
            "opportunity_id",
            "opportunity",
            input.opportunity_id.map(|x| x.0),
            owners.opportunity,
        ),
        (
            "ticket_id",
            "ticket",
            input.ticket_id.map(|x| x.0),
            owners.ticket,
        ),
    ];
    let mut errors = Vec::new();
    for (field, noun, given, owner) in links {
        let message = match (given, owner) {
            (None, _) => continue,
            (Some(_), None) => format!("No {noun} with this id."),
            (Some(_), Some(o)) if o != customer => {
                format!("This {noun} belongs to another customer.")
            }
            _ => continue,
        };
        errors.push(domain::FieldError::new(format!("{prefix}{field}"), message));
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(Problem::invalid(errors).into())
    }
}

async fn insert_one(
    conn: &mut PgConnection,
    actor: &Actor,
    input: InteractionInput,
    prefix: &str,
) -> Result<Interaction> {
    check_links(conn, &actor.principal, &input, prefix).await?;
    let id = InteractionId::new();
    repo::insert(conn, id, actor.principal.user_id, &input).await?;
    let created = repo::by_id(conn, id, false)
        .await?
        .ok_or_else(|| ServiceError::internal("inserted interaction vanished"))?
        .interaction;
    audit_create(conn, actor, &created).await?;
    Ok(created)
}

pub async fn create(ctx: &AppCtx, actor: &Actor, input: InteractionInput) -> Result<Interaction> {
    records::create(ctx, actor, input).await
}

/// All or nothing: every item is validated first (errors named `items[i].field`), then all are inserted in one
/// transaction.
pub async fn bulk_create(
    ctx: &AppCtx,
    actor: &Actor,
    items: Vec<InteractionInput>,
) -> Result<Vec<Interaction>> {
    records::bulk_create(ctx, actor, items).await
}

pub async fn update(
    ctx: &AppCtx,
    actor: &Actor,
    id: InteractionId,
    if_match: Option<i32>,
    patch: InteractionPatch,
) -> Result<Interaction> {
    let p = &actor.principal;
    let mut tx = ctx.db.begin().await?;
    let current: Interaction = lock_for(&mut tx, p, id, Action::Update, if_match).await?;
    let merged = patch.apply(&current)?;
    check_links(&mut tx, p, &merged, "").await?;
    repo::update(&mut tx, id, &merged).await?;
    let updated = repo::by_id(&mut tx, id, false)
        .await?
        .ok_or_else(|| ServiceError::internal("updated interaction vanished"))?
        .interaction;
    audit_update(&mut tx, actor, &current, &updated).await?;
    tx.commit().await?;
    Ok(updated)
}

pub async fn delete(
    ctx: &AppCtx,
    actor: &Actor,
    id: InteractionId,
    if_match: Option<i32>,
) -> Result<()> {
    records::delete::<Interaction>(ctx, actor, id, if_match).await
}

/// Deletes every selected interaction in one transaction; an id the caller may not see or delete fails the
/// whole request (`ids[i]`) and nothing is written.
pub async fn bulk_action(
    ctx: &AppCtx,
    actor: &Actor,
    req: InteractionBulkRequest,
) -> Result<BulkResult> {
    apply_all(
        ctx,
        actor,
        &req.ids,
        &req.action,
        |conn, actor, action, id| {
            Box::pin(async move {
                match action {
                    InteractionBulkAction::Delete => {
                        delete_in::<Interaction>(conn, actor, id, None).await
                    }
                }
            })
        },
    )
    .await
}

/// `GET /customers/{id}/interactions`: the customer's interactions, newest first.
pub async fn for_customer(
    ctx: &AppCtx,
    actor: &Actor,
    customer: CustomerId,
    mut query: InteractionQuery,
) -> Result<Page<Interaction>> {
    query.customer_id = Some(customer.to_string());
    list(ctx, actor, query).await
}

/// The merged feed of a customer the caller may see: interactions, tasks, tickets, stage changes of its
/// opportunities and the customer record's own audit events, newest first, keyset-paged on `(at, kind, id)`.
pub async fn timeline(
    ctx: &AppCtx,
    actor: &Actor,
    customer: CustomerId,
    query: TimelineQuery,
) -> Result<Page<TimelineEntry>> {
    let p = &actor.principal;
    let (limit, after) = query.parse()?;
    ensure_visible(&mut *ctx.db.acquire().await?, p, customer).await?;
    let rows = repo::timeline(&ctx.db, customer, after.as_ref(), limit).await?;
    let mut entries: Vec<TimelineEntry> = rows.into_iter().filter_map(entry).collect();
    entries.sort_by(|a, b| TimelinePos::newest_first(&TimelinePos::of(a), &TimelinePos::of(b)));
    Ok(Page::from_rows(entries, limit, |e| {
        TimelinePos::of(e).cursor()
    }))
}

fn entry(r: TimelineRow) -> Option<TimelineEntry> {
    let kind = TimelineKind::parse(&r.kind).ok()?;
    let link = match kind {
        TimelineKind::Interaction => Some(format!("/interactions/{}", r.id)),
        TimelineKind::Task => Some(format!("/tasks/{}", r.id)),
        TimelineKind::Ticket => Some(format!("/tickets/{}", r.id)),
        TimelineKind::StageChange => r.data["opportunity_id"]
            .as_str()
            .map(|o| format!("/opportunities/{o}")),
        TimelineKind::Audit => None,
    };
    let title = match kind {
        TimelineKind::Audit => audit_title(&r.title),
        _ => r.title,
    };
    Some(TimelineEntry {
        kind,
        id: r.id,
        at: r.at,
        title,
        summary: r.summary,
        actor_id: r.actor_id.map(UserId),
        actor_name: r.actor_name,
        link,
        data: r.data,
    })
}

/// `customer.update` → `Customer updated`.
fn audit_title(action: &str) -> String {
    let verb = match action.rsplit('.').next() {
        Some("create") => "created",
        Some("update") => "updated",
        Some("delete") => "deleted",
        _ => return action.to_owned(),
    };
    format!("Customer {verb}")
}

/// Makes sure the interactions table has the partitions of this month and the next three (each call is
/// cheap when they exist). Returns how many were created.
pub async fn ensure_partitions(db: &sqlx::PgPool, today: NaiveDate) -> Result<usize> {
    let first = NaiveDate::from_ymd_opt(today.year(), today.month(), 1)
        .ok_or_else(|| ServiceError::internal("first of month"))?;
    let mut created = 0;
    for m in 0..4 {
        let month = first
            .checked_add_months(chrono::Months::new(m))
            .ok_or_else(|| ServiceError::internal("month out of range"))?;
        if repo::ensure_partition(db, month).await? {
            created += 1;
        }
    }
    Ok(created)
}
