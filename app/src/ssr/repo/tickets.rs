//! Tickets and their comments. A ticket is visible iff its customer is: rows carry the customer's owner and team.

use super::scope::Visible;
use super::sort::Column;
use domain::page::{SortDir, SortType};
use domain::priority::Priority;
use domain::ticket::{
    Ticket, TicketComment, TicketCommentInput, TicketInput, TicketSortKey, TicketStatus,
    sla_breached,
};
use domain::{ContactId, CustomerId, TicketCommentId, TicketId, UserId};
use sqlx::{PgConnection, PgPool, Postgres, QueryBuilder};
use uuid::Uuid;

type Time = chrono::DateTime<chrono::Utc>;

/// A ticket with its customer's owner and the owner's team, which decide who may see it.
#[derive(Clone, Debug)]
pub struct TicketRecord {
    pub ticket: Ticket,
    pub owner_id: Option<UserId>,
    pub owner_team: Option<String>,
    /// Comments without internal notes (what sales may see).
    pub public_comment_count: i64,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: Uuid,
    number: i64,
    subject: String,
    description: String,
    priority: String,
    status: String,
    customer_id: Uuid,
    customer_name: String,
    contact_id: Option<Uuid>,
    assignee_id: Option<Uuid>,
    assignee_name: Option<String>,
    sla_due_at: Time,
    first_response_at: Option<Time>,
    resolved_at: Option<Time>,
    closed_at: Option<Time>,
    comment_count: i64,
    public_comment_count: i64,
    version: i32,
    created_at: Time,
    updated_at: Time,
    owner_id: Option<Uuid>,
    owner_team: Option<String>,
}

impl From<Row> for TicketRecord {
    fn from(r: Row) -> Self {
        let status = TicketStatus::parse(&r.status).unwrap_or_default();
        Self {
            ticket: Ticket {
                id: TicketId(r.id),
                number: r.number,
                subject: r.subject,
                description: r.description,
                priority: Priority::parse(&r.priority).unwrap_or_default(),
                status,
                customer_id: CustomerId(r.customer_id),
                customer_name: Some(r.customer_name),
                contact_id: r.contact_id.map(ContactId),
                assignee_id: r.assignee_id.map(UserId),
                assignee_name: r.assignee_name,
                sla_due_at: r.sla_due_at,
                sla_breached: sla_breached(
                    status,
                    r.sla_due_at,
                    r.resolved_at.or(r.closed_at),
                    chrono::Utc::now(),
                ),
                first_response_at: r.first_response_at,
                resolved_at: r.resolved_at,
                closed_at: r.closed_at,
                comment_count: r.comment_count,
                version: r.version,
                created_at: r.created_at,
                updated_at: r.updated_at,
            },
            owner_id: r.owner_id.map(UserId),
            owner_team: r.owner_team,
            public_comment_count: r.public_comment_count,
        }
    }
}

const SELECT: &str =
    "SELECT t.id, t.number, t.subject, t.description, t.priority, t.status, t.customer_id,
        c.name AS customer_name, t.contact_id, t.assignee_id, a.name AS assignee_name, t.sla_due_at,
        t.first_response_at, t.resolved_at, t.closed_at,
        (SELECT count(*) FROM ticket_comments k WHERE k.ticket_id = t.id) AS comment_count,
        (SELECT count(*) FROM ticket_comments k WHERE k.ticket_id = t.id AND NOT k.internal) AS public_comment_count,
        t.version, t.created_at, t.updated_at, c.owner_id, o.team AS owner_team
    FROM tickets t JOIN customers c ON c.id = t.customer_id
    LEFT JOIN users a ON a.id = t.assignee_id LEFT JOIN users o ON o.id = c.owner_id";

/// The sort weight of `priority` in SQL (low 0 … urgent 3), matching `domain::ticket::priority_weight`.
const PRIORITY_WEIGHT: &str =
    "(CASE t.priority WHEN 'urgent' THEN 3 WHEN 'high' THEN 2 WHEN 'normal' THEN 1 ELSE 0 END)";

/// Missed the SLA, matching `domain::ticket::sla_breached`.
const BREACHED: &str = "(CASE WHEN t.status IN ('open', 'in_progress') THEN now() > t.sla_due_at
    ELSE coalesce(t.resolved_at, t.closed_at) > t.sla_due_at END)";

pub async fn by_id(
    conn: &mut PgConnection,
    id: TicketId,
    lock: bool,
) -> Result<Option<TicketRecord>, sqlx::Error> {
    let sql = format!(
        "{SELECT} WHERE t.id = $1{}",
        if lock { " FOR UPDATE OF t" } else { "" }
    );
    let row = sqlx::query_as::<_, Row>(&sql)
        .bind(id.0)
        .fetch_optional(conn)
        .await?;
    Ok(row.map(Into::into))
}

