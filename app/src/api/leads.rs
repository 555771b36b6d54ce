//! Leads and their conversion.

use crate::ApiError;
use domain::LeadId;
use domain::Page;
use domain::bulk::BulkResult;
use domain::lead::{
    DuplicateCandidate, Lead, LeadBulkRequest, LeadConversion, LeadConvertInput, LeadInput,
    LeadPatch, LeadQuery,
};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

#[server(prefix = "/rpc", endpoint = "list_leads", input = Json)]
pub async fn list_leads(query: LeadQuery) -> Result<Page<Lead>, ApiError> {
    let (ctx, actor) = crate::ssr::web::caller().await?;
    Ok(crate::ssr::services::leads::list(&ctx, &actor, query).await?)
}

#[server(prefix = "/rpc", endpoint = "get_lead", input = Json)]
pub async fn get_lead(id: LeadId) -> Result<Lead, ApiError> {
    let (ctx, actor) = crate::ssr::web::caller().await?;
    Ok(crate::ssr::services::leads::get(&ctx, &actor, id).await?)
}

#[server(prefix = "/rpc", endpoint = "create_lead", input = Json)]
pub async fn create_lead(input: LeadInput) -> Result<Lead, ApiError> {
    let (ctx, actor) = crate::ssr::web::caller().await?;
    Ok(crate::ssr::services::leads::create(&ctx, &actor, input).await?)
}

/// `version` is the version the form was loaded with: a newer stored version answers 412.
#[server(prefix = "/rpc", endpoint = "update_lead", input = Json)]
pub async fn update_lead(id: LeadId, version: i32, patch: LeadPatch) -> Result<Lead, ApiError> {
    let (ctx, actor) = crate::ssr::web::caller().await?;
    Ok(crate::ssr::services::leads::update(&ctx, &actor, id, Some(version), patch).await?)
}

#[server(prefix = "/rpc", endpoint = "delete_lead", input = Json)]
pub async fn delete_lead(id: LeadId) -> Result<(), ApiError> {
    let (ctx, actor) = crate::ssr::web::caller().await?;
    Ok(crate::ssr::services::leads::delete(&ctx, &actor, id, None).await?)
}

#[server(prefix = "/rpc", endpoint = "bulk_lead_action", input = Json)]
pub async fn bulk_lead_action(request: LeadBulkRequest) -> Result<BulkResult, ApiError> {
    let (ctx, actor) = crate::ssr::web::caller().await?;
    Ok(crate::ssr::services::leads::bulk_action(&ctx, &actor, request).await?)
}

#[server(prefix = "/rpc", endpoint = "convert_lead", input = Json)]
pub async fn convert_lead(id: LeadId, input: LeadConvertInput) -> Result<LeadConversion, ApiError> {
    let (ctx, actor) = crate::ssr::web::caller().await?;
    Ok(crate::ssr::services::lead_conversion::convert(&ctx, &actor, id, input).await?)
}

#[server(prefix = "/rpc", endpoint = "lead_duplicates", input = Json)]
pub async fn lead_duplicates(id: LeadId) -> Result<Vec<DuplicateCandidate>, ApiError> {
    let (ctx, actor) = crate::ssr::web::caller().await?;
    Ok(crate::ssr::services::lead_conversion::duplicates(&ctx, &actor, id).await?)
}
