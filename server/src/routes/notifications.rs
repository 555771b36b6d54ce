use crate::extract::{ApiQuery, Caller, PathId};
use crate::problem::ApiResult;
use crate::state::AppState;
use app::ssr::services::notifications;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use domain::notification::{Notification, NotificationQuery, UnreadCount};
use domain::{NotificationId, Page, Problem};

/// The caller's own notifications, newest first (`unread=true` for unread only).
#[utoipa::path(get, path = "/notifications", tag = "notifications", params(NotificationQuery),
    responses((status = 200, body = Page<Notification>), (status = 401, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn list(
    State(s): State<AppState>,
    Caller(a): Caller,
    ApiQuery(q): ApiQuery<NotificationQuery>,
) -> ApiResult<Json<Page<Notification>>> {
    Ok(Json(notifications::list(&s.ctx, &a, q).await?))
}

#[utoipa::path(get, path = "/notifications/unread-count", tag = "notifications",
    responses((status = 200, body = UnreadCount), (status = 401, body = Problem)), security(("bearer" = [])))]
pub async fn unread_count(
    State(s): State<AppState>,
    Caller(a): Caller,
) -> ApiResult<Json<UnreadCount>> {
    Ok(Json(notifications::unread_count(&s.ctx, &a).await?))
}

/// Mark one of your notifications read (someone else's answers 404).
#[utoipa::path(post, path = "/notifications/{id}/read", tag = "notifications", params(("id" = String, Path, format = Uuid)),
    responses((status = 204), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn mark_read(
    State(s): State<AppState>,
    Caller(a): Caller,
    PathId(id): PathId<NotificationId>,
) -> ApiResult<StatusCode> {
    notifications::mark_read(&s.ctx, &a, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, path = "/notifications/read-all", tag = "notifications",
    responses((status = 204), (status = 401, body = Problem)), security(("bearer" = [])))]
pub async fn mark_all_read(State(s): State<AppState>, Caller(a): Caller) -> ApiResult<StatusCode> {
    notifications::mark_all_read(&s.ctx, &a).await?;
    Ok(StatusCode::NO_CONTENT)
}
