//! The error of every server function: a [`Problem`], so the UI can show field errors inline.

use domain::Problem;
use leptos::prelude::{FromServerFnError, ServerFnErrorErr};
use leptos::server_fn::codec::JsonEncoding;
use serde::{Deserialize, Serialize};
use std::fmt;

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
}
