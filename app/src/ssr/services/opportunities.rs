//! Opportunities: list (scoped, searchable, keyset), read, create, update with the stage machine, delete,
//! bulk create, bulk actions and the stage history. Every stage entered writes a history row and the audit
//! row on the same transaction.

use super::records::{
    self, apply_all, audit_create, audit_update, delete_in, impl_record, lock_for,
};
use super::{require, visible};
use crate::ssr::repo::opportunities::{
    self as repo, ListParams, NewStageChange, OpportunityRecord,
};
use crate::ssr::repo::outbox::{self, NewEvent};
use crate::ssr::repo::users as users_repo;
use crate::ssr::services::customers::ensure_visible;
use crate::ssr::{Actor, AppCtx, Result, ServiceError};
use domain::bulk::BulkResult;
use domain::live;
use domain::opportunity::{
    Opportunity, OpportunityBulkAction, OpportunityBulkRequest, OpportunityInput, OpportunityPatch,
    OpportunityQuery, Stage, StageChange, StageError, check_transition,
};
use domain::{Action, OpportunityId, Page, Principal, Problem, Resource, UserId};
use sqlx::PgConnection;

const R: Resource = Resource::Opportunities;

pub async fn list(
    ctx: &AppCtx,
    actor: &Actor,
    query: OpportunityQuery,
) -> Result<Page<Opportunity>> {
    let p = &actor.principal;
    require(p, R, Action::Read)?;
    let f = query.parse()?;
    let tsquery = f.q.as_deref().and_then(domain::search::prefix_tsquery);
    let substring = f.q.clone().filter(|_| tsquery.is_none());
    let params = ListParams {
        visible: visible(&ctx.db, p, R).await?,
        tsquery,
        substring,
        stages: f.stages,
        owner_id: f.owner_id,
        customer_id: f.customer_id,
        currency: f.currency,
        name: f.name,
        amount: f.amount,
        probability: f.probability,
        expected_close_date: f.expected_close_date,
        close_from: f.close_from,
        close_to: f.close_to,
        sort: f.sort.field,
        dir: f.sort.dir,
        after: f.cursor.clone(),
        limit: f.limit,
    };
    let rows = repo::list(&ctx.db, params).await?;
    let data = rows.into_iter().map(|r| r.opportunity).collect();
    Ok(Page::from_rows(data, f.limit, |o: &Opportunity| {
        f.sort.field.cursor(&f.sort_text, o, o.id.0)
    }))
}

/// The record if the caller may see it; 404 otherwise (also for records of other teams).
async fn visible_record(
    conn: &mut PgConnection,
    p: &Principal,
    id: OpportunityId,
    lock: bool,
) -> Result<Opportunity> {
    match repo::by_id(conn, id, lock).await? {
        Some(r) if p.sees(R, r.opportunity.owner_id, r.owner_team.as_deref()) => Ok(r.opportunity),
        _ => Err(Problem::not_found("opportunity").into()),
    }
}

impl_record!(
    Opportunity, OpportunityId, OpportunityInput,
    insert => insert_one,
    locked(conn, p, id) => visible_record(conn, p, id, true).await,
    remove(conn, current) => Ok(repo::delete(conn, current.id).await?),
);

pub async fn get(ctx: &AppCtx, actor: &Actor, id: OpportunityId) -> Result<Opportunity> {
    require(&actor.principal, R, Action::Read)?;
    let mut conn = ctx.db.acquire().await?;
    visible_record(&mut conn, &actor.principal, id, false).await
}

/// For other services (projects from a won opportunity): 404 unless the caller may see it.
pub async fn ensure_visible_opportunity(
    conn: &mut PgConnection,
    p: &Principal,
    id: OpportunityId,
) -> Result<Opportunity> {
    visible_record(conn, p, id, false).await
}

/// The stages the opportunity went through, oldest first.
pub async fn stage_history(
    ctx: &AppCtx,
    actor: &Actor,
    id: OpportunityId,
) -> Result<Vec<StageChange>> {
    get(ctx, actor, id).await?;
    Ok(repo::stage_history(&ctx.db, id).await?)
}

