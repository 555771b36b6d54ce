use super::sort::Column;
use domain::SortDir;
use domain::page::SortType;
use domain::user::{User, UserFilter, UserSortKey};
use domain::{Role, UserId};
use sqlx::{PgConnection, PgPool, Postgres, QueryBuilder};
use uuid::Uuid;

#[derive(sqlx::FromRow)]
pub struct UserRow {
    pub id: Uuid,
    pub email: String,
    pub name: String,
    pub role: String,
    pub team: Option<String>,
    pub is_active: bool,
    pub last_login_at: Option<chrono::DateTime<chrono::Utc>>,
    pub version: i32,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

impl From<UserRow> for User {
    fn from(r: UserRow) -> Self {
        Self {
            id: UserId(r.id),
            email: r.email,
            name: r.name,
            // The CHECK constraint admits only known roles; an unknown one is read as the least privileged.
            role: Role::parse(&r.role).unwrap_or(Role::Viewer),
            team: r.team,
            is_active: r.is_active,
            last_login_at: r.last_login_at,
            version: r.version,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

pub async fn by_id(conn: &mut PgConnection, id: UserId) -> Result<Option<User>, sqlx::Error> {
    let row = sqlx::query_as!(
        UserRow,
        "SELECT id, email, name, role, team, is_active, last_login_at, version, created_at, updated_at
         FROM users WHERE id = $1",
        id.0
    )
    .fetch_optional(conn)
    .await?;
    Ok(row.map(Into::into))
}

pub async fn by_id_for_update(
    conn: &mut PgConnection,
    id: UserId,
) -> Result<Option<User>, sqlx::Error> {
    let row = sqlx::query_as!(
        UserRow,
        "SELECT id, email, name, role, team, is_active, last_login_at, version, created_at, updated_at
         FROM users WHERE id = $1 FOR UPDATE",
        id.0
    )
    .fetch_optional(conn)
    .await?;
    Ok(row.map(Into::into))
}

/// The user and password hash for a login attempt.
pub async fn credentials(db: &PgPool, email: &str) -> Result<Option<(User, String)>, sqlx::Error> {
    let row = sqlx::query!(
        "SELECT id, email, name, role, team, is_active, last_login_at, version, created_at, updated_at, password_hash
         FROM users WHERE email = $1",
        email
    )
    .fetch_optional(db)
    .await?;
    Ok(row.map(|r| {
        let user = UserRow {
            id: r.id,
            email: r.email,
            name: r.name,
            role: r.role,
            team: r.team,
            is_active: r.is_active,
            last_login_at: r.last_login_at,
            version: r.version,
            created_at: r.created_at,
            updated_at: r.updated_at,
        };
        (user.into(), r.password_hash)
    }))
}

pub struct UserWrite<'a> {
    pub email: &'a str,
    pub name: &'a str,
    pub role: Role,
    pub team: Option<&'a str>,
    pub is_active: bool,
}

pub async fn insert(
    conn: &mut PgConnection,
    id: UserId,
    w: &UserWrite<'_>,
    password_hash: &str,
) -> Result<User, sqlx::Error> {
    let row = sqlx::query_as!(
        UserRow,
        "INSERT INTO users (id, email, name, password_hash, role, team, is_active) VALUES ($1, $2, $3, $4, $5, $6, $7)
         RETURNING id, email, name, role, team, is_active, last_login_at, version, created_at, updated_at",
        id.0,
        w.email,
        w.name,
        password_hash,
        w.role.as_str(),
        w.team,
        w.is_active,
    )
    .fetch_one(conn)
    .await?;
    Ok(row.into())
}

pub async fn update(
    conn: &mut PgConnection,
    id: UserId,
    w: &UserWrite<'_>,
    password_hash: Option<&str>,
) -> Result<User, sqlx::Error> {
    let row = sqlx::query_as!(
        UserRow,
        "UPDATE users SET email = $2, name = $3, role = $4, team = $5, is_active = $6,
                password_hash = coalesce($7, password_hash), version = version + 1, updated_at = now()
         WHERE id = $1
         RETURNING id, email, name, role, team, is_active, last_login_at, version, created_at, updated_at",
        id.0,
        w.email,
        w.name,
        w.role.as_str(),
        w.team,
        w.is_active,
        password_hash,
    )
    .fetch_one(conn)
    .await?;
    Ok(row.into())
}

pub async fn touch_login(conn: &mut PgConnection, id: UserId) -> Result<(), sqlx::Error> {
    sqlx::query!("UPDATE users SET last_login_at = now() WHERE id = $1", id.0)
        .execute(conn)
        .await?;
    Ok(())
}

fn column(key: UserSortKey) -> Column {
    match key {
        UserSortKey::Email => Column::text("email"),
        UserSortKey::Name => Column::text("name"),
        UserSortKey::Role => Column::text("role"),
        UserSortKey::Team => Column::nullable("team", SortType::Text),
        UserSortKey::IsActive => Column::new("is_active", SortType::Bool),
        UserSortKey::LastLoginAt => Column::nullable("last_login_at", SortType::Time),
        UserSortKey::CreatedAt => Column::time("created_at"),
        UserSortKey::UpdatedAt => Column::time("updated_at"),
    }
}

pub async fn list(db: &PgPool, f: &UserFilter) -> Result<Vec<User>, crate::ssr::ServiceError> {
    let mut qb: QueryBuilder<Postgres> = QueryBuilder::new(
        "SELECT id, email, name, role, team, is_active, last_login_at, version, created_at, updated_at FROM users WHERE true",
    );
    if let Some(q) = &f.q {
        let like = format!(
            "%{}%",
            q.replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_")
        );
        qb.push(" AND (email ILIKE ")
            .push_bind(like.clone())
            .push(" OR name ILIKE ")
            .push_bind(like)
            .push(")");
    }
    if let Some(r) = f.role {
        qb.push(" AND role = ").push_bind(r.as_str());
    }
    if let Some(t) = &f.team {
        qb.push(" AND team = ").push_bind(t.clone());
    }
    if let Some(a) = f.is_active {
        qb.push(" AND is_active = ").push_bind(a);
    }
    super::push_field_filters(&mut qb, &f.fields, &[("email", "email"), ("name", "name")]);
    let col = column(f.order.sort.field);
    let desc = f.order.sort.dir == SortDir::Desc;
    if let Some(c) = &f.order.cursor {
        col.push_after(&mut qb, "id", desc, c)?;
    }
    col.push_order(&mut qb, "id", desc);
    super::limit(&mut qb, f.limit + 1);
    Ok(qb
        .build_query_as::<UserRow>()
        .fetch_all(db)
        .await?
        .into_iter()
        .map(Into::into)
        .collect())
}

/// Ids of the members of `team` (small: a team is a handful of people).
pub async fn team_members(conn: &mut PgConnection, team: &str) -> Result<Vec<UserId>, sqlx::Error> {
    let ids = sqlx::query_scalar!("SELECT id FROM users WHERE team = $1", team)
        .fetch_all(conn)
        .await?;
    Ok(ids.into_iter().map(UserId).collect())
}

/// The active user as a principal, with the auth epoch their session or token must carry.
pub async fn principal(
    db: &PgPool,
    id: UserId,
) -> Result<Option<(domain::Principal, i32)>, sqlx::Error> {
    let row = sqlx::query!(
        "SELECT id, email, name, role, team, auth_epoch FROM users WHERE id = $1 AND is_active",
        id.0
    )
    .fetch_optional(db)
    .await?;
    Ok(row.map(|r| {
        let principal = domain::Principal {
            user_id: UserId(r.id),
            email: r.email,
            name: r.name,
            role: Role::parse(&r.role).unwrap_or(Role::Viewer),
            team: r.team,
        };
        (principal, r.auth_epoch)
    }))
}

pub async fn auth_epoch(conn: &mut PgConnection, id: UserId) -> Result<i32, sqlx::Error> {
    sqlx::query_scalar!("SELECT auth_epoch FROM users WHERE id = $1", id.0)
        .fetch_one(conn)
        .await
}

/// Ends every session and access token of the user (they carry the old epoch).
pub async fn bump_auth_epoch(conn: &mut PgConnection, id: UserId) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE users SET auth_epoch = auth_epoch + 1 WHERE id = $1",
        id.0
    )
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn id_by_email_for_update(
    conn: &mut PgConnection,
    email: &str,
) -> Result<Option<UserId>, sqlx::Error> {
    let id = sqlx::query_scalar!("SELECT id FROM users WHERE email = $1 FOR UPDATE", email)
        .fetch_optional(conn)
        .await?;
    Ok(id.map(UserId))
}
