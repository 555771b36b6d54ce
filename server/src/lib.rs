//! The CRM-IMS server: configuration, the HTTP application (REST `/api/v1`, server functions `/rpc`, the
//! browser app), sessions, and the CLI's commands. Business logic lives in `app::ssr::services`.

pub mod auth_layer;
pub mod config;
pub mod db;
pub mod extract;
pub mod headers;
pub mod idempotency;
pub mod listen;
pub mod openapi;
pub mod partitions;
pub mod pdf_table;
pub mod problem;
pub mod rate_limit;
pub mod routes;
pub mod rpc;
pub mod secrets;
pub mod seed;
pub mod seed_crm;
pub mod seed_inventory;
pub mod sessions;
pub mod site;
pub mod state;

use crate::config::Config;
use crate::sessions::{AnyStore, PostgresStore, RedisStore};
use crate::state::AppState;
use app::ssr::live::EventHub;
use app::ssr::security::JwtKeys;
use app::ssr::{AppCtx, Settings};
use axum::Router;
use axum::extract::{DefaultBodyLimit, Request};
use axum::http::StatusCode;
use axum::middleware::from_fn_with_state;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use rate_limit::RateLimiter;
use sha2::{Digest, Sha512};
use sqlx::PgPool;
use std::sync::Arc;
use std::time::Duration;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;
use tower_sessions::cookie::{Key, SameSite};
use tower_sessions::{Expiry, SessionManagerLayer};

/// The largest request body the app reads (413 above it): the REST API, server functions and the
/// `Idempotency-Key` layer alike.
pub const MAX_BODY_BYTES: usize = 2 * 1024 * 1024;

/// Builds the application on a migrated database: the router and its state.
pub async fn build(config: Config, db: PgPool) -> anyhow::Result<(Router, AppState)> {
    let vault = secrets::SecretBox::load(config.secrets_key.as_deref(), &config.data_dir)?;
    let jwt_secret =
        secrets::secret(&db, config.jwt_secret.as_deref(), "jwt_secret", &vault).await?;
    let session_secret = secrets::secret(
        &db,
        config.session_secret.as_deref(),
        "session_secret",
        &vault,
    )
    .await?;
    let ctx = AppCtx::new(
        db.clone(),
        JwtKeys::new(jwt_secret.as_bytes()),
        Settings {
            sessions_in_redis: config.redis_url.is_some(),
            ..Settings::default()
        },
    );
    let limits = rate_limit::Limits {
        per_user: config.rate_limit_user_per_minute,
        per_address: config.rate_limit_address_per_minute,
        unauthenticated: config.rate_limit_unauthenticated_per_minute,
    };
    // Every node on this database shares the event channel and the rate-limit counters (and nodes of another
    // database on the same Redis never see them).
    let (events, limiter) = match &config.redis_url {
        Some(url) => {
            let database: String = sqlx::query_scalar("SELECT current_database()")
                .fetch_one(&db)
                .await?;
            (
                EventHub::redis(url, format!("crm-ims:events:{database}")).await?,
                RateLimiter::redis(limits, url, format!("crm-ims:{database}:")).await?,
            )
        }
        None => (EventHub::local(), RateLimiter::new(limits)),
    };
    let search = search_engine(&config, &db).await?;
    let state = AppState {
        ctx: ctx.with_events(events.clone()).with_search(search),
        config: Arc::new(config),
        events,
        limiter: Arc::new(limiter),
    };

    let store = match &state.config.redis_url {
        Some(url) => AnyStore::Redis(RedisStore::connect(url).await?),
        None => {
            let pg = PostgresStore::new(db.clone());
            tokio::spawn(pg.clone().delete_expired_every(Duration::from_secs(600)));
            AnyStore::Postgres(pg)
        }
    };
    let session_key = Key::from(&Sha512::digest(session_secret.as_bytes())[..]);
    let sessions = SessionManagerLayer::new(store)
        .with_name("crm_ims_session")
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(state.config.cookie_secure)
        .with_expiry(Expiry::OnInactivity(time::Duration::hours(12)))
        .with_signed(session_key);

    let authenticated = Router::new()
        .nest(
            "/api/v1",
            routes::api()
                .0
                .layer(from_fn_with_state(state.clone(), idempotency::layer)),
        )
        .route("/rpc/{*fn_name}", post(rpc::handle).get(rpc::handle))
        .layer(from_fn_with_state(state.clone(), auth_layer::authenticate))
        .layer(sessions);

    let timeout = Duration::from_secs(state.config.request_timeout_secs);
    let security_headers =
        headers::SecurityHeaders::new(&state.config.site_dir.join("index.html"), state.config.tls);
    let router = Router::new()
        .route("/healthz", get(routes::system::healthz))
        .route("/readyz", get(routes::system::readyz))
        .route("/metrics", get(routes::system::metrics))
        .route("/api/docs", get(openapi::docs))
        .route("/api/docs/init.js", get(openapi::docs_script))
        .merge(authenticated)
        // Only matched routes are measured: labelling static and SPA paths (/customers/<id>) would create a
        // metric series per record viewed.
        .route_layer(routes::system::metrics_pair().0.clone())
        .fallback_service(site::router::<()>(&state.config.site_dir))
        .layer(CompressionLayer::new())
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(TimeoutLayer::with_status_code(StatusCode::SERVICE_UNAVAILABLE, timeout))
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(TraceLayer::new_for_http().make_span_with(|req: &Request| {
            let id = req.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("");
            tracing::info_span!("request", method = %req.method(), path = %req.uri().path(), request_id = %id)
        }))
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
        .layer(CatchPanicLayer::custom(|_| problem::ApiProblem(domain::Problem::internal()).into_response()))
        .layer(from_fn_with_state(security_headers, headers::apply))
        .with_state(state.clone());
    Ok((router, state))
}

