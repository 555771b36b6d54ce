use sqlx::PgPool;

/// The stored value of `key`, inserting `generate()` first if there is none (race-free across nodes).
pub async fn get_or_create(
    db: &PgPool,
    key: &str,
    generate: impl FnOnce() -> String,
) -> Result<String, sqlx::Error> {
    sqlx::query!(
        "INSERT INTO app_settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING",
        key,
        generate()
    )
    .execute(db)
    .await?;
    sqlx::query_scalar!("SELECT value FROM app_settings WHERE key = $1", key)
        .fetch_one(db)
        .await
}

/// Replaces `key`'s value if it still is `old` (another node may have done it already).
pub async fn replace(db: &PgPool, key: &str, old: &str, new: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE app_settings SET value = $3 WHERE key = $1 AND value = $2")
        .bind(key)
        .bind(old)
        .bind(new)
        .execute(db)
        .await?;
    Ok(())
}
