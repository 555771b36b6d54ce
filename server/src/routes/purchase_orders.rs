//! `/api/v1/purchase-orders`: drafting, sending, cancelling, receiving, and the reorder suggestions.

use super::customers::{Data, Items};
use super::record;
use crate::extract::{ApiJson, ApiQuery, Caller, IfMatch, PathId};
use crate::problem::ApiResult;
use crate::state::AppState;
use app::ssr::services::purchase_orders;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use domain::purchase_order::{
    DraftSuggestedInput, PurchaseOrder, PurchaseOrderInput, PurchaseOrderPatch, PurchaseOrderQuery,
    ReceiveInput, SuggestedOrder,
};
use domain::{Page, Problem, PurchaseOrderId};

#[utoipa::path(get, path = "/purchase-orders", tag = "purchase-orders", params(PurchaseOrderQuery),
    responses((status = 200, body = Page<PurchaseOrder>), (status = 401, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn list(
    State(s): State<AppState>,
    Caller(a): Caller,
    ApiQuery(q): ApiQuery<PurchaseOrderQuery>,
) -> ApiResult<Json<Page<PurchaseOrder>>> {
    Ok(Json(purchase_orders::list(&s.ctx, &a, q).await?))
}

/// A new order is a draft (or `status: ordered` to send it at once); a line without `unit_price` gets the
/// vendor's price for the asset, else the asset's purchase price.
#[utoipa::path(post, path = "/purchase-orders", tag = "purchase-orders", request_body = PurchaseOrderInput,
    responses((status = 201, body = PurchaseOrder), (status = 403, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn create(
    State(s): State<AppState>,
    Caller(a): Caller,
    ApiJson(input): ApiJson<PurchaseOrderInput>,
) -> ApiResult<Response> {
    let o = purchase_orders::create(&s.ctx, &a, input).await?;
    Ok(record(
        StatusCode::CREATED,
        &o,
        o.version,
        Some(format!("/api/v1/purchase-orders/{}", o.id)),
    ))
}

#[utoipa::path(post, path = "/purchase-orders/bulk", tag = "purchase-orders", request_body = Items<PurchaseOrderInput>,
    responses((status = 201, body = Data<PurchaseOrder>), (status = 413, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn bulk_create(
    State(s): State<AppState>,
    Caller(a): Caller,
    ApiJson(req): ApiJson<Items<PurchaseOrderInput>>,
) -> ApiResult<Response> {
    let data = purchase_orders::bulk_create(&s.ctx, &a, req.items).await?;
    Ok((StatusCode::CREATED, Json(Data { data })).into_response())
}

#[utoipa::path(get, path = "/purchase-orders/{id}", tag = "purchase-orders", params(("id" = String, Path, format = Uuid)),
    responses((status = 200, body = PurchaseOrder), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn get(
    State(s): State<AppState>,
    Caller(a): Caller,
    PathId(id): PathId<PurchaseOrderId>,
) -> ApiResult<Response> {
    let o = purchase_orders::get(&s.ctx, &a, id).await?;
    Ok(record(StatusCode::OK, &o, o.version, None))
}

/// `{"status":"ordered"}` sends a draft; `cancelled` cancels an order with nothing received (409 for other
/// moves); a draft's lines, currency and notes may change.
#[utoipa::path(patch, path = "/purchase-orders/{id}", tag = "purchase-orders", params(("id" = String, Path, format = Uuid)), request_body = PurchaseOrderPatch,
    responses((status = 200, body = PurchaseOrder), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 412, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn update(
    State(s): State<AppState>,
    Caller(a): Caller,
    PathId(id): PathId<PurchaseOrderId>,
    IfMatch(v): IfMatch,
    ApiJson(patch): ApiJson<PurchaseOrderPatch>,
) -> ApiResult<Response> {
    let o = purchase_orders::update(&s.ctx, &a, id, v, patch).await?;
    Ok(record(StatusCode::OK, &o, o.version, None))
}

#[utoipa::path(delete, path = "/purchase-orders/{id}", tag = "purchase-orders", params(("id" = String, Path, format = Uuid)),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 412, body = Problem)), security(("bearer" = [])))]
pub async fn delete(
    State(s): State<AppState>,
    Caller(a): Caller,
    PathId(id): PathId<PurchaseOrderId>,
    IfMatch(v): IfMatch,
) -> ApiResult<StatusCode> {
    purchase_orders::delete(&s.ctx, &a, id, v).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Receives any part of any line: stock movements (and serial units where tracked) in one transaction;
/// more than outstanding → 422 on `lines[i].quantity`.
#[utoipa::path(post, path = "/purchase-orders/{id}/receive", tag = "purchase-orders", params(("id" = String, Path, format = Uuid)), request_body = ReceiveInput,
    responses((status = 200, body = PurchaseOrder), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn receive(
    State(s): State<AppState>,
    Caller(a): Caller,
    PathId(id): PathId<PurchaseOrderId>,
    ApiJson(input): ApiJson<ReceiveInput>,
) -> ApiResult<Response> {
    let o = purchase_orders::receive(&s.ctx, &a, id, input).await?;
    Ok(record(StatusCode::OK, &o, o.version, None))
}

/// Assets at or below their reorder point (not covered by open orders), grouped by vendor.
#[utoipa::path(get, path = "/purchase-orders/suggested", tag = "purchase-orders",
    responses((status = 200, body = Data<SuggestedOrder>), (status = 403, body = Problem)), security(("bearer" = [])))]
pub async fn suggested(
    State(s): State<AppState>,
    Caller(a): Caller,
) -> ApiResult<Json<Data<SuggestedOrder>>> {
    let data = purchase_orders::suggested(&s.ctx, &a).await?;
    Ok(Json(Data { data }))
}

/// Drafts the suggested orders (of `vendor_ids`, or all).
#[utoipa::path(post, path = "/purchase-orders/suggested", tag = "purchase-orders", request_body = DraftSuggestedInput,
    responses((status = 201, body = Data<PurchaseOrder>), (status = 403, body = Problem), (status = 409, body = Problem)), security(("bearer" = [])))]
pub async fn draft_suggested(
    State(s): State<AppState>,
    Caller(a): Caller,
    ApiJson(input): ApiJson<DraftSuggestedInput>,
) -> ApiResult<Response> {
    let data = purchase_orders::draft_suggested(&s.ctx, &a, input).await?;
    Ok((StatusCode::CREATED, Json(Data { data })).into_response())
}
