//! Logins (password, rate limited), access and refresh tokens, and resolving the caller of a request.

use crate::ssr::repo::audit::NewAudit;
use crate::ssr::repo::{audit as audit_repo, login_failures, tokens, users as users_repo};
use crate::ssr::security::{self, DUMMY_HASH};
use crate::ssr::{Actor, AppCtx, RequestMeta, Result, ServiceError};
use chrono::{Duration, Utc};
use domain::auth::TokenPair;
use domain::user::{User, UserSummary};
use domain::{Principal, Problem, UserId};
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

/// Session key under which the browser session keeps who logged in.
pub const SESSION_KEY: &str = "auth";

/// What a browser session stores: the user and the auth epoch at login time.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SessionAuth {
    pub user_id: UserId,
    pub epoch: i32,
}

/// The active user `id` as a principal, if their auth epoch is still `epoch` (when given).
pub async fn principal(ctx: &AppCtx, id: UserId, epoch: Option<i32>) -> Result<Option<Principal>> {
    let found = users_repo::principal(&ctx.db, id).await?;
    Ok(found
        .filter(|(_, current)| epoch.is_none_or(|e| e == *current))
        .map(|(p, _)| p))
}

/// The caller of a `Bearer` access token.
pub async fn principal_from_token(ctx: &AppCtx, token: &str) -> Result<Option<Principal>> {
    match ctx.jwt.verify(token) {
        Some((user, epoch)) => principal(ctx, user, Some(epoch)).await,
        None => Ok(None),
    }
}

/// Checks e-mail and password; the same 401 whether the e-mail exists, the password is wrong or the user is
/// deactivated. Success and failure are both audited.
///
/// Throttled through the database, so every app node counts the same attempts, and counted *before* the
/// password is checked, under a lock per key: a burst of parallel guesses gets no more checks than the limit.
/// An account is locked only for the address that failed (`pair:` key); from all addresses together it slows
/// down ([`account_backoff`]) but never locks, so nobody can lock the owner out.
pub async fn authenticate(
    ctx: &AppCtx,
    meta: &RequestMeta,
    email: &str,
    password: &str,
) -> Result<(User, i32)> {
    let email = email.trim().to_lowercase();
    let s = &ctx.settings;
    let now = Utc::now();
    let since = now - Duration::seconds(s.login_window_secs);
    let address = meta.ip.as_deref().unwrap_or("-");
    let pair_key = format!("pair:{email}|{address}");
    let account_key = format!("email:{email}");
    let mut keys = vec![pair_key.clone(), account_key.clone()];
    if let Some(ip) = &meta.ip {
        keys.push(format!("ip:{ip}"));
    }
    let attempt = Uuid::now_v7();
    {
        let mut tx = ctx.db.begin().await?;
        login_failures::lock(&mut tx, &keys).await?;
        let until_window_end = |c: &login_failures::Counted| {
            let until = c.oldest.unwrap_or(now) + Duration::seconds(s.login_window_secs);
            (until - now).num_seconds().max(1) as u64
        };
        let pair = login_failures::count_since(&mut tx, &pair_key, since).await?;
        if pair.n >= s.login_max_failures_per_account {
            return Err(Problem::rate_limited(until_window_end(&pair)).into());
        }
        if let Some(ip_key) = keys.get(2) {
            let ip = login_failures::count_since(&mut tx, ip_key, since).await?;
            if ip.n >= s.login_max_failures_per_ip {
                return Err(Problem::rate_limited(until_window_end(&ip)).into());
            }
        }
        let account = login_failures::count_since(&mut tx, &account_key, since).await?;
        if let Some(wait) = account_backoff(&account, s, now) {
            return Err(Problem::rate_limited(wait).into());
        }
        login_failures::record(&mut tx, &keys, attempt).await?;
        tx.commit().await?;
    }

    let found = users_repo::credentials(&ctx.db, &email).await?;
    let hash = found
        .as_ref()
        .map_or_else(|| DUMMY_HASH.clone(), |(_, h)| h.clone());
    let pw = password.to_owned();
    let ok = tokio::task::spawn_blocking(move || security::verify_password(&pw, &hash))
        .await
        .map_err(ServiceError::internal)?;

    let mut tx = ctx.db.begin().await?;
    match found {
        Some((user, _)) if ok && user.is_active => {
            login_failures::clear_after_login(&mut tx, attempt, &email, since).await?;
            users_repo::touch_login(&mut tx, user.id).await?;
            let epoch = users_repo::auth_epoch(&mut tx, user.id).await?;
            audit_repo::insert(&mut tx, auth_audit(meta, Some(&user), &email, "auth.login"))
                .await?;
            tx.commit().await?;
            Ok((user, epoch))
        }
        found => {
            // The attempt was counted before the check; what is left is the audit row.
            let user = found.map(|(u, _)| u);
            audit_repo::insert(
                &mut tx,
                auth_audit(meta, user.as_ref(), &email, "auth.login_failed"),
            )
            .await?;
            tx.commit().await?;
            Err(Problem::invalid_credentials().into())
        }
    }
}

