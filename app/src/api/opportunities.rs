use crate::ApiError;
use domain::bulk::BulkResult;
use domain::opportunity::report::{PipelineQuery, PipelineReport};
use domain::opportunity::{
    Opportunity, OpportunityBulkRequest, OpportunityInput, OpportunityPatch, OpportunityQuery,
    StageChange,
};
use domain::{OpportunityId, Page};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

#[server(prefix = "/rpc", endpoint = "list_opportunities", input = Json)]
pub async fn list_opportunities(query: OpportunityQuery) -> Result<Page<Opportunity>, ApiError> {
    let (ctx, actor) = crate::ssr::web::caller().await?;
    Ok(crate::ssr::services::opportunities::list(&ctx, &actor, query).await?)
}

#[server(prefix = "/rpc", endpoint = "get_opportunity", input = Json)]
pub async fn get_opportunity(id: OpportunityId) -> Result<Opportunity, ApiError> {
    let (ctx, actor) = crate::ssr::web::caller().await?;
    Ok(crate::ssr::services::opportunities::get(&ctx, &actor, id).await?)
}

#[server(prefix = "/rpc", endpoint = "create_opportunity", input = Json)]
pub async fn create_opportunity(input: OpportunityInput) -> Result<Opportunity, ApiError> {
    let (ctx, actor) = crate::ssr::web::caller().await?;
    Ok(crate::ssr::services::opportunities::create(&ctx, &actor, input).await?)
}

/// `version` is the version the client last saw: a newer stored version answers 412.
#[server(prefix = "/rpc", endpoint = "update_opportunity", input = Json)]
pub async fn update_opportunity(
    id: OpportunityId,
    version: i32,
    patch: OpportunityPatch,
) -> Result<Opportunity, ApiError> {
    let (ctx, actor) = crate::ssr::web::caller().await?;
    Ok(crate::ssr::services::opportunities::update(&ctx, &actor, id, Some(version), patch).await?)
}

#[server(prefix = "/rpc", endpoint = "delete_opportunity", input = Json)]
pub async fn delete_opportunity(id: OpportunityId) -> Result<(), ApiError> {
    let (ctx, actor) = crate::ssr::web::caller().await?;
    Ok(crate::ssr::services::opportunities::delete(&ctx, &actor, id, None).await?)
}

#[server(prefix = "/rpc", endpoint = "bulk_opportunity_action", input = Json)]
pub async fn bulk_opportunity_action(
    request: OpportunityBulkRequest,
) -> Result<BulkResult, ApiError> {
    let (ctx, actor) = crate::ssr::web::caller().await?;
    Ok(crate::ssr::services::opportunities::bulk_action(&ctx, &actor, request).await?)
}

#[server(prefix = "/rpc", endpoint = "opportunity_stage_history", input = Json)]
pub async fn opportunity_stage_history(id: OpportunityId) -> Result<Vec<StageChange>, ApiError> {
    let (ctx, actor) = crate::ssr::web::caller().await?;
    Ok(crate::ssr::services::opportunities::stage_history(&ctx, &actor, id).await?)
}

#[server(prefix = "/rpc", endpoint = "sales_pipeline_report", input = Json)]
pub async fn sales_pipeline_report(query: PipelineQuery) -> Result<PipelineReport, ApiError> {
    let (ctx, actor) = crate::ssr::web::caller().await?;
    Ok(crate::ssr::services::sales_report::sales_pipeline(&ctx, &actor, query).await?)
}
