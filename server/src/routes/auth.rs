use crate::extract::{ApiJson, Caller, Meta};
use crate::problem::ApiResult;
use crate::state::AppState;
use app::ssr::services::auth;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use domain::Problem;
use domain::auth::{LoginRequest, RefreshRequest, TokenPair};

/// Log in with e-mail and password; returns an access token and a refresh token.
#[utoipa::path(post, path = "/auth/login", tag = "auth", request_body = LoginRequest,
    responses((status = 200, body = TokenPair), (status = 401, body = Problem), (status = 429, body = Problem)))]
pub async fn login(
    State(s): State<AppState>,
    Meta(meta): Meta,
    ApiJson(req): ApiJson<LoginRequest>,
) -> ApiResult<Json<TokenPair>> {
    Ok(Json(
        auth::login(&s.ctx, &meta, &req.email, &req.password).await?,
    ))
}

/// Exchange a refresh token for a new pair (the old one stops working; reusing it revokes the family).
#[utoipa::path(post, path = "/auth/refresh", tag = "auth", request_body = RefreshRequest,
    responses((status = 200, body = TokenPair), (status = 401, body = Problem)))]
pub async fn refresh(
    State(s): State<AppState>,
    Meta(meta): Meta,
    ApiJson(req): ApiJson<RefreshRequest>,
) -> ApiResult<Json<TokenPair>> {
    Ok(Json(
        auth::refresh(&s.ctx, &meta, &req.refresh_token).await?,
    ))
}

/// Revoke the refresh token (and its family).
#[utoipa::path(post, path = "/auth/logout", tag = "auth", request_body = RefreshRequest,
    responses((status = 204), (status = 401, body = Problem)), security(("bearer" = [])))]
pub async fn logout(
    State(s): State<AppState>,
    Caller(actor): Caller,
    body: bytes::Bytes,
) -> ApiResult<StatusCode> {
    // The body is optional: without a refresh token only the logout itself is recorded.
    let token = if body.iter().all(u8::is_ascii_whitespace) {
        None
    } else {
        Some(crate::extract::parse_json::<RefreshRequest>(&body)?.refresh_token)
            .filter(|t| !t.is_empty())
    };
    auth::logout(&s.ctx, &actor, token.as_deref()).await?;
    Ok(StatusCode::NO_CONTENT)
}
