//! Server side of the app (feature `ssr`): services (business flows, authorisation, audit) over repositories
//! (all SQL). The REST handlers in `server/` and the server functions in `crate::api` both call `services`.

// The audit trail's hash chain: the sealer and `crm-ims audit verify`.
pub mod audit_chain;
pub mod ctx;
pub mod error;
// The durable job worker (task reminders).
pub mod jobs;
// Fan-out of committed events to every node's WebSocket clients (in process, or Redis pub/sub).
pub mod live;
// The outbox dispatcher (domain events → notifications, live clients).
pub mod outbox;
// The polling loop of the background workers.
pub mod poll;
pub mod repo;
// The optional search engine (Meilisearch) for interaction search, and its sync worker.
pub mod search;
pub mod security;
pub mod services;
pub mod web;

pub use ctx::{Actor, AppCtx, RequestAuth, RequestMeta, Settings};
pub use error::ServiceError;

/// `Result` of a service call.
pub type Result<T, E = ServiceError> = std::result::Result<T, E>;
