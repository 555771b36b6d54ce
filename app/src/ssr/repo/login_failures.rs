//! Login attempts per key within a window, shared by every app node through the database. Keys:
//! `pair:<email>|<address>` (one account from one address), `ip:<address>` and `email:<email>` (the account
//! from anywhere).

use chrono::{DateTime, Utc};
use sqlx::PgConnection;
use uuid::Uuid;

/// Serialises attempts on these keys until the transaction ends (taken in sorted order, so two attempts
/// never wait on each other in a cycle).
pub async fn lock(conn: &mut PgConnection, keys: &[String]) -> Result<(), sqlx::Error> {
    let mut sorted: Vec<&String> = keys.iter().collect();
    sorted.sort();
    for key in sorted {
        sqlx::query!("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", key)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Attempts counted for `key` since `since`: how many, the oldest and the latest.
pub struct Counted {
    pub n: i64,
    pub oldest: Option<DateTime<Utc>>,
    pub latest: Option<DateTime<Utc>>,
}

pub async fn count_since(
    conn: &mut PgConnection,
    key: &str,
    since: DateTime<Utc>,
) -> Result<Counted, sqlx::Error> {
    let r = sqlx::query!(
        r#"SELECT count(*) AS "n!", min(at) AS oldest, max(at) AS latest
           FROM login_failures WHERE key = $1 AND at >= $2"#,
        key,
        since
    )
    .fetch_one(conn)
    .await?;
    Ok(Counted {
        n: r.n,
        oldest: r.oldest,
        latest: r.latest,
    })
}

/// Counts one attempt under every key (before its password is checked).
pub async fn record(
    conn: &mut PgConnection,
    keys: &[String],
    attempt: Uuid,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO login_failures (key, attempt) SELECT unnest($1::text[]), $2",
        keys,
        attempt
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// After a successful login: the attempt's own rows go, the account's count (from every address) starts
/// again, and rows older than the window of any key are dropped.
pub async fn clear_after_login(
    conn: &mut PgConnection,
    attempt: Uuid,
    email: &str,
    older_than: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "DELETE FROM login_failures
         WHERE attempt = $1 OR key = 'email:' || $2 OR starts_with(key, 'pair:' || $2 || '|') OR at < $3",
        attempt,
        email,
        older_than
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// An administrator's unlock: every count of the account (from every address) goes. Returns how many.
pub async fn clear_account(conn: &mut PgConnection, email: &str) -> Result<u64, sqlx::Error> {
    let done = sqlx::query!(
        "DELETE FROM login_failures WHERE key = 'email:' || $1 OR starts_with(key, 'pair:' || $1 || '|')",
        email
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}
