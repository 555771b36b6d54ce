use crate::config::Config;
use app::ssr::AppCtx;
use std::sync::Arc;

/// Router state: the services' context and the configuration.
#[derive(Clone)]
pub struct AppState {
    pub ctx: AppCtx,
    pub config: Arc<Config>,
    /// Committed domain events for this node's WebSocket clients (fed by the outbox dispatcher).
    pub events: app::ssr::outbox::EventHub,
    /// Requests per minute per address and per user (see `rate_limit`).
    pub limiter: Arc<crate::rate_limit::RateLimiter>,
}
