use super::scope::Visible;
use super::sort::Column;
use domain::contact::{Contact, ContactInput, ContactSortKey};
use domain::page::{SortDir, SortType};
use domain::{ContactId, CustomerId, UserId};
use sqlx::{PgConnection, PgPool, Postgres, QueryBuilder};
use uuid::Uuid;

/// A contact with its customer's owner and the owner's team, which decide who may see it.
#[derive(Clone, Debug)]
pub struct ContactRecord {
    pub contact: Contact,
    pub owner_id: Option<UserId>,
    pub owner_team: Option<String>,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: Uuid,
    customer_id: Uuid,
    customer_name: String,
    first_name: String,
    last_name: String,
    email: Option<String>,
    phone: Option<String>,
    title: Option<String>,
    version: i32,
    created_at: chrono::DateTime<chrono::Utc>,
    updated_at: chrono::DateTime<chrono::Utc>,
    owner_id: Option<Uuid>,
    owner_team: Option<String>,
}

impl From<Row> for ContactRecord {
    fn from(r: Row) -> Self {
        Self {
            contact: Contact {
                id: ContactId(r.id),
                customer_id: CustomerId(r.customer_id),
                customer_name: Some(r.customer_name),
                first_name: r.first_name,
                last_name: r.last_name,
                email: r.email,
                phone: r.phone,
                title: r.title,
                version: r.version,
                created_at: r.created_at,
                updated_at: r.updated_at,
            },
            owner_id: r.owner_id.map(UserId),
            owner_team: r.owner_team,
        }
    }
}

const SELECT: &str = "SELECT k.id, k.customer_id, c.name AS customer_name, k.first_name, k.last_name, k.email, k.phone,
        k.title, k.version, k.created_at, k.updated_at, c.owner_id, u.team AS owner_team
    FROM contacts k JOIN customers c ON c.id = k.customer_id LEFT JOIN users u ON u.id = c.owner_id";

pub async fn by_id(
    conn: &mut PgConnection,
    id: ContactId,
    lock: bool,
) -> Result<Option<ContactRecord>, sqlx::Error> {
    let sql = format!(
        "{SELECT} WHERE k.id = $1{}",
        if lock { " FOR UPDATE OF k" } else { "" }
    );
    let row = sqlx::query_as::<_, Row>(&sql)
        .bind(id.0)
        .fetch_optional(conn)
        .await?;
    Ok(row.map(Into::into))
}

pub async fn insert(
    conn: &mut PgConnection,
    id: ContactId,
    customer: CustomerId,
    c: &ContactInput,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO contacts (id, customer_id, first_name, last_name, email, phone, title) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        id.0,
        customer.0,
        c.first_name,
        c.last_name,
        c.email,
        c.phone,
        c.title,
    )
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn update(
    conn: &mut PgConnection,
    id: ContactId,
    customer: CustomerId,
    c: &ContactInput,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE contacts SET customer_id = $2, first_name = $3, last_name = $4, email = $5, phone = $6, title = $7,
                version = version + 1, updated_at = now()
         WHERE id = $1",
        id.0,
        customer.0,
        c.first_name,
        c.last_name,
        c.email,
        c.phone,
        c.title,
    )
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn delete(conn: &mut PgConnection, id: ContactId) -> Result<(), sqlx::Error> {
    sqlx::query!("DELETE FROM contacts WHERE id = $1", id.0)
        .execute(conn)
        .await?;
    Ok(())
}

pub struct ListParams<'a> {
    pub fields: domain::query::FieldFilters,
    pub visible: Visible,
    pub tsquery: Option<String>,
    pub customer_id: Option<CustomerId>,
    pub email: Option<&'a str>,
    pub sort: ContactSortKey,
    pub dir: SortDir,
    pub after: Option<domain::page::Cursor>,
    pub limit: i64,
}

fn column(key: ContactSortKey) -> Column {
    use ContactSortKey as K;
    let text = |expr| Column::nullable(expr, SortType::Text);
    match key {
        K::LastName => Column::text("k.last_name"),
        K::FirstName => Column::text("k.first_name"),
        K::Email => text("k.email"),
        K::Phone => text("k.phone"),
        K::Title => text("k.title"),
        K::CustomerId => Column::new("k.customer_id", SortType::Uuid),
        K::CustomerName => Column::text("c.name"),
        K::CreatedAt => Column::time("k.created_at"),
        K::UpdatedAt => Column::time("k.updated_at"),
    }
}

pub async fn list(
    db: &PgPool,
    p: ListParams<'_>,
) -> Result<Vec<ContactRecord>, crate::ssr::ServiceError> {
    let mut qb: QueryBuilder<Postgres> = QueryBuilder::new(SELECT);
    qb.push(" WHERE true");
    p.visible.push_owner(&mut qb, "c.owner_id");
    if let Some(tsq) = p.tsquery {
        qb.push(" AND k.search @@ to_tsquery('simple', ")
            .push_bind(tsq)
            .push(")");
    }
    if let Some(c) = p.customer_id {
        qb.push(" AND k.customer_id = ").push_bind(c.0);
    }
    super::push_field_filters(
        &mut qb,
        &p.fields,
        &[
            ("first_name", "k.first_name"),
            ("last_name", "k.last_name"),
            ("phone", "k.phone"),
            ("title", "k.title"),
        ],
    );
    if let Some(e) = p.email {
        qb.push(" AND k.email = ").push_bind(e.to_owned());
    }
    let col = column(p.sort);
    let desc = p.dir == SortDir::Desc;
    if let Some(c) = &p.after {
        col.push_after(&mut qb, "k.id", desc, c)?;
    }
    col.push_order(&mut qb, "k.id", desc);
    super::limit(&mut qb, p.limit + 1);
    Ok(qb
        .build_query_as::<Row>()
        .fetch_all(db)
        .await?
        .into_iter()
        .map(Into::into)
        .collect())
}
