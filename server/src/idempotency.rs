//! `Idempotency-Key` on `POST` (IETF draft-ietf-httpapi-idempotency-key-header): a client that lost the answer
//! to a create — a dropped connection, a killed app node — sends the request again with the same key and the
//! write is not applied twice.
//!
//! - The first request with a (user, key) claims a row and runs; its answer (below 500) is kept for 24 hours
//!   and replayed, with `Idempotent-Replayed: true`, to every retry with the same method, path and body.
//! - The same key with another request answers 422; a retry while the first is still running answers 409
//!   with `Retry-After`.
//! - The answer is stored after the write commits, so an app killed in between leaves a row without one. The
//!   write itself left its audit rows, in its own transaction, under the request id `attempt` the claim
//!   recorded: a retry that finds them answers `303 See Other` to the record created (RFC 9110 §9.3.3), or
//!   409 when the request changed an existing record, never running it again. A claim whose request neither
//!   answered nor wrote within the request timeout is dead (its transaction rolled back) and the retry runs.

use crate::problem::ApiProblem;
use crate::state::AppState;
use app::ssr::RequestAuth;
use app::ssr::repo::idempotency as repo;
use axum::body::{Body, to_bytes};
use axum::extract::{OriginalUri, Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use domain::Problem;
use sha2::{Digest, Sha256};
use sqlx::PgPool;
use std::time::Duration;
use uuid::Uuid;

const HEADER: &str = "idempotency-key";
/// Answers larger than this are not kept (a create answers one record); a retry then runs into the audit check.
const MAX_STORED_BODY: usize = 1024 * 1024;
/// Headers of the first answer that a replay repeats.
const REPLAYED: [HeaderName; 3] = [header::CONTENT_TYPE, header::LOCATION, header::ETAG];

/// The middleware (inside authentication, around the REST API).
pub async fn layer(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if req.method() != Method::POST || !req.headers().contains_key(HEADER) {
        return next.run(req).await;
    }
    let Some(user) = req
        .extensions()
        .get::<RequestAuth>()
        .and_then(|a| a.principal.as_ref())
        .map(|p| p.user_id.0)
    else {
        // Unauthenticated (a login): nothing to key on; the handler answers as it would.
        return next.run(req).await;
    };
    let key = match key_of(req.headers()) {
        Ok(k) => k,
        Err(p) => return ApiProblem(p).into_response(),
    };
    let path = req
        .extensions()
        .get::<OriginalUri>()
        .map(|u| u.0.clone())
        .unwrap_or_else(|| req.uri().clone());
    let (parts, body) = req.into_parts();
    // The body limit of the API applies: a larger body answers 413 as it would without the key.
    let bytes = match to_bytes(body, crate::MAX_BODY_BYTES).await {
        Ok(b) => b,
        Err(_) => {
            return ApiProblem(Problem::too_large("The request body is larger than 2 MiB."))
                .into_response();
        }
    };
    let fingerprint = Sha256::new()
        .chain_update(parts.method.as_str())
        .chain_update([0u8])
        .chain_update(path.to_string())
        .chain_update([0u8])
        .chain_update(&bytes)
        .finalize()
        .to_vec();
    let lease = Duration::from_secs(state.config.request_timeout_secs + 5);
    let db = &state.ctx.db;
    let attempt = match claim(db, user, &key, &fingerprint, lease).await {
        Ok(Claim::Run(attempt)) => attempt,
        Ok(Claim::Answer(res)) => return res,
        Err(e) => return ApiProblem::from(e).into_response(),
    };
    let mut req = Request::from_parts(parts, Body::from(bytes));
    if let Some(auth) = req.extensions_mut().get_mut::<RequestAuth>() {
        auth.meta.request_id = Some(attempt.clone());
    }
    let res = next.run(req).await;
    match remember(db, user, &key, &attempt, res).await {
        Ok(res) => res,
        Err(e) => ApiProblem::from(e).into_response(),
    }
}

fn key_of(headers: &HeaderMap) -> Result<String, Problem> {
    let invalid = || {
        Problem::invalid_field(
            "Idempotency-Key",
            "must be 1 to 255 visible ASCII characters (a UUID is a good key)",
        )
    };
    let values: Vec<_> = headers.get_all(HEADER).iter().collect();
    let [value] = values.as_slice() else {
        return Err(invalid());
    };
    let key = value.to_str().map_err(|_| invalid())?.trim();
    // RFC 8941 sf-string: the draft quotes the key; a bare token is taken as well.
    let key = key
        .strip_prefix('"')
        .and_then(|k| k.strip_suffix('"'))
        .unwrap_or(key);
    if key.is_empty() || key.len() > 255 || !key.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(invalid());
    }
    Ok(key.to_owned())
}

enum Claim {
    /// This request owns the key: run it under this request id.
    Run(String),
    /// A replay or a refusal.
    Answer(Response),
}

