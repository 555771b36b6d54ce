//! Failed logins per account and per IP within a window, shared by every app node through the database.

use sqlx::{PgConnection, PgPool};

/// Failures for `key` since `since`, and the oldest of them (to compute Retry-After).
pub async fn count_since(
    db: &PgPool,
    key: &str,
    since: chrono::DateTime<chrono::Utc>,
) -> Result<(i64, Option<chrono::DateTime<chrono::Utc>>), sqlx::Error> {
    let r = sqlx::query!(
        r#"SELECT count(*) AS "n!", min(at) AS oldest FROM login_failures WHERE key = $1 AND at >= $2"#,
        key,
        since
    )
    .fetch_one(db)
    .await?;
    Ok((r.n, r.oldest))
}

pub async fn record(conn: &mut PgConnection, keys: &[String]) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO login_failures (key) SELECT unnest($1::text[])",
        keys
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// After a successful login the account's count starts again; old rows of any key are dropped.
pub async fn clear(
    conn: &mut PgConnection,
    key: &str,
    older_than: chrono::DateTime<chrono::Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "DELETE FROM login_failures WHERE key = $1 OR at < $2",
        key,
        older_than
    )
    .execute(conn)
    .await?;
    Ok(())
}
