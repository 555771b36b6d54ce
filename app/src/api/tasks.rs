use crate::ApiError;
use domain::bulk::BulkResult;
use domain::task::{Task, TaskBulkRequest, TaskInput, TaskPatch, TaskQuery};
use domain::{Page, TaskId};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

#[server(prefix = "/rpc", endpoint = "list_tasks", input = Json)]
pub async fn list_tasks(query: TaskQuery) -> Result<Page<Task>, ApiError> {
    let (ctx, actor) = crate::ssr::web::caller().await?;
    Ok(crate::ssr::services::tasks::list(&ctx, &actor, query).await?)
}

#[server(prefix = "/rpc", endpoint = "get_task", input = Json)]
pub async fn get_task(id: TaskId) -> Result<Task, ApiError> {
    let (ctx, actor) = crate::ssr::web::caller().await?;
    Ok(crate::ssr::services::tasks::get(&ctx, &actor, id).await?)
}

#[server(prefix = "/rpc", endpoint = "create_task", input = Json)]
pub async fn create_task(input: TaskInput) -> Result<Task, ApiError> {
    let (ctx, actor) = crate::ssr::web::caller().await?;
    Ok(crate::ssr::services::tasks::create(&ctx, &actor, input).await?)
}

/// `version` is the version the form was loaded with: a newer stored version answers 412.
#[server(prefix = "/rpc", endpoint = "update_task", input = Json)]
pub async fn update_task(id: TaskId, version: i32, patch: TaskPatch) -> Result<Task, ApiError> {
    let (ctx, actor) = crate::ssr::web::caller().await?;
    Ok(crate::ssr::services::tasks::update(&ctx, &actor, id, Some(version), patch).await?)
}

#[server(prefix = "/rpc", endpoint = "delete_task", input = Json)]
pub async fn delete_task(id: TaskId) -> Result<(), ApiError> {
    let (ctx, actor) = crate::ssr::web::caller().await?;
    Ok(crate::ssr::services::tasks::delete(&ctx, &actor, id, None).await?)
}

#[server(prefix = "/rpc", endpoint = "bulk_task_action", input = Json)]
pub async fn bulk_task_action(request: TaskBulkRequest) -> Result<BulkResult, ApiError> {
    let (ctx, actor) = crate::ssr::web::caller().await?;
    Ok(crate::ssr::services::tasks::bulk_action(&ctx, &actor, request).await?)
}
