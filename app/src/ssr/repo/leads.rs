//! Leads, the links a conversion stores on them, and the duplicate-customer search of a lead.

use super::scope::Visible;
use super::sort::Column;
use domain::lead::{Lead, LeadInput, LeadSortKey, LeadSource, LeadStatus};
use domain::page::{SortDir, SortType};
use domain::{ContactId, CustomerId, LeadId, OpportunityId, UserId};
use rust_decimal::Decimal;
use sqlx::{PgConnection, PgPool, Postgres, QueryBuilder};
use uuid::Uuid;

/// A lead with the owner's team, which decides who may see it.
#[derive(Clone, Debug)]
pub struct LeadRecord {
    pub lead: Lead,
    pub owner_team: Option<String>,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: Uuid,
    name: String,
    company: Option<String>,
    email: Option<String>,
    phone: Option<String>,
    source: String,
    status: String,
    owner_id: Option<Uuid>,
    owner_name: Option<String>,
    owner_team: Option<String>,
    estimated_value: Option<Decimal>,
    currency: String,
    notes: String,
    disqualified_reason: Option<String>,
    converted_at: Option<chrono::DateTime<chrono::Utc>>,
    converted_customer_id: Option<Uuid>,
    converted_contact_id: Option<Uuid>,
    converted_opportunity_id: Option<Uuid>,
    version: i32,
    created_at: chrono::DateTime<chrono::Utc>,
    updated_at: chrono::DateTime<chrono::Utc>,
}

impl From<Row> for LeadRecord {
    fn from(r: Row) -> Self {
        Self {
            lead: Lead {
                id: LeadId(r.id),
                name: r.name,
                company: r.company,
                email: r.email,
                phone: r.phone,
                source: LeadSource::parse(&r.source).unwrap_or_default(),
                status: LeadStatus::parse(&r.status).unwrap_or_default(),
                owner_id: r.owner_id.map(UserId),
                owner_name: r.owner_name,
                estimated_value: r.estimated_value,
                currency: r.currency,
                notes: r.notes,
                disqualified_reason: r.disqualified_reason,
                converted_at: r.converted_at,
                converted_customer_id: r.converted_customer_id.map(CustomerId),
                converted_contact_id: r.converted_contact_id.map(ContactId),
                converted_opportunity_id: r.converted_opportunity_id.map(OpportunityId),
                version: r.version,
                created_at: r.created_at,
                updated_at: r.updated_at,
            },
            owner_team: r.owner_team,
        }
    }
}

const SELECT: &str = "SELECT l.id, l.name, l.company, l.email, l.phone, l.source, l.status, l.owner_id,
        u.name AS owner_name, u.team AS owner_team, l.estimated_value, l.currency::text AS currency, l.notes,
        l.disqualified_reason, l.converted_at, l.converted_customer_id, l.converted_contact_id,
        l.converted_opportunity_id, l.version, l.created_at, l.updated_at
    FROM leads l LEFT JOIN users u ON u.id = l.owner_id";

/// The lead (locked `FOR UPDATE` for the rest of the transaction when `lock`).
pub async fn by_id(
    conn: &mut PgConnection,
    id: LeadId,
    lock: bool,
) -> Result<Option<LeadRecord>, sqlx::Error> {
    let sql = format!(
        "{SELECT} WHERE l.id = $1{}",
        if lock { " FOR UPDATE OF l" } else { "" }
    );
    let row = sqlx::query_as::<_, Row>(&sql)
        .bind(id.0)
        .fetch_optional(conn)
        .await?;
    Ok(row.map(Into::into))
}

