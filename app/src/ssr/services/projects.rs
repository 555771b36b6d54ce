//! Projects and milestones: visible to whoever may see the customer; written by managers and admins. A project
//! may start from a won opportunity (one project per opportunity).

use super::opportunities::ensure_visible_opportunity;
use super::records::{
    self, apply_all, audit_create, audit_delete, audit_update, delete_in, impl_record, lock_for,
};
use super::tickets::{existing_user, target_customer};
use super::{check_version, require, visible};
use crate::ssr::repo::projects::{self as repo, ListParams, ProjectRecord};
use crate::ssr::{Actor, AppCtx, Result, ServiceError};
use domain::bulk::BulkResult;
use domain::opportunity::Stage;
use domain::project::{
    Milestone, MilestoneInput, MilestonePatch, Project, ProjectBulkAction, ProjectBulkRequest,
    ProjectInput, ProjectPatch, ProjectQuery,
};
use domain::{
    Action, CustomerId, MilestoneId, OpportunityId, Page, Patch, Principal, Problem, ProjectId,
    Resource,
};
use sqlx::PgConnection;

const R: Resource = Resource::Projects;

pub async fn list(ctx: &AppCtx, actor: &Actor, query: ProjectQuery) -> Result<Page<Project>> {
    let p = &actor.principal;
    require(p, R, Action::Read)?;
    let f = query.parse()?;
    if let Some(c) = f.customer_id {
        super::customers::ensure_visible(&mut *ctx.db.acquire().await?, p, c).await?;
    }
    let params = ListParams {
        fields: f.fields.clone(),
        visible: visible(&ctx.db, p, Resource::Customers).await?,
        tsquery: f.q.as_deref().and_then(domain::search::prefix_tsquery),
        customer_id: f.customer_id,
        status: f.status,
        manager_id: f.manager_id,
        sort: f.sort.field,
        dir: f.sort.dir,
        after: f.cursor.clone(),
        limit: f.limit,
    };
    let rows = repo::list(&ctx.db, params).await?;
    let projects = rows.into_iter().map(|r| r.project).collect();
    let (key, text) = (f.sort.field, &f.sort_text);
    Ok(Page::from_rows(projects, f.limit, |pr: &Project| {
        key.cursor(text, pr, pr.id.0)
    }))
}

async fn visible_record(
    conn: &mut PgConnection,
    p: &Principal,
    id: ProjectId,
    lock: bool,
) -> Result<ProjectRecord> {
    match repo::by_id(conn, id, lock).await? {
        Some(r)
            if p.can(R, Action::Read)
                && p.sees(Resource::Customers, r.owner_id, r.owner_team.as_deref()) =>
        {
            Ok(r)
        }
        _ => Err(Problem::not_found("project").into()),
    }
}

impl_record!(
    Project, ProjectId, ProjectInput,
    insert => insert_one,
    locked(conn, p, id) => Ok(visible_record(conn, p, id, true).await?.project),
    remove(conn, current) => Ok(repo::delete(conn, current.id).await?),
);

pub async fn get(ctx: &AppCtx, actor: &Actor, id: ProjectId) -> Result<Project> {
    require(&actor.principal, R, Action::Read)?;
    let mut conn = ctx.db.acquire().await?;
    Ok(visible_record(&mut conn, &actor.principal, id, false)
        .await?
        .project)
}

/// The customer and default name a project gets from its opportunity: it must be visible and won, belong to
/// `customer` (when one is given) and not have a project yet.
async fn from_opportunity(
    conn: &mut PgConnection,
    p: &Principal,
    id: OpportunityId,
    customer: Option<CustomerId>,
    prefix: &str,
) -> Result<(CustomerId, String)> {
    let opp = match ensure_visible_opportunity(conn, p, id).await {
        Ok(o) => o,
        Err(ServiceError::Problem(pr)) if pr.status == 404 => {
            return Err(Problem::invalid_field(
                &format!("{prefix}opportunity_id"),
                "No opportunity with this id.",
            )
            .into());
        }
        Err(e) => return Err(e),
    };
    if opp.stage != Stage::Won {
        return Err(Problem::conflict("Only a won opportunity can start a project.").into());
    }
    if customer.is_some_and(|c| c != opp.customer_id) {
        return Err(Problem::invalid_field(
            &format!("{prefix}customer_id"),
            "must be the customer of the opportunity",
        )
        .into());
    }
    if repo::has_project_for(conn, id).await? {
        return Err(duplicate_project(prefix).into());
    }
    Ok((opp.customer_id, opp.name))
}

