//! Support tickets: visible to whoever may see their customer; worked (written and commented) by support,
//! managers and admins. Status changes follow the domain's workflow; the SLA deadline follows the priority.

use super::customers::ensure_visible;
use super::records::{
    self, apply_all, audit_create, audit_update, delete_in, impl_record, lock_for,
};
use super::{record, require, visible};
use crate::ssr::repo::outbox::{self, NewEvent};
use crate::ssr::repo::tickets::{self as repo, ListParams, TicketRecord, TicketWrite};
use crate::ssr::repo::users as users_repo;
use crate::ssr::{Actor, AppCtx, Result, ServiceError};
use domain::bulk::BulkResult;
use domain::live;
use domain::page::Cursor;
use domain::ticket::{
    COMMENT_SORT, Ticket, TicketBulkAction, TicketBulkRequest, TicketComment, TicketCommentInput,
    TicketCommentQuery, TicketInput, TicketPatch, TicketQuery, is_staff_response,
    sees_internal_notes, sla_due, status_times,
};
use domain::{
    Action, CustomerId, Page, Patch, Principal, Problem, Resource, TicketCommentId, TicketId,
    UserId,
};
use sqlx::PgConnection;

const R: Resource = Resource::Tickets;

/// The ticket as `p` may see it: without internal notes in the comment count for roles that cannot read them.
fn for_viewer(r: TicketRecord, p: &Principal) -> Ticket {
    let mut t = r.ticket;
    if !sees_internal_notes(p.role) {
        t.comment_count = r.public_comment_count;
    }
    t
}

pub async fn list(ctx: &AppCtx, actor: &Actor, query: TicketQuery) -> Result<Page<Ticket>> {
    let p = &actor.principal;
    require(p, R, Action::Read)?;
    let f = query.parse()?;
    if let Some(c) = f.customer_id {
        ensure_visible(&mut *ctx.db.acquire().await?, p, c).await?;
    }
    let params = ListParams {
        fields: f.fields.clone(),
        visible: visible(&ctx.db, p, Resource::Customers).await?,
        tsquery: f.q.as_deref().and_then(domain::search::prefix_tsquery),
        statuses: f.statuses.clone(),
        priority: f.priority,
        customer_id: f.customer_id,
        assignee_id: if f.mine {
            Some(p.user_id)
        } else {
            f.assignee_id
        },
        breached: f.breached,
        created_from: f.created_from,
        created_to: f.created_to,
        sort: f.sort.field,
        dir: f.sort.dir,
        after: f.cursor.clone(),
        limit: f.limit,
    };
    let rows = repo::list(&ctx.db, params).await?;
    let tickets = rows.into_iter().map(|r| for_viewer(r, p)).collect();
    let (key, text) = (f.sort.field, &f.sort_text);
    Ok(Page::from_rows(tickets, f.limit, |t: &Ticket| {
        key.cursor(text, t, t.id.0)
    }))
}

async fn visible_record(
    conn: &mut PgConnection,
    p: &Principal,
    id: TicketId,
    lock: bool,
) -> Result<TicketRecord> {
    match repo::by_id(conn, id, lock).await? {
        Some(r)
            if p.can(R, Action::Read)
                && p.sees(Resource::Customers, r.owner_id, r.owner_team.as_deref()) =>
        {
            Ok(r)
        }
        _ => Err(Problem::not_found("ticket").into()),
    }
}

impl_record!(
    Ticket, TicketId, TicketInput,
    insert => insert_one,
    locked(conn, p, id) => Ok(visible_record(conn, p, id, true).await?.ticket),
    remove(conn, current) => Ok(repo::delete(conn, current.id).await?),
);

pub async fn get(ctx: &AppCtx, actor: &Actor, id: TicketId) -> Result<Ticket> {
    require(&actor.principal, R, Action::Read)?;
    let mut conn = ctx.db.acquire().await?;
    let rec = visible_record(&mut conn, &actor.principal, id, false).await?;
    Ok(for_viewer(rec, &actor.principal))
}

/// The customer a record may be attached to: visible to the caller, or 422 on `field`.
pub(crate) async fn target_customer(
    conn: &mut PgConnection,
    p: &Principal,
    id: CustomerId,
    field: &str,
) -> Result<CustomerId> {
    match ensure_visible(conn, p, id).await {
        Ok(c) => Ok(c.customer.id),
        Err(ServiceError::Problem(pr)) if pr.status == 404 => {
            Err(Problem::invalid_field(field, "No customer with this id.").into())
        }
        Err(e) => Err(e),
    }
}

