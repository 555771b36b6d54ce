use super::record;
use crate::extract::{ApiJson, ApiQuery, Caller, IfMatch, PathId};
use crate::problem::ApiResult;
use crate::state::AppState;
use app::ssr::services::customers;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use domain::bulk::BulkResult;
use domain::customer::{
    Customer, CustomerBulkRequest, CustomerInput, CustomerPatch, CustomerQuery,
};
use domain::{CustomerId, Page, Problem};
use serde::{Deserialize, Serialize};

/// List customers the caller may see: filters, sort, `q` search, keyset paging.
#[utoipa::path(get, path = "/customers", tag = "customers", params(CustomerQuery),
    responses((status = 200, body = Page<Customer>), (status = 401, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn list(
    State(s): State<AppState>,
    Caller(a): Caller,
    ApiQuery(q): ApiQuery<CustomerQuery>,
) -> ApiResult<Json<Page<Customer>>> {
    Ok(Json(customers::list(&s.ctx, &a, q).await?))
}

#[utoipa::path(get, path = "/customers/{id}", tag = "customers", params(("id" = String, Path, format = Uuid)),
    responses((status = 200, body = Customer), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn get(
    State(s): State<AppState>,
    Caller(a): Caller,
    PathId(id): PathId<CustomerId>,
) -> ApiResult<Response> {
    let c = customers::get(&s.ctx, &a, id).await?;
    Ok(record(StatusCode::OK, &c, c.version, None))
}

#[utoipa::path(post, path = "/customers", tag = "customers", request_body = CustomerInput,
    responses((status = 201, body = Customer), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn create(
    State(s): State<AppState>,
    Caller(a): Caller,
    ApiJson(input): ApiJson<CustomerInput>,
) -> ApiResult<Response> {
    let c = customers::create(&s.ctx, &a, input).await?;
    Ok(record(
        StatusCode::CREATED,
        &c,
        c.version,
        Some(format!("/api/v1/customers/{}", c.id)),
    ))
}

/// Partial update; send `If-Match` with the version you saw to get 412 instead of overwriting a newer change.
#[utoipa::path(patch, path = "/customers/{id}", tag = "customers", params(("id" = String, Path, format = Uuid)), request_body = CustomerPatch,
    responses((status = 200, body = Customer), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 412, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn update(
    State(s): State<AppState>,
    Caller(a): Caller,
    PathId(id): PathId<CustomerId>,
    IfMatch(v): IfMatch,
    ApiJson(patch): ApiJson<CustomerPatch>,
) -> ApiResult<Response> {
    let c = customers::update(&s.ctx, &a, id, v, patch).await?;
    Ok(record(StatusCode::OK, &c, c.version, None))
}

#[utoipa::path(delete, path = "/customers/{id}", tag = "customers", params(("id" = String, Path, format = Uuid)),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem), (status = 412, body = Problem)), security(("bearer" = [])))]
pub async fn delete(
    State(s): State<AppState>,
    Caller(a): Caller,
    PathId(id): PathId<CustomerId>,
    IfMatch(v): IfMatch,
) -> ApiResult<StatusCode> {
    customers::delete(&s.ctx, &a, id, v).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `{"items":[…]}` for bulk creates.
#[derive(Debug, Deserialize, Serialize, utoipa::ToSchema)]
pub struct Items<T> {
    pub items: Vec<T>,
}

/// `{"data":[…]}` answers of bulk creates.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Data<T> {
    pub data: Vec<T>,
}

/// All or nothing: one bad item → 422 naming `items[i].field`, and nothing is written.
#[utoipa::path(post, path = "/customers/bulk", tag = "customers", request_body = Items<CustomerInput>,
    responses((status = 201, body = Data<Customer>), (status = 409, body = Problem), (status = 413, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn bulk_create(
    State(s): State<AppState>,
    Caller(a): Caller,
    ApiJson(req): ApiJson<Items<CustomerInput>>,
) -> ApiResult<Response> {
    let data = customers::bulk_create(&s.ctx, &a, req.items).await?;
    Ok((StatusCode::CREATED, Json(Data { data })).into_response())
}

/// Assign owner, add/remove a tag, set status or delete for many customers at once (all or nothing).
#[utoipa::path(post, path = "/customers/bulk-actions", tag = "customers", request_body = CustomerBulkRequest,
    responses((status = 200, body = BulkResult), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn bulk_action(
    State(s): State<AppState>,
    Caller(a): Caller,
    ApiJson(req): ApiJson<CustomerBulkRequest>,
) -> ApiResult<Json<BulkResult>> {
    Ok(Json(customers::bulk_action(&s.ctx, &a, req).await?))
}
