//! `/api/v1/projects/{id}/demand`: the assets a project needs, by date (feeds demand planning).

use super::customers::Data;
use crate::extract::{ApiJson, Caller, PathId};
use crate::problem::{ApiProblem, ApiResult};
use crate::state::AppState;
use app::ssr::services::assets;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use domain::asset::{Demand, DemandInput};
use domain::{DemandId, Problem, ProjectId};

#[utoipa::path(get, path = "/projects/{id}/demand", tag = "projects", params(("id" = String, Path, format = Uuid)),
    responses((status = 200, body = Data<Demand>), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn list(
    State(s): State<AppState>,
    Caller(a): Caller,
    PathId(id): PathId<ProjectId>,
) -> ApiResult<Json<Data<Demand>>> {
    let data = assets::demands(&s.ctx, &a, id).await?;
    Ok(Json(Data { data }))
}

#[utoipa::path(post, path = "/projects/{id}/demand", tag = "projects", params(("id" = String, Path, format = Uuid)), request_body = DemandInput,
    responses((status = 201, body = Demand), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn create(
    State(s): State<AppState>,
    Caller(a): Caller,
    PathId(id): PathId<ProjectId>,
    ApiJson(input): ApiJson<DemandInput>,
) -> ApiResult<Response> {
    let d = assets::add_demand(&s.ctx, &a, id, input).await?;
    Ok((StatusCode::CREATED, Json(d)).into_response())
}

#[utoipa::path(delete, path = "/projects/{id}/demand/{demand_id}", tag = "projects",
    params(("id" = String, Path, format = Uuid), ("demand_id" = String, Path, format = Uuid)),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn delete(
    State(s): State<AppState>,
    Caller(a): Caller,
    Path((p, d)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    let (Ok(p), Ok(d)) = (uuid::Uuid::parse_str(&p), uuid::Uuid::parse_str(&d)) else {
        return Err(ApiProblem(Problem::not_found("demand")));
    };
    assets::delete_demand(&s.ctx, &a, ProjectId(p), DemandId(d)).await?;
    Ok(StatusCode::NO_CONTENT)
}
