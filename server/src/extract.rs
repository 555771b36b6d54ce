//! Request extractors whose rejections are problem+json: JSON bodies (400 malformed, 422 naming the field,
//! 413 too large), query strings, path ids (404), `If-Match` and the authenticated caller (401).

use crate::problem::ApiProblem;
use app::ssr::{Actor, RequestAuth, RequestMeta};
use axum::extract::rejection::BytesRejection;
use axum::extract::{FromRequest, FromRequestParts, Path, Request};
use axum::http::header;
use axum::http::request::Parts;
use bytes::Bytes;
use domain::Problem;
use serde::de::DeserializeOwned;

/// A JSON body parsed with the path of the offending field in every error.
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiProblem;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        if let Some(ct) = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            && !ct.starts_with("application/json")
            && !ct.contains("+json")
        {
            return Err(Problem::unsupported_media_type(format!(
                "Send JSON (Content-Type: application/json), not {ct}."
            ))
            .into());
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|e| match e {
            BytesRejection::FailedToBufferBody(_) => {
                Problem::too_large("The request body is too large (at most 2 MiB).")
            }
            other => Problem::bad_request(other.body_text()),
        })?;
        parse_json(&bytes).map(ApiJson).map_err(ApiProblem)
    }
}

pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, Problem> {
    check_json_text(bytes)?;
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(de).map_err(|err| {
        let path = err.path().to_string();
        let inner = err.into_inner();
        match inner.classify() {
            serde_json::error::Category::Data => {
                let field = if path == "." { String::new() } else { path };
                let message = inner.to_string();
                // serde's message ends with " at line 1 column 12": not useful to a person.
                let message = message
                    .split(" at line ")
                    .next()
                    .unwrap_or(&message)
                    .to_owned();
                Problem::invalid_field(&field, message)
            }
            _ => Problem::bad_request(format!("The body is not valid JSON: {inner}.")),
        }
    })
}

/// A control character no text field may hold: C0 controls but tab, line feed and carriage return (NUL among
/// them, which PostgreSQL cannot store), and DEL.
fn is_forbidden(c: char) -> bool {
    (c.is_control() && !matches!(c, '\t' | '\n' | '\r') && (c as u32) < 0x80) || c == '\u{7f}'
}

/// JSON text may carry control characters only as `\u00XX` escapes (serde refuses them raw). The bytes are
/// scanned for such an escape (cheap, and almost never there); only then is the body walked to name the field
/// that holds one: 422, before anything reaches a service or the database.
pub fn check_json_text(bytes: &[u8]) -> Result<(), Problem> {
    let escaped = bytes.windows(6).any(|w| {
        w.starts_with(b"\\u00")
            && (w[4] == b'0' || w[4] == b'1' || w[4..6] == *b"7f" || w[4..6] == *b"7F")
    });
    if !escaped {
        return Ok(());
    }
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(bytes) else {
        return Ok(()); // not JSON: the real parse says so
    };
    match forbidden_in(&value, String::new()) {
        Some(field) => Err(control_character(&field)),
        None => Ok(()),
    }
}

fn control_character(field: &str) -> Problem {
    Problem::invalid_field(
        field,
        "must not contain control characters (such as NUL); only tabs and line breaks are allowed",
    )
}

/// The path (`items[2].name`) of the first string or key in `value` holding a forbidden character.
fn forbidden_in(value: &serde_json::Value, path: String) -> Option<String> {
    use serde_json::Value;
    match value {
        Value::String(s) => s.chars().any(is_forbidden).then_some(path),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, v)| forbidden_in(v, format!("{path}[{i}]"))),
        Value::Object(map) => map.iter().find_map(|(k, v)| {
            let field = if path.is_empty() {
                k.clone()
            } else {
                format!("{path}.{k}")
            };
            if k.chars().any(is_forbidden) {
                Some(field)
            } else {
                forbidden_in(v, field)
            }
        }),
        _ => None,
    }
}

/// A query string; our query types hold text, so values are checked (422) by the domain parsers.
pub struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiProblem;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let _ = state;
        parse_query(parts.uri.query().unwrap_or(""))
            .map(ApiQuery)
            .map_err(ApiProblem)
    }
}

/// Parses a query string; a parameter the type does not know is a 422 naming it (never silently ignored, so
/// a misspelt filter cannot return every row), a malformed one (a repeated key) a 400.
pub fn parse_query<T: DeserializeOwned>(raw: &str) -> Result<T, Problem> {
    // No query parameter is free text with line breaks: every control character is refused, by name.
    if let Some((name, _)) = form_urlencoded::parse(raw.as_bytes())
        .find(|(k, v)| k.chars().chain(v.chars()).any(char::is_control))
    {
        return Err(Problem::invalid_field(
            &name,
            "must not contain control characters (such as NUL)",
        ));
    }
    let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(raw.as_bytes()));
    let mut unknown = Vec::new();
    let value = serde_ignored::deserialize(de, |path| unknown.push(path.to_string()))
        .map_err(|e| Problem::bad_request(format!("The query string is not valid: {e}.")))?;
    if unknown.is_empty() {
        return Ok(value);
    }
    Err(Problem::invalid(
        unknown
            .into_iter()
            .map(|name| domain::FieldError::new(name, "is not a parameter of this request"))
            .collect(),
    ))
}

