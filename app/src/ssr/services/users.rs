//! User administration (admins only write) and the CLI's create-or-reset.

use super::{check_version, record, require, snapshot};
use crate::ssr::repo::users::{self as repo, UserWrite};
use crate::ssr::repo::{audit as audit_repo, login_failures, outbox, tokens};
use crate::ssr::security;
use crate::ssr::{Actor, AppCtx, Result, ServiceError};
use domain::audit::diff;
use domain::user::{NewUser, User, UserPatch, UserQuery};
use domain::{Action, Page, Problem, Resource, Role, UserId};
use serde_json::json;

const R: Resource = Resource::Users;

async fn hash(password: String) -> Result<String> {
    tokio::task::spawn_blocking(move || security::hash_password(&password))
        .await
        .map_err(ServiceError::internal)?
        .map_err(ServiceError::internal)
}

pub async fn list(ctx: &AppCtx, actor: &Actor, query: UserQuery) -> Result<Page<User>> {
    require(&actor.principal, R, Action::Read)?;
    let f = query.parse()?;
    let rows = repo::list(&ctx.db, &f).await?;
    let (key, text) = (f.order.sort.field, &f.order.sort_text);
    Ok(Page::from_rows(rows, f.limit, |u: &User| {
        key.cursor(text, u, u.id.0)
    }))
}

pub async fn get(ctx: &AppCtx, actor: &Actor, id: UserId) -> Result<User> {
    require(&actor.principal, R, Action::Read)?;
    let mut conn = ctx.db.acquire().await?;
    repo::by_id(&mut conn, id)
        .await?
        .ok_or_else(|| Problem::not_found("user").into())
}

async fn insert_one(
    conn: &mut sqlx::PgConnection,
    actor: &Actor,
    input: NewUser,
    _prefix: &str,
) -> Result<User> {
    let password_hash = hash(input.password.clone()).await?;
    let w = UserWrite {
        email: &input.email,
        name: &input.name,
        role: input.role.unwrap_or(Role::Viewer),
        team: input.team.as_deref(),
        is_active: true,
    };
    let user = repo::insert(conn, UserId::new(), &w, &password_hash).await?;
    let mut changes = diff(None, Some(&snapshot(&user)));
    changes["password"] = json!({"from": null, "to": "[set]"});
    record(conn, actor, "user.create", "user", user.id.0, changes).await?;
    Ok(user)
}

super::records::impl_creatable!(User, NewUser, R, insert => insert_one);

pub async fn create(ctx: &AppCtx, actor: &Actor, input: NewUser) -> Result<User> {
    super::records::create(ctx, actor, input).await
}

/// Edit, assign role/team, deactivate, reset password. Deactivating or resetting the password bumps the
/// user's auth epoch and revokes their refresh tokens: sessions and tokens stop working at once.
pub async fn update(
    ctx: &AppCtx,
    actor: &Actor,
    id: UserId,
    if_match: Option<i32>,
    patch: UserPatch,
) -> Result<User> {
    require(&actor.principal, R, Action::Read)?;
    let mut tx = ctx.db.begin().await?;
    let current = repo::by_id_for_update(&mut tx, id)
        .await?
        .ok_or_else(|| Problem::not_found("user"))?;
    require(&actor.principal, R, Action::Update)?;
    check_version(if_match, current.version)?;
    let up = patch.apply(&current)?;
    if id == actor.principal.user_id && (!up.is_active || up.role != Role::Admin) {
        return Err(Problem::conflict(
            "You cannot deactivate yourself or take away your own admin role.",
        )
        .into());
    }
    let new_hash = match up.new_password.clone() {
        Some(p) => Some(hash(p).await?),
        None => None,
    };
    let w = UserWrite {
        email: &up.email,
        name: &up.name,
        role: up.role,
        team: up.team.as_deref(),
        is_active: up.is_active,
    };
    let user = repo::update(&mut tx, id, &w, new_hash.as_deref()).await?;
    let mut changes = diff(Some(&snapshot(&current)), Some(&snapshot(&user)));
    if new_hash.is_some() {
        changes["password"] = json!({"from": "[set]", "to": "[reset]"});
    }
    if new_hash.is_some() || (current.is_active && !user.is_active) {
        repo::bump_auth_epoch(&mut tx, id).await?;
        tokens::revoke_user(&mut tx, id).await?;
        // Open live connections (on every node) close when this is dispatched.
        outbox::insert(
            &mut tx,
            outbox::NewEvent {
                r#type: domain::live::USER_ACCESS_REVOKED,
                entity: "user",
                entity_id: id.0,
                data: json!({}),
                actor_id: Some(actor.principal.user_id.0),
            },
        )
        .await?;
    }
    let action = if current.role != user.role {
        "user.role_change"
    } else {
        "user.update"
    };
    record(&mut tx, actor, action, "user", id.0, changes).await?;
    tx.commit().await?;
    Ok(user)
}

