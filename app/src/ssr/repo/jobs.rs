//! The durable job queue (`jobs`): schedule, claim due rows (`FOR UPDATE SKIP LOCKED`), finish or retry.

use sqlx::PgConnection;

type Time = chrono::DateTime<chrono::Utc>;

/// A claimed job, locked by the claiming transaction until it commits or rolls back.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Job {
    pub id: i64,
    pub kind: String,
    pub payload: serde_json::Value,
    pub attempts: i32,
    pub dedupe_key: Option<String>,
}

/// Schedules a job once: a job with the same `dedupe_key` (pending or done) keeps it from being added again.
pub async fn schedule(
    conn: &mut PgConnection,
    kind: &str,
    payload: serde_json::Value,
    run_at: Time,
    dedupe_key: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO jobs (kind, payload, run_at, dedupe_key) VALUES ($1, $2, $3, $4)
         ON CONFLICT (dedupe_key) DO NOTHING",
        kind,
        payload,
        run_at,
        dedupe_key,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Removes the job with this key if it has not run yet.
pub async fn cancel_pending(conn: &mut PgConnection, dedupe_key: &str) -> Result<u64, sqlx::Error> {
    let r = sqlx::query!(
        "DELETE FROM jobs WHERE dedupe_key = $1 AND done_at IS NULL",
        dedupe_key
    )
    .execute(conn)
    .await?;
    Ok(r.rows_affected())
}

/// Locks up to `limit` due jobs that no other transaction holds (jobs_due_idx).
pub async fn claim_due(conn: &mut PgConnection, limit: i64) -> Result<Vec<Job>, sqlx::Error> {
    sqlx::query_as!(
        Job,
        "SELECT id, kind, payload, attempts, dedupe_key FROM jobs
         WHERE done_at IS NULL AND run_at <= now()
         ORDER BY run_at, id LIMIT $1
         FOR UPDATE SKIP LOCKED",
        limit
    )
    .fetch_all(conn)
    .await
}

/// Finishes a job (with the error that killed it, for dead jobs).
pub async fn mark_done(
    conn: &mut PgConnection,
    id: i64,
    error: Option<&str>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE jobs SET done_at = now(), attempts = attempts + $2, last_error = coalesce($3, last_error)
         WHERE id = $1",
        id,
        i32::from(error.is_some()),
        error,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Records a failed attempt and when to try again.
pub async fn retry_later(
    conn: &mut PgConnection,
    id: i64,
    run_at: Time,
    error: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE jobs SET attempts = attempts + 1, run_at = $2, last_error = $3 WHERE id = $1",
        id,
        run_at,
        error,
    )
    .execute(conn)
    .await?;
    Ok(())
}