/// A user a record is assigned to must exist: 422 on `field` otherwise.
pub(crate) async fn existing_user(
    conn: &mut PgConnection,
    user: Option<UserId>,
    field: &str,
) -> Result<()> {
    match user {
        Some(u) if users_repo::by_id(conn, u).await?.is_none() => {
            Err(Problem::invalid_field(field, "No user with this id.").into())
        }
        _ => Ok(()),
    }
}

/// The contact must belong to the ticket's customer; the assignee must exist.
async fn check_links(
    conn: &mut PgConnection,
    input: &TicketInput,
    customer: CustomerId,
    prefix: &str,
) -> Result<()> {
    if let Some(contact) = input.contact_id
        && !repo::contact_of(conn, contact, customer).await?
    {
        return Err(Problem::invalid_field(
            &format!("{prefix}contact_id"),
            "No contact with this id at this customer.",
        )
        .into());
    }
    existing_user(conn, input.assignee_id, &format!("{prefix}assignee_id")).await
}

async fn insert_one(
    conn: &mut PgConnection,
    actor: &Actor,
    input: TicketInput,
    prefix: &str,
) -> Result<Ticket> {
    let customer = input
        .customer_id
        .ok_or_else(|| Problem::invalid_field("customer_id", "is required"))?;
    let customer = target_customer(
        conn,
        &actor.principal,
        customer,
        &format!("{prefix}customer_id"),
    )
    .await?;
    check_links(conn, &input, customer, prefix).await?;
    let id = TicketId::new();
    repo::insert(conn, id, &input, customer, chrono::Utc::now()).await?;
    let rec = reload(conn, id).await?;
    audit_create(conn, actor, &rec.ticket).await?;
    emit(
        conn,
        actor,
        live::TICKET_CREATED,
        &rec,
        serde_json::json!({}),
    )
    .await?;
    Ok(rec.ticket)
}

async fn reload(conn: &mut PgConnection, id: TicketId) -> Result<TicketRecord> {
    repo::by_id(conn, id, false)
        .await?
        .ok_or_else(|| ServiceError::internal("written ticket vanished"))
}

/// Writes a live event about the ticket on the caller's transaction. Its `data` carries the customer's owner and
/// team, so only those who may see the ticket receive it.
async fn emit(
    conn: &mut PgConnection,
    actor: &Actor,
    kind: &str,
    rec: &TicketRecord,
    mut extra: serde_json::Value,
) -> Result<()> {
    let t = &rec.ticket;
    let mut data = serde_json::json!({
        "number": t.number,
        "subject": t.subject,
        "status": t.status,
        "priority": t.priority,
        "customer_id": t.customer_id,
        "assignee_id": t.assignee_id,
        "sla_due_at": t.sla_due_at,
        live::OWNER_ID: rec.owner_id,
        live::OWNER_TEAM: rec.owner_team,
    });
    if let (Some(data), Some(extra)) = (data.as_object_mut(), extra.as_object_mut()) {
        data.append(extra);
    }
    outbox::insert(
        conn,
        NewEvent {
            r#type: kind,
            entity: "ticket",
            entity_id: t.id.0,
            data,
            actor_id: Some(actor.principal.user_id.0),
        },
    )
    .await?;
    Ok(())
}

pub async fn create(ctx: &AppCtx, actor: &Actor, input: TicketInput) -> Result<Ticket> {
    records::create(ctx, actor, input).await
}

pub async fn bulk_create(
    ctx: &AppCtx,
    actor: &Actor,
    items: Vec<TicketInput>,
) -> Result<Vec<Ticket>> {
    records::bulk_create(ctx, actor, items).await
}

pub async fn update(
    ctx: &AppCtx,
    actor: &Actor,
    id: TicketId,
    if_match: Option<i32>,
    patch: TicketPatch,
) -> Result<Ticket> {
    let mut tx = ctx.db.begin().await?;
    let updated = update_in(&mut tx, actor, id, if_match, patch).await?;
    tx.commit().await?;
    Ok(updated)
}