pub async fn insert(
    conn: &mut PgConnection,
    id: TicketId,
    t: &TicketInput,
    customer: CustomerId,
    now: Time,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO tickets (id, subject, description, priority, customer_id, contact_id, assignee_id, sla_due_at,
                created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)",
        id.0,
        t.subject,
        t.description,
        t.priority.as_str(),
        customer.0,
        t.contact_id.map(|c| c.0),
        t.assignee_id.map(|u| u.0),
        domain::ticket::sla_due(now, t.priority),
        now,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// The stored state of a ticket after an update.
pub struct TicketWrite<'a> {
    pub input: &'a TicketInput,
    pub customer: CustomerId,
    pub status: TicketStatus,
    pub sla_due_at: Time,
    pub resolved_at: Option<Time>,
    pub closed_at: Option<Time>,
}

pub async fn update(
    conn: &mut PgConnection,
    id: TicketId,
    w: TicketWrite<'_>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE tickets SET subject = $2, description = $3, priority = $4, status = $5, customer_id = $6,
                contact_id = $7, assignee_id = $8, sla_due_at = $9, resolved_at = $10, closed_at = $11,
                version = version + 1, updated_at = now()
         WHERE id = $1",
        id.0,
        w.input.subject,
        w.input.description,
        w.input.priority.as_str(),
        w.status.as_str(),
        w.customer.0,
        w.input.contact_id.map(|c| c.0),
        w.input.assignee_id.map(|u| u.0),
        w.sla_due_at,
        w.resolved_at,
        w.closed_at,
    )
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn delete(conn: &mut PgConnection, id: TicketId) -> Result<(), sqlx::Error> {
    sqlx::query!("DELETE FROM tickets WHERE id = $1", id.0)
        .execute(conn)
        .await?;
    Ok(())
}

/// Records the first response time once (a no-op when it is already set).
pub async fn mark_first_response(
    conn: &mut PgConnection,
    id: TicketId,
    at: Time,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE tickets SET first_response_at = $2, version = version + 1, updated_at = now()
         WHERE id = $1 AND first_response_at IS NULL",
        id.0,
        at,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Does this contact belong to this customer?
pub async fn contact_of(
    conn: &mut PgConnection,
    contact: ContactId,
    customer: CustomerId,
) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar!(
        "SELECT EXISTS (SELECT 1 FROM contacts WHERE id = $1 AND customer_id = $2) AS \"found!\"",
        contact.0,
        customer.0,
    )
    .fetch_one(conn)
    .await
}

pub struct ListParams {
    pub fields: domain::query::FieldFilters,
    pub visible: Visible,
    pub tsquery: Option<String>,
    pub statuses: Vec<TicketStatus>,
    pub priority: Option<Priority>,
    pub customer_id: Option<CustomerId>,
    pub assignee_id: Option<UserId>,
    pub breached: bool,
    pub created_from: Option<Time>,
    pub created_to: Option<Time>,
    pub sort: TicketSortKey,
    pub dir: SortDir,
    pub after: Option<domain::page::Cursor>,
    pub limit: i64,
}

fn push_filters(qb: &mut QueryBuilder<'_, Postgres>, p: &ListParams) {
    p.visible.push_owner(qb, "c.owner_id");
    super::push_field_filters(qb, &p.fields, &[("subject", "t.subject")]);
    if let Some(tsq) = &p.tsquery {
        qb.push(" AND t.search @@ to_tsquery('simple', ")
            .push_bind(tsq.clone())
            .push(")");
    }
    if !p.statuses.is_empty() {
        let words: Vec<String> = p.statuses.iter().map(|s| s.as_str().to_owned()).collect();
        qb.push(" AND t.status = ANY(").push_bind(words).push(")");
    }
    if let Some(v) = p.priority {
        qb.push(" AND t.priority = ").push_bind(v.as_str());
    }
    if let Some(c) = p.customer_id {
        qb.push(" AND t.customer_id = ").push_bind(c.0);
    }
    if let Some(u) = p.assignee_id {
        qb.push(" AND t.assignee_id = ").push_bind(u.0);
    }
    if p.breached {
        qb.push(format!(" AND {BREACHED}"));
    }
    if let Some(t) = p.created_from {
        qb.push(" AND t.created_at >= ").push_bind(t);
    }
    if let Some(t) = p.created_to {
        qb.push(" AND t.created_at < ").push_bind(t);
    }
}

