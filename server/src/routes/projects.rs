use super::customers::{Data, Items};
use super::record;
use crate::extract::{ApiJson, ApiQuery, Caller, IfMatch, PathId};
use crate::problem::{ApiProblem, ApiResult};
use crate::state::AppState;
use app::ssr::services::projects;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use domain::bulk::BulkResult;
use domain::project::{
    Milestone, MilestoneInput, MilestonePatch, Project, ProjectBulkRequest, ProjectInput,
    ProjectPatch, ProjectQuery,
};
use domain::{MilestoneId, Page, Problem, ProjectId};

#[utoipa::path(get, path = "/projects", tag = "projects", params(ProjectQuery),
    responses((status = 200, body = Page<Project>), (status = 401, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn list(
    State(s): State<AppState>,
    Caller(a): Caller,
    ApiQuery(q): ApiQuery<ProjectQuery>,
) -> ApiResult<Json<Page<Project>>> {
    Ok(Json(projects::list(&s.ctx, &a, q).await?))
}

/// With `opportunity_id` the opportunity must be visible and won (else 409); the customer comes from it and the
/// name defaults to its name; a second project for it → 409.
#[utoipa::path(post, path = "/projects", tag = "projects", request_body = ProjectInput,
    responses((status = 201, body = Project), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn create(
    State(s): State<AppState>,
    Caller(a): Caller,
    ApiJson(input): ApiJson<ProjectInput>,
) -> ApiResult<Response> {
    let p = projects::create(&s.ctx, &a, input).await?;
    Ok(record(
        StatusCode::CREATED,
        &p,
        p.version,
        Some(format!("/api/v1/projects/{}", p.id)),
    ))
}

#[utoipa::path(post, path = "/projects/bulk", tag = "projects", request_body = Items<ProjectInput>,
    responses((status = 201, body = Data<Project>), (status = 409, body = Problem), (status = 413, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn bulk_create(
    State(s): State<AppState>,
    Caller(a): Caller,
    ApiJson(req): ApiJson<Items<ProjectInput>>,
) -> ApiResult<Response> {
    let data = projects::bulk_create(&s.ctx, &a, req.items).await?;
    Ok((StatusCode::CREATED, Json(Data { data })).into_response())
}

/// Set status or delete many projects at once (all or nothing).
#[utoipa::path(post, path = "/projects/bulk-actions", tag = "projects", request_body = ProjectBulkRequest,
    responses((status = 200, body = BulkResult), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn bulk_action(
    State(s): State<AppState>,
    Caller(a): Caller,
    ApiJson(req): ApiJson<ProjectBulkRequest>,
) -> ApiResult<Json<BulkResult>> {
    Ok(Json(projects::bulk_action(&s.ctx, &a, req).await?))
}

#[utoipa::path(get, path = "/projects/{id}", tag = "projects", params(("id" = String, Path, format = Uuid)),
    responses((status = 200, body = Project), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn get(
    State(s): State<AppState>,
    Caller(a): Caller,
    PathId(id): PathId<ProjectId>,
) -> ApiResult<Response> {
    let p = projects::get(&s.ctx, &a, id).await?;
    Ok(record(StatusCode::OK, &p, p.version, None))
}

#[utoipa::path(patch, path = "/projects/{id}", tag = "projects", params(("id" = String, Path, format = Uuid)), request_body = ProjectPatch,
    responses((status = 200, body = Project), (status = 403, body = Problem), (status = 404, body = Problem), (status = 412, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn update(
    State(s): State<AppState>,
    Caller(a): Caller,
    PathId(id): PathId<ProjectId>,
    IfMatch(v): IfMatch,
    ApiJson(patch): ApiJson<ProjectPatch>,
) -> ApiResult<Response> {
    let p = projects::update(&s.ctx, &a, id, v, patch).await?;
    Ok(record(StatusCode::OK, &p, p.version, None))
}

#[utoipa::path(delete, path = "/projects/{id}", tag = "projects", params(("id" = String, Path, format = Uuid)),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem), (status = 412, body = Problem)), security(("bearer" = [])))]
pub async fn delete(
    State(s): State<AppState>,
    Caller(a): Caller,
    PathId(id): PathId<ProjectId>,
    IfMatch(v): IfMatch,
) -> ApiResult<StatusCode> {
    projects::delete(&s.ctx, &a, id, v).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The milestones of a project by due date.
#[utoipa::path(get, path = "/projects/{id}/milestones", tag = "projects", params(("id" = String, Path, format = Uuid)),
    responses((status = 200, body = Data<Milestone>), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn milestones(
    State(s): State<AppState>,
    Caller(a): Caller,
    PathId(id): PathId<ProjectId>,
) -> ApiResult<Json<Data<Milestone>>> {
    let data = projects::milestones(&s.ctx, &a, id).await?;
    Ok(Json(Data { data }))
}

#[utoipa::path(post, path = "/projects/{id}/milestones", tag = "projects", params(("id" = String, Path, format = Uuid)), request_body = MilestoneInput,
    responses((status = 201, body = Milestone), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn create_milestone(
    State(s): State<AppState>,
    Caller(a): Caller,
    PathId(id): PathId<ProjectId>,
    ApiJson(input): ApiJson<MilestoneInput>,
) -> ApiResult<Response> {
    let m = projects::create_milestone(&s.ctx, &a, id, input).await?;
    Ok(record(StatusCode::CREATED, &m, m.version, None))
}

/// `/projects/{id}/milestones/{milestone_id}`: anything that is not two UUIDs names no record (404).
fn milestone_path(
    Path((p, m)): Path<(String, String)>,
) -> Result<(ProjectId, MilestoneId), ApiProblem> {
    match (uuid::Uuid::parse_str(&p), uuid::Uuid::parse_str(&m)) {
        (Ok(p), Ok(m)) => Ok((ProjectId(p), MilestoneId(m))),
        _ => Err(Problem::not_found("milestone").into()),
    }
}

/// `status: done` sets `completed_at`; send `If-Match` with the milestone's version.
#[utoipa::path(patch, path = "/projects/{id}/milestones/{milestone_id}", tag = "projects",
    params(("id" = String, Path, format = Uuid), ("milestone_id" = String, Path, format = Uuid)), request_body = MilestonePatch,
    responses((status = 200, body = Milestone), (status = 403, body = Problem), (status = 404, body = Problem), (status = 412, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn update_milestone(
    State(s): State<AppState>,
    Caller(a): Caller,
    path: Path<(String, String)>,
    IfMatch(v): IfMatch,
    ApiJson(patch): ApiJson<MilestonePatch>,
) -> ApiResult<Response> {
    let (project, id) = milestone_path(path)?;
    let m = projects::update_milestone(&s.ctx, &a, project, id, v, patch).await?;
    Ok(record(StatusCode::OK, &m, m.version, None))
}

#[utoipa::path(delete, path = "/projects/{id}/milestones/{milestone_id}", tag = "projects",
    params(("id" = String, Path, format = Uuid), ("milestone_id" = String, Path, format = Uuid)),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem), (status = 412, body = Problem)), security(("bearer" = [])))]
pub async fn delete_milestone(
    State(s): State<AppState>,
    Caller(a): Caller,
    path: Path<(String, String)>,
    IfMatch(v): IfMatch,
) -> ApiResult<StatusCode> {
    let (project, id) = milestone_path(path)?;
    projects::delete_milestone(&s.ctx, &a, project, id, v).await?;
    Ok(StatusCode::NO_CONTENT)
}