fn duplicate_project(prefix: &str) -> Problem {
    Problem::duplicate(
        &format!("{prefix}opportunity_id"),
        "This opportunity already has a project.",
    )
}

async fn insert_one(
    conn: &mut PgConnection,
    actor: &Actor,
    mut input: ProjectInput,
    prefix: &str,
) -> Result<Project> {
    let p = &actor.principal;
    let customer = match input.opportunity_id {
        Some(o) => {
            let (customer, name) = from_opportunity(conn, p, o, input.customer_id, prefix).await?;
            if input.name.is_empty() {
                input.name = name;
            }
            customer
        }
        None => input
            .customer_id
            .ok_or_else(|| Problem::invalid_field("customer_id", "is required"))?,
    };
    let customer = target_customer(conn, p, customer, &format!("{prefix}customer_id")).await?;
    existing_user(conn, input.manager_id, &format!("{prefix}manager_id")).await?;
    let id = ProjectId::new();
    repo::insert(conn, id, customer, &input)
        .await
        .map_err(|e| match &e {
            sqlx::Error::Database(db) if db.constraint() == Some("projects_opportunity_id_key") => {
                ServiceError::Problem(duplicate_project(prefix))
            }
            _ => e.into(),
        })?;
    let created = reload(conn, id).await?;
    audit_create(conn, actor, &created).await?;
    Ok(created)
}

async fn reload(conn: &mut PgConnection, id: ProjectId) -> Result<Project> {
    Ok(repo::by_id(conn, id, false)
        .await?
        .ok_or_else(|| ServiceError::internal("written project vanished"))?
        .project)
}

pub async fn create(ctx: &AppCtx, actor: &Actor, input: ProjectInput) -> Result<Project> {
    records::create(ctx, actor, input).await
}

pub async fn bulk_create(
    ctx: &AppCtx,
    actor: &Actor,
    items: Vec<ProjectInput>,
) -> Result<Vec<Project>> {
    records::bulk_create(ctx, actor, items).await
}

pub async fn update(
    ctx: &AppCtx,
    actor: &Actor,
    id: ProjectId,
    if_match: Option<i32>,
    patch: ProjectPatch,
) -> Result<Project> {
    let mut tx = ctx.db.begin().await?;
    let updated = update_in(&mut tx, actor, id, if_match, patch).await?;
    tx.commit().await?;
    Ok(updated)
}

async fn update_in(
    conn: &mut PgConnection,
    actor: &Actor,
    id: ProjectId,
    if_match: Option<i32>,
    patch: ProjectPatch,
) -> Result<Project> {
    let p = &actor.principal;
    let current: Project = lock_for(conn, p, id, Action::Update, if_match).await?;
    let merged = patch.apply(&current)?;
    if merged.manager_id != current.manager_id {
        existing_user(conn, merged.manager_id, "manager_id").await?;
    }
    repo::update(conn, id, &merged).await?;
    let updated = reload(conn, id).await?;
    audit_update(conn, actor, &current, &updated).await?;
    Ok(updated)
}

pub async fn delete(
    ctx: &AppCtx,
    actor: &Actor,
    id: ProjectId,
    if_match: Option<i32>,
) -> Result<()> {
    records::delete::<Project>(ctx, actor, id, if_match).await
}

/// Set the status of or delete many projects: all or nothing.
pub async fn bulk_action(
    ctx: &AppCtx,
    actor: &Actor,
    req: ProjectBulkRequest,
) -> Result<BulkResult> {
    apply_all(
        ctx,
        actor,
        &req.ids,
        &req.action,
        |conn, actor, action, id| {
            Box::pin(async move {
                match action {
                    ProjectBulkAction::Delete => delete_in::<Project>(conn, actor, id, None).await,
                    ProjectBulkAction::SetStatus { status } => {
                        let patch = ProjectPatch {
                            status: Patch::Value(*status),
                            ..Default::default()
                        };
                        update_in(conn, actor, id, None, patch).await.map(drop)
                    }
                }
            })
        },
    )
    .await
}

pub async fn milestones(ctx: &AppCtx, actor: &Actor, project: ProjectId) -> Result<Vec<Milestone>> {
    get(ctx, actor, project).await?;
    Ok(repo::milestones(&ctx.db, project).await?)
}

