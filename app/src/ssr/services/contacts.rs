//! Contacts: visible to whoever may see their customer; written by roles that may write contacts.

use super::customers::ensure_visible;
use super::records::{self, audit_create, audit_update, lock_for};
use super::{require, visible};
use crate::ssr::repo::contacts::{self as repo, ContactRecord, ListParams};
use crate::ssr::{Actor, AppCtx, Result, ServiceError};
use domain::contact::{Contact, ContactInput, ContactPatch, ContactQuery};
use domain::{Action, ContactId, CustomerId, Page, Principal, Problem, Resource};
use sqlx::PgConnection;

const R: Resource = Resource::Contacts;

pub async fn list(ctx: &AppCtx, actor: &Actor, query: ContactQuery) -> Result<Page<Contact>> {
    let p = &actor.principal;
    require(p, R, Action::Read)?;
    let f = query.parse()?;
    if let Some(c) = f.customer_id {
        ensure_visible(&mut *ctx.db.acquire().await?, p, c).await?;
    }
    let visible = visible(&ctx.db, p, R).await?;
    let rows = repo::list(
        &ctx.db,
        ListParams {
            fields: f.fields.clone(),
            visible,
            tsquery: f.q.as_deref().and_then(domain::search::prefix_tsquery),
            customer_id: f.customer_id,
            email: f.email.as_deref(),
            sort: f.sort.field,
            dir: f.sort.dir,
            after: f.cursor.clone(),
            limit: f.limit,
        },
    )
    .await?;
    let contacts = rows.into_iter().map(|r| r.contact).collect();
    Ok(Page::from_rows(contacts, f.limit, |c: &Contact| {
        f.sort.field.cursor(&f.sort_text, c, c.id.0)
    }))
}

async fn visible_record(
    conn: &mut PgConnection,
    p: &Principal,
    id: ContactId,
    lock: bool,
) -> Result<ContactRecord> {
    match repo::by_id(conn, id, lock).await? {
        Some(r) if p.sees(R, r.owner_id, r.owner_team.as_deref()) => Ok(r),
        _ => Err(Problem::not_found("contact").into()),
    }
}

pub async fn get(ctx: &AppCtx, actor: &Actor, id: ContactId) -> Result<Contact> {
    require(&actor.principal, R, Action::Read)?;
    let mut conn = ctx.db.acquire().await?;
    Ok(visible_record(&mut conn, &actor.principal, id, false)
        .await?
        .contact)
}

/// The customer a contact may be attached to: visible to the caller, or 422 on `customer_id`.
async fn target_customer(
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

async fn insert_one(
    conn: &mut PgConnection,
    actor: &Actor,
    input: ContactInput,
    prefix: &str,
) -> Result<Contact> {
    let customer = input
        .customer_id
        .ok_or_else(|| Problem::invalid_field(&format!("{prefix}customer_id"), "is required"))?;
    let customer = target_customer(
        conn,
        &actor.principal,
        customer,
        &format!("{prefix}customer_id"),
    )
    .await?;
    let id = ContactId::new();
    repo::insert(conn, id, customer, &input).await?;
    let created = repo::by_id(conn, id, false)
        .await?
        .ok_or_else(|| ServiceError::internal("inserted contact vanished"))?
        .contact;
    audit_create(conn, actor, &created).await?;
    Ok(created)
}

records::impl_record!(
    Contact, ContactId, ContactInput,
    insert => insert_one,
    locked(conn, p, id) => Ok(visible_record(conn, p, id, true).await?.contact),
    remove(conn, current) => Ok(repo::delete(conn, current.id).await?),
);

/// `POST /contacts` (customer in the body) or `POST /customers/{id}/contacts` (`customer` from the path).
pub async fn create(ctx: &AppCtx, actor: &Actor, input: ContactInput) -> Result<Contact> {
    records::create(ctx, actor, input).await
}

pub async fn bulk_create(
    ctx: &AppCtx,
    actor: &Actor,
    items: Vec<ContactInput>,
) -> Result<Vec<Contact>> {
    records::bulk_create(ctx, actor, items).await
}

pub async fn update(
    ctx: &AppCtx,
    actor: &Actor,
    id: ContactId,
    if_match: Option<i32>,
    patch: ContactPatch,
) -> Result<Contact> {
    let p = &actor.principal;
    let mut tx = ctx.db.begin().await?;
    let current: Contact = lock_for(&mut tx, p, id, Action::Update, if_match).await?;
    let merged = patch.apply(&current)?;
    let customer = merged.customer_id.unwrap_or(current.customer_id);
    if customer != current.customer_id {
        target_customer(&mut tx, p, customer, "customer_id").await?;
    }
    repo::update(&mut tx, id, customer, &merged).await?;
    let updated = repo::by_id(&mut tx, id, false)
        .await?
        .ok_or_else(|| ServiceError::internal("updated contact vanished"))?
        .contact;
    audit_update(&mut tx, actor, &current, &updated).await?;
    tx.commit().await?;
    Ok(updated)
}

pub async fn delete(
    ctx: &AppCtx,
    actor: &Actor,
    id: ContactId,
    if_match: Option<i32>,
) -> Result<()> {
    records::delete::<Contact>(ctx, actor, id, if_match).await
}