/// Seconds the next attempt on an account must still wait: past `login_max_failures_per_account` failures
/// from all addresses, 1 s after the latest, doubling with each further failure, capped.
fn account_backoff(
    account: &login_failures::Counted,
    s: &crate::ssr::Settings,
    now: chrono::DateTime<Utc>,
) -> Option<u64> {
    let over = account.n - s.login_max_failures_per_account;
    if over <= 0 {
        return None;
    }
    let delay = 1_i64
        .checked_shl((over - 1).min(30) as u32)
        .unwrap_or(i64::MAX)
        .min(s.login_account_backoff_max_secs);
    let until = account.latest? + Duration::seconds(delay);
    let wait = (until - now).num_milliseconds();
    (wait > 0).then(|| (wait as u64).div_ceil(1000))
}

fn auth_audit<'a>(
    meta: &'a RequestMeta,
    user: Option<&User>,
    email: &'a str,
    action: &'a str,
) -> NewAudit<'a> {
    NewAudit {
        actor_id: if action == "auth.login" {
            user.map(|u| u.id.0)
        } else {
            None
        },
        actor_email: Some(email),
        action,
        entity: "user",
        entity_id: user.map(|u| u.id.0),
        changes: json!({}),
        request_id: meta.request_id.as_deref(),
        ip: meta.ip.as_deref(),
    }
}

/// `POST /auth/login`: a new token family.
pub async fn login(
    ctx: &AppCtx,
    meta: &RequestMeta,
    email: &str,
    password: &str,
) -> Result<TokenPair> {
    let (user, epoch) = authenticate(ctx, meta, email, password).await?;
    let mut tx = ctx.db.begin().await?;
    let pair = issue(ctx, &mut tx, &user, epoch, Uuid::now_v7()).await?;
    tx.commit().await?;
    Ok(pair)
}

async fn issue(
    ctx: &AppCtx,
    conn: &mut sqlx::PgConnection,
    user: &User,
    epoch: i32,
    family: Uuid,
) -> Result<TokenPair> {
    let s = &ctx.settings;
    let access_token = ctx
        .jwt
        .issue(user.id, epoch, s.access_token_ttl_secs)
        .map_err(ServiceError::internal)?;
    let (refresh_token, hash) = security::new_refresh_token();
    tokens::insert(
        conn,
        user.id,
        family,
        &hash,
        Utc::now() + Duration::days(s.refresh_token_ttl_days),
    )
    .await?;
    Ok(TokenPair {
        access_token,
        refresh_token,
        token_type: "Bearer".into(),
        expires_in: s.access_token_ttl_secs,
        user: UserSummary::from(user),
    })
}

/// `POST /auth/refresh`: rotates the token. A token that was already used (or revoked) is a sign of theft:
/// the whole family is revoked and the answer is 401.
pub async fn refresh(ctx: &AppCtx, meta: &RequestMeta, token: &str) -> Result<TokenPair> {
    let hash = security::hash_refresh_token(token);
    let mut tx = ctx.db.begin().await?;
    let Some(stored) = tokens::find_for_update(&mut tx, &hash).await? else {
        return Err(Problem::unauthorized().into());
    };
    if stored.used_at.is_some() || stored.revoked_at.is_some() {
        let revoked = tokens::revoke_family(&mut tx, stored.family_id).await?;
        let audit = NewAudit {
            actor_id: None,
            actor_email: None,
            action: "auth.refresh_reuse",
            entity: "user",
            entity_id: Some(stored.user_id.0),
            changes: json!({"revoked_tokens": {"from": null, "to": revoked}}),
            request_id: meta.request_id.as_deref(),
            ip: meta.ip.as_deref(),
        };
        audit_repo::insert(&mut tx, audit).await?;
        tx.commit().await?;
        return Err(Problem::unauthorized().into());
    }
    if stored.expires_at <= Utc::now() {
        return Err(Problem::unauthorized().into());
    }
    let user = users_repo::by_id(&mut tx, stored.user_id)
        .await?
        .filter(|u| u.is_active);
    let epoch = users_repo::auth_epoch(&mut tx, stored.user_id).await?;
    let Some(user) = user else {
        tokens::revoke_family(&mut tx, stored.family_id).await?;
        tx.commit().await?;
        return Err(Problem::unauthorized().into());
    };
    tokens::mark_used(&mut tx, stored.id).await?;
    let pair = issue(ctx, &mut tx, &user, epoch, stored.family_id).await?;
    tx.commit().await?;
    Ok(pair)
}

/// `POST /auth/logout`: revokes the refresh token's family (if it is the caller's) and audits the logout.
pub async fn logout(ctx: &AppCtx, actor: &Actor, refresh_token: Option<&str>) -> Result<()> {
    let mut tx = ctx.db.begin().await?;
    if let Some(token) = refresh_token {
        let hash = security::hash_refresh_token(token);
        if let Some(stored) = tokens::find_for_update(&mut tx, &hash).await?
            && stored.user_id == actor.principal.user_id
        {
            tokens::revoke_family(&mut tx, stored.family_id).await?;
        }
    }
    super::record(
        &mut tx,
        actor,
        "auth.logout",
        "user",
        actor.principal.user_id.0,
        json!({}),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
