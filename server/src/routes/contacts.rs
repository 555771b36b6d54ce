use super::customers::{Data, Items};
use super::record;
use crate::extract::{ApiJson, ApiQuery, Caller, IfMatch, PathId};
use crate::problem::ApiResult;
use crate::state::AppState;
use app::ssr::services::contacts;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use domain::contact::{Contact, ContactInput, ContactPatch, ContactQuery};
use domain::{ContactId, CustomerId, Page, Problem};

#[utoipa::path(get, path = "/contacts", tag = "contacts", params(ContactQuery),
    responses((status = 200, body = Page<Contact>), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn list(
    State(s): State<AppState>,
    Caller(a): Caller,
    ApiQuery(q): ApiQuery<ContactQuery>,
) -> ApiResult<Json<Page<Contact>>> {
    Ok(Json(contacts::list(&s.ctx, &a, q).await?))
}

/// The contacts of one customer.
#[utoipa::path(get, path = "/customers/{id}/contacts", tag = "contacts", params(("id" = String, Path, format = Uuid), ContactQuery),
    responses((status = 200, body = Page<Contact>), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn list_for_customer(
    State(s): State<AppState>,
    Caller(a): Caller,
    PathId(id): PathId<CustomerId>,
    ApiQuery(mut q): ApiQuery<ContactQuery>,
) -> ApiResult<Json<Page<Contact>>> {
    q.customer_id = Some(id.to_string());
    Ok(Json(contacts::list(&s.ctx, &a, q).await?))
}

#[utoipa::path(post, path = "/contacts", tag = "contacts", request_body = ContactInput,
    responses((status = 201, body = Contact), (status = 403, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn create(
    State(s): State<AppState>,
    Caller(a): Caller,
    ApiJson(input): ApiJson<ContactInput>,
) -> ApiResult<Response> {
    let c = contacts::create(&s.ctx, &a, input).await?;
    Ok(record(
        StatusCode::CREATED,
        &c,
        c.version,
        Some(format!("/api/v1/contacts/{}", c.id)),
    ))
}

#[utoipa::path(post, path = "/customers/{id}/contacts", tag = "contacts", params(("id" = String, Path, format = Uuid)), request_body = ContactInput,
    responses((status = 201, body = Contact), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn create_for_customer(
    State(s): State<AppState>,
    Caller(a): Caller,
    PathId(id): PathId<CustomerId>,
    ApiJson(mut input): ApiJson<ContactInput>,
) -> ApiResult<Response> {
    // The customer in the path must exist for the caller: 404 (not 422) when it does not.
    app::ssr::services::customers::get(&s.ctx, &a, id).await?;
    input.customer_id = Some(id);
    let c = contacts::create(&s.ctx, &a, input).await?;
    Ok(record(
        StatusCode::CREATED,
        &c,
        c.version,
        Some(format!("/api/v1/contacts/{}", c.id)),
    ))
}

#[utoipa::path(post, path = "/contacts/bulk", tag = "contacts", request_body = Items<ContactInput>,
    responses((status = 201, body = Data<Contact>), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn bulk_create(
    State(s): State<AppState>,
    Caller(a): Caller,
    ApiJson(req): ApiJson<Items<ContactInput>>,
) -> ApiResult<Response> {
    let data = contacts::bulk_create(&s.ctx, &a, req.items).await?;
    Ok((StatusCode::CREATED, Json(Data { data })).into_response())
}

#[utoipa::path(get, path = "/contacts/{id}", tag = "contacts", params(("id" = String, Path, format = Uuid)),
    responses((status = 200, body = Contact), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn get(
    State(s): State<AppState>,
    Caller(a): Caller,
    PathId(id): PathId<ContactId>,
) -> ApiResult<Response> {
    let c = contacts::get(&s.ctx, &a, id).await?;
    Ok(record(StatusCode::OK, &c, c.version, None))
}

#[utoipa::path(patch, path = "/contacts/{id}", tag = "contacts", params(("id" = String, Path, format = Uuid)), request_body = ContactPatch,
    responses((status = 200, body = Contact), (status = 403, body = Problem), (status = 404, body = Problem), (status = 412, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn update(
    State(s): State<AppState>,
    Caller(a): Caller,
    PathId(id): PathId<ContactId>,
    IfMatch(v): IfMatch,
    ApiJson(patch): ApiJson<ContactPatch>,
) -> ApiResult<Response> {
    let c = contacts::update(&s.ctx, &a, id, v, patch).await?;
    Ok(record(StatusCode::OK, &c, c.version, None))
}

#[utoipa::path(delete, path = "/contacts/{id}", tag = "contacts", params(("id" = String, Path, format = Uuid)),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem), (status = 412, body = Problem)), security(("bearer" = [])))]
pub async fn delete(
    State(s): State<AppState>,
    Caller(a): Caller,
    PathId(id): PathId<ContactId>,
    IfMatch(v): IfMatch,
) -> ApiResult<StatusCode> {
    contacts::delete(&s.ctx, &a, id, v).await?;
    Ok(StatusCode::NO_CONTENT)
}
