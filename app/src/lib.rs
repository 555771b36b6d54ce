//! CRM-IMS web app: Leptos pages and components (browser), server functions (both sides) and, behind the
//! `ssr` feature, the services and repositories that the REST API and the server functions share.

pub mod api;
pub mod error;

// The UI is rendered in the browser only (Trunk builds `frontend` with `csr`); the server never renders it.
// `components` gates its own modules, so that the pure list-filter rules are unit-tested on the host too.
pub mod components;
#[cfg(feature = "csr")]
pub mod pages;
#[cfg(feature = "csr")]
mod root;
// The live WebSocket connection (issue #6).
#[cfg(feature = "csr")]
pub mod live;

#[cfg(feature = "ssr")]
pub mod ssr;

pub use error::ApiError;
#[cfg(feature = "csr")]
pub use root::{App, Session, use_session};
