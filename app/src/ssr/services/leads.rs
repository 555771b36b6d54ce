//! Leads: list (scoped, searchable, keyset), read, create, update, delete, bulk create and bulk actions.
//! Conversion and duplicate suggestions live in `lead_conversion`.

use super::records::{
    self, apply_all, audit_create, audit_update, delete_in, impl_record, lock_for,
};
use super::{require, visible};
use crate::ssr::repo::leads::{self as repo, LeadRecord, ListParams};
use crate::ssr::repo::users as users_repo;
use crate::ssr::{Actor, AppCtx, Result, ServiceError};
use domain::bulk::BulkResult;
use domain::lead::{Lead, LeadBulkAction, LeadBulkRequest, LeadInput, LeadPatch, LeadQuery};
use domain::{Action, LeadId, Page, Principal, Problem, Resource, Scope, UserId};
use sqlx::PgConnection;

const R: Resource = Resource::Leads;

pub async fn list(ctx: &AppCtx, actor: &Actor, query: LeadQuery) -> Result<Page<Lead>> {
    let p = &actor.principal;
    require(p, R, Action::Read)?;
    let f = query.parse()?;
    let tsquery = f.q.as_deref().and_then(domain::search::prefix_tsquery);
    let substring = f.q.clone().filter(|_| tsquery.is_none());
    let rows = repo::list(
        &ctx.db,
        ListParams {
            fields: f.fields.clone(),
            visible: visible(&ctx.db, p, R).await?,
            tsquery,
            substring,
            status: f.status,
            source: f.source,
            owner_id: f.owner_id,
            created_from: f.created_from,
            created_to: f.created_to,
            sort: f.sort.field,
            dir: f.sort.dir,
            after: f.cursor.clone(),
            limit: f.limit,
        },
    )
    .await?;
    let leads = rows.into_iter().map(|r| r.lead).collect();
    Ok(Page::from_rows(leads, f.limit, |l: &Lead| {
        f.sort.field.cursor(&f.sort_text, l, l.id.0)
    }))
}

/// The lead if the caller may see it; 404 otherwise (also for leads of other teams).
pub(crate) async fn visible_record(
    conn: &mut PgConnection,
    p: &Principal,
    id: LeadId,
    lock: bool,
) -> Result<LeadRecord> {
    match repo::by_id(conn, id, lock).await? {
        Some(r) if p.sees(R, r.lead.owner_id, r.owner_team.as_deref()) => Ok(r),
        _ => Err(Problem::not_found("lead").into()),
    }
}

impl_record!(
    Lead, LeadId, LeadInput,
    insert => insert_one,
    locked(conn, p, id) => Ok(visible_record(conn, p, id, true).await?.lead),
    remove(conn, current) => Ok(repo::delete(conn, current.id).await?),
);

pub async fn get(ctx: &AppCtx, actor: &Actor, id: LeadId) -> Result<Lead> {
    require(&actor.principal, R, Action::Read)?;
    let mut conn = ctx.db.acquire().await?;
    Ok(visible_record(&mut conn, &actor.principal, id, false)
        .await?
        .lead)
}

/// The owner must exist, and sales (or team managers) may assign leads only inside their own scope.
async fn check_owner(
    conn: &mut PgConnection,
    p: &Principal,
    owner: Option<UserId>,
    field: &str,
) -> Result<()> {
    let Some(owner) = owner else { return Ok(()) };
    let Some(user) = users_repo::by_id(conn, owner).await? else {
        return Err(Problem::invalid_field(field, "No user with this id.").into());
    };
    let scope = p.scope(R);
    let team = matches!(scope, Scope::Team(_))
        .then_some(user.team)
        .flatten();
    if scope.contains(Some(owner), team.as_deref()) {
        Ok(())
    } else {
        Err(Problem::invalid_field(
            field,
            "You can only assign leads to yourself or members of your team.",
        )
        .into())
    }
}

async fn insert_one(
    conn: &mut PgConnection,
    actor: &Actor,
    mut input: LeadInput,
    field_prefix: &str,
) -> Result<Lead> {
    input.owner_id = input.owner_id.or(Some(actor.principal.user_id));
    let field = format!("{field_prefix}owner_id");
    check_owner(conn, &actor.principal, input.owner_id, &field).await?;
    let id = LeadId::new();
    repo::insert(conn, id, &input).await?;
    let created = reload(conn, id).await?;
    audit_create(conn, actor, &created).await?;
    Ok(created)
}

pub(crate) async fn reload(conn: &mut PgConnection, id: LeadId) -> Result<Lead> {
    Ok(repo::by_id(conn, id, false)
        .await?
        .ok_or_else(|| ServiceError::internal("written lead vanished"))?
        .lead)
}

pub async fn create(ctx: &AppCtx, actor: &Actor, input: LeadInput) -> Result<Lead> {
    records::create(ctx, actor, input).await
}

/// All or nothing: every item is validated first (errors named `items[i].field`), then all are inserted in one
/// transaction.
pub async fn bulk_create(ctx: &AppCtx, actor: &Actor, items: Vec<LeadInput>) -> Result<Vec<Lead>> {
    records::bulk_create(ctx, actor, items).await
}

pub async fn update(
    ctx: &AppCtx,
    actor: &Actor,
    id: LeadId,
    if_match: Option<i32>,
    patch: LeadPatch,
) -> Result<Lead> {
    let mut tx = ctx.db.begin().await?;
    let updated = update_in(&mut tx, actor, id, if_match, patch).await?;
    tx.commit().await?;
    Ok(updated)
}

async fn update_in(
    conn: &mut PgConnection,
    actor: &Actor,
    id: LeadId,
    if_match: Option<i32>,
    patch: LeadPatch,
) -> Result<Lead> {
    let p = &actor.principal;
    let current: Lead = lock_for(conn, p, id, Action::Update, if_match).await?;
    let merged = patch.apply(&current)?;
    if merged.owner_id != current.owner_id {
        check_owner(conn, p, merged.owner_id, "owner_id").await?;
    }
    repo::update(conn, id, &merged).await?;
    let updated = reload(conn, id).await?;
    audit_update(conn, actor, &current, &updated).await?;
    Ok(updated)
}

pub async fn delete(ctx: &AppCtx, actor: &Actor, id: LeadId, if_match: Option<i32>) -> Result<()> {
    records::delete::<Lead>(ctx, actor, id, if_match).await
}

/// Applies one action to every selected lead in one transaction; any id the caller may not see or change
/// fails the whole request (named `ids[i]`) and nothing is written.
pub async fn bulk_action(ctx: &AppCtx, actor: &Actor, req: LeadBulkRequest) -> Result<BulkResult> {
    apply_all(
        ctx,
        actor,
        &req.ids,
        &req.action,
        |conn, actor, action, id| {
            Box::pin(async move {
                match action {
                    LeadBulkAction::Delete => delete_in::<Lead>(conn, actor, id, None).await,
                    action => update_in(conn, actor, id, None, bulk_patch(action))
                        .await
                        .map(drop),
                }
            })
        },
    )
    .await
}

fn bulk_patch(action: &LeadBulkAction) -> LeadPatch {
    use domain::Patch::{Missing, Value};
    match action {
        LeadBulkAction::AssignOwner { owner_id } => LeadPatch {
            owner_id: Value(*owner_id),
            ..Default::default()
        },
        LeadBulkAction::SetStatus {
            status,
            disqualified_reason,
        } => LeadPatch {
            status: Value(*status),
            disqualified_reason: disqualified_reason.clone().map_or(Missing, Value),
            ..Default::default()
        },
        LeadBulkAction::Delete => LeadPatch::default(),
    }
}
