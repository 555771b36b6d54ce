//! RFC 9457 problem details: the one error shape of the API and of server functions.

use serde::{Deserialize, Serialize};
use std::fmt;

/// One invalid field; `field` is a path such as `email` or `items[3].email`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// `application/problem+json` body. `errors` is always present on 422.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Problem {
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    /// Seconds to wait, for 429 answers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<u64>,
}

impl Problem {
    pub fn new(status: u16, slug: &str, title: &str, detail: impl Into<String>) -> Self {
        Self {
            kind: format!("/problems/{slug}"),
            title: title.to_owned(),
            status,
            detail: detail.into(),
            errors: Vec::new(),
            retry_after: None,
        }
    }

    pub fn bad_request(detail: impl Into<String>) -> Self {
        Self::new(400, "bad-request", "Malformed request", detail)
    }
    pub fn unauthorized() -> Self {
        Self::new(
            401,
            "unauthorized",
            "Not logged in",
            "Log in and try again.",
        )
    }
    pub fn invalid_credentials() -> Self {
        Self::new(
            401,
            "invalid-credentials",
            "Invalid credentials",
            "The email or password is wrong.",
        )
    }
    pub fn forbidden(detail: impl Into<String>) -> Self {
        Self::new(403, "forbidden", "Not allowed", detail)
    }
    pub fn not_found(what: &str) -> Self {
        Self::new(
            404,
            "not-found",
            "Not found",
            format!("No {what} with that id."),
        )
    }
    pub fn conflict(detail: impl Into<String>) -> Self {
        Self::new(409, "conflict", "Conflict", detail)
    }
    /// A unique value is taken: 409 naming the field.
    pub fn duplicate(field: &str, message: impl Into<String>) -> Self {
        let message = message.into();
        let mut p = Self::new(409, "duplicate", "Already exists", message.clone());
        p.errors.push(FieldError::new(field, message));
        p
    }
    pub fn stale(current_version: i32) -> Self {
        Self::new(
            412,
            "stale-version",
            "Changed by someone else",
            format!(
                "The record was changed since you loaded it (now version {current_version}); reload and try again."
            ),
        )
    }
    pub fn too_large(detail: impl Into<String>) -> Self {
        Self::new(413, "too-large", "Request too large", detail)
    }
    pub fn unsupported_media_type(detail: impl Into<String>) -> Self {
        Self::new(
            415,
            "unsupported-media-type",
            "Unsupported media type",
            detail,
        )
    }
    pub fn invalid(errors: Vec<FieldError>) -> Self {
        let detail = match errors.len() {
            1 => "One field is invalid.".to_owned(),
            n => format!("{n} fields are invalid."),
        };
        let mut p = Self::new(422, "validation", "Invalid input", detail);
        p.errors = errors;
        p
    }
    pub fn invalid_field(field: &str, message: impl Into<String>) -> Self {
        Self::invalid(vec![FieldError::new(field, message)])
    }
    pub fn rate_limited(retry_after_secs: u64) -> Self {
        let mut p = Self::new(
            429,
            "rate-limited",
            "Too many requests",
            format!("Too many attempts; try again in {retry_after_secs} seconds."),
        );
        p.retry_after = Some(retry_after_secs);
        p
    }
    pub fn internal() -> Self {
        Self::new(
            500,
            "internal",
            "Internal error",
            "Something went wrong on our side; it has been logged.",
        )
    }
    /// 503 with `Retry-After` (a few seconds: what is unavailable is expected back soon).
    pub fn unavailable(detail: impl Into<String>) -> Self {
        let mut p = Self::new(503, "unavailable", "Service unavailable", detail);
        p.retry_after = Some(5);
        p
    }

    /// The message for one field, for showing inline next to a form input.
    pub fn field(&self, name: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|e| e.field == name)
            .map(|e| e.message.as_str())
    }

    /// Prefixes every field path, e.g. `email` → `items[3].email` for bulk requests.
    pub fn prefixed(mut self, prefix: &str) -> Self {
        for e in &mut self.errors {
            e.field = if e.field.is_empty() {
                prefix.to_owned()
            } else {
                format!("{prefix}.{}", e.field)
            };
        }
        self
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.title, self.detail)?;
        for e in &self.errors {
            write!(f, "; {}: {}", e.field, e.message)?;
        }
        Ok(())
    }
}

impl std::error::Error for Problem {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serializes_type_and_omits_empty_errors() {
        let v = serde_json::to_value(Problem::not_found("customer")).unwrap();
        assert_eq!(v["type"], "/problems/not-found");
        assert_eq!(v["status"], 404);
        assert!(v.get("errors").is_none());
    }

    #[test]
    fn prefixes_fields_for_bulk_items() {
        let p = Problem::invalid_field("email", "bad").prefixed("items[3]");
        assert_eq!(p.errors[0].field, "items[3].email");
        assert_eq!(p.field("items[3].email"), Some("bad"));
    }
}
