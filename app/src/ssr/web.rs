//! Glue for server functions: who is calling (from the server's auth layer) and the cookie session.

use super::error::answer;
use super::services::auth::{SESSION_KEY, SessionAuth};
use super::{Actor, AppCtx, RequestAuth};
use crate::ApiError;
use axum::Extension;
use domain::Problem;
use domain::user::User;
use leptos::prelude::use_context;
use tower_sessions::Session;

fn ctx() -> Result<AppCtx, ApiError> {
    use_context::<AppCtx>().ok_or_else(|| {
        tracing::error!("AppCtx missing from the server-function context");
        answer(Problem::internal())
    })
}

async fn request_auth() -> Result<RequestAuth, ApiError> {
    let Extension(auth) = leptos_axum::extract::<Extension<RequestAuth>>().await.map_err(|e| {
        tracing::error!(error = %e, "RequestAuth missing: is the auth layer on the /rpc routes?");
        answer(Problem::internal())
    })?;
    Ok(auth)
}

async fn session() -> Result<Session, ApiError> {
    leptos_axum::extract::<Session>().await.map_err(|e| {
        tracing::error!(error = %e, "session layer missing");
        answer(Problem::internal())
    })
}

/// The state and the authenticated caller, or 401.
pub async fn caller() -> Result<(AppCtx, Actor), ApiError> {
    let ctx = ctx()?;
    let actor = request_auth()
        .await?
        .actor()
        .ok_or_else(|| answer(Problem::unauthorized()))?;
    Ok((ctx, actor))
}

pub async fn session_login(email: String, password: String) -> Result<User, ApiError> {
    let ctx = ctx()?;
    let auth = request_auth().await?;
    let session = session().await?;
    let (user, epoch) =
        super::services::auth::authenticate(&ctx, &auth.meta, &email, &password).await?;
    // A new session id at login defeats session fixation.
    session
        .cycle_id()
        .await
        .map_err(|_| answer(Problem::internal()))?;
    session
        .insert(
            SESSION_KEY,
            SessionAuth {
                user_id: user.id,
                epoch,
            },
        )
        .await
        .map_err(|_| answer(Problem::internal()))?;
    Ok(user)
}

pub async fn session_logout() -> Result<(), ApiError> {
    let ctx = ctx()?;
    let auth = request_auth().await?;
    if let Some(actor) = auth.actor() {
        super::services::auth::logout(&ctx, &actor, None).await?;
    }
    session()
        .await?
        .flush()
        .await
        .map_err(|_| answer(Problem::internal()))?;
    Ok(())
}

pub async fn session_user() -> Result<Option<User>, ApiError> {
    let (ctx, auth) = (ctx()?, request_auth().await?);
    match auth.actor() {
        Some(actor) => Ok(Some(
            super::services::users::get(&ctx, &actor, actor.principal.user_id).await?,
        )),
        None => Ok(None),
    }
}
