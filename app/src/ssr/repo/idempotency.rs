//! `idempotency_keys`: the first answer to a (user, `Idempotency-Key`) and the attempt that owns the key
//! (the HTTP side is `server/src/idempotency.rs`).

use sqlx::PgPool;
use uuid::Uuid;

/// How long a key and its answer are kept.
pub const KEPT_HOURS: i32 = 24;

/// A key as stored.
#[derive(sqlx::FromRow)]
pub struct KeyRow {
    pub fingerprint: Vec<u8>,
    pub attempt: String,
    /// Its attempt's lease is not over yet.
    pub running: bool,
    pub status: Option<i16>,
    pub headers: Option<serde_json::Value>,
    pub body: Option<Vec<u8>>,
}

/// Claims a new key (or one whose 24 hours are over) for `attempt`, in one statement: of two retries racing,
/// one gets it. `false` when the key is someone's already.
pub async fn claim(
    db: &PgPool,
    (user, key): (Uuid, &str),
    fingerprint: &[u8],
    attempt: &str,
    lease_secs: f64,
) -> Result<bool, sqlx::Error> {
    let claimed: Option<String> = sqlx::query_scalar(
        "INSERT INTO idempotency_keys (user_id, key, fingerprint, attempt, locked_until)
         VALUES ($1, $2, $3, $4, now() + make_interval(secs => $5))
         ON CONFLICT (user_id, key) DO UPDATE
            SET fingerprint = EXCLUDED.fingerprint, attempt = EXCLUDED.attempt,
                locked_until = EXCLUDED.locked_until, status = NULL, headers = NULL, body = NULL,
                created_at = now()
          WHERE idempotency_keys.created_at < now() - make_interval(hours => $6)
         RETURNING attempt",
    )
    .bind(user)
    .bind(key)
    .bind(fingerprint)
    .bind(attempt)
    .bind(lease_secs)
    .bind(KEPT_HOURS)
    .fetch_optional(db)
    .await?;
    Ok(claimed.is_some())
}

pub async fn get(db: &PgPool, (user, key): (Uuid, &str)) -> Result<KeyRow, sqlx::Error> {
    sqlx::query_as(
        "SELECT fingerprint, attempt, coalesce(locked_until > now(), false) AS running, status, headers, body
           FROM idempotency_keys WHERE user_id = $1 AND key = $2",
    )
    .bind(user)
    .bind(key)
    .fetch_one(db)
    .await
}

/// Moves a key without an answer from the dead attempt `from` to `to`; `false` when another retry did first.
pub async fn take_over(
    db: &PgPool,
    (user, key): (Uuid, &str),
    from: &str,
    to: &str,
    lease_secs: f64,
) -> Result<bool, sqlx::Error> {
    let taken = sqlx::query(
        "UPDATE idempotency_keys SET attempt = $3, locked_until = now() + make_interval(secs => $4)
          WHERE user_id = $1 AND key = $2 AND attempt = $5 AND status IS NULL",
    )
    .bind(user)
    .bind(key)
    .bind(to)
    .bind(lease_secs)
    .bind(from)
    .execute(db)
    .await?
    .rows_affected();
    Ok(taken == 1)
}

/// Ends `attempt`'s lease without keeping an answer: a retry then runs again, or is answered from the
/// attempt's audit rows.
pub async fn release(
    db: &PgPool,
    (user, key): (Uuid, &str),
    attempt: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE idempotency_keys SET locked_until = NULL
          WHERE user_id = $1 AND key = $2 AND attempt = $3 AND status IS NULL",
    )
    .bind(user)
    .bind(key)
    .bind(attempt)
    .execute(db)
    .await?;
    Ok(())
}

/// Keeps `attempt`'s answer for the retries.
pub async fn store(
    db: &PgPool,
    (user, key): (Uuid, &str),
    attempt: &str,
    (status, headers, body): (i16, serde_json::Value, &[u8]),
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE idempotency_keys SET status = $4, headers = $5, body = $6, locked_until = NULL
          WHERE user_id = $1 AND key = $2 AND attempt = $3",
    )
    .bind(user)
    .bind(key)
    .bind(attempt)
    .bind(status)
    .bind(headers)
    .bind(body)
    .execute(db)
    .await?;
    Ok(())
}

/// Deletes the keys past their 24 hours.
pub async fn sweep(db: &PgPool) -> Result<u64, sqlx::Error> {
    Ok(sqlx::query(
        "DELETE FROM idempotency_keys WHERE created_at < now() - make_interval(hours => $1)",
    )
    .bind(KEPT_HOURS)
    .execute(db)
    .await?
    .rows_affected())
}
