//! Who is calling: a `Bearer` access token (API clients) or the session cookie (the browser). Writes that
//! ride on the cookie must come from our own origin (CSRF protection: `Origin` / `Sec-Fetch-Site` checks on
//! top of `SameSite=Lax` cookies). The result is a `RequestAuth` request extension read by handlers and
//! server functions alike.

use crate::problem::ApiProblem;
use crate::rate_limit::Key;
use crate::state::AppState;
use app::ssr::services::auth::{self, SESSION_KEY, SessionAuth};
use app::ssr::{RequestAuth, RequestMeta};
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use domain::Problem;
use std::net::SocketAddr;
use tower_sessions::Session;

pub async fn authenticate(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let meta = RequestMeta {
        request_id: header_str(&req, "x-request-id"),
        ip: client_ip(&req, state.config.trust_proxy),
    };
    let address = meta.ip.clone().unwrap_or_default();
    let limiter = state.limiter.clone();
    if let Err(p) = limiter.check(Key::Address(&address)).await {
        return ApiProblem(p).into_response();
    }
    let mut auth = RequestAuth {
        meta,
        ..Default::default()
    };
    let bearer = header_str(&req, header::AUTHORIZATION.as_str())
        .and_then(|v| v.strip_prefix("Bearer ").map(|t| t.trim().to_owned()))
        .or_else(|| ws_access_token(&req));
    if let Some(token) = bearer {
        match auth::principal_from_token(&state.ctx, &token).await {
            Ok(p) => auth.principal = p,
            // A guessed or stale token counts against the address's unauthenticated budget.
            Err(e) => {
                return match limiter.check(Key::Unauthenticated(&address)).await {
                    Err(p) => ApiProblem(p).into_response(),
                    Ok(()) => ApiProblem::from(e).into_response(),
                };
            }
        }
    } else {
        // A WebSocket upgrade is a GET, but it opens a channel carrying the cookie's user: checked like a write.
        if (!is_safe(req.method()) || is_websocket_upgrade(&req)) && !same_origin(&req) {
            return ApiProblem(Problem::forbidden(
                "Cross-site request refused: write requests must come from this site.",
            ))
            .into_response();
        }
        if let Some(session) = req.extensions().get::<Session>().cloned() {
            match session.get::<SessionAuth>(SESSION_KEY).await {
                Ok(Some(sa)) => match auth::principal(&state.ctx, sa.user_id, Some(sa.epoch)).await
                {
                    Ok(Some(p)) => {
                        auth.principal = Some(p);
                        auth.via_session = true;
                    }
                    // Deactivated, or the password was reset since: this session is over.
                    Ok(None) => {
                        let _ = session.flush().await;
                    }
                    Err(e) => return ApiProblem::from(e).into_response(),
                },
                Ok(None) => {}
                Err(e) => {
                    tracing::warn!(error = %e, "session store unavailable");
                    return ApiProblem(Problem::unavailable(
                        "Sessions are unavailable; try again shortly.",
                    ))
                    .into_response();
                }
            }
        }
    }
    let counted = match &auth.principal {
        Some(p) => limiter.check(Key::User(p.user_id.0)).await,
        None => limiter.check(Key::Unauthenticated(&address)).await,
    };
    if let Err(p) = counted {
        return ApiProblem(p).into_response();
    }
    req.extensions_mut().insert(auth);
    next.run(req).await
}

/// `?access_token=…` on `GET /api/v1/ws` only (browsers cannot set headers on a WebSocket; elsewhere a token in
/// the URL would end up in logs).
fn ws_access_token(req: &Request) -> Option<String> {
    if req.uri().path() != "/api/v1/ws" {
        return None;
    }
    req.uri().query()?.split('&').find_map(|pair| {
        pair.strip_prefix("access_token=")
            .filter(|t| !t.is_empty())
            .map(str::to_owned)
    })
}

fn header_str(req: &Request, name: &str) -> Option<String> {
    req.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

fn is_websocket_upgrade(req: &Request) -> bool {
    header_str(req, header::UPGRADE.as_str()).is_some_and(|v| v.eq_ignore_ascii_case("websocket"))
}

fn is_safe(m: &Method) -> bool {
    matches!(*m, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// Browsers always send `Origin` on cross-origin writes and `Sec-Fetch-Site` on every request; non-browser
/// clients send neither and cannot carry a victim's cookie.
fn same_origin(req: &Request) -> bool {
    if header_str(req, "sec-fetch-site").is_some_and(|s| s == "cross-site" || s == "same-site") {
        return false;
    }
    match (header_str(req, "origin"), header_str(req, "host")) {
        (Some(origin), Some(host)) => origin
            .split("://")
            .nth(1)
            .is_some_and(|o| o.trim_end_matches('/') == host),
        (Some(_), None) => false,
        (None, _) => true,
    }
}

/// The client's address: the peer, or behind a trusted proxy the address that proxy appended to
/// `X-Forwarded-For` — the last entry; earlier ones are whatever the client sent and prove nothing.
fn client_ip(req: &Request, trust_proxy: bool) -> Option<String> {
    if trust_proxy
        && let Some(xff) = header_str(req, "x-forwarded-for")
        && let Some(last) = xff.rsplit(',').map(str::trim).find(|a| !a.is_empty())
    {
        return Some(last.to_owned());
    }
    req.extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(a)| a.ip().to_string())
}
