use super::customers::{Data, Items};
use super::record;
use crate::extract::{ApiJson, ApiQuery, Caller, IfMatch, PathId, parse_json};
use crate::problem::ApiResult;
use crate::state::AppState;
use app::ssr::services::{lead_conversion, leads};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use domain::bulk::BulkResult;
use domain::lead::{
    DuplicateCandidate, Lead, LeadBulkRequest, LeadConversion, LeadConvertInput, LeadInput,
    LeadPatch, LeadQuery,
};
use domain::{LeadId, Page, Problem};

/// List leads the caller may see: filters, sort, `q` search, keyset paging.
#[utoipa::path(get, path = "/leads", tag = "leads", params(LeadQuery),
    responses((status = 200, body = Page<Lead>), (status = 401, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn list(
    State(s): State<AppState>,
    Caller(a): Caller,
    ApiQuery(q): ApiQuery<LeadQuery>,
) -> ApiResult<Json<Page<Lead>>> {
    Ok(Json(leads::list(&s.ctx, &a, q).await?))
}

#[utoipa::path(get, path = "/leads/{id}", tag = "leads", params(("id" = String, Path, format = Uuid)),
    responses((status = 200, body = Lead), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn get(
    State(s): State<AppState>,
    Caller(a): Caller,
    PathId(id): PathId<LeadId>,
) -> ApiResult<Response> {
    let l = leads::get(&s.ctx, &a, id).await?;
    Ok(record(StatusCode::OK, &l, l.version, None))
}

/// The owner defaults to the caller; `converted` cannot be set here (convert the lead instead).
#[utoipa::path(post, path = "/leads", tag = "leads", request_body = LeadInput,
    responses((status = 201, body = Lead), (status = 403, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn create(
    State(s): State<AppState>,
    Caller(a): Caller,
    ApiJson(input): ApiJson<LeadInput>,
) -> ApiResult<Response> {
    let l = leads::create(&s.ctx, &a, input).await?;
    let location = format!("/api/v1/leads/{}", l.id);
    Ok(record(StatusCode::CREATED, &l, l.version, Some(location)))
}

/// Partial update; a converted lead answers 409. Send `If-Match` to get 412 instead of overwriting.
#[utoipa::path(patch, path = "/leads/{id}", tag = "leads", params(("id" = String, Path, format = Uuid)), request_body = LeadPatch,
    responses((status = 200, body = Lead), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 412, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn update(
    State(s): State<AppState>,
    Caller(a): Caller,
    PathId(id): PathId<LeadId>,
    IfMatch(v): IfMatch,
    ApiJson(patch): ApiJson<LeadPatch>,
) -> ApiResult<Response> {
    let l = leads::update(&s.ctx, &a, id, v, patch).await?;
    Ok(record(StatusCode::OK, &l, l.version, None))
}

#[utoipa::path(delete, path = "/leads/{id}", tag = "leads", params(("id" = String, Path, format = Uuid)),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem), (status = 412, body = Problem)), security(("bearer" = [])))]
pub async fn delete(
    State(s): State<AppState>,
    Caller(a): Caller,
    PathId(id): PathId<LeadId>,
    IfMatch(v): IfMatch,
) -> ApiResult<StatusCode> {
    leads::delete(&s.ctx, &a, id, v).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// All or nothing: one bad item → 422 naming `items[i].field`, and nothing is written.
#[utoipa::path(post, path = "/leads/bulk", tag = "leads", request_body = Items<LeadInput>,
    responses((status = 201, body = Data<Lead>), (status = 413, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn bulk_create(
    State(s): State<AppState>,
    Caller(a): Caller,
    ApiJson(req): ApiJson<Items<LeadInput>>,
) -> ApiResult<Response> {
    let data = leads::bulk_create(&s.ctx, &a, req.items).await?;
    Ok((StatusCode::CREATED, Json(Data { data })).into_response())
}

/// Assign owner, set status or delete for many leads at once (all or nothing).
#[utoipa::path(post, path = "/leads/bulk-actions", tag = "leads", request_body = LeadBulkRequest,
    responses((status = 200, body = BulkResult), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn bulk_action(
    State(s): State<AppState>,
    Caller(a): Caller,
    ApiJson(req): ApiJson<LeadBulkRequest>,
) -> ApiResult<Json<BulkResult>> {
    Ok(Json(leads::bulk_action(&s.ctx, &a, req).await?))
}

/// Customer (new, or `customer_id` to attach to an existing one), contact and opportunity in one transaction.
/// The body is optional. Converting twice, or a disqualified lead → 409.
#[utoipa::path(post, path = "/leads/{id}/convert", tag = "leads", params(("id" = String, Path, format = Uuid)), request_body = LeadConvertInput,
    responses((status = 201, body = LeadConversion), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn convert(
    State(s): State<AppState>,
    Caller(a): Caller,
    PathId(id): PathId<LeadId>,
    body: Bytes,
) -> ApiResult<Response> {
    let input = if body.iter().all(u8::is_ascii_whitespace) {
        LeadConvertInput::default()
    } else {
        parse_json(&body)?
    };
    let c = lead_conversion::convert(&s.ctx, &a, id, input).await?;
    Ok((StatusCode::CREATED, Json(c)).into_response())
}

/// `{"data":[…]}`: the lead's possible duplicates among the customers the caller sees, best first.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct Duplicates {
    pub data: Vec<DuplicateCandidate>,
}

/// Customers that may already be this lead's company: same e-mail, same company domain, or a similar name.
#[utoipa::path(get, path = "/leads/{id}/duplicates", tag = "leads", params(("id" = String, Path, format = Uuid)),
    responses((status = 200, body = Duplicates), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn duplicates(
    State(s): State<AppState>,
    Caller(a): Caller,
    PathId(id): PathId<LeadId>,
) -> ApiResult<Json<Duplicates>> {
    let data = lead_conversion::duplicates(&s.ctx, &a, id).await?;
    Ok(Json(Duplicates { data }))
}