async fn update_in(
    conn: &mut PgConnection,
    actor: &Actor,
    id: TicketId,
    if_match: Option<i32>,
    patch: TicketPatch,
) -> Result<Ticket> {
    let p = &actor.principal;
    let current: Ticket = lock_for(conn, p, id, Action::Update, if_match).await?;
    let (merged, status) = patch.apply(&current)?;
    current
        .status
        .check_transition(status)
        .map_err(Problem::conflict)?;
    let customer = merged.customer_id.unwrap_or(current.customer_id);
    if customer != current.customer_id {
        target_customer(conn, p, customer, "customer_id").await?;
    }
    check_links(conn, &merged, customer, "").await?;
    let sla_due_at = if merged.priority == current.priority {
        current.sla_due_at
    } else {
        sla_due(current.created_at, merged.priority)
    };
    let (resolved_at, closed_at) = status_times(
        current.status,
        status,
        current.resolved_at,
        current.closed_at,
        chrono::Utc::now(),
    );
    let write = TicketWrite {
        input: &merged,
        customer,
        status,
        sla_due_at,
        resolved_at,
        closed_at,
    };
    repo::update(conn, id, write).await?;
    let rec = reload(conn, id).await?;
    audit_update(conn, actor, &current, &rec.ticket).await?;
    let changed = serde_json::json!({
        "previous_status": current.status,
        "assignee_changed": rec.ticket.assignee_id != current.assignee_id,
    });
    emit(conn, actor, live::TICKET_UPDATED, &rec, changed).await?;
    Ok(rec.ticket)
}

pub async fn delete(
    ctx: &AppCtx,
    actor: &Actor,
    id: TicketId,
    if_match: Option<i32>,
) -> Result<()> {
    records::delete::<Ticket>(ctx, actor, id, if_match).await
}

/// Assign, change status (each along the workflow) or delete many tickets: all or nothing.
pub async fn bulk_action(
    ctx: &AppCtx,
    actor: &Actor,
    req: TicketBulkRequest,
) -> Result<BulkResult> {
    apply_all(
        ctx,
        actor,
        &req.ids,
        &req.action,
        |conn, actor, action, id| {
            Box::pin(async move {
                let patch = match action {
                    TicketBulkAction::Delete => {
                        return delete_in::<Ticket>(conn, actor, id, None).await;
                    }
                    TicketBulkAction::Assign { assignee_id } => TicketPatch {
                        assignee_id: assignee_id.map_or(Patch::Null, Patch::Value),
                        ..Default::default()
                    },
                    TicketBulkAction::SetStatus { status } => TicketPatch {
                        status: Patch::Value(*status),
                        ..Default::default()
                    },
                };
                update_in(conn, actor, id, None, patch).await.map(drop)
            })
        },
    )
    .await
}

/// The comments of a ticket, oldest first, keyset paged; internal notes only for roles that work tickets.
pub async fn comments(
    ctx: &AppCtx,
    actor: &Actor,
    id: TicketId,
    query: TicketCommentQuery,
) -> Result<Page<TicketComment>> {
    let p = &actor.principal;
    require(p, R, Action::Read)?;
    let (limit, after) = query.parse()?;
    visible_record(&mut *ctx.db.acquire().await?, p, id, false).await?;
    let rows = repo::comments(&ctx.db, id, sees_internal_notes(p.role), after, limit).await?;
    Ok(Page::from_rows(rows, limit, |c: &TicketComment| {
        Cursor::new(COMMENT_SORT, c.created_at.to_rfc3339(), c.id.0)
    }))
}

/// Adds a comment (whoever may update tickets); the first public reply by staff sets `first_response_at`.
pub async fn add_comment(
    ctx: &AppCtx,
    actor: &Actor,
    id: TicketId,
    input: TicketCommentInput,
) -> Result<TicketComment> {
    let p = &actor.principal;
    require(p, R, Action::Read)?;
    let mut tx = ctx.db.begin().await?;
    let rec = visible_record(&mut tx, p, id, true).await?;
    let ticket = &rec.ticket;
    require(p, R, Action::Update)?;
    let input = input.clean()?;
    let comment_id = TicketCommentId::new();
    let comment = repo::insert_comment(&mut tx, comment_id, id, p.user_id, &input).await?;
    if ticket.first_response_at.is_none() && is_staff_response(p.role, input.internal) {
        repo::mark_first_response(&mut tx, id, comment.created_at).await?;
    }
    // The ticket's history is readable by everyone who sees the ticket: an internal note is referenced by id,
    // its text stays in `ticket_comments` (where only staff read it).
    let body = (!input.internal).then_some(&input.body);
    record(
        &mut tx,
        actor,
        "ticket.comment",
        "ticket",
        id.0,
        serde_json::json!({
            "comment_id": comment_id.0,
            "internal": input.internal,
            "body": body,
        }),
    )
    .await?;
    let about = serde_json::json!({
        "comment_id": comment_id.0,
        "internal": input.internal,
        "author_id": p.user_id,
    });
    emit(&mut tx, actor, live::TICKET_COMMENTED, &rec, about).await?;
    tx.commit().await?;
    Ok(comment)
}