/// A record id in the path; anything that is not a UUID cannot name a record: 404.
pub struct PathId<T>(pub T);

impl<S: Send + Sync, T: From<uuid::Uuid> + Send> FromRequestParts<S> for PathId<T> {
    type Rejection = ApiProblem;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match Path::<uuid::Uuid>::from_request_parts(parts, state).await {
            Ok(Path(id)) => Ok(PathId(T::from(id))),
            Err(_) => Err(ApiProblem(Problem::new(
                404,
                "not-found",
                "Not found",
                "No record with that id.",
            ))),
        }
    }
}

/// `If-Match: "3"` (or `W/"3"`): the version the client last saw. `*` or absent: no check.
/// A value that is not a version can never match: 412.
pub struct IfMatch(pub Option<i32>);

impl<S: Send + Sync> FromRequestParts<S> for IfMatch {
    type Rejection = ApiProblem;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let Some(v) = parts.headers.get(header::IF_MATCH) else {
            return Ok(IfMatch(None));
        };
        let s = v.to_str().unwrap_or("").trim();
        if s == "*" {
            return Ok(IfMatch(None));
        }
        let s = s.trim_start_matches("W/").trim_matches('"');
        Ok(IfMatch(Some(s.parse().unwrap_or(-1))))
    }
}

/// The authenticated caller, or 401.
pub struct Caller(pub Actor);

impl<S: Send + Sync> FromRequestParts<S> for Caller {
    type Rejection = ApiProblem;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<RequestAuth>()
            .and_then(RequestAuth::actor)
            .map(Caller)
            .ok_or_else(|| ApiProblem(Problem::unauthorized()))
    }
}

/// Request id and client IP, for unauthenticated endpoints (login, refresh).
pub struct Meta(pub RequestMeta);

impl<S: Send + Sync> FromRequestParts<S> for Meta {
    type Rejection = ApiProblem;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Meta(
            parts
                .extensions
                .get::<RequestAuth>()
                .map(|a| a.meta.clone())
                .unwrap_or_default(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, Debug)]
    #[allow(dead_code)]
    struct T {
        a: Vec<Inner>,
    }
    #[derive(serde::Deserialize, Debug)]
    #[allow(dead_code)]
    struct Inner {
        id: uuid::Uuid,
    }

    #[test]
    fn json_errors_name_the_field_or_are_400() {
        let p = parse_json::<T>(br#"{"a":[{"id":"x"}]}"#).unwrap_err();
        assert_eq!(p.status, 422);
        assert_eq!(p.errors[0].field, "a[0].id");
        assert!(!p.errors[0].message.contains("line"));
        assert_eq!(parse_json::<T>(b"{not json").unwrap_err().status, 400);
    }

    #[derive(serde::Deserialize, Debug)]
    #[allow(dead_code)]
    struct Named {
        items: Vec<Item>,
    }
    #[derive(serde::Deserialize, Debug)]
    #[allow(dead_code)]
    struct Item {
        name: String,
        body: String,
    }

    #[test]
    fn control_characters_are_refused_by_field() {
        let p = parse_json::<Named>(
            br#"{"items":[{"name":"a","body":"b"},{"name":"x\u0000y","body":"b"}]}"#,
        )
        .unwrap_err();
        assert_eq!(p.status, 422);
        assert_eq!(p.errors[0].field, "items[1].name");
        let p =
            parse_json::<Named>(br#"{"items":[{"name":"a","body":"\u001b[31m"}]}"#).unwrap_err();
        assert_eq!(p.errors[0].field, "items[0].body");
        // Tabs and line breaks are text; an escaped backslash before "u0000" is not a control character.
        assert!(
            parse_json::<Named>(br#"{"items":[{"name":"a\tb","body":"l1\nl2\r\n\u0009"}]}"#)
                .is_ok()
        );
        assert!(parse_json::<Named>(br#"{"items":[{"name":"C:\\u0000","body":""}]}"#).is_ok());
        #[derive(serde::Deserialize, Debug, Default)]
        #[allow(dead_code)]
        struct Q {
            q: Option<String>,
        }
        let p = parse_query::<Q>("q=a%00b").unwrap_err();
        assert_eq!((p.status, p.errors[0].field.as_str()), (422, "q"));
        assert!(parse_query::<Q>("q=a%20b").is_ok());
    }
}
