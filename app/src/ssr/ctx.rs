//! What every service call receives: shared state and who is asking.

use super::live::EventHub;
use super::search::Meili;
use super::security::JwtKeys;
use domain::Principal;
use sqlx::PgPool;
use std::sync::Arc;

/// Tunables of the services, from configuration.
#[derive(Clone, Debug)]
pub struct Settings {
    pub access_token_ttl_secs: i64,
    pub refresh_token_ttl_days: i64,
    /// Failed logins allowed per account from one address within `login_window_secs` before 429 (that
    /// address only: the owner elsewhere still signs in).
    pub login_max_failures_per_account: i64,
    /// Past that many failures from all addresses together, each further attempt on the account waits
    /// 1, 2, 4 … seconds after the latest one, at most this long (slows a spread-out guesser, never locks out).
    pub login_account_backoff_max_secs: i64,
    /// Failed logins allowed per client IP within `login_window_secs` before 429.
    pub login_max_failures_per_ip: i64,
    pub login_window_secs: i64,
    /// Browser sessions live in Redis (not countable from PostgreSQL).
    pub sessions_in_redis: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            access_token_ttl_secs: 15 * 60,
            refresh_token_ttl_days: 30,
            login_max_failures_per_account: 5,
            login_account_backoff_max_secs: 60,
            login_max_failures_per_ip: 50,
            login_window_secs: 15 * 60,
            sessions_in_redis: false,
        }
    }
}

/// Shared application state: cheap to clone.
#[derive(Clone)]
pub struct AppCtx {
    pub db: PgPool,
    pub jwt: Arc<JwtKeys>,
    pub settings: Arc<Settings>,
    /// Committed events for this node's live clients (see `super::live`).
    pub events: EventHub,
    /// The search engine for interactions when `MEILI_URL` is set (PostgreSQL answers otherwise).
    pub search: Option<Arc<Meili>>,
    pub started: std::time::Instant,
}

impl AppCtx {
    pub fn new(db: PgPool, jwt: JwtKeys, settings: Settings) -> Self {
        Self {
            db,
            jwt: Arc::new(jwt),
            settings: Arc::new(settings),
            events: EventHub::local(),
            search: None,
            started: std::time::Instant::now(),
        }
    }

    /// The same context searching interactions with `search`.
    pub fn with_search(mut self, search: Option<Arc<Meili>>) -> Self {
        self.search = search;
        self
    }

    /// The same context publishing through `events` (Redis fan-out).
    pub fn with_events(mut self, events: EventHub) -> Self {
        self.events = events;
        self
    }
}

/// Where a request came from, recorded in audit rows.
#[derive(Clone, Debug, Default)]
pub struct RequestMeta {
    pub request_id: Option<String>,
    pub ip: Option<String>,
}

/// An authenticated caller and the request they made.
#[derive(Clone, Debug)]
pub struct Actor {
    pub principal: Principal,
    pub meta: RequestMeta,
}

/// What the server's authentication layer found for a request (an axum request extension).
#[derive(Clone, Debug, Default)]
pub struct RequestAuth {
    pub principal: Option<Principal>,
    pub meta: RequestMeta,
    /// Authenticated by the session cookie (so writes need the CSRF check) rather than a bearer token.
    pub via_session: bool,
}

impl RequestAuth {
    pub fn actor(&self) -> Option<Actor> {
        self.principal.clone().map(|principal| Actor {
            principal,
            meta: self.meta.clone(),
        })
    }
}
