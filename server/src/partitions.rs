//! Keeps the monthly partitions of `interactions` ahead of time: this month and the next three, checked when
//! the server starts and then once a day. Several app nodes may do this at once (the SQL function serialises).

use sqlx::PgPool;
use std::time::Duration;

const EVERY: Duration = Duration::from_secs(24 * 60 * 60);

/// Runs the check now and then daily, in the background, for the life of the process.
pub fn spawn(db: PgPool) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(EVERY);
        loop {
            tick.tick().await;
            run_once(&db).await;
        }
    })
}

/// One check; failures are logged, never fatal (the default partition still takes every row).
pub async fn run_once(db: &PgPool) {
    let today = chrono::Utc::now().date_naive();
    match app::ssr::services::interactions::ensure_partitions(db, today).await {
        Ok(0) => tracing::debug!("interaction partitions are in place"),
        Ok(n) => tracing::info!(created = n, "created interaction partitions"),
        Err(e) => tracing::warn!(error = %e, "could not create interaction partitions"),
    }
}
