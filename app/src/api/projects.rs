//! Server functions for projects and milestones.

use crate::ApiError;
use domain::bulk::BulkResult;
use domain::project::{
    Milestone, MilestoneInput, MilestonePatch, Project, ProjectBulkRequest, ProjectInput,
    ProjectPatch, ProjectQuery,
};
use domain::{MilestoneId, OpportunityId, Page, ProjectId};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use serde::{Deserialize, Serialize};

#[server(prefix = "/rpc", endpoint = "list_projects", input = Json)]
pub async fn list_projects(query: ProjectQuery) -> Result<Page<Project>, ApiError> {
    let (ctx, actor) = crate::ssr::web::caller().await?;
    Ok(crate::ssr::services::projects::list(&ctx, &actor, query).await?)
}

#[server(prefix = "/rpc", endpoint = "get_project", input = Json)]
pub async fn get_project(id: ProjectId) -> Result<Project, ApiError> {
    let (ctx, actor) = crate::ssr::web::caller().await?;
    Ok(crate::ssr::services::projects::get(&ctx, &actor, id).await?)
}

#[server(prefix = "/rpc", endpoint = "create_project", input = Json)]
pub async fn create_project(input: ProjectInput) -> Result<Project, ApiError> {
    let (ctx, actor) = crate::ssr::web::caller().await?;
    Ok(crate::ssr::services::projects::create(&ctx, &actor, input).await?)
}

#[server(prefix = "/rpc", endpoint = "update_project", input = Json)]
pub async fn update_project(
    id: ProjectId,
    version: i32,
    patch: ProjectPatch,
) -> Result<Project, ApiError> {
    let (ctx, actor) = crate::ssr::web::caller().await?;
    Ok(crate::ssr::services::projects::update(&ctx, &actor, id, Some(version), patch).await?)
}

#[server(prefix = "/rpc", endpoint = "delete_project", input = Json)]
pub async fn delete_project(id: ProjectId) -> Result<(), ApiError> {
    let (ctx, actor) = crate::ssr::web::caller().await?;
    Ok(crate::ssr::services::projects::delete(&ctx, &actor, id, None).await?)
}

#[server(prefix = "/rpc", endpoint = "bulk_project_action", input = Json)]
pub async fn bulk_project_action(request: ProjectBulkRequest) -> Result<BulkResult, ApiError> {
    let (ctx, actor) = crate::ssr::web::caller().await?;
    Ok(crate::ssr::services::projects::bulk_action(&ctx, &actor, request).await?)
}

/// What the new-project form pre-fills from an opportunity.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OpportunitySummary {
    pub name: String,
    pub customer_id: domain::CustomerId,
    pub stage: String,
}

#[server(prefix = "/rpc", endpoint = "project_opportunity", input = Json)]
pub async fn project_opportunity(id: OpportunityId) -> Result<OpportunitySummary, ApiError> {
    let (ctx, actor) = crate::ssr::web::caller().await?;
    let (name, customer_id, stage) =
        crate::ssr::services::projects::opportunity_summary(&ctx, &actor, id).await?;
    Ok(OpportunitySummary {
        name,
        customer_id,
        stage,
    })
}

#[server(prefix = "/rpc", endpoint = "list_milestones", input = Json)]
pub async fn list_milestones(project: ProjectId) -> Result<Vec<Milestone>, ApiError> {
    let (ctx, actor) = crate::ssr::web::caller().await?;
    Ok(crate::ssr::services::projects::milestones(&ctx, &actor, project).await?)
}

#[server(prefix = "/rpc", endpoint = "create_milestone", input = Json)]
pub async fn create_milestone(
    project: ProjectId,
    input: MilestoneInput,
) -> Result<Milestone, ApiError> {
    let (ctx, actor) = crate::ssr::web::caller().await?;
    Ok(crate::ssr::services::projects::create_milestone(&ctx, &actor, project, input).await?)
}

#[server(prefix = "/rpc", endpoint = "update_milestone", input = Json)]
pub async fn update_milestone(
    project: ProjectId,
    id: MilestoneId,
    version: i32,
    patch: MilestonePatch,
) -> Result<Milestone, ApiError> {
    let (ctx, actor) = crate::ssr::web::caller().await?;
    Ok(crate::ssr::services::projects::update_milestone(
        &ctx,
        &actor,
        project,
        id,
        Some(version),
        patch,
    )
    .await?)
}

#[server(prefix = "/rpc", endpoint = "delete_milestone", input = Json)]
pub async fn delete_milestone(project: ProjectId, id: MilestoneId) -> Result<(), ApiError> {
    let (ctx, actor) = crate::ssr::web::caller().await?;
    Ok(crate::ssr::services::projects::delete_milestone(&ctx, &actor, project, id, None).await?)
}
