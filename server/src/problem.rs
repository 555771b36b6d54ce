//! Problem details as HTTP responses (`application/problem+json`).

use app::ssr::ServiceError;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use domain::Problem;

/// A handler's error: always answered as problem+json.
#[derive(Debug)]
pub struct ApiProblem(pub Problem);

impl From<Problem> for ApiProblem {
    fn from(p: Problem) -> Self {
        Self(p)
    }
}

impl From<ServiceError> for ApiProblem {
    fn from(e: ServiceError) -> Self {
        Self(e.into_problem())
    }
}

impl From<sqlx::Error> for ApiProblem {
    fn from(e: sqlx::Error) -> Self {
        Self(ServiceError::from(e).into_problem())
    }
}

impl IntoResponse for ApiProblem {
    fn into_response(self) -> Response {
        let p = self.0;
        let status = StatusCode::from_u16(p.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let retry_after = p.retry_after;
        let mut res = (status, serde_json::to_vec(&p).unwrap_or_default()).into_response();
        let h = res.headers_mut();
        h.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if let Some(secs) = retry_after {
            h.insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        res
    }
}

pub type ApiResult<T> = Result<T, ApiProblem>;

/// Unknown API paths answer 404 problem+json rather than the web app.
pub async fn api_not_found() -> ApiProblem {
    ApiProblem(Problem::new(
        404,
        "not-found",
        "Not found",
        "No such API endpoint.",
    ))
}
