//! The browser app built by Trunk: static files with long-cache headers for hashed names, SPA fallback.

use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderValue, header};
use axum::middleware::{self, Next};
use axum::response::Response;
use std::path::Path;
use tower_http::services::{ServeDir, ServeFile};

pub fn router<S: Clone + Send + Sync + 'static>(dir: &Path) -> Router<S> {
    let index = dir.join("index.html");
    Router::new()
        .fallback_service(
            ServeDir::new(dir)
                .precompressed_gzip()
                .precompressed_br()
                .fallback(ServeFile::new(index)),
        )
        .layer(middleware::from_fn(cache_headers))
}

async fn cache_headers(req: Request, next: Next) -> Response {
    let hashed = is_hashed(req.uri().path());
    let mut res = next.run(req).await;
    let value = if hashed && res.status().is_success() {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static(value));
    res
}

/// Trunk names built files `name-<hash>…` with the hash in hex, not zero-padded (so 12 to 16 digits): their
/// content never changes under that name.
fn is_hashed(path: &str) -> bool {
    let file = path.rsplit('/').next().unwrap_or("");
    file.split(['-', '_', '.']).any(|part| {
        (12..=16).contains(&part.len())
            && part.chars().all(|c| c.is_ascii_hexdigit())
            && part.chars().any(|c| c.is_ascii_digit())
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn recognises_hashed_names() {
        assert!(super::is_hashed("/frontend-6f1d2a3b4c5d6e7f_bg.wasm"));
        assert!(
            super::is_hashed("/frontend-95efed92b2f3e70.js"),
            "15 digits: Trunk does not zero-pad"
        );
        assert!(!super::is_hashed("/index.html"));
        assert!(!super::is_hashed("/customers/0190aa"));
    }
}