async fn claim(
    db: &PgPool,
    user: Uuid,
    key: &str,
    fingerprint: &[u8],
    lease: Duration,
) -> Result<Claim, sqlx::Error> {
    let lease_secs = lease.as_secs_f64();
    let attempt = format!("idem-{}", Uuid::now_v7());
    if repo::claim(db, (user, key), fingerprint, &attempt, lease_secs).await? {
        return Ok(Claim::Run(attempt));
    }
    let row = repo::get(db, (user, key)).await?;
    if row.fingerprint != fingerprint {
        return Ok(Claim::Answer(
            ApiProblem(Problem::invalid_field(
                "Idempotency-Key",
                "was already used for a different request (another path or body); use a new key for a new request",
            ))
            .into_response(),
        ));
    }
    if let Some(status) = row.status {
        return Ok(Claim::Answer(replay(status, row.headers, row.body)));
    }
    if let Some(res) = applied(db, &row.attempt).await? {
        return Ok(Claim::Answer(res));
    }
    if row.running {
        return Ok(Claim::Answer(busy(
            "A request with this Idempotency-Key is still being processed; retry after it has answered.",
        )));
    }
    // The earlier attempt died without writing: take the key over (only one retry can).
    if repo::take_over(db, (user, key), &row.attempt, &attempt, lease_secs).await? {
        Ok(Claim::Run(attempt))
    } else {
        Ok(Claim::Answer(busy(
            "Another retry with this Idempotency-Key is being processed.",
        )))
    }
}

/// 409 with `Retry-After: 1`: the key's attempt is still running.
fn busy(detail: &str) -> Response {
    let mut p = Problem::conflict(detail);
    p.retry_after = Some(1);
    ApiProblem(p).into_response()
}

/// The answer for an attempt that committed its write but whose answer was never stored.
async fn applied(db: &PgPool, attempt: &str) -> Result<Option<Response>, sqlx::Error> {
    let rows = app::ssr::repo::audit::written_by_attempt(db, attempt).await?;
    if rows.is_empty() {
        return Ok(None);
    }
    let created = rows
        .iter()
        .find(|(action, _, _)| action.ends_with(".create"))
        .and_then(|(_, entity, id)| Some((record_path(entity)?, (*id)?)));
    if let Some((collection, id)) = created {
        let mut res = StatusCode::SEE_OTHER.into_response();
        if let Ok(v) = HeaderValue::from_str(&format!("/api/v1/{collection}/{id}")) {
            res.headers_mut().insert(header::LOCATION, v);
        }
        res.headers_mut()
            .insert("idempotent-replayed", HeaderValue::from_static("true"));
        return Ok(Some(res));
    }
    let (_, entity, id) = &rows[0];
    let what = match id {
        Some(id) => format!("{entity} {id}"),
        None => entity.clone(),
    };
    Ok(Some(
        ApiProblem(Problem::conflict(format!(
            "The request with this Idempotency-Key was applied ({what}) but its answer was lost; read the \
             record to see its state."
        )))
        .into_response(),
    ))
}

/// The collection a created record of `entity` is read from.
fn record_path(entity: &str) -> Option<&'static str> {
    Some(match entity {
        "customer" => "customers",
        "contact" => "contacts",
        "lead" => "leads",
        "opportunity" => "opportunities",
        "interaction" => "interactions",
        "task" => "tasks",
        "ticket" => "tickets",
        "project" => "projects",
        "vendor" => "vendors",
        "asset" => "assets",
        "purchase_order" => "purchase-orders",
        "user" => "users",
        _ => return None,
    })
}

fn replay(status: i16, headers: Option<serde_json::Value>, body: Option<Vec<u8>>) -> Response {
    let status = u16::try_from(status)
        .ok()
        .and_then(|s| StatusCode::from_u16(s).ok())
        .unwrap_or(StatusCode::OK);
    let mut res = (status, body.unwrap_or_default()).into_response();
    let h = res.headers_mut();
    if let Some(serde_json::Value::Object(stored)) = headers {
        for (name, value) in stored {
            if let (Ok(name), Some(Ok(value))) = (
                HeaderName::from_bytes(name.as_bytes()),
                value.as_str().map(HeaderValue::from_str),
            ) {
                h.insert(name, value);
            }
        }
    }
    h.insert("idempotent-replayed", HeaderValue::from_static("true"));
    res
}

/// Keeps the answer for retries, or frees the key when the request failed on our side without writing.
async fn remember(
    db: &PgPool,
    user: Uuid,
    key: &str,
    attempt: &str,
    res: Response,
) -> Result<Response, sqlx::Error> {
    let (parts, body) = res.into_parts();
    if parts.status.is_server_error() {
        // Nothing was written (a failed write rolls back with its audit rows): a retry may run again. If the
        // write did commit, the audit check answers the retry.
        repo::release(db, (user, key), attempt).await?;
        return Ok(Response::from_parts(parts, body));
    }
    // The answer is already produced in full (a record, a bulk result); a body that cannot be read is a
    // broken answer either way.
    let Ok(bytes) = to_bytes(body, usize::MAX).await else {
        return Ok(ApiProblem(Problem::internal()).into_response());
    };
    if bytes.len() > MAX_STORED_BODY {
        // Not kept (too large to replay): the key is free again and the audit rows still stop a second write.
        repo::release(db, (user, key), attempt).await?;
        return Ok(Response::from_parts(parts, Body::from(bytes)));
    }
    let headers: serde_json::Map<String, serde_json::Value> = REPLAYED
        .iter()
        .filter_map(|name| {
            let v = parts.headers.get(name)?.to_str().ok()?;
            Some((name.as_str().to_owned(), serde_json::Value::from(v)))
        })
        .collect();
    let status = i16::try_from(parts.status.as_u16()).unwrap_or(200);
    let answer = (status, serde_json::Value::Object(headers), bytes.as_ref());
    repo::store(db, (user, key), attempt, answer).await?;
    Ok(Response::from_parts(parts, Body::from(bytes)))
}

/// Deletes keys past their 24 hours, hourly, for the life of the process.
pub fn spawn_sweeper(db: PgPool) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(3600));
        loop {
            tick.tick().await;
            if let Err(e) = repo::sweep(&db).await {
                tracing::warn!(error = %e, "could not delete expired idempotency keys");
            }
        }
    })
}
