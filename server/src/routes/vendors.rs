//! `/api/v1/vendors` and the prices vendors charge per asset.

use super::customers::{Data, Items};
use super::record;
use crate::extract::{ApiJson, ApiQuery, Caller, IfMatch, PathId};
use crate::problem::{ApiProblem, ApiResult};
use crate::state::AppState;
use app::ssr::services::vendors;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use domain::vendor::{Vendor, VendorAsset, VendorAssetInput, VendorInput, VendorQuery};
use domain::{AssetId, Page, Problem, VendorId};

#[utoipa::path(get, path = "/vendors", tag = "vendors", params(VendorQuery),
    responses((status = 200, body = Page<Vendor>), (status = 401, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn list(
    State(s): State<AppState>,
    Caller(a): Caller,
    ApiQuery(q): ApiQuery<VendorQuery>,
) -> ApiResult<Json<Page<Vendor>>> {
    Ok(Json(vendors::list(&s.ctx, &a, q).await?))
}

#[utoipa::path(post, path = "/vendors", tag = "vendors", request_body = VendorInput,
    responses((status = 201, body = Vendor), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn create(
    State(s): State<AppState>,
    Caller(a): Caller,
    ApiJson(input): ApiJson<VendorInput>,
) -> ApiResult<Response> {
    let v = vendors::create(&s.ctx, &a, input).await?;
    Ok(record(
        StatusCode::CREATED,
        &v,
        v.version,
        Some(format!("/api/v1/vendors/{}", v.id)),
    ))
}

#[utoipa::path(post, path = "/vendors/bulk", tag = "vendors", request_body = Items<VendorInput>,
    responses((status = 201, body = Data<Vendor>), (status = 409, body = Problem), (status = 413, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn bulk_create(
    State(s): State<AppState>,
    Caller(a): Caller,
    ApiJson(req): ApiJson<Items<VendorInput>>,
) -> ApiResult<Response> {
    let data = vendors::bulk_create(&s.ctx, &a, req.items).await?;
    Ok((StatusCode::CREATED, Json(Data { data })).into_response())
}

#[utoipa::path(get, path = "/vendors/{id}", tag = "vendors", params(("id" = String, Path, format = Uuid)),
    responses((status = 200, body = Vendor), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn get(
    State(s): State<AppState>,
    Caller(a): Caller,
    PathId(id): PathId<VendorId>,
) -> ApiResult<Response> {
    let v = vendors::get(&s.ctx, &a, id).await?;
    Ok(record(StatusCode::OK, &v, v.version, None))
}

/// A JSON merge patch.
#[utoipa::path(patch, path = "/vendors/{id}", tag = "vendors", params(("id" = String, Path, format = Uuid)), request_body = VendorInput,
    responses((status = 200, body = Vendor), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 412, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn update(
    State(s): State<AppState>,
    Caller(a): Caller,
    PathId(id): PathId<VendorId>,
    IfMatch(v): IfMatch,
    ApiJson(patch): ApiJson<serde_json::Map<String, serde_json::Value>>,
) -> ApiResult<Response> {
    let x = vendors::update(&s.ctx, &a, id, v, patch).await?;
    Ok(record(StatusCode::OK, &x, x.version, None))
}

#[utoipa::path(delete, path = "/vendors/{id}", tag = "vendors", params(("id" = String, Path, format = Uuid)),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 412, body = Problem)), security(("bearer" = [])))]
pub async fn delete(
    State(s): State<AppState>,
    Caller(a): Caller,
    PathId(id): PathId<VendorId>,
    IfMatch(v): IfMatch,
) -> ApiResult<StatusCode> {
    vendors::delete(&s.ctx, &a, id, v).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The assets this vendor supplies, with prices.
#[utoipa::path(get, path = "/vendors/{id}/assets", tag = "vendors", params(("id" = String, Path, format = Uuid)),
    responses((status = 200, body = Data<VendorAsset>), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn assets(
    State(s): State<AppState>,
    Caller(a): Caller,
    PathId(id): PathId<VendorId>,
) -> ApiResult<Json<Data<VendorAsset>>> {
    let data = vendors::assets(&s.ctx, &a, id).await?;
    Ok(Json(Data { data }))
}

/// The vendors of an asset, with prices.
#[utoipa::path(get, path = "/assets/{id}/vendors", tag = "vendors", params(("id" = String, Path, format = Uuid)),
    responses((status = 200, body = Data<VendorAsset>), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn of_asset(
    State(s): State<AppState>,
    Caller(a): Caller,
    PathId(id): PathId<AssetId>,
) -> ApiResult<Json<Data<VendorAsset>>> {
    let data = vendors::of_asset(&s.ctx, &a, id).await?;
    Ok(Json(Data { data }))
}

fn price_path(Path((v, a)): Path<(String, String)>) -> Result<(VendorId, AssetId), ApiProblem> {
    match (uuid::Uuid::parse_str(&v), uuid::Uuid::parse_str(&a)) {
        (Ok(v), Ok(a)) => Ok((VendorId(v), AssetId(a))),
        _ => Err(Problem::not_found("vendor price").into()),
    }
}

/// Sets (or replaces) the vendor's price for an asset.
#[utoipa::path(put, path = "/vendors/{id}/assets/{asset_id}", tag = "vendors",
    params(("id" = String, Path, format = Uuid), ("asset_id" = String, Path, format = Uuid)), request_body = VendorAssetInput,
    responses((status = 200, body = VendorAsset), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn set_price(
    State(s): State<AppState>,
    Caller(a): Caller,
    path: Path<(String, String)>,
    ApiJson(input): ApiJson<VendorAssetInput>,
) -> ApiResult<Json<VendorAsset>> {
    let (v, asset) = price_path(path)?;
    Ok(Json(vendors::set_price(&s.ctx, &a, v, asset, input).await?))
}

#[utoipa::path(delete, path = "/vendors/{id}/assets/{asset_id}", tag = "vendors",
    params(("id" = String, Path, format = Uuid), ("asset_id" = String, Path, format = Uuid)),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn remove_price(
    State(s): State<AppState>,
    Caller(a): Caller,
    path: Path<(String, String)>,
) -> ApiResult<StatusCode> {
    let (v, asset) = price_path(path)?;
    vendors::remove_price(&s.ctx, &a, v, asset).await?;
    Ok(StatusCode::NO_CONTENT)
}