/// A milestone, if the caller may see its project (for its history).
pub async fn milestone(ctx: &AppCtx, actor: &Actor, id: MilestoneId) -> Result<Milestone> {
    let mut conn = ctx.db.acquire().await?;
    let project = repo::project_of(&mut conn, id)
        .await?
        .ok_or_else(|| Problem::not_found("milestone"))?;
    require(&actor.principal, R, Action::Read)?;
    visible_record(&mut conn, &actor.principal, project, false).await?;
    Ok(repo::milestone(&mut conn, project, id, false)
        .await?
        .ok_or_else(|| Problem::not_found("milestone"))?)
}

/// Opens a write on a project's milestones: the project visible (404) and the caller allowed to change it (403).
async fn writable_project(
    conn: &mut PgConnection,
    p: &Principal,
    project: ProjectId,
) -> Result<()> {
    require(p, R, Action::Read)?;
    visible_record(conn, p, project, true).await?;
    require(p, R, Action::Update)?;
    Ok(())
}

async fn reload_milestone(
    conn: &mut PgConnection,
    project: ProjectId,
    id: MilestoneId,
) -> Result<Milestone> {
    repo::milestone(conn, project, id, false)
        .await?
        .ok_or_else(|| ServiceError::internal("written milestone vanished"))
}

pub async fn create_milestone(
    ctx: &AppCtx,
    actor: &Actor,
    project: ProjectId,
    input: MilestoneInput,
) -> Result<Milestone> {
    let mut tx = ctx.db.begin().await?;
    writable_project(&mut tx, &actor.principal, project).await?;
    let input = input.clean()?;
    let id = MilestoneId::new();
    let completed_at = input.completed_at(None, chrono::Utc::now());
    repo::insert_milestone(&mut tx, id, project, &input, completed_at).await?;
    let created = reload_milestone(&mut tx, project, id).await?;
    audit_create(&mut tx, actor, &created).await?;
    tx.commit().await?;
    Ok(created)
}

/// Loads a milestone of a writable project, locked and at the expected version.
async fn current_milestone(
    conn: &mut PgConnection,
    p: &Principal,
    project: ProjectId,
    id: MilestoneId,
    if_match: Option<i32>,
) -> Result<Milestone> {
    writable_project(conn, p, project).await?;
    let current = repo::milestone(conn, project, id, true)
        .await?
        .ok_or_else(|| Problem::not_found("milestone"))?;
    check_version(if_match, current.version)?;
    Ok(current)
}

pub async fn update_milestone(
    ctx: &AppCtx,
    actor: &Actor,
    project: ProjectId,
    id: MilestoneId,
    if_match: Option<i32>,
    patch: MilestonePatch,
) -> Result<Milestone> {
    let mut tx = ctx.db.begin().await?;
    let current = current_milestone(&mut tx, &actor.principal, project, id, if_match).await?;
    let merged = patch.apply(&current)?;
    let completed_at = merged.completed_at(current.completed_at, chrono::Utc::now());
    repo::update_milestone(&mut tx, id, &merged, completed_at).await?;
    let updated = reload_milestone(&mut tx, project, id).await?;
    audit_update(&mut tx, actor, &current, &updated).await?;
    tx.commit().await?;
    Ok(updated)
}

pub async fn delete_milestone(
    ctx: &AppCtx,
    actor: &Actor,
    project: ProjectId,
    id: MilestoneId,
    if_match: Option<i32>,
) -> Result<()> {
    let mut tx = ctx.db.begin().await?;
    let current = current_milestone(&mut tx, &actor.principal, project, id, if_match).await?;
    repo::delete_milestone(&mut tx, id).await?;
    audit_delete(&mut tx, actor, &current).await?;
    tx.commit().await?;
    Ok(())
}

/// Name, customer and stage of an opportunity the caller may see (to pre-fill a new project).
pub async fn opportunity_summary(
    ctx: &AppCtx,
    actor: &Actor,
    id: OpportunityId,
) -> Result<(String, CustomerId, String)> {
    let p = &actor.principal;
    require(p, R, Action::Read)?;
    let mut conn = ctx.db.acquire().await?;
    let o = ensure_visible_opportunity(&mut conn, p, id).await?;
    Ok((o.name, o.customer_id, o.stage.as_str().to_owned()))
}

/// A project the caller may see, on the caller's connection (404 otherwise).
pub(crate) async fn get_in(
    conn: &mut PgConnection,
    p: &Principal,
    id: ProjectId,
) -> Result<Project> {
    require(p, R, Action::Read)?;
    Ok(visible_record(conn, p, id, false).await?.project)
}