/// The owner must be a user, and within the caller's scope (sales: themselves or their team).
async fn check_owner(
    conn: &mut PgConnection,
    p: &Principal,
    owner: Option<UserId>,
    field: &str,
) -> Result<()> {
    let Some(owner) = owner else { return Ok(()) };
    let Some(user) = users_repo::by_id(conn, owner).await? else {
        return Err(Problem::invalid_field(field, "is not a user").into());
    };
    if p.scope(R).contains(Some(owner), user.team.as_deref()) {
        Ok(())
    } else {
        Err(Problem::invalid_field(
            field,
            "You can only assign opportunities to yourself or members of your team.",
        )
        .into())
    }
}

/// The customer must be one the caller may see; the contact must belong to it; the lead must exist.
async fn check_links(
    conn: &mut PgConnection,
    p: &Principal,
    o: &OpportunityInput,
    prefix: &str,
) -> Result<()> {
    let invalid = |field: &str, msg: &str| -> ServiceError {
        Problem::invalid_field(&format!("{prefix}{field}"), msg).into()
    };
    let Some(customer) = o.customer_id else {
        return Err(invalid("customer_id", "is required"));
    };
    match ensure_visible(conn, p, customer).await {
        Ok(_) => {}
        Err(ServiceError::Problem(pr)) if pr.status == 404 => {
            return Err(invalid("customer_id", "is not a customer you can see"));
        }
        Err(e) => return Err(e),
    }
    if let Some(contact) = o.contact_id
        && repo::contact_customer(conn, contact).await? != Some(customer)
    {
        return Err(invalid("contact_id", "is not a contact of this customer"));
    }
    if let Some(lead) = o.lead_id
        && !repo::lead_exists(conn, lead).await?
    {
        return Err(invalid("lead_id", "is not a lead"));
    }
    Ok(())
}

/// Inserts a cleaned opportunity with its first history row and audit row (for leads' convert as well).
pub async fn insert_one(
    conn: &mut PgConnection,
    actor: &Actor,
    mut input: OpportunityInput,
    field_prefix: &str,
) -> Result<Opportunity> {
    let p = &actor.principal;
    if input.owner_id.is_none() {
        input.owner_id = Some(p.user_id);
    }
    check_owner(conn, p, input.owner_id, &format!("{field_prefix}owner_id")).await?;
    check_links(conn, p, &input, field_prefix).await?;
    let id = OpportunityId::new();
    repo::insert(conn, id, &input).await?;
    let created = reload(conn, id).await?;
    enter_stage(conn, actor, &created.opportunity, None).await?;
    audit_create(conn, actor, &created.opportunity).await?;
    emit(conn, actor, live::OPPORTUNITY_CREATED, &created, None).await?;
    Ok(created.opportunity)
}

/// The record just written (with its owner's team, for the live event).
async fn reload(conn: &mut PgConnection, id: OpportunityId) -> Result<OpportunityRecord> {
    repo::by_id(conn, id, false)
        .await?
        .ok_or_else(|| ServiceError::internal("written opportunity vanished"))
}

/// Writes a live event about the opportunity on the caller's transaction; its `data` carries the owner and the
/// owner's team, so only those who may see the opportunity receive it.
async fn emit(
    conn: &mut PgConnection,
    actor: &Actor,
    kind: &str,
    rec: &OpportunityRecord,
    from: Option<Stage>,
) -> Result<()> {
    let o = &rec.opportunity;
    let owner = o.owner_id.map(|u| u.0);
    let data = serde_json::json!({
        "name": o.name,
        "customer_id": o.customer_id,
        "customer_name": o.customer_name,
        "stage": o.stage,
        "from_stage": from,
        "amount": o.amount,
        "currency": o.currency,
        "probability": o.probability,
        "expected_close_date": o.expected_close_date,
        "owner_name": o.owner_name,
        live::OWNER_ID: owner,
        live::OWNER_TEAM: rec.owner_team,
    });
    outbox::insert(
        conn,
        NewEvent {
            r#type: kind,
            entity: "opportunity",
            entity_id: o.id.0,
            data,
            actor_id: Some(actor.principal.user_id.0),
        },
    )
    .await?;
    Ok(())
}

/// The history row of `o` entering its current stage.
async fn enter_stage(
    conn: &mut PgConnection,
    actor: &Actor,
    o: &Opportunity,
    from: Option<Stage>,
) -> Result<()> {
    repo::insert_stage_change(
        conn,
        NewStageChange {
            opportunity_id: o.id,
            from,
            to: o.stage,
            amount: o.amount,
            probability: o.probability,
            changed_by: actor.principal.user_id,
        },
    )
    .await?;
    Ok(())
}

