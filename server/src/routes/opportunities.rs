use super::customers::{Data, Items};
use super::record;
use crate::extract::{ApiJson, ApiQuery, Caller, IfMatch, PathId};
use crate::problem::ApiResult;
use crate::state::AppState;
use app::ssr::services::opportunities;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use domain::bulk::BulkResult;
use domain::opportunity::{
    Opportunity, OpportunityBulkRequest, OpportunityInput, OpportunityPatch, OpportunityQuery,
    StageChange,
};
use domain::{OpportunityId, Page, Problem};

/// List opportunities the caller may see: filters (`stage` may be a comma list), sort, `q`, keyset paging.
#[utoipa::path(get, path = "/opportunities", tag = "opportunities", params(OpportunityQuery),
    responses((status = 200, body = Page<Opportunity>), (status = 401, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn list(
    State(s): State<AppState>,
    Caller(a): Caller,
    ApiQuery(q): ApiQuery<OpportunityQuery>,
) -> ApiResult<Json<Page<Opportunity>>> {
    Ok(Json(opportunities::list(&s.ctx, &a, q).await?))
}

#[utoipa::path(get, path = "/opportunities/{id}", tag = "opportunities", params(("id" = String, Path, format = Uuid)),
    responses((status = 200, body = Opportunity), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn get(
    State(s): State<AppState>,
    Caller(a): Caller,
    PathId(id): PathId<OpportunityId>,
) -> ApiResult<Response> {
    let o = opportunities::get(&s.ctx, &a, id).await?;
    Ok(record(StatusCode::OK, &o, o.version, None))
}

/// The probability defaults per stage; `lost_reason` is required for `lost`; the customer must be visible.
#[utoipa::path(post, path = "/opportunities", tag = "opportunities", request_body = OpportunityInput,
    responses((status = 201, body = Opportunity), (status = 403, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn create(
    State(s): State<AppState>,
    Caller(a): Caller,
    ApiJson(input): ApiJson<OpportunityInput>,
) -> ApiResult<Response> {
    let o = opportunities::create(&s.ctx, &a, input).await?;
    Ok(record(
        StatusCode::CREATED,
        &o,
        o.version,
        Some(format!("/api/v1/opportunities/{}", o.id)),
    ))
}

/// Partial update, stage changes included: stages may be skipped forward; moving back or reopening won/lost
/// needs a manager (409 otherwise); `lost` needs `lost_reason` (422). Send `If-Match` to get 412 on a stale version.
#[utoipa::path(patch, path = "/opportunities/{id}", tag = "opportunities", params(("id" = String, Path, format = Uuid)), request_body = OpportunityPatch,
    responses((status = 200, body = Opportunity), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 412, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn update(
    State(s): State<AppState>,
    Caller(a): Caller,
    PathId(id): PathId<OpportunityId>,
    IfMatch(v): IfMatch,
    ApiJson(patch): ApiJson<OpportunityPatch>,
) -> ApiResult<Response> {
    let o = opportunities::update(&s.ctx, &a, id, v, patch).await?;
    Ok(record(StatusCode::OK, &o, o.version, None))
}

#[utoipa::path(delete, path = "/opportunities/{id}", tag = "opportunities", params(("id" = String, Path, format = Uuid)),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem), (status = 412, body = Problem)), security(("bearer" = [])))]
pub async fn delete(
    State(s): State<AppState>,
    Caller(a): Caller,
    PathId(id): PathId<OpportunityId>,
    IfMatch(v): IfMatch,
) -> ApiResult<StatusCode> {
    opportunities::delete(&s.ctx, &a, id, v).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// All or nothing: one bad item → 422 naming `items[i].field`, and nothing is written.
#[utoipa::path(post, path = "/opportunities/bulk", tag = "opportunities", request_body = Items<OpportunityInput>,
    responses((status = 201, body = Data<Opportunity>), (status = 413, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn bulk_create(
    State(s): State<AppState>,
    Caller(a): Caller,
    ApiJson(req): ApiJson<Items<OpportunityInput>>,
) -> ApiResult<Response> {
    let data = opportunities::bulk_create(&s.ctx, &a, req.items).await?;
    Ok((StatusCode::CREATED, Json(Data { data })).into_response())
}

/// Assign owner, move stage (the stage rules apply to each item) or delete many at once; all or nothing, a
/// refused item is named `ids[i]`.
#[utoipa::path(post, path = "/opportunities/bulk-actions", tag = "opportunities", request_body = OpportunityBulkRequest,
    responses((status = 200, body = BulkResult), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn bulk_action(
    State(s): State<AppState>,
    Caller(a): Caller,
    ApiJson(req): ApiJson<OpportunityBulkRequest>,
) -> ApiResult<Json<BulkResult>> {
    Ok(Json(opportunities::bulk_action(&s.ctx, &a, req).await?))
}

/// Every stage the opportunity entered, oldest first, with when it left it.
#[utoipa::path(get, path = "/opportunities/{id}/stage-history", tag = "opportunities", params(("id" = String, Path, format = Uuid)),
    responses((status = 200, body = Data<StageChange>), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn stage_history(
    State(s): State<AppState>,
    Caller(a): Caller,
    PathId(id): PathId<OpportunityId>,
) -> ApiResult<Json<Data<StageChange>>> {
    let data = opportunities::stage_history(&s.ctx, &a, id).await?;
    Ok(Json(Data { data }))
}
