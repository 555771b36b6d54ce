//! Configuration from the environment (and a `.env` file when present); see README "Configuration".

use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Clone, Debug)]
pub struct Config {
    pub database_url: String,
    pub bind_addr: SocketAddr,
    pub redis_url: Option<String>,
    /// The search engine for interactions (Meilisearch); PostgreSQL searches without it.
    pub meili_url: Option<String>,
    pub meili_key: Option<String>,
    /// Prefix of the engine's index names (the database name follows it).
    pub meili_index_prefix: String,
    pub data_dir: PathBuf,
    /// The browser app built by Trunk.
    pub site_dir: PathBuf,
    pub db_max_connections: u32,
    pub request_timeout_secs: u64,
    /// A connection that has not sent a complete request head (the first, or the next on a kept-alive
    /// connection) within this is closed.
    pub header_timeout_secs: u64,
    pub jwt_secret: Option<String>,
    pub session_secret: Option<String>,
    /// Encrypts the generated secrets stored in the database (else `DATA_DIR/secrets.key`).
    pub secrets_key: Option<String>,
    /// Mark cookies `Secure` (set when the app is served over TLS, e.g. behind a proxy).
    pub cookie_secure: bool,
    /// Served over TLS (`PUBLIC_URL` is https): answers carry HSTS.
    pub tls: bool,
    /// Take the client IP from `X-Forwarded-For` (only behind a trusted proxy).
    pub trust_proxy: bool,
    /// API requests answered per minute per signed-in user, per client address, and per address for requests
    /// without a valid login (login, token refresh, guessed tokens); past them: 429 with `Retry-After`.
    pub rate_limit_user_per_minute: u32,
    pub rate_limit_address_per_minute: u32,
    pub rate_limit_unauthenticated_per_minute: u32,
}

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

fn parse<T: std::str::FromStr>(name: &str, default: T) -> anyhow::Result<T> {
    match var(name) {
        None => Ok(default),
        Some(v) => v
            .trim()
            .parse()
            .map_err(|_| anyhow::anyhow!("{name}={v:?} is not valid")),
    }
}

impl Config {
    pub fn from_env() -> anyhow::Result<Self> {
        let _ = dotenvy::dotenv();
        let public_url = var("PUBLIC_URL").unwrap_or_default();
        Ok(Self {
            database_url: var("DATABASE_URL")
                .unwrap_or_else(|| "postgres://postgres@127.0.0.1:5432/crm_ims".into()),
            bind_addr: parse("BIND_ADDR", SocketAddr::from(([127, 0, 0, 1], 3000)))?,
            redis_url: var("REDIS_URL"),
            meili_url: var("MEILI_URL"),
            meili_key: var("MEILI_KEY"),
            meili_index_prefix: var("MEILI_INDEX_PREFIX").unwrap_or_else(|| "crm_ims_".into()),
            data_dir: var("DATA_DIR").unwrap_or_else(|| "./data".into()).into(),
            site_dir: var("SITE_DIR")
                .unwrap_or_else(|| "target/site".into())
                .into(),
            db_max_connections: parse("DB_MAX_CONNECTIONS", 20)?,
            request_timeout_secs: parse("REQUEST_TIMEOUT_SECS", 30)?,
            header_timeout_secs: parse("HEADER_TIMEOUT_SECS", 10)?,
            jwt_secret: var("JWT_SECRET"),
            session_secret: var("SESSION_SECRET"),
            secrets_key: var("SECRETS_KEY"),
            cookie_secure: parse("COOKIE_SECURE", public_url.starts_with("https://"))?,
            tls: public_url.starts_with("https://"),
            trust_proxy: parse("TRUST_PROXY", false)?,
            rate_limit_user_per_minute: parse("RATE_LIMIT_USER_PER_MINUTE", 1200)?,
            rate_limit_address_per_minute: parse("RATE_LIMIT_ADDRESS_PER_MINUTE", 3000)?,
            rate_limit_unauthenticated_per_minute: parse(
                "RATE_LIMIT_UNAUTHENTICATED_PER_MINUTE",
                120,
            )?,
        })
    }
}
