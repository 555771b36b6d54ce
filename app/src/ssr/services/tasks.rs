//! Tasks: list (scoped, filtered, searchable, keyset), read, create, update, delete, bulk create and bulk
//! actions; every write keeps the task's reminder job in step, in the write's own transaction.
//!
//! Visibility (the rule itself is `domain::task::sees_task`; lists apply the same rule in SQL):
//! - admins, viewers and managers without a team see every task;
//! - a manager with a team sees the tasks whose assignee or creator is in the team, and their own;
//! - everyone else sees the tasks assigned to or created by them, plus the tasks linked to a customer, lead or
//!   opportunity they may see (the record-level rule of those resources).
//!
//! A task the caller may not see answers 404. Linked records must exist and be visible to the caller (else 422
//! on that field); the assignee must be an active user (422 `assignee_id`), and sales may assign only to
//! themselves or their team (managers with a team too). The assignee defaults to the caller. Entering `done` sets `completed_at`;
//! leaving it clears it.

use super::customers::ensure_visible;
use super::records::{
    self, apply_all, audit_create, audit_update, delete_in, impl_record, lock_for,
};
use super::{require, visible};
use crate::ssr::jobs::{TASK_REMINDER, reminder_key};
use crate::ssr::repo::tasks::{self as repo, ListParams, TaskRecord, TaskVisible};
use crate::ssr::repo::{jobs as jobs_repo, users as users_repo};
use crate::ssr::{Actor, AppCtx, Result, ServiceError};
use domain::bulk::BulkResult;
use domain::problem::FieldError;
use domain::task::{
    Task, TaskBulkRequest, TaskInput, TaskPatch, TaskQuery, TaskScope, completed_at, sees_task,
    task_scope,
};
use domain::{Action, CustomerId, Page, Principal, Problem, Resource, Scope, TaskId, UserId};
use sqlx::PgConnection;

const R: Resource = Resource::Tasks;

pub async fn list(ctx: &AppCtx, actor: &Actor, query: TaskQuery) -> Result<Page<Task>> {
    let p = &actor.principal;
    require(p, R, Action::Read)?;
    let f = query.parse()?;
    let mut conn = ctx.db.acquire().await?;
    let visible = match task_scope(p) {
        TaskScope::All => TaskVisible::All,
        TaskScope::Team(team) => {
            TaskVisible::Team(users_repo::team_members(&mut conn, &team).await?)
        }
        // Leads and opportunities follow the same owner scope as customers.
        TaskScope::Involved(me) => TaskVisible::Involved {
            me,
            owners: visible(&ctx.db, p, Resource::Customers).await?,
        },
    };
    let team_members = match (f.team, &p.team) {
        (false, _) => None,
        (true, Some(team)) => Some(users_repo::team_members(&mut conn, team).await?),
        (true, None) => return Err(Problem::invalid_field("team", "You are not in a team.").into()),
    };
    drop(conn);
    let params = ListParams {
        visible,
        filter: &f,
        team_members,
        me: p.user_id,
        now: chrono::Utc::now(),
    };
    let rows = repo::list(&ctx.db, &params).await?;
    let tasks = rows.into_iter().map(|r| r.task).collect();
    Ok(Page::from_rows(tasks, f.limit, |t: &Task| {
        f.sort.field.cursor(&f.sort_text, t, t.id.0)
    }))
}

/// The task if the caller may see it; 404 otherwise.
async fn visible_record(
    conn: &mut PgConnection,
    p: &Principal,
    id: TaskId,
    lock: bool,
) -> Result<TaskRecord> {
    match repo::by_id(conn, id, lock).await? {
        Some(r) if sees_task(p, &r.access) => Ok(r),
        _ => Err(Problem::not_found("task").into()),
    }
}

impl_record!(
    Task, TaskId, TaskInput,
    insert => insert_one,
    locked(conn, p, id) => Ok(visible_record(conn, p, id, true).await?.task),
    remove(conn, current) => {
        sync_reminder(conn, Some(current), None).await?;
        Ok(repo::delete(conn, current.id).await?)
    },
);

pub async fn get(ctx: &AppCtx, actor: &Actor, id: TaskId) -> Result<Task> {
    require(&actor.principal, R, Action::Read)?;
    let mut conn = ctx.db.acquire().await?;
    Ok(visible_record(&mut conn, &actor.principal, id, false)
        .await?
        .task)
}

