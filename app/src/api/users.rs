use crate::ApiError;
use domain::user::{NewUser, User, UserPatch, UserQuery};
use domain::{Page, UserId};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

/// Every role may list users (to pick owners); only admins change them.
#[server(prefix = "/rpc", endpoint = "list_users", input = Json)]
pub async fn list_users(query: UserQuery) -> Result<Page<User>, ApiError> {
    let (ctx, actor) = crate::ssr::web::caller().await?;
    Ok(crate::ssr::services::users::list(&ctx, &actor, query).await?)
}

#[server(prefix = "/rpc", endpoint = "create_user", input = Json)]
pub async fn create_user(input: NewUser) -> Result<User, ApiError> {
    let (ctx, actor) = crate::ssr::web::caller().await?;
    Ok(crate::ssr::services::users::create(&ctx, &actor, input).await?)
}

/// Edit, deactivate (`is_active: false`), reset the password, assign role and team.
#[server(prefix = "/rpc", endpoint = "update_user", input = Json)]
pub async fn update_user(id: UserId, version: i32, patch: UserPatch) -> Result<User, ApiError> {
    let (ctx, actor) = crate::ssr::web::caller().await?;
    Ok(crate::ssr::services::users::update(&ctx, &actor, id, Some(version), patch).await?)
}
