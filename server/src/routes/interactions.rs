use super::customers::{Data, Items};
use super::record;
use crate::extract::{ApiJson, ApiQuery, Caller, IfMatch, PathId};
use crate::problem::ApiResult;
use crate::state::AppState;
use app::ssr::services::interactions;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use domain::bulk::BulkResult;
use domain::interaction::{
    Interaction, InteractionBulkRequest, InteractionInput, InteractionPatch, InteractionQuery,
    TimelineEntry, TimelineQuery,
};
use domain::{CustomerId, InteractionId, Page, Problem};

/// Interactions of customers the caller may see: filters, `q` full-text search over subject and body, keyset.
#[utoipa::path(get, path = "/interactions", tag = "interactions", params(InteractionQuery),
    responses((status = 200, body = Page<Interaction>), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn list(
    State(s): State<AppState>,
    Caller(a): Caller,
    ApiQuery(q): ApiQuery<InteractionQuery>,
) -> ApiResult<Json<Page<Interaction>>> {
    Ok(Json(interactions::list(&s.ctx, &a, q).await?))
}

/// The customer's interactions, newest first (the interaction timeline).
#[utoipa::path(get, path = "/customers/{id}/interactions", tag = "interactions", params(("id" = String, Path, format = Uuid), InteractionQuery),
    responses((status = 200, body = Page<Interaction>), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn list_for_customer(
    State(s): State<AppState>,
    Caller(a): Caller,
    PathId(id): PathId<CustomerId>,
    ApiQuery(q): ApiQuery<InteractionQuery>,
) -> ApiResult<Json<Page<Interaction>>> {
    Ok(Json(interactions::for_customer(&s.ctx, &a, id, q).await?))
}

/// The merged activity feed of a customer: interactions, tasks, tickets, opportunity stage changes and the
/// customer's audit events, newest first, keyset-paged.
#[utoipa::path(get, path = "/customers/{id}/timeline", tag = "interactions", params(("id" = String, Path, format = Uuid), TimelineQuery),
    responses((status = 200, body = Page<TimelineEntry>), (status = 404, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn timeline(
    State(s): State<AppState>,
    Caller(a): Caller,
    PathId(id): PathId<CustomerId>,
    ApiQuery(q): ApiQuery<TimelineQuery>,
) -> ApiResult<Json<Page<TimelineEntry>>> {
    Ok(Json(interactions::timeline(&s.ctx, &a, id, q).await?))
}

#[utoipa::path(post, path = "/interactions", tag = "interactions", request_body = InteractionInput,
    responses((status = 201, body = Interaction), (status = 403, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn create(
    State(s): State<AppState>,
    Caller(a): Caller,
    ApiJson(input): ApiJson<InteractionInput>,
) -> ApiResult<Response> {
    let i = interactions::create(&s.ctx, &a, input).await?;
    Ok(record(
        StatusCode::CREATED,
        &i,
        i.version,
        Some(format!("/api/v1/interactions/{}", i.id)),
    ))
}

/// All or nothing: one bad item → 422 naming `items[i].field`, and nothing is written.
#[utoipa::path(post, path = "/interactions/bulk", tag = "interactions", request_body = Items<InteractionInput>,
    responses((status = 201, body = Data<Interaction>), (status = 413, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn bulk_create(
    State(s): State<AppState>,
    Caller(a): Caller,
    ApiJson(req): ApiJson<Items<InteractionInput>>,
) -> ApiResult<Response> {
    let data = interactions::bulk_create(&s.ctx, &a, req.items).await?;
    Ok((StatusCode::CREATED, Json(Data { data })).into_response())
}

/// Delete many interactions at once (all or nothing).
#[utoipa::path(post, path = "/interactions/bulk-actions", tag = "interactions", request_body = InteractionBulkRequest,
    responses((status = 200, body = BulkResult), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn bulk_action(
    State(s): State<AppState>,
    Caller(a): Caller,
    ApiJson(req): ApiJson<InteractionBulkRequest>,
) -> ApiResult<Json<BulkResult>> {
    Ok(Json(interactions::bulk_action(&s.ctx, &a, req).await?))
}

#[utoipa::path(get, path = "/interactions/{id}", tag = "interactions", params(("id" = String, Path, format = Uuid)),
    responses((status = 200, body = Interaction), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn get(
    State(s): State<AppState>,
    Caller(a): Caller,
    PathId(id): PathId<InteractionId>,
) -> ApiResult<Response> {
    let i = interactions::get(&s.ctx, &a, id).await?;
    Ok(record(StatusCode::OK, &i, i.version, None))
}

#[utoipa::path(patch, path = "/interactions/{id}", tag = "interactions", params(("id" = String, Path, format = Uuid)), request_body = InteractionPatch,
    responses((status = 200, body = Interaction), (status = 403, body = Problem), (status = 404, body = Problem), (status = 412, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn update(
    State(s): State<AppState>,
    Caller(a): Caller,
    PathId(id): PathId<InteractionId>,
    IfMatch(v): IfMatch,
    ApiJson(patch): ApiJson<InteractionPatch>,
) -> ApiResult<Response> {
    let i = interactions::update(&s.ctx, &a, id, v, patch).await?;
    Ok(record(StatusCode::OK, &i, i.version, None))
}

#[utoipa::path(delete, path = "/interactions/{id}", tag = "interactions", params(("id" = String, Path, format = Uuid)),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem), (status = 412, body = Problem)), security(("bearer" = [])))]
pub async fn delete(
    State(s): State<AppState>,
    Caller(a): Caller,
    PathId(id): PathId<InteractionId>,
    IfMatch(v): IfMatch,
) -> ApiResult<StatusCode> {
    interactions::delete(&s.ctx, &a, id, v).await?;
    Ok(StatusCode::NO_CONTENT)
}