/// The assignee must be an active user; every role below admin assigns only within its record scope (sales and
/// managers with a team: the team; sales without one: themselves).
async fn check_assignee(
    conn: &mut PgConnection,
    p: &Principal,
    assignee: Option<UserId>,
    field: &str,
) -> Result<Option<FieldError>> {
    let Some(id) = assignee else { return Ok(None) };
    let user = users_repo::by_id(conn, id).await?.filter(|u| u.is_active);
    let Some(user) = user else {
        return Ok(Some(FieldError::new(field, "No active user with this id.")));
    };
    let in_scope = match p.scope(Resource::Customers) {
        Scope::All => true,
        scope => scope.contains(Some(id), user.team.as_deref()),
    };
    Ok((!in_scope).then(|| {
        FieldError::new(
            field,
            "You can only assign tasks to yourself or members of your team.",
        )
    }))
}

/// Is the linked record there and may the caller see it?
async fn link_visible(
    conn: &mut PgConnection,
    p: &Principal,
    resource: Resource,
    id: uuid::Uuid,
) -> Result<bool> {
    let customer_visible = |r: Result<_>| match r {
        Ok(_) => Ok(true),
        Err(ServiceError::Problem(pr)) if pr.status == 404 => Ok(false),
        Err(e) => Err(e),
    };
    match resource {
        Resource::Customers => customer_visible(ensure_visible(conn, p, CustomerId(id)).await),
        Resource::Tickets => match repo::ticket_customer(conn, domain::TicketId(id)).await? {
            Some(c) if p.can(Resource::Tickets, Action::Read) => {
                customer_visible(ensure_visible(conn, p, c).await)
            }
            _ => Ok(false),
        },
        other => Ok(repo::link_owner(conn, other, id)
            .await?
            .is_some_and(|l| p.sees(other, l.owner, l.owner_team.as_deref()))),
    }
}