/// A keyset bound from a cursor value (the sort key as text). `None` when the text does not fit the key.
fn column(key: TicketSortKey) -> Column {
    use TicketSortKey as K;
    let time = |expr| Column::nullable(expr, SortType::Time);
    let id = |expr| Column::nullable(expr, SortType::Uuid);
    match key {
        K::CreatedAt => Column::time("t.created_at"),
        K::UpdatedAt => Column::time("t.updated_at"),
        K::Priority => Column::new(PRIORITY_WEIGHT, SortType::Int),
        K::SlaDueAt => Column::time("t.sla_due_at"),
        K::Subject => Column::text("t.subject"),
        K::Description => Column::text("left(t.description, 200)"),
        K::Number => Column::new("t.number", SortType::Int),
        K::Status => Column::text("t.status"),
        K::CustomerId => Column::new("t.customer_id", SortType::Uuid),
        K::CustomerName => Column::text("c.name"),
        K::ContactId => id("t.contact_id"),
        K::AssigneeId => id("t.assignee_id"),
        K::AssigneeName => Column::nullable("a.name", SortType::Text),
        K::FirstResponseAt => time("t.first_response_at"),
        K::ResolvedAt => time("t.resolved_at"),
        K::ClosedAt => time("t.closed_at"),
    }
}

/// One page of tickets (`limit + 1` rows).
pub async fn list(
    db: &PgPool,
    p: ListParams,
) -> Result<Vec<TicketRecord>, crate::ssr::ServiceError> {
    let mut qb: QueryBuilder<Postgres> = QueryBuilder::new(SELECT);
    qb.push(" WHERE true");
    push_filters(&mut qb, &p);
    let col = column(p.sort);
    let desc = p.dir == SortDir::Desc;
    if let Some(c) = &p.after {
        col.push_after(&mut qb, "t.id", desc, c)?;
    }
    col.push_order(&mut qb, "t.id", desc);
    super::limit(&mut qb, p.limit + 1);
    Ok(qb
        .build_query_as::<Row>()
        .fetch_all(db)
        .await?
        .into_iter()
        .map(Into::into)
        .collect())
}

#[derive(sqlx::FromRow)]
struct CommentRow {
    id: Uuid,
    ticket_id: Uuid,
    author_id: Option<Uuid>,
    author_name: Option<String>,
    body: String,
    internal: bool,
    created_at: Time,
}

impl From<CommentRow> for TicketComment {
    fn from(r: CommentRow) -> Self {
        Self {
            id: TicketCommentId(r.id),
            ticket_id: TicketId(r.ticket_id),
            author_id: r.author_id.map(UserId),
            author_name: r.author_name,
            body: r.body,
            internal: r.internal,
            created_at: r.created_at,
        }
    }
}

const COMMENT_SELECT: &str =
    "SELECT k.id, k.ticket_id, k.author_id, u.name AS author_name, k.body, k.internal,
        k.created_at
    FROM ticket_comments k LEFT JOIN users u ON u.id = k.author_id";

/// One page of a ticket's comments, oldest first (internal notes only with `internal`): `limit + 1` rows after
/// the keyset `after`.
pub async fn comments(
    db: &PgPool,
    ticket: TicketId,
    internal: bool,
    after: Option<(Time, Uuid)>,
    limit: i64,
) -> Result<Vec<TicketComment>, sqlx::Error> {
    let sql = format!(
        "{COMMENT_SELECT} WHERE k.ticket_id = $1 AND ($2 OR NOT k.internal)
           AND ($3::timestamptz IS NULL OR (k.created_at, k.id) > ($3, $4))
         ORDER BY k.created_at, k.id LIMIT $5"
    );
    Ok(sqlx::query_as::<_, CommentRow>(&sql)
        .bind(ticket.0)
        .bind(internal)
        .bind(after.map(|a| a.0))
        .bind(after.map_or(Uuid::nil(), |a| a.1))
        .bind(limit + 1)
        .fetch_all(db)
        .await?
        .into_iter()
        .map(Into::into)
        .collect())
}

pub async fn insert_comment(
    conn: &mut PgConnection,
    id: TicketCommentId,
    ticket: TicketId,
    author: UserId,
    c: &TicketCommentInput,
) -> Result<TicketComment, sqlx::Error> {
    sqlx::query!(
        "INSERT INTO ticket_comments (id, ticket_id, author_id, body, internal) VALUES ($1, $2, $3, $4, $5)",
        id.0,
        ticket.0,
        author.0,
        c.body,
        c.internal,
    )
    .execute(&mut *conn)
    .await?;
    let sql = format!("{COMMENT_SELECT} WHERE k.id = $1");
    Ok(sqlx::query_as::<_, CommentRow>(&sql)
        .bind(id.0)
        .fetch_one(conn)
        .await?
        .into())
}
