use crate::ApiError;
use domain::user::User;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

/// Logs in with a session cookie (the browser's way; API clients use `POST /api/v1/auth/login`).
#[server(prefix = "/rpc", endpoint = "login", input = Json)]
pub async fn login(email: String, password: String) -> Result<User, ApiError> {
    crate::ssr::web::session_login(email, password).await
}

#[server(prefix = "/rpc", endpoint = "logout", input = Json)]
pub async fn logout() -> Result<(), ApiError> {
    crate::ssr::web::session_logout().await
}

/// The logged-in user, or `None` when the browser has no valid session.
#[server(prefix = "/rpc", endpoint = "current_user", input = Json)]
pub async fn current_user() -> Result<Option<User>, ApiError> {
    crate::ssr::web::session_user().await
}
