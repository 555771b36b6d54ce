use super::customers::{Data, Items};
use super::record;
use crate::extract::{ApiJson, ApiQuery, Caller, IfMatch, PathId};
use crate::problem::ApiResult;
use crate::state::AppState;
use app::ssr::services::tasks;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use domain::bulk::BulkResult;
use domain::task::{Task, TaskBulkRequest, TaskInput, TaskPatch, TaskQuery};
use domain::{Page, Problem, TaskId};

fn created(t: &Task) -> Response {
    record(
        StatusCode::CREATED,
        t,
        t.version,
        Some(format!("/api/v1/tasks/{}", t.id)),
    )
}

/// Tasks the caller may see: filters (`mine`, `team`, `status` list, `bucket`, links, due range), sort, `q`,
/// keyset paging.
#[utoipa::path(get, path = "/tasks", tag = "tasks", params(TaskQuery),
    responses((status = 200, body = Page<Task>), (status = 401, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn list(
    State(s): State<AppState>,
    Caller(a): Caller,
    ApiQuery(q): ApiQuery<TaskQuery>,
) -> ApiResult<Json<Page<Task>>> {
    Ok(Json(tasks::list(&s.ctx, &a, q).await?))
}

#[utoipa::path(get, path = "/tasks/{id}", tag = "tasks", params(("id" = String, Path, format = Uuid)),
    responses((status = 200, body = Task), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn get(
    State(s): State<AppState>,
    Caller(a): Caller,
    PathId(id): PathId<TaskId>,
) -> ApiResult<Response> {
    let t = tasks::get(&s.ctx, &a, id).await?;
    Ok(record(StatusCode::OK, &t, t.version, None))
}

/// Create a task (assignee defaults to the caller); a `remind_at` schedules a reminder notification.
#[utoipa::path(post, path = "/tasks", tag = "tasks", request_body = TaskInput,
    responses((status = 201, body = Task), (status = 403, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn create(
    State(s): State<AppState>,
    Caller(a): Caller,
    ApiJson(input): ApiJson<TaskInput>,
) -> ApiResult<Response> {
    Ok(created(&tasks::create(&s.ctx, &a, input).await?))
}

/// All or nothing: one bad item → 422 naming `items[i].field`, and nothing is written.
#[utoipa::path(post, path = "/tasks/bulk", tag = "tasks", request_body = Items<TaskInput>,
    responses((status = 201, body = Data<Task>), (status = 413, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn bulk_create(
    State(s): State<AppState>,
    Caller(a): Caller,
    ApiJson(req): ApiJson<Items<TaskInput>>,
) -> ApiResult<Response> {
    let data = tasks::bulk_create(&s.ctx, &a, req.items).await?;
    Ok((StatusCode::CREATED, Json(Data { data })).into_response())
}

/// Assign, set status or delete many tasks at once (all or nothing).
#[utoipa::path(post, path = "/tasks/bulk-actions", tag = "tasks", request_body = TaskBulkRequest,
    responses((status = 200, body = BulkResult), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn bulk_action(
    State(s): State<AppState>,
    Caller(a): Caller,
    ApiJson(req): ApiJson<TaskBulkRequest>,
) -> ApiResult<Json<BulkResult>> {
    Ok(Json(tasks::bulk_action(&s.ctx, &a, req).await?))
}

/// Partial update; `If-Match` with the version you saw answers 412 instead of overwriting a newer change.
#[utoipa::path(patch, path = "/tasks/{id}", tag = "tasks", params(("id" = String, Path, format = Uuid)), request_body = TaskPatch,
    responses((status = 200, body = Task), (status = 403, body = Problem), (status = 404, body = Problem), (status = 412, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn update(
    State(s): State<AppState>,
    Caller(a): Caller,
    PathId(id): PathId<TaskId>,
    IfMatch(v): IfMatch,
    ApiJson(patch): ApiJson<TaskPatch>,
) -> ApiResult<Response> {
    let t = tasks::update(&s.ctx, &a, id, v, patch).await?;
    Ok(record(StatusCode::OK, &t, t.version, None))
}

#[utoipa::path(delete, path = "/tasks/{id}", tag = "tasks", params(("id" = String, Path, format = Uuid)),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem), (status = 412, body = Problem)), security(("bearer" = [])))]
pub async fn delete(
    State(s): State<AppState>,
    Caller(a): Caller,
    PathId(id): PathId<TaskId>,
    IfMatch(v): IfMatch,
) -> ApiResult<StatusCode> {
    tasks::delete(&s.ctx, &a, id, v).await?;
    Ok(StatusCode::NO_CONTENT)
}