/// The search engine of `MEILI_URL` (no connection is made yet), with this database's index.
pub async fn search_engine(
    config: &Config,
    db: &PgPool,
) -> anyhow::Result<Option<Arc<app::ssr::search::Meili>>> {
    let Some(url) = &config.meili_url else {
        return Ok(None);
    };
    let database: String = sqlx::query_scalar("SELECT current_database()")
        .fetch_one(db)
        .await?;
    let uid = app::ssr::search::index_uid(&config.meili_index_prefix, &database);
    Ok(Some(Arc::new(app::ssr::search::Meili::new(
        url,
        config.meili_key.as_deref(),
        &uid,
    )?)))
}

/// `crm-ims serve`: migrate, build, listen, and drain in-flight requests on SIGINT/SIGTERM.
pub async fn serve(config: Config) -> anyhow::Result<()> {
    let db = db::connect(&config.database_url, config.db_max_connections).await?;
    db::migrate(&db).await?;
    partitions::spawn(db.clone());
    idempotency::spawn_sweeper(db.clone());
    // Seals new audit entries into the hash chain (one node at a time).
    app::ssr::audit_chain::spawn_sealer(db.clone(), Duration::from_secs(5));
    let addr = config.bind_addr;
    if !config.site_dir.join("index.html").exists() {
        tracing::warn!(site_dir = %config.site_dir.display(), "the browser app is not built here (run scripts/run.sh); serving the API only");
    }
    let timeouts = listen::Timeouts {
        header: Duration::from_secs(config.header_timeout_secs),
    };
    let (router, state) = build(config, db.clone()).await?;
    // The job worker (task reminders): polls every second, stopped after the server has drained.
    let (stop_jobs, jobs_worker) = app::ssr::jobs::spawn_worker(db.clone(), Duration::from_secs(1));
    // The outbox dispatcher (notifications, live events): woken by each committed event, polls every 2 s.
    let (stop_outbox, outbox_worker) = app::ssr::outbox::spawn_dispatcher(
        db.clone(),
        state.events.clone(),
        Duration::from_secs(2),
    );
    // The search engine's sync worker (when MEILI_URL is set): every second, at once while there is more.
    let search_worker =
        state.ctx.search.clone().map(|engine| {
            app::ssr::search::spawn_worker(db.clone(), engine, Duration::from_secs(1))
        });
    let listener = tokio::net::TcpListener::bind(addr).await?;
    println!("CRM-IMS is listening on http://{addr}  (API docs: http://{addr}/api/docs)");
    listen::serve(listener, router, timeouts, shutdown_signal()).await;
    let _ = stop_jobs.send(true);
    let _ = jobs_worker.await;
    let _ = stop_outbox.send(true);
    let _ = outbox_worker.await;
    if let Some((stop, worker)) = search_worker {
        let _ = stop.send(true);
        let _ = worker.await;
    }
    db.close().await;
    tracing::info!("stopped");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { () = ctrl_c => {}, () = term => {} }
    tracing::info!("shutting down: draining in-flight requests");
}

/// JSON logs to stderr, filtered by `RUST_LOG` (default `info`).
pub fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| "info,sqlx=warn,tower_sessions=warn".into());
    let _ = tracing_subscriber::fmt()
        .json()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}
