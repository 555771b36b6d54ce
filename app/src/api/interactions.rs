use crate::ApiError;
use domain::bulk::BulkResult;
use domain::interaction::{
    Interaction, InteractionBulkRequest, InteractionInput, InteractionPatch, InteractionQuery,
    TimelineEntry, TimelineQuery,
};
use domain::{CustomerId, InteractionId, Page};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

#[server(prefix = "/rpc", endpoint = "list_interactions", input = Json)]
pub async fn list_interactions(query: InteractionQuery) -> Result<Page<Interaction>, ApiError> {
    let (ctx, actor) = crate::ssr::web::caller().await?;
    Ok(crate::ssr::services::interactions::list(&ctx, &actor, query).await?)
}

#[server(prefix = "/rpc", endpoint = "get_interaction", input = Json)]
pub async fn get_interaction(id: InteractionId) -> Result<Interaction, ApiError> {
    let (ctx, actor) = crate::ssr::web::caller().await?;
    Ok(crate::ssr::services::interactions::get(&ctx, &actor, id).await?)
}

#[server(prefix = "/rpc", endpoint = "create_interaction", input = Json)]
pub async fn create_interaction(input: InteractionInput) -> Result<Interaction, ApiError> {
    let (ctx, actor) = crate::ssr::web::caller().await?;
    Ok(crate::ssr::services::interactions::create(&ctx, &actor, input).await?)
}

/// `version` is the version the form was loaded with: a newer stored version answers 412.
#[server(prefix = "/rpc", endpoint = "update_interaction", input = Json)]
pub async fn update_interaction(
    id: InteractionId,
    version: i32,
    patch: InteractionPatch,
) -> Result<Interaction, ApiError> {
    let (ctx, actor) = crate::ssr::web::caller().await?;
    Ok(crate::ssr::services::interactions::update(&ctx, &actor, id, Some(version), patch).await?)
}

#[server(prefix = "/rpc", endpoint = "delete_interaction", input = Json)]
pub async fn delete_interaction(id: InteractionId) -> Result<(), ApiError> {
    let (ctx, actor) = crate::ssr::web::caller().await?;
    Ok(crate::ssr::services::interactions::delete(&ctx, &actor, id, None).await?)
}

#[server(prefix = "/rpc", endpoint = "bulk_interaction_action", input = Json)]
pub async fn bulk_interaction_action(
    request: InteractionBulkRequest,
) -> Result<BulkResult, ApiError> {
    let (ctx, actor) = crate::ssr::web::caller().await?;
    Ok(crate::ssr::services::interactions::bulk_action(&ctx, &actor, request).await?)
}

#[server(prefix = "/rpc", endpoint = "customer_timeline", input = Json)]
pub async fn customer_timeline(
    customer: CustomerId,
    query: TimelineQuery,
) -> Result<Page<TimelineEntry>, ApiError> {
    let (ctx, actor) = crate::ssr::web::caller().await?;
    Ok(crate::ssr::services::interactions::timeline(&ctx, &actor, customer, query).await?)
}