pub async fn insert(conn: &mut PgConnection, id: LeadId, l: &LeadInput) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO leads (id, name, company, email, phone, source, status, owner_id, estimated_value, currency,
                            notes, disqualified_reason)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        id.0,
        l.name,
        l.company,
        l.email,
        l.phone,
        l.source.as_str(),
        l.status.as_str(),
        l.owner_id.map(|o| o.0),
        l.estimated_value,
        l.currency,
        l.notes,
        l.disqualified_reason,
    )
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn update(conn: &mut PgConnection, id: LeadId, l: &LeadInput) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE leads SET name = $2, company = $3, email = $4, phone = $5, source = $6, status = $7, owner_id = $8,
                estimated_value = $9, currency = $10, notes = $11, disqualified_reason = $12,
                version = version + 1, updated_at = now()
         WHERE id = $1",
        id.0,
        l.name,
        l.company,
        l.email,
        l.phone,
        l.source.as_str(),
        l.status.as_str(),
        l.owner_id.map(|o| o.0),
        l.estimated_value,
        l.currency,
        l.notes,
        l.disqualified_reason,
    )
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn delete(conn: &mut PgConnection, id: LeadId) -> Result<(), sqlx::Error> {
    sqlx::query!("DELETE FROM leads WHERE id = $1", id.0)
        .execute(conn)
        .await?;
    Ok(())
}

/// What a conversion produced, stored on the lead.
pub struct Conversion {
    pub customer: CustomerId,
    pub contact: ContactId,
    pub opportunity: Option<OpportunityId>,
}

pub async fn mark_converted(
    conn: &mut PgConnection,
    id: LeadId,
    c: &Conversion,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE leads SET status = 'converted', converted_at = now(), converted_customer_id = $2,
                converted_contact_id = $3, converted_opportunity_id = $4, version = version + 1, updated_at = now()
         WHERE id = $1",
        id.0,
        c.customer.0,
        c.contact.0,
        c.opportunity.map(|o| o.0),
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// The id of the customer that already uses this e-mail address (customers' e-mails are unique).
pub async fn customer_with_email(
    conn: &mut PgConnection,
    email: &str,
) -> Result<Option<CustomerId>, sqlx::Error> {
    let id = sqlx::query_scalar!("SELECT id FROM customers WHERE email = $1", email)
        .fetch_optional(conn)
        .await?;
    Ok(id.map(CustomerId))
}

pub struct ListParams {
    pub fields: domain::query::FieldFilters,
    pub visible: Visible,
    pub tsquery: Option<String>,
    /// Text without letters or digits: a substring of the name.
    pub substring: Option<String>,
    pub status: Option<LeadStatus>,
    pub source: Option<LeadSource>,
    pub owner_id: Option<UserId>,
    pub created_from: Option<chrono::DateTime<chrono::Utc>>,
    pub created_to: Option<chrono::DateTime<chrono::Utc>>,
    pub sort: LeadSortKey,
    pub dir: SortDir,
    pub after: Option<domain::page::Cursor>,
    pub limit: i64,
}

fn column(key: LeadSortKey) -> Column {
    use LeadSortKey as K;
    let text = |expr| Column::nullable(expr, SortType::Text);
    match key {
        K::Name => Column::text("l.name"),
        K::CreatedAt => Column::time("l.created_at"),
        K::UpdatedAt => Column::time("l.updated_at"),
        K::EstimatedValue => Column::nullable("l.estimated_value", SortType::Decimal),
        K::Company => text("l.company"),
        K::Email => text("l.email"),
        K::Phone => text("l.phone"),
        K::Source => Column::text("l.source"),
        K::Status => Column::text("l.status"),
        K::OwnerId => Column::nullable("l.owner_id", SortType::Uuid),
        K::OwnerName => text("u.name"),
        K::Currency => Column::text("l.currency::text"),
        K::ConvertedAt => Column::nullable("l.converted_at", SortType::Time),
    }
}

/// One keyset page (`limit + 1` rows); sorts, status and owner filters use the leads_* indexes.
pub async fn list(db: &PgPool, p: ListParams) -> Result<Vec<LeadRecord>, crate::ssr::ServiceError> {
    let mut qb: QueryBuilder<Postgres> = QueryBuilder::new(SELECT);
    qb.push(" WHERE true");
    p.visible.push_owner(&mut qb, "l.owner_id");
    if let Some(tsq) = p.tsquery {
        qb.push(" AND l.search @@ to_tsquery('simple', ")
            .push_bind(tsq)
            .push(")");
    }
    if let Some(s) = p.substring {
        qb.push(" AND l.name ILIKE ")
            .push_bind(format!("%{}%", super::like_escape(&s)));
    }
    if let Some(s) = p.status {
        qb.push(" AND l.status = ").push_bind(s.as_str());
    }
    super::push_field_filters(
        &mut qb,
        &p.fields,
        &[
            ("name", "l.name"),
            ("company", "l.company"),
            ("email", "l.email"),
            ("currency", "l.currency"),
            ("estimated_value", "l.estimated_value"),
        ],
    );
    if let Some(s) = p.source {
        qb.push(" AND l.source = ").push_bind(s.as_str());
    }
    if let Some(o) = p.owner_id {
        qb.push(" AND l.owner_id = ").push_bind(o.0);
    }
    if let Some(t) = p.created_from {
        qb.push(" AND l.created_at >= ").push_bind(t);
    }
    if let Some(t) = p.created_to {
        qb.push(" AND l.created_at < ").push_bind(t);
    }
    let col = column(p.sort);
    let desc = p.dir == SortDir::Desc;
    if let Some(c) = &p.after {
        col.push_after(&mut qb, "l.id", desc, c)?;
    }
    col.push_order(&mut qb, "l.id", desc);
    super::limit(&mut qb, p.limit + 1);
    Ok(qb
        .build_query_as::<Row>()
        .fetch_all(db)
        .await?
        .into_iter()
        .map(Into::into)
        .collect())
}

/// A customer that may be the company a lead belongs to, with a score in 0..1.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct DuplicateHit {
    pub id: Uuid,
    pub reason: String,
    pub score: f32,
}