/// `POST /users/{id}/unlock` (admins): forgets the user's failed sign-ins from every address, so a lockout
/// ends now. Audited as `user.unlock` with how many attempts were forgotten.
pub async fn unlock(ctx: &AppCtx, actor: &Actor, id: UserId) -> Result<User> {
    require(&actor.principal, R, Action::Read)?;
    let mut tx = ctx.db.begin().await?;
    let user = repo::by_id_for_update(&mut tx, id)
        .await?
        .ok_or_else(|| Problem::not_found("user"))?;
    require(&actor.principal, R, Action::Update)?;
    let forgotten = login_failures::clear_account(&mut tx, &user.email).await?;
    record(
        &mut tx,
        actor,
        "user.unlock",
        "user",
        id.0,
        json!({"failed_sign_ins_forgotten": forgotten}),
    )
    .await?;
    tx.commit().await?;
    Ok(user)
}

/// Who runs a CLI command.
pub struct CliUser<'a> {
    pub email: &'a str,
    pub password: &'a str,
    pub role: Role,
    pub name: Option<&'a str>,
    pub team: Option<&'a str>,
}

/// `crm-ims user create`: creates the user, or resets the password (and role, name, team) of an existing one.
pub async fn create_or_reset(ctx: &AppCtx, u: CliUser<'_>) -> Result<(User, bool)> {
    let email = u.email.trim().to_lowercase();
    let name = u
        .name
        .map(str::to_owned)
        .unwrap_or_else(|| email.split('@').next().unwrap_or(&email).to_owned());
    let input = NewUser {
        email: email.clone(),
        name,
        password: u.password.to_owned(),
        role: Some(u.role),
        team: u.team.map(str::to_owned),
    }
    .clean()?;
    let password_hash = hash(input.password.clone()).await?;
    let mut tx = ctx.db.begin().await?;
    let existing = repo::id_by_email_for_update(&mut tx, &email).await?;
    let w = UserWrite {
        email: &input.email,
        name: &input.name,
        role: u.role,
        team: input.team.as_deref(),
        is_active: true,
    };
    let (user, created) = match existing {
        Some(id) => {
            let user = repo::update(&mut tx, id, &w, Some(&password_hash)).await?;
            repo::bump_auth_epoch(&mut tx, id).await?;
            tokens::revoke_user(&mut tx, id).await?;
            (user, false)
        }
        None => (
            repo::insert(&mut tx, UserId::new(), &w, &password_hash).await?,
            true,
        ),
    };
    audit_repo::insert(
        &mut tx,
        audit_repo::NewAudit {
            actor_id: None,
            actor_email: Some("cli"),
            action: if created { "user.create" } else { "user.password_reset" },
            entity: "user",
            entity_id: Some(user.id.0),
            changes: json!({"role": {"from": null, "to": user.role}, "password": {"from": null, "to": "[set]"}}),
            request_id: None,
            ip: None,
        },
    )
    .await?;
    tx.commit().await?;
    Ok((user, created))
}
