//! The error of every server function: a [`Problem`], so the UI can show field errors inline.

use domain::Problem;
use leptos::prelude::{FromServerFnError, ServerFnErrorErr};
use leptos::server_fn::codec::JsonEncoding;
use serde::{Deserialize, Serialize};
use std::cell::RefCell;
use std::fmt;

thread_local! {
    /// What to do when any server function answers 401 (set once by the app shell).
    static ON_UNAUTHORIZED: RefCell<Option<Box<dyn Fn()>>> = const { RefCell::new(None) };
}

/// Runs `f` whenever a server-function call answers 401 (the session expired, was revoked or its user was
/// deactivated). Every call's error passes through [`ApiError`]'s decoder, so no page has to check.
pub fn on_unauthorized(f: impl Fn() + 'static) {
    ON_UNAUTHORIZED.with(|hook| *hook.borrow_mut() = Some(Box::new(f)));
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ApiError(pub Problem);

impl ApiError {
    pub fn problem(&self) -> &Problem {
        &self.0
    }

    /// The inline message for one form field, if the server named it.
    pub fn field(&self, name: &str) -> Option<String> {
        self.0.field(name).map(str::to_owned)
    }
}

impl From<Problem> for ApiError {
    fn from(p: Problem) -> Self {
        Self(p)
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for ApiError {}

impl FromServerFnError for ApiError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        let status = match value {
            ServerFnErrorErr::Args(_)
            | ServerFnErrorErr::MissingArg(_)
            | ServerFnErrorErr::Deserialization(_) => 400,
            ServerFnErrorErr::Request(_) | ServerFnErrorErr::Response(_) => 503,
            _ => 500,
        };
        let mut p = if status == 503 {
            Problem::unavailable(
                "The server could not be reached; check your connection and try again.",
            )
        } else {
            Problem::new(
                status,
                "server-function",
                "Request failed",
                value.to_string(),
            )
        };
        p.status = status;
        Self(p)
    }

    /// Every error answer of a server-function call is decoded here: a 401 tells the app shell first.
    fn de(data: leptos::server_fn::Bytes) -> Self {
        use leptos::server_fn::Decodes as _;
        let error = JsonEncoding::decode(data).unwrap_or_else(|e| {
            Self::from_server_fn_error(ServerFnErrorErr::Deserialization(e.to_string()))
        });
        if error.0.status == 401 {
            ON_UNAUTHORIZED.with(|hook| {
                if let Some(f) = hook.borrow().as_ref() {
                    f();
                }
            });
        }
        error
    }
}
