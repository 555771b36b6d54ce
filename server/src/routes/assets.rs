//! `/api/v1/assets`: the catalog, stock movements, allocation and return, maintenance, usage, depreciation and
//! demand planning.

use super::customers::{Data, Items};
use super::record;
use crate::extract::{ApiJson, ApiQuery, Caller, IfMatch, PathId};
use crate::problem::ApiResult;
use crate::state::AppState;
use app::ssr::repo::inventory::AllocationsOf;
use app::ssr::services::assets;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use domain::asset::{
    AdjustmentInput, AllocateInput, Allocation, Asset, AssetInput, AssetQuery, AssetUnit,
    DemandPlan, Depreciation, Maintenance, MaintenanceInput, ReturnInput, StockDiscrepancy,
    StockMovement, UsageInput,
};
use domain::{AssetId, CustomerId, Page, Problem, ProjectId, UserId};
use serde::Deserialize;

#[utoipa::path(get, path = "/assets", tag = "assets", params(AssetQuery),
    responses((status = 200, body = Page<Asset>), (status = 401, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn list(
    State(s): State<AppState>,
    Caller(a): Caller,
    ApiQuery(q): ApiQuery<AssetQuery>,
) -> ApiResult<Json<Page<Asset>>> {
    Ok(Json(assets::list(&s.ctx, &a, q).await?))
}

/// `total_quantity` is the opening stock of a quantity-tracked asset (a receipt in the ledger); serial-tracked
/// stock comes in by receiving purchase orders or adjustments with serial numbers.
#[utoipa::path(post, path = "/assets", tag = "assets", request_body = AssetInput,
    responses((status = 201, body = Asset), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn create(
    State(s): State<AppState>,
    Caller(a): Caller,
    ApiJson(input): ApiJson<AssetInput>,
) -> ApiResult<Response> {
    let x = assets::create(&s.ctx, &a, input).await?;
    Ok(record(
        StatusCode::CREATED,
        &x,
        x.version,
        Some(format!("/api/v1/assets/{}", x.id)),
    ))
}

#[utoipa::path(post, path = "/assets/bulk", tag = "assets", request_body = Items<AssetInput>,
    responses((status = 201, body = Data<Asset>), (status = 409, body = Problem), (status = 413, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn bulk_create(
    State(s): State<AppState>,
    Caller(a): Caller,
    ApiJson(req): ApiJson<Items<AssetInput>>,
) -> ApiResult<Response> {
    let data = assets::bulk_create(&s.ctx, &a, req.items).await?;
    Ok((StatusCode::CREATED, Json(Data { data })).into_response())
}

#[utoipa::path(get, path = "/assets/{id}", tag = "assets", params(("id" = String, Path, format = Uuid)),
    responses((status = 200, body = Asset), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn get(
    State(s): State<AppState>,
    Caller(a): Caller,
    PathId(id): PathId<AssetId>,
) -> ApiResult<Response> {
    let x = assets::get(&s.ctx, &a, id).await?;
    Ok(record(StatusCode::OK, &x, x.version, None))
}

/// A JSON merge patch of the catalog fields. Quantities are read-only (422): use an adjustment.
#[utoipa::path(patch, path = "/assets/{id}", tag = "assets", params(("id" = String, Path, format = Uuid)), request_body = AssetInput,
    responses((status = 200, body = Asset), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 412, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn update(
    State(s): State<AppState>,
    Caller(a): Caller,
    PathId(id): PathId<AssetId>,
    IfMatch(v): IfMatch,
    ApiJson(patch): ApiJson<serde_json::Map<String, serde_json::Value>>,
) -> ApiResult<Response> {
    let x = assets::update(&s.ctx, &a, id, v, patch).await?;
    Ok(record(StatusCode::OK, &x, x.version, None))
}

/// Only an asset without stock history can be deleted (409 otherwise: retire it).
#[utoipa::path(delete, path = "/assets/{id}", tag = "assets", params(("id" = String, Path, format = Uuid)),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 412, body = Problem)), security(("bearer" = [])))]
pub async fn delete(
    State(s): State<AppState>,
    Caller(a): Caller,
    PathId(id): PathId<AssetId>,
    IfMatch(v): IfMatch,
) -> ApiResult<StatusCode> {
    assets::delete(&s.ctx, &a, id, v).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Allocates `quantity` to exactly one of a project, customer or user. 409 when fewer are available — never
/// oversold, however many requests race.
#[utoipa::path(post, path = "/assets/{id}/allocate", tag = "assets", params(("id" = String, Path, format = Uuid)), request_body = AllocateInput,
    responses((status = 201, body = Allocation), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn allocate(
    State(s): State<AppState>,
    Caller(a): Caller,
    PathId(id): PathId<AssetId>,
    ApiJson(input): ApiJson<AllocateInput>,
) -> ApiResult<Response> {
    let x = assets::allocate(&s.ctx, &a, id, input).await?;
    Ok((StatusCode::CREATED, Json(x)).into_response())
}

/// Returns part or all of an allocation: `good` back to stock, `damaged`/`lost` written off. More than is
/// outstanding → 409.
#[utoipa::path(post, path = "/assets/{id}/return", tag = "assets", params(("id" = String, Path, format = Uuid)), request_body = ReturnInput,
    responses((status = 200, body = Allocation), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn return_items(
    State(s): State<AppState>,
    Caller(a): Caller,
    PathId(id): PathId<AssetId>,
    ApiJson(input): ApiJson<ReturnInput>,
) -> ApiResult<Json<Allocation>> {
    Ok(Json(assets::return_items(&s.ctx, &a, id, input).await?))
}

/// A counted correction or write-off of shelf stock, with a reason (audited).
#[utoipa::path(post, path = "/assets/{id}/adjustments", tag = "assets", params(("id" = String, Path, format = Uuid)), request_body = AdjustmentInput,
    responses((status = 200, body = Asset), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn adjust(
    State(s): State<AppState>,
    Caller(a): Caller,
    PathId(id): PathId<AssetId>,
    ApiJson(input): ApiJson<AdjustmentInput>,
) -> ApiResult<Response> {
    let x = assets::adjust(&s.ctx, &a, id, input).await?;
    Ok(record(StatusCode::OK, &x, x.version, None))
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    pub cursor: Option<String>,
    pub limit: Option<String>,
}

/// The stock ledger of the asset, newest first.
#[utoipa::path(get, path = "/assets/{id}/movements", tag = "assets", params(("id" = String, Path, format = Uuid), PageQuery),
    responses((status = 200, body = Page<StockMovement>), (status = 404, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn movements(
    State(s): State<AppState>,
    Caller(a): Caller,
    PathId(id): PathId<AssetId>,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiResult<Json<Page<StockMovement>>> {
    let limit = match q.limit.as_deref().filter(|l| !l.is_empty()) {
        Some(l) => Some(
            l.parse::<i64>()
                .map_err(|_| Problem::invalid_field("limit", "must be a whole number"))?,
        ),
        None => None,
    };
    Ok(Json(
        assets::movements(&s.ctx, &a, id, q.cursor, limit).await?,
    ))
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AllocationQuery {
    /// `true`: only allocations with units still out.
    pub open: Option<String>,
}

fn open_only(q: &AllocationQuery) -> Result<bool, Problem> {
    match q.open.as_deref() {
        None | Some("") => Ok(false),
        Some(v) => domain::asset::parse_bool(v).map_err(|m| Problem::invalid_field("open", m)),
    }
}

/// Allocation history of the asset, newest first.
#[utoipa::path(get, path = "/assets/{id}/allocations", tag = "assets", params(("id" = String, Path, format = Uuid), AllocationQuery),
    responses((status = 200, body = Data<Allocation>), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn allocations(
    State(s): State<AppState>,
    Caller(a): Caller,
    PathId(id): PathId<AssetId>,
    ApiQuery(q): ApiQuery<AllocationQuery>,
) -> ApiResult<Json<Data<Allocation>>> {
    let data = assets::allocations(&s.ctx, &a, AllocationsOf::Asset(id), open_only(&q)?).await?;
    Ok(Json(Data { data }))
}

/// Allocations to a project.
#[utoipa::path(get, path = "/projects/{id}/allocations", tag = "assets", params(("id" = String, Path, format = Uuid), AllocationQuery),
    responses((status = 200, body = Data<Allocation>), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn project_allocations(
    State(s): State<AppState>,
    Caller(a): Caller,
    PathId(id): PathId<ProjectId>,
    ApiQuery(q): ApiQuery<AllocationQuery>,
) -> ApiResult<Json<Data<Allocation>>> {
    let data = assets::allocations(&s.ctx, &a, AllocationsOf::Project(id), open_only(&q)?).await?;
    Ok(Json(Data { data }))
}

/// Allocations to a customer (directly or through its projects).
#[utoipa::path(get, path = "/customers/{id}/allocations", tag = "assets", params(("id" = String, Path, format = Uuid), AllocationQuery),
    responses((status = 200, body = Data<Allocation>), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn customer_allocations(
    State(s): State<AppState>,
    Caller(a): Caller,
    PathId(id): PathId<CustomerId>,
    ApiQuery(q): ApiQuery<AllocationQuery>,
) -> ApiResult<Json<Data<Allocation>>> {
    let data = assets::allocations(&s.ctx, &a, AllocationsOf::Customer(id), open_only(&q)?).await?;
    Ok(Json(Data { data }))
}

/// Allocations to a user.
#[utoipa::path(get, path = "/users/{id}/allocations", tag = "assets", params(("id" = String, Path, format = Uuid), AllocationQuery),
    responses((status = 200, body = Data<Allocation>), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn user_allocations(
    State(s): State<AppState>,
    Caller(a): Caller,
    PathId(id): PathId<UserId>,
    ApiQuery(q): ApiQuery<AllocationQuery>,
) -> ApiResult<Json<Data<Allocation>>> {
    let data = assets::allocations(&s.ctx, &a, AllocationsOf::User(id), open_only(&q)?).await?;
    Ok(Json(Data { data }))
}

/// Serial-numbered units of the asset.
#[utoipa::path(get, path = "/assets/{id}/units", tag = "assets", params(("id" = String, Path, format = Uuid)),
    responses((status = 200, body = Data<AssetUnit>), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn units(
    State(s): State<AppState>,
    Caller(a): Caller,
    PathId(id): PathId<AssetId>,
) -> ApiResult<Json<Data<AssetUnit>>> {
    let data = assets::units(&s.ctx, &a, id).await?;
    Ok(Json(Data { data }))
}

#[utoipa::path(get, path = "/assets/{id}/maintenance", tag = "assets", params(("id" = String, Path, format = Uuid)),
    responses((status = 200, body = Data<Maintenance>), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn maintenance(
    State(s): State<AppState>,
    Caller(a): Caller,
    PathId(id): PathId<AssetId>,
) -> ApiResult<Json<Data<Maintenance>>> {
    let data = assets::maintenance(&s.ctx, &a, id).await?;
    Ok(Json(Data { data }))
}

/// Logs maintenance done (`performed_at`) or planned (`scheduled_for`); the planned date (or `next_due`) becomes
/// a task with a reminder for the caller.
#[utoipa::path(post, path = "/assets/{id}/maintenance", tag = "assets", params(("id" = String, Path, format = Uuid)), request_body = MaintenanceInput,
    responses((status = 201, body = Maintenance), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn add_maintenance(
    State(s): State<AppState>,
    Caller(a): Caller,
    PathId(id): PathId<AssetId>,
    ApiJson(input): ApiJson<MaintenanceInput>,
) -> ApiResult<Response> {
    let m = assets::add_maintenance(&s.ctx, &a, id, input).await?;
    Ok((StatusCode::CREATED, Json(m)).into_response())
}

/// Units used in a month (units-of-production depreciation).
#[utoipa::path(post, path = "/assets/{id}/usage", tag = "assets", params(("id" = String, Path, format = Uuid)), request_body = UsageInput,
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn set_usage(
    State(s): State<AppState>,
    Caller(a): Caller,
    PathId(id): PathId<AssetId>,
    ApiJson(input): ApiJson<UsageInput>,
) -> ApiResult<StatusCode> {
    assets::set_usage(&s.ctx, &a, id, input).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AsOfQuery {
    /// Date of the book value (default today).
    pub as_of: Option<String>,
}

pub fn parse_as_of(q: &AsOfQuery) -> Result<Option<chrono::NaiveDate>, Problem> {
    match q.as_of.as_deref().filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| Problem::invalid_field("as_of", "must be a date (YYYY-MM-DD)")),
    }
}

/// The monthly depreciation schedule of one unit and the book value at `as_of`.
#[utoipa::path(get, path = "/assets/{id}/depreciation", tag = "assets", params(("id" = String, Path, format = Uuid), AsOfQuery),
    responses((status = 200, body = Depreciation), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn depreciation(
    State(s): State<AppState>,
    Caller(a): Caller,
    PathId(id): PathId<AssetId>,
    ApiQuery(q): ApiQuery<AsOfQuery>,
) -> ApiResult<Json<Depreciation>> {
    let as_of = parse_as_of(&q)?;
    Ok(Json(assets::depreciation(&s.ctx, &a, id, as_of).await?))
}

/// Project demand of this asset against what is available and on order.
#[utoipa::path(get, path = "/assets/{id}/demand", tag = "assets", params(("id" = String, Path, format = Uuid)),
    responses((status = 200, body = DemandPlan), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn demand(
    State(s): State<AppState>,
    Caller(a): Caller,
    PathId(id): PathId<AssetId>,
) -> ApiResult<Json<DemandPlan>> {
    Ok(Json(assets::demand_plan(&s.ctx, &a, id).await?))
}

/// Assets whose stored quantities disagree with their ledger (read-only; `crm-ims stock reconcile` prints it).
#[utoipa::path(get, path = "/assets/reconcile", tag = "assets",
    responses((status = 200, body = Data<StockDiscrepancy>), (status = 403, body = Problem)), security(("bearer" = [])))]
pub async fn reconcile(
    State(s): State<AppState>,
    Caller(a): Caller,
) -> ApiResult<Json<Data<StockDiscrepancy>>> {
    let data = assets::reconcile(&s.ctx, &a).await?;
    Ok(Json(Data { data }))
}