pub async fn create(ctx: &AppCtx, actor: &Actor, input: OpportunityInput) -> Result<Opportunity> {
    records::create(ctx, actor, input).await
}

/// All or nothing: every item is validated first (errors named `items[i].field`), then all are inserted in one
/// transaction.
pub async fn bulk_create(
    ctx: &AppCtx,
    actor: &Actor,
    items: Vec<OpportunityInput>,
) -> Result<Vec<Opportunity>> {
    records::bulk_create(ctx, actor, items).await
}

pub async fn update(
    ctx: &AppCtx,
    actor: &Actor,
    id: OpportunityId,
    if_match: Option<i32>,
    patch: OpportunityPatch,
) -> Result<Opportunity> {
    let mut tx = ctx.db.begin().await?;
    let updated = update_in(&mut tx, actor, id, if_match, patch).await?;
    tx.commit().await?;
    Ok(updated)
}

/// A refused stage change: a missing lost reason is a field error, anything else a 409 conflict.
fn stage_problem(e: StageError) -> Problem {
    match e {
        StageError::LostReasonRequired => Problem::invalid_field("lost_reason", e.message()),
        other => Problem::conflict(other.message()),
    }
}

async fn update_in(
    conn: &mut PgConnection,
    actor: &Actor,
    id: OpportunityId,
    if_match: Option<i32>,
    patch: OpportunityPatch,
) -> Result<Opportunity> {
    let p = &actor.principal;
    let current: Opportunity = lock_for(conn, p, id, Action::Update, if_match).await?;
    let owner_changes = !patch.owner_id.is_missing();
    let merged = patch.apply(&current)?;
    if merged.stage != current.stage {
        check_transition(
            p.role,
            current.stage,
            merged.stage,
            merged.lost_reason.as_deref(),
        )
        .map_err(stage_problem)?;
    }
    if owner_changes && merged.owner_id != current.owner_id {
        check_owner(conn, p, merged.owner_id, "owner_id").await?;
    }
    if merged.customer_id != Some(current.customer_id)
        || merged.contact_id != current.contact_id
        || merged.lead_id != current.lead_id
    {
        check_links(conn, p, &merged, "").await?;
    }
    repo::update(conn, id, &merged).await?;
    let rec = reload(conn, id).await?;
    let updated = &rec.opportunity;
    audit_update(conn, actor, &current, updated).await?;
    if updated.stage != current.stage {
        enter_stage(conn, actor, updated, Some(current.stage)).await?;
    }
    for kind in live::opportunity_events(current.stage, updated.stage) {
        let from = (updated.stage != current.stage).then_some(current.stage);
        emit(conn, actor, kind, &rec, from).await?;
    }
    Ok(rec.opportunity)
}

pub async fn delete(
    ctx: &AppCtx,
    actor: &Actor,
    id: OpportunityId,
    if_match: Option<i32>,
) -> Result<()> {
    records::delete::<Opportunity>(ctx, actor, id, if_match).await
}

/// Applies one action to every selected opportunity in one transaction, with the same rules as one at a time
/// (a stage move follows the stage machine for each item); the first refused item fails the whole request,
/// named `ids[i]`, and nothing is written.
pub async fn bulk_action(
    ctx: &AppCtx,
    actor: &Actor,
    req: OpportunityBulkRequest,
) -> Result<BulkResult> {
    apply_all(
        ctx,
        actor,
        &req.ids,
        &req.action,
        |conn, actor, action, id| {
            Box::pin(async move {
                let patch = match action {
                    OpportunityBulkAction::Delete => {
                        return delete_in::<Opportunity>(conn, actor, id, None).await;
                    }
                    OpportunityBulkAction::AssignOwner { owner_id } => OpportunityPatch {
                        owner_id: domain::Patch::Value(*owner_id),
                        ..Default::default()
                    },
                    OpportunityBulkAction::MoveStage { stage, lost_reason } => {
                        OpportunityPatch::move_to(*stage, lost_reason.clone())
                    }
                };
                update_in(conn, actor, id, None, patch).await.map(drop)
            })
        },
    )
    .await
}
