//! Headers every response carries (issue #20): a Content-Security-Policy the app itself passes, no framing,
//! no MIME sniffing, a referrer policy, HSTS when the app is served over TLS; and error answers that would
//! otherwise leave with an empty body (axum's 405, a body-limit or timeout answer) as problem+json.

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use domain::Problem;
use sha2::{Digest, Sha256};
use std::path::Path;
use std::sync::Arc;

/// The fixed headers, built once at start-up.
#[derive(Clone)]
pub struct SecurityHeaders(Arc<Vec<(HeaderName, HeaderValue)>>);

impl SecurityHeaders {
    /// `site_index` is the browser app's `index.html` (its inline scripts are allowed by their hashes);
    /// `tls` adds HSTS.
    pub fn new(site_index: &Path, tls: bool) -> Self {
        let html = std::fs::read_to_string(site_index).unwrap_or_default();
        let mut headers = vec![
            (
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_str(&content_security_policy(&html))
                    .unwrap_or_else(|_| HeaderValue::from_static("default-src 'self'")),
            ),
            (
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ),
            (header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")),
            (
                header::REFERRER_POLICY,
                HeaderValue::from_static("strict-origin-when-cross-origin"),
            ),
            (
                HeaderName::from_static("cross-origin-opener-policy"),
                HeaderValue::from_static("same-origin"),
            ),
        ];
        if tls {
            headers.push((
                header::STRICT_TRANSPORT_SECURITY,
                HeaderValue::from_static("max-age=31536000; includeSubDomains"),
            ));
        }
        Self(Arc::new(headers))
    }
}

/// Scripts only from this origin (plus the inline start-up scripts Trunk writes into `index.html`, by hash),
/// WebAssembly compiled from them, no plugins, no framing, no `<base>` or form posts elsewhere. Styles allow
/// inline attributes: the charts and the API reference set element styles.
pub fn content_security_policy(index_html: &str) -> String {
    let hashes: String = inline_scripts(index_html)
        .map(|body| {
            let digest = Sha256::digest(body.as_bytes());
            format!(
                " 'sha256-{}'",
                base64::engine::general_purpose::STANDARD.encode(digest)
            )
        })
        .collect();
    format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'{hashes}; style-src 'self' 'unsafe-inline'; \
         img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; \
         object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    )
}

/// The bodies of the `<script>` elements without a `src` (what a CSP hash covers: the exact text).
fn inline_scripts(html: &str) -> impl Iterator<Item = &str> {
    html.split("<script").skip(1).filter_map(|rest| {
        let open_end = rest.find('>')?;
        let attributes = &rest[..open_end];
        if attributes.contains("src=") {
            return None;
        }
        let body = &rest[open_end + 1..];
        Some(&body[..body.find("</script>")?])
    })
}

/// The layer: adds the headers to every answer and turns a bodiless error into a problem.
pub async fn apply(State(headers): State<SecurityHeaders>, req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    if res.status().as_u16() >= 400 && !res.headers().contains_key(header::CONTENT_TYPE) {
        res = bare_error_as_problem(res.status(), res.headers());
    }
    let h = res.headers_mut();
    for (name, value) in headers.0.iter() {
        h.insert(name.clone(), value.clone());
    }
    res
}

fn bare_error_as_problem(status: StatusCode, original: &HeaderMap) -> Response {
    let detail = match status {
        StatusCode::METHOD_NOT_ALLOWED => "This path does not take that HTTP method.".to_owned(),
        StatusCode::URI_TOO_LONG => "The request's URL is too long.".to_owned(),
        StatusCode::PAYLOAD_TOO_LARGE => {
            "The request body is too large (at most 2 MiB).".to_owned()
        }
        StatusCode::REQUEST_TIMEOUT | StatusCode::SERVICE_UNAVAILABLE => {
            "The request took too long; try again.".to_owned()
        }
        s => s.canonical_reason().unwrap_or("Error").to_owned(),
    };
    let slug = status
        .canonical_reason()
        .unwrap_or("error")
        .to_lowercase()
        .replace(' ', "-");
    let title = status.canonical_reason().unwrap_or("Error");
    let mut res = crate::problem::ApiProblem(Problem::new(status.as_u16(), &slug, title, detail))
        .into_response();
    // Keep what the original answer said besides its (empty) body, e.g. `Allow` on a 405.
    for name in [header::ALLOW, header::RETRY_AFTER] {
        if let Some(v) = original.get(&name) {
            res.headers_mut().insert(name, v.clone());
        }
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_scripts_are_allowed_by_their_hash_only() {
        let html = r#"<head><script defer src="/vendor/echarts.min.js"></script>
<script type="module" nonce="x">import init from '/frontend.js';init();</script></head>"#;
        let csp = content_security_policy(html);
        let digest = Sha256::digest(b"import init from '/frontend.js';init();");
        let expected = base64::engine::general_purpose::STANDARD.encode(digest);
        assert!(csp.contains(&format!("'sha256-{expected}'")), "{csp}");
        assert_eq!(
            csp.matches("'sha256-").count(),
            1,
            "the src script needs no hash"
        );
        assert!(
            !csp.split(';')
                .any(|d| d.trim().starts_with("script-src") && d.contains("unsafe-inline"))
        );
        assert!(csp.contains("frame-ancestors 'none'"));
    }
}
