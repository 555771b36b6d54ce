//! The durable job worker: claims due rows of `jobs` with `FOR UPDATE SKIP LOCKED`, does each job's work and
//! marks it done in the claiming transaction — so several app nodes never run a job twice, and a crash before
//! the commit leaves the job to be run later. A failing job is retried with exponential backoff (its attempt
//! and error recorded in a transaction of its own) and given up after `MAX_ATTEMPTS` (done, error kept).

use super::Result;
use super::repo::jobs::{self as repo, Job};
use super::repo::notifications::{self as notifications, NewNotification};
use super::repo::tasks as tasks_repo;
use chrono::{DateTime, SecondsFormat, Utc};
use domain::TaskId;
use sqlx::{PgConnection, PgPool};
use std::time::Duration;
use tokio::sync::watch;

/// `payload: {"task_id"}`: tell the task's assignee (or creator) that it is time.
pub const TASK_REMINDER: &str = "task_reminder";
pub const MAX_ATTEMPTS: i32 = 10;
/// Jobs claimed per transaction.
pub const BATCH: i64 = 20;

/// The dedupe key of a task's reminder at `at`: one job per task and reminder time.
pub fn reminder_key(task: TaskId, at: DateTime<Utc>) -> String {
    format!(
        "{TASK_REMINDER}:{task}:{}",
        at.to_rfc3339_opts(SecondsFormat::Micros, true)
    )
}

/// How long to wait before the next try after `attempts` failed ones: 10 s doubling, at most an hour.
pub fn retry_delay(attempts: i32) -> chrono::Duration {
    let exp = u32::try_from(attempts.clamp(1, 20) - 1).unwrap_or(0);
    chrono::Duration::seconds((10_i64 << exp).min(3600))
}

/// Runs up to `limit` due jobs; returns how many were completed.
pub async fn run_due_jobs(db: &PgPool, limit: i64) -> Result<usize> {
    let mut tx = db.begin().await?;
    let jobs = repo::claim_due(&mut tx, limit).await?;
    let mut done = 0;
    let mut failed = Vec::new();
    for job in jobs {
        // A savepoint per job: a failing job's partial work is undone without losing the others'.
        let mut sp = sqlx::Connection::begin(&mut *tx).await?;
        match run_job(&mut sp, &job).await {
            Ok(()) => {
                repo::mark_done(&mut sp, job.id, None).await?;
                sp.commit().await?;
                done += 1;
            }
            Err(e) => {
                sp.rollback().await?;
                failed.push((job, e));
            }
        }
    }
    tx.commit().await?;
    for (job, error) in failed {
        tracing::warn!(job = job.id, kind = %job.kind, attempts = job.attempts + 1, %error, "job failed");
        let mut tx = db.begin().await?;
        if job.attempts + 1 >= MAX_ATTEMPTS {
            repo::mark_done(&mut tx, job.id, Some(&error)).await?;
        } else {
            let run_at = Utc::now() + retry_delay(job.attempts + 1);
            repo::retry_later(&mut tx, job.id, run_at, &error).await?;
        }
        tx.commit().await?;
    }
    Ok(done)
}

/// One job's work; `Err` is the text kept in `last_error`.
async fn run_job(conn: &mut PgConnection, job: &Job) -> Result<(), String> {
    match job.kind.as_str() {
        TASK_REMINDER => deliver_task_reminder(conn, job).await,
        other => Err(format!("unknown job kind {other:?}")),
    }
}

async fn deliver_task_reminder(conn: &mut PgConnection, job: &Job) -> Result<(), String> {
    let task: TaskId = job
        .payload
        .get("task_id")
        .and_then(|v| serde_json::from_value(v.clone()).ok())
        .ok_or_else(|| "payload lacks a task_id".to_owned())?;
    let db_err = |e: sqlx::Error| format!("database: {e}");
    // A deleted or finished task, or one nobody can be told about, has nothing left to remind of.
    let Some(target) = tasks_repo::reminder_target(conn, task)
        .await
        .map_err(db_err)?
    else {
        return Ok(());
    };
    let Some(recipient) = target.recipient.filter(|_| target.active) else {
        return Ok(());
    };
    let title = format!("Reminder: {}", target.title);
    let body = target
        .due_at
        .map(|d| format!("Due {}", d.format("%Y-%m-%d %H:%M UTC")))
        .unwrap_or_default();
    let fallback = format!("job:{}", job.id);
    notifications::insert(
        conn,
        NewNotification {
            user_id: recipient,
            kind: TASK_REMINDER,
            title: &title,
            body: &body,
            entity: Some("task"),
            entity_id: Some(task.0),
            dedupe_key: Some(job.dedupe_key.as_deref().unwrap_or(&fallback)),
        },
    )
    .await
    .map_err(db_err)?;
    Ok(())
}

/// Polls for due jobs every `every` until `stop` turns true (or its sender is dropped).
pub async fn run_worker(db: PgPool, every: Duration, stop: watch::Receiver<bool>) {
    super::poll::until_stopped("job worker", every, BATCH, stop, || {
        run_due_jobs(&db, BATCH)
    })
    .await;
}

/// Starts the worker; send `true` on the returned sender to stop it, then await the handle.
pub fn spawn_worker(
    db: PgPool,
    every: Duration,
) -> (watch::Sender<bool>, tokio::task::JoinHandle<()>) {
    let (tx, rx) = watch::channel(false);
    (tx, tokio::spawn(run_worker(db, every, rx)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_is_capped() {
        assert_eq!(retry_delay(1).num_seconds(), 10);
        assert_eq!(retry_delay(2).num_seconds(), 20);
        assert_eq!(retry_delay(4).num_seconds(), 80);
        assert_eq!(retry_delay(9).num_seconds(), 2560);
        assert_eq!(retry_delay(10).num_seconds(), 3600);
        assert_eq!(retry_delay(500).num_seconds(), 3600);
    }

    #[test]
    fn reminder_keys_name_task_and_time() {
        let t = TaskId(uuid::Uuid::nil());
        let at = DateTime::parse_from_rfc3339("2026-01-02T03:04:05.123456789Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(
            reminder_key(t, at),
            "task_reminder:00000000-0000-0000-0000-000000000000:2026-01-02T03:04:05.123456Z"
        );
    }
}
