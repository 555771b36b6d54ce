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
