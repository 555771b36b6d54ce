use super::customers::{Data, Items};
use super::record;
use crate::extract::{ApiJson, ApiQuery, Caller, IfMatch, PathId};
use crate::problem::ApiResult;
use crate::state::AppState;
use app::ssr::services::tickets;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use domain::bulk::BulkResult;
use domain::ticket::{
    Ticket, TicketBulkRequest, TicketComment, TicketCommentInput, TicketCommentQuery, TicketInput,
    TicketPatch, TicketQuery,
};
use domain::{Page, Problem, TicketId};

/// Tickets of customers the caller may see: filters (status list, priority, assignee, `mine`, `breached`),
/// sort, `q` search, keyset paging.
#[utoipa::path(get, path = "/tickets", tag = "tickets", params(TicketQuery),
    responses((status = 200, body = Page<Ticket>), (status = 401, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn list(
    State(s): State<AppState>,
    Caller(a): Caller,
    ApiQuery(q): ApiQuery<TicketQuery>,
) -> ApiResult<Json<Page<Ticket>>> {
    Ok(Json(tickets::list(&s.ctx, &a, q).await?))
}

#[utoipa::path(post, path = "/tickets", tag = "tickets", request_body = TicketInput,
    responses((status = 201, body = Ticket), (status = 403, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn create(
    State(s): State<AppState>,
    Caller(a): Caller,
    ApiJson(input): ApiJson<TicketInput>,
) -> ApiResult<Response> {
    let t = tickets::create(&s.ctx, &a, input).await?;
    Ok(record(
        StatusCode::CREATED,
        &t,
        t.version,
        Some(format!("/api/v1/tickets/{}", t.id)),
    ))
}

/// All or nothing: one bad item → 422 naming `items[i].field`, and nothing is written.
#[utoipa::path(post, path = "/tickets/bulk", tag = "tickets", request_body = Items<TicketInput>,
    responses((status = 201, body = Data<Ticket>), (status = 413, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn bulk_create(
    State(s): State<AppState>,
    Caller(a): Caller,
    ApiJson(req): ApiJson<Items<TicketInput>>,
) -> ApiResult<Response> {
    let data = tickets::bulk_create(&s.ctx, &a, req.items).await?;
    Ok((StatusCode::CREATED, Json(Data { data })).into_response())
}

/// Assign, set status (each along the workflow) or delete many tickets at once (all or nothing).
#[utoipa::path(post, path = "/tickets/bulk-actions", tag = "tickets", request_body = TicketBulkRequest,
    responses((status = 200, body = BulkResult), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn bulk_action(
    State(s): State<AppState>,
    Caller(a): Caller,
    ApiJson(req): ApiJson<TicketBulkRequest>,
) -> ApiResult<Json<BulkResult>> {
    Ok(Json(tickets::bulk_action(&s.ctx, &a, req).await?))
}

#[utoipa::path(get, path = "/tickets/{id}", tag = "tickets", params(("id" = String, Path, format = Uuid)),
    responses((status = 200, body = Ticket), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn get(
    State(s): State<AppState>,
    Caller(a): Caller,
    PathId(id): PathId<TicketId>,
) -> ApiResult<Response> {
    let t = tickets::get(&s.ctx, &a, id).await?;
    Ok(record(StatusCode::OK, &t, t.version, None))
}

/// Partial update; `status` must be a move the workflow allows (else 409); a new `priority` recomputes the SLA.
#[utoipa::path(patch, path = "/tickets/{id}", tag = "tickets", params(("id" = String, Path, format = Uuid)), request_body = TicketPatch,
    responses((status = 200, body = Ticket), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 412, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn update(
    State(s): State<AppState>,
    Caller(a): Caller,
    PathId(id): PathId<TicketId>,
    IfMatch(v): IfMatch,
    ApiJson(patch): ApiJson<TicketPatch>,
) -> ApiResult<Response> {
    let t = tickets::update(&s.ctx, &a, id, v, patch).await?;
    Ok(record(StatusCode::OK, &t, t.version, None))
}

#[utoipa::path(delete, path = "/tickets/{id}", tag = "tickets", params(("id" = String, Path, format = Uuid)),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem), (status = 412, body = Problem)), security(("bearer" = [])))]
pub async fn delete(
    State(s): State<AppState>,
    Caller(a): Caller,
    PathId(id): PathId<TicketId>,
    IfMatch(v): IfMatch,
) -> ApiResult<StatusCode> {
    tickets::delete(&s.ctx, &a, id, v).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The comments of a ticket, oldest first, keyset paged; internal notes only for roles that work tickets.
#[utoipa::path(get, path = "/tickets/{id}/comments", tag = "tickets", params(("id" = String, Path, format = Uuid), TicketCommentQuery),
    responses((status = 200, body = Page<TicketComment>), (status = 404, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn comments(
    State(s): State<AppState>,
    Caller(a): Caller,
    PathId(id): PathId<TicketId>,
    ApiQuery(q): ApiQuery<TicketCommentQuery>,
) -> ApiResult<Json<Page<TicketComment>>> {
    Ok(Json(tickets::comments(&s.ctx, &a, id, q).await?))
}

#[utoipa::path(post, path = "/tickets/{id}/comments", tag = "tickets", params(("id" = String, Path, format = Uuid)), request_body = TicketCommentInput,
    responses((status = 201, body = TicketComment), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn add_comment(
    State(s): State<AppState>,
    Caller(a): Caller,
    PathId(id): PathId<TicketId>,
    ApiJson(input): ApiJson<TicketCommentInput>,
) -> ApiResult<Response> {
    let c = tickets::add_comment(&s.ctx, &a, id, input).await?;
    Ok((StatusCode::CREATED, Json(c)).into_response())
}
