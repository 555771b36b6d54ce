//! Refresh tokens: stored as hashes, rotated on use, revoked by family.

use domain::{RefreshTokenId, UserId};
use sqlx::PgConnection;
use uuid::Uuid;

pub struct StoredToken {
    pub id: Uuid,
    pub user_id: UserId,
    pub family_id: Uuid,
    pub expires_at: chrono::DateTime<chrono::Utc>,
    pub used_at: Option<chrono::DateTime<chrono::Utc>>,
    pub revoked_at: Option<chrono::DateTime<chrono::Utc>>,
}

pub async fn insert(
    conn: &mut PgConnection,
    user: UserId,
    family: Uuid,
    hash: &[u8],
    expires_at: chrono::DateTime<chrono::Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO refresh_tokens (id, user_id, family_id, token_hash, expires_at) VALUES ($1, $2, $3, $4, $5)",
        RefreshTokenId::new().0,
        user.0,
        family,
        hash,
        expires_at
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Locks the token row so that two concurrent refreshes with the same token cannot both succeed.
pub async fn find_for_update(
    conn: &mut PgConnection,
    hash: &[u8],
) -> Result<Option<StoredToken>, sqlx::Error> {
    let r = sqlx::query!(
        "SELECT id, user_id, family_id, expires_at, used_at, revoked_at FROM refresh_tokens WHERE token_hash = $1 FOR UPDATE",
        hash
    )
    .fetch_optional(conn)
    .await?;
    Ok(r.map(|r| StoredToken {
        id: r.id,
        user_id: UserId(r.user_id),
        family_id: r.family_id,
        expires_at: r.expires_at,
        used_at: r.used_at,
        revoked_at: r.revoked_at,
    }))
}

pub async fn mark_used(conn: &mut PgConnection, id: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE refresh_tokens SET used_at = now() WHERE id = $1",
        id
    )
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn revoke_family(conn: &mut PgConnection, family: Uuid) -> Result<u64, sqlx::Error> {
    let r = sqlx::query!(
        "UPDATE refresh_tokens SET revoked_at = now() WHERE family_id = $1 AND revoked_at IS NULL",
        family
    )
    .execute(conn)
    .await?;
    Ok(r.rows_affected())
}

pub async fn revoke_user(conn: &mut PgConnection, user: UserId) -> Result<u64, sqlx::Error> {
    let r = sqlx::query!(
        "UPDATE refresh_tokens SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL",
        user.0
    )
    .execute(conn)
    .await?;
    Ok(r.rows_affected())
}
