use super::record;
use crate::extract::{ApiJson, ApiQuery, Caller, IfMatch, PathId};
use crate::problem::ApiResult;
use crate::state::AppState;
use app::ssr::services::users;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use domain::user::{NewUser, User, UserPatch, UserQuery};
use domain::{Page, Problem, UserId};

#[utoipa::path(get, path = "/users", tag = "users", params(UserQuery),
    responses((status = 200, body = Page<User>), (status = 401, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn list(
    State(s): State<AppState>,
    Caller(a): Caller,
    ApiQuery(q): ApiQuery<UserQuery>,
) -> ApiResult<Json<Page<User>>> {
    Ok(Json(users::list(&s.ctx, &a, q).await?))
}

/// The caller.
#[utoipa::path(get, path = "/users/me", tag = "users", responses((status = 200, body = User), (status = 401, body = Problem)), security(("bearer" = [])))]
pub async fn me(State(s): State<AppState>, Caller(a): Caller) -> ApiResult<Response> {
    let u = users::get(&s.ctx, &a, a.principal.user_id).await?;
    Ok(record(StatusCode::OK, &u, u.version, None))
}

#[utoipa::path(get, path = "/users/{id}", tag = "users", params(("id" = String, Path, format = Uuid)),
    responses((status = 200, body = User), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn get(
    State(s): State<AppState>,
    Caller(a): Caller,
    PathId(id): PathId<UserId>,
) -> ApiResult<Response> {
    let u = users::get(&s.ctx, &a, id).await?;
    Ok(record(StatusCode::OK, &u, u.version, None))
}

/// Create a user (admins only). Duplicate e-mail → 409.
#[utoipa::path(post, path = "/users", tag = "users", request_body = NewUser,
    responses((status = 201, body = User), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn create(
    State(s): State<AppState>,
    Caller(a): Caller,
    ApiJson(input): ApiJson<NewUser>,
) -> ApiResult<Response> {
    let u = users::create(&s.ctx, &a, input).await?;
    Ok(record(
        StatusCode::CREATED,
        &u,
        u.version,
        Some(format!("/api/v1/users/{}", u.id)),
    ))
}

/// Update a user (admins only): name, e-mail, role, team, `is_active` (deactivate), `password` (reset).
#[utoipa::path(patch, path = "/users/{id}", tag = "users", params(("id" = String, Path, format = Uuid)), request_body = UserPatch,
    responses((status = 200, body = User), (status = 403, body = Problem), (status = 404, body = Problem), (status = 412, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn update(
    State(s): State<AppState>,
    Caller(a): Caller,
    PathId(id): PathId<UserId>,
    IfMatch(v): IfMatch,
    ApiJson(patch): ApiJson<UserPatch>,
) -> ApiResult<Response> {
    let u = users::update(&s.ctx, &a, id, v, patch).await?;
    Ok(record(StatusCode::OK, &u, u.version, None))
}

/// Unlock a user's sign-in (admins only): forgets their failed attempts from every address.
#[utoipa::path(post, path = "/users/{id}/unlock", tag = "users", params(("id" = String, Path, format = Uuid)),
    responses((status = 200, body = User), (status = 403, body = Problem), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn unlock(
    State(s): State<AppState>,
    Caller(a): Caller,
    PathId(id): PathId<UserId>,
) -> ApiResult<Response> {
    let u = users::unlock(&s.ctx, &a, id).await?;
    Ok(record(StatusCode::OK, &u, u.version, None))
}
