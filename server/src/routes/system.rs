//! Liveness, readiness and Prometheus metrics (no login needed).

use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum_prometheus::PrometheusMetricLayer;
use axum_prometheus::metrics_exporter_prometheus::PrometheusHandle;
use serde_json::json;
use std::sync::OnceLock;

/// The process is up.
pub async fn healthz() -> impl IntoResponse {
    Json(json!({"status": "ok"}))
}

/// How long `/readyz` may take before it answers 503.
const READY_WITHIN: std::time::Duration = std::time::Duration::from_millis(800);

/// The database answers and every migration is applied.
pub async fn readyz(State(s): State<AppState>) -> impl IntoResponse {
    // A load balancer asks often and must hear "not ready" quickly: the whole check gets under a second,
    // however long the pool would wait for a connection to a database that is down.
    let check = async {
        let db = sqlx::query_scalar::<_, i32>("SELECT 1")
            .fetch_one(&s.ctx.db)
            .await
            .is_ok();
        (db, db && crate::db::migrations_applied(&s.ctx.db).await)
    };
    let (db, migrations) = tokio::time::timeout(READY_WITHIN, check)
        .await
        .unwrap_or((false, false));
    let status = if db && migrations {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (
        status,
        Json(json!({"database": db, "migrations": migrations})),
    )
}

/// The metrics layer and its handle; the recorder is process-global, so it is built once.
pub fn metrics_pair() -> &'static (PrometheusMetricLayer<'static>, PrometheusHandle) {
    static PAIR: OnceLock<(PrometheusMetricLayer<'static>, PrometheusHandle)> = OnceLock::new();
    PAIR.get_or_init(PrometheusMetricLayer::pair)
}

/// Request counts and latency histograms per route, in Prometheus text format.
pub async fn metrics(State(s): State<AppState>) -> impl IntoResponse {
    let pool = &s.ctx.db;
    let mut text = metrics_pair().1.render();
    text.push_str(&format!(
        "# TYPE crm_ims_db_pool_connections gauge\ncrm_ims_db_pool_connections{{state=\"open\"}} {}\ncrm_ims_db_pool_connections{{state=\"idle\"}} {}\n",
        pool.size(),
        pool.num_idle()
    ));
    (
        [(
            axum::http::header::CONTENT_TYPE,
            "text/plain; version=0.0.4",
        )],
        text,
    )
}