/// What to look for: the lead's e-mail, its company domain (not free-mail) and the company or lead name.
pub struct DuplicateSearch<'a> {
    pub visible: &'a Visible,
    pub email: Option<&'a str>,
    pub domain: Option<&'a str>,
    pub name: &'a str,
    pub limit: i64,
}

/// Customers the caller may see matching by exact e-mail (score 1), e-mail domain or website host (0.9) or a
/// similar name (trigram similarity > 0.4 via `customers_name_trgm_idx`), at most `limit` per reason.
/// Runs on a transaction because the similarity threshold is set for it only.
pub async fn duplicate_hits(
    conn: &mut PgConnection,
    s: &DuplicateSearch<'_>,
) -> Result<Vec<DuplicateHit>, sqlx::Error> {
    sqlx::query("SET LOCAL pg_trgm.similarity_threshold = 0.4")
        .execute(&mut *conn)
        .await?;
    let mut hits = Vec::new();
    if let Some(email) = s.email {
        let mut qb = hits_query("'email' AS reason, 1.0::real AS score");
        qb.push("c.email = ").push_bind(email.to_owned());
        hits.extend(run_hits(qb, s, conn).await?);
    }
    if let Some(domain) = s.domain {
        let mut qb = hits_query("'domain' AS reason, 0.9::real AS score");
        qb.push("(split_part(c.email, '@', 2) = ")
            .push_bind(domain.to_owned())
            .push(
                " OR lower(substring(c.website from '^(?:[a-zA-Z]+://)?(?:www\\.)?([^/:?#]+)')) = ",
            )
            .push_bind(domain.to_owned())
            .push(")");
        hits.extend(run_hits(qb, s, conn).await?);
    }
    // `%` uses customers_name_trgm_idx with the threshold set above; trigrams ignore case.
    let mut qb = QueryBuilder::new("SELECT c.id, 'name' AS reason, similarity(c.name, ");
    qb.push_bind(s.name.to_owned())
        .push(")::real AS score FROM customers c WHERE c.name % ")
        .push_bind(s.name.to_owned());
    hits.extend(run_hits(qb, s, conn).await?);
    Ok(hits)
}

/// `SELECT c.id, <reason and score> FROM customers c WHERE `, for the condition to follow.
fn hits_query(columns: &str) -> QueryBuilder<'static, Postgres> {
    QueryBuilder::new(format!("SELECT c.id, {columns} FROM customers c WHERE "))
}

/// Adds the caller's visibility, best first, and runs one duplicate query.
async fn run_hits(
    mut qb: QueryBuilder<'_, Postgres>,
    s: &DuplicateSearch<'_>,
    conn: &mut PgConnection,
) -> Result<Vec<DuplicateHit>, sqlx::Error> {
    s.visible.push_owner(&mut qb, "c.owner_id");
    qb.push(" ORDER BY score DESC, c.id");
    super::limit(&mut qb, s.limit);
    qb.build_query_as().fetch_all(conn).await
}