/// Checks the assignee and every linked record that differs from `before` (all of them on create), naming
/// each bad field (with `prefix`, for bulk items).
async fn check_references(
    conn: &mut PgConnection,
    p: &Principal,
    input: &TaskInput,
    before: Option<&Task>,
    prefix: &str,
) -> Result<()> {
    let mut errors = Vec::new();
    let assignee_changed = before.is_none_or(|b| b.assignee_id != input.assignee_id);
    if assignee_changed
        && let Some(e) =
            check_assignee(conn, p, input.assignee_id, &format!("{prefix}assignee_id")).await?
    {
        errors.push(e);
    }
    let links = [
        (
            "customer_id",
            "customer",
            Resource::Customers,
            input.customer_id.map(|c| c.0),
            before.and_then(|b| b.customer_id.map(|c| c.0)),
        ),
        (
            "lead_id",
            "lead",
            Resource::Leads,
            input.lead_id.map(|c| c.0),
            before.and_then(|b| b.lead_id.map(|c| c.0)),
        ),
        (
            "opportunity_id",
            "opportunity",
            Resource::Opportunities,
            input.opportunity_id.map(|c| c.0),
            before.and_then(|b| b.opportunity_id.map(|c| c.0)),
        ),
        (
            "ticket_id",
            "ticket",
            Resource::Tickets,
            input.ticket_id.map(|c| c.0),
            before.and_then(|b| b.ticket_id.map(|c| c.0)),
        ),
    ];
    for (field, what, resource, id, old) in links {
        if let Some(id) = id
            && (before.is_none() || old != Some(id))
            && !link_visible(conn, p, resource, id).await?
        {
            errors.push(FieldError::new(
                format!("{prefix}{field}"),
                format!("No {what} with this id."),
            ));
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(Problem::invalid(errors).into())
    }
}

/// Keeps the task's reminder job in step with the task: the pending job of the old reminder time goes when
/// the time changes or the task is finished or deleted; an active task with a reminder has its job.
async fn sync_reminder(
    conn: &mut PgConnection,
    before: Option<&Task>,
    after: Option<&Task>,
) -> Result<()> {
    let key = |t: &Task| t.remind_at.map(|at| (reminder_key(t.id, at), at));
    let old = before.and_then(key);
    let new = after.filter(|t| t.status.is_active()).and_then(key);
    if let Some((old_key, _)) = &old
        && new.as_ref().is_none_or(|(k, _)| k != old_key)
    {
        jobs_repo::cancel_pending(conn, old_key).await?;
    }
    if let (Some((k, at)), Some(t)) = (new, after) {
        let payload = serde_json::json!({ "task_id": t.id });
        jobs_repo::schedule(conn, TASK_REMINDER, payload, at, &k).await?;
    }
    Ok(())
}

async fn reread(conn: &mut PgConnection, id: TaskId) -> Result<Task> {
    Ok(repo::by_id(conn, id, false)
        .await?
        .ok_or_else(|| ServiceError::internal("written task vanished"))?
        .task)
}

async fn insert_one(
    conn: &mut PgConnection,
    actor: &Actor,
    mut input: TaskInput,
    prefix: &str,
) -> Result<Task> {
    let p = &actor.principal;
    input.assignee_id = input.assignee_id.or(Some(p.user_id));
    check_references(conn, p, &input, None, prefix).await?;
    let id = TaskId::new();
    let done_at = completed_at(None, input.status, chrono::Utc::now());
    repo::insert(conn, id, p.user_id, &input, done_at).await?;
    let created = reread(conn, id).await?;
    sync_reminder(conn, None, Some(&created)).await?;
    audit_create(conn, actor, &created).await?;
    Ok(created)
}

pub async fn create(ctx: &AppCtx, actor: &Actor, input: TaskInput) -> Result<Task> {
    records::create(ctx, actor, input).await
}

/// All or nothing: every item is validated first (errors named `items[i].field`), then inserted in one
/// transaction.
pub async fn bulk_create(ctx: &AppCtx, actor: &Actor, items: Vec<TaskInput>) -> Result<Vec<Task>> {
    records::bulk_create(ctx, actor, items).await
}

pub async fn update(
    ctx: &AppCtx,
    actor: &Actor,
    id: TaskId,
    if_match: Option<i32>,
    patch: TaskPatch,
) -> Result<Task> {
    let mut tx = ctx.db.begin().await?;
    let updated = update_in(&mut tx, actor, id, if_match, patch).await?;
    tx.commit().await?;
    Ok(updated)
}

async fn update_in(
    conn: &mut PgConnection,
    actor: &Actor,
    id: TaskId,
    if_match: Option<i32>,
    patch: TaskPatch,
) -> Result<Task> {
    let p = &actor.principal;
    let current: Task = lock_for(conn, p, id, Action::Update, if_match).await?;
    let merged = patch.apply(&current)?;
    check_references(conn, p, &merged, Some(&current), "").await?;
    let done_at = completed_at(
        Some((current.status, current.completed_at)),
        merged.status,
        chrono::Utc::now(),
    );
    repo::update(conn, id, &merged, done_at).await?;
    let updated = reread(conn, id).await?;
    sync_reminder(conn, Some(&current), Some(&updated)).await?;
    audit_update(conn, actor, &current, &updated).await?;
    Ok(updated)
}

pub async fn delete(ctx: &AppCtx, actor: &Actor, id: TaskId, if_match: Option<i32>) -> Result<()> {
    records::delete::<Task>(ctx, actor, id, if_match).await
}

/// Assign, set status or delete many tasks in one transaction; any id the caller may not see or change
/// fails the whole request (errors named `ids[i]…`) and nothing is written.
pub async fn bulk_action(ctx: &AppCtx, actor: &Actor, req: TaskBulkRequest) -> Result<BulkResult> {
    apply_all(
        ctx,
        actor,
        &req.ids,
        &req.action,
        |conn, actor, action, id| {
            Box::pin(async move {
                match action.patch() {
                    None => delete_in::<Task>(conn, actor, id, None).await,
                    Some(patch) => update_in(conn, actor, id, None, patch).await.map(drop),
                }
            })
        },
    )
    .await
}

/// A task for the caller due on `date` (09:00 UTC) with its reminder then, on the caller's transaction: how
/// maintenance that is planned (or due next) reaches the reminder queue.
pub(crate) async fn maintenance_task(
    conn: &mut PgConnection,
    actor: &Actor,
    title: &str,
    description: &str,
    date: chrono::NaiveDate,
) -> Result<TaskId> {
    let at = date.and_hms_opt(9, 0, 0).map(|t| t.and_utc());
    let input = TaskInput {
        title: title.chars().take(200).collect(),
        description: description.to_owned(),
        due_at: at,
        remind_at: at,
        ..Default::default()
    }
    .clean()?;
    Ok(insert_one(conn, actor, input, "").await?.id)
}
