//! Interactions (range-partitioned by `occurred_at`, primary key `(id, occurred_at)`) and the customer timeline.

use super::TextPlan;
use super::scope::Visible;
use super::sort::{Column, InvalidCursor};
use domain::interaction::{
    Interaction, InteractionInput, InteractionKind, InteractionSortKey, TimelineKind, TimelinePos,
};
use domain::page::{SortDir, SortType};
use domain::{ContactId, CustomerId, InteractionId, OpportunityId, TicketId, UserId};
use sqlx::{PgConnection, PgPool, Postgres, QueryBuilder};
use uuid::Uuid;

type Time = chrono::DateTime<chrono::Utc>;

/// An interaction with its customer's owner and the owner's team, which decide who may see it.
#[derive(Clone, Debug)]
pub struct InteractionRecord {
    pub interaction: Interaction,
    pub owner_id: Option<UserId>,
    pub owner_team: Option<String>,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: Uuid,
    customer_id: Uuid,
    customer_name: Option<String>,
    contact_id: Option<Uuid>,
    opportunity_id: Option<Uuid>,
    ticket_id: Option<Uuid>,
    kind: String,
    subject: String,
    body: String,
    occurred_at: Time,
    duration_minutes: Option<i32>,
    participants: Vec<String>,
    author_id: Option<Uuid>,
    author_name: Option<String>,
    version: i32,
    created_at: Time,
    updated_at: Time,
    owner_id: Option<Uuid>,
    owner_team: Option<String>,
}

/// An interactions walk: the counts, the times paired with the page's ids, and the time between the first
/// and the last row walked.
struct WalkSummary {
    counts: super::WalkCounts,
    ats: Option<Vec<Time>>,
    span_secs: f64,
}

/// A row of an interactions walk: its time (the partition key, to fetch it by) and its sort key.
#[derive(sqlx::FromRow)]
struct WalkRow {
    #[sqlx(flatten)]
    row: super::WalkRow,
    at: Time,
    k: Time,
}

/// Runs a walk of `budget` rows.
async fn walk(
    db: &PgPool,
    p: &ListParams,
    tsq: &str,
    budget: i64,
) -> Result<WalkSummary, sqlx::Error> {
    let rows: Vec<WalkRow> = page_query(p, Plan::Walk(budget, tsq))
        .build_query_as()
        .fetch_all(db)
        .await?;
    let ats: Vec<Time> = rows
        .iter()
        .filter(|r| r.row.hit)
        .take(p.limit as usize + 1)
        .map(|r| r.at)
        .collect();
    let first = rows.iter().find(|r| r.row.n == 1).map(|r| r.k);
    let last = rows.last().map(|r| r.k);
    let span_secs = match (first, last) {
        (Some(a), Some(b)) => (a - b).num_milliseconds().abs() as f64 / 1000.0,
        _ => 0.0,
    };
    let rows: Vec<super::WalkRow> = rows.into_iter().map(|r| r.row).collect();
    Ok(WalkSummary {
        counts: super::walk_counts(&rows, budget, p.limit),
        ats: (!ats.is_empty()).then_some(ats),
        span_secs,
    })
}

impl super::WalkReport for WalkSummary {
    fn counts(&self) -> &super::WalkCounts {
        &self.counts
    }
    /// The index reads a month (the first window) of the matches: the walk's rows per month.
    fn index_rows(&self) -> f64 {
        let month_secs = 30.44 * 86_400.0;
        self.counts.walked as f64 * month_secs / self.span_secs.max(1.0)
    }
}

impl From<Row> for InteractionRecord {
    fn from(r: Row) -> Self {
        Self {
            interaction: Interaction {
                id: InteractionId(r.id),
                customer_id: CustomerId(r.customer_id),
                customer_name: r.customer_name,
                contact_id: r.contact_id.map(ContactId),
                opportunity_id: r.opportunity_id.map(OpportunityId),
                ticket_id: r.ticket_id.map(TicketId),
                kind: InteractionKind::parse(&r.kind).unwrap_or_default(),
                subject: r.subject,
                body: r.body,
                occurred_at: r.occurred_at,
                duration_minutes: r.duration_minutes,
                participants: r.participants,
                author_id: r.author_id.map(UserId),
                author_name: r.author_name,
                version: r.version,
                created_at: r.created_at,
                updated_at: r.updated_at,
            },
            owner_id: r.owner_id.map(UserId),
            owner_team: r.owner_team,
        }
    }
}

const COLUMNS: &str = "i.id, i.customer_id, i.contact_id, i.opportunity_id, i.ticket_id, i.kind, i.subject, i.body,
    i.occurred_at, i.duration_minutes, i.participants, i.author_id, i.version, i.created_at, i.updated_at";

/// The outer part of every read: names of customer and author, and what decides visibility.
const NAMES: &str =
    "SELECT i.*, c.name AS customer_name, a.name AS author_name, c.owner_id, o.team AS owner_team";
const JOINS: &str =
    " i JOIN customers c ON c.id = i.customer_id LEFT JOIN users a ON a.id = i.author_id
    LEFT JOIN users o ON o.id = c.owner_id";

/// By id, whatever partition holds it.
pub async fn by_id(
    conn: &mut PgConnection,
    id: InteractionId,
    lock: bool,
) -> Result<Option<InteractionRecord>, sqlx::Error> {
    let sql = format!(
        "{NAMES} FROM (SELECT {COLUMNS} FROM interactions i WHERE i.id = $1{}){JOINS}",
        if lock { " FOR UPDATE" } else { "" }
    );
    let row = sqlx::query_as::<_, Row>(&sql)
        .bind(id.0)
        .fetch_optional(conn)
        .await?;
    Ok(row.map(Into::into))
}

/// The customers the linked contact, opportunity and ticket belong to (`None` when one does not exist).
#[derive(Clone, Copy, Debug, Default)]
pub struct LinkOwners {
    pub contact: Option<CustomerId>,
    pub opportunity: Option<CustomerId>,
    pub ticket: Option<CustomerId>,
}

pub async fn link_owners(
    conn: &mut PgConnection,
    input: &InteractionInput,
) -> Result<LinkOwners, sqlx::Error> {
    let r = sqlx::query!(
        r#"SELECT (SELECT customer_id FROM contacts WHERE id = $1) AS contact,
                  (SELECT customer_id FROM opportunities WHERE id = $2) AS opportunity,
                  (SELECT customer_id FROM tickets WHERE id = $3) AS ticket"#,
        input.contact_id.map(|c| c.0),
        input.opportunity_id.map(|c| c.0),
        input.ticket_id.map(|c| c.0),
    )
    .fetch_one(conn)
    .await?;
    Ok(LinkOwners {
        contact: r.contact.map(CustomerId),
        opportunity: r.opportunity.map(CustomerId),
        ticket: r.ticket.map(CustomerId),
    })
}

/// Inserts a cleaned input (`customer_id`, `kind` and `occurred_at` are set by `clean`).
pub async fn insert(
    conn: &mut PgConnection,
    id: InteractionId,
    author: UserId,
    c: &InteractionInput,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO interactions (id, customer_id, contact_id, opportunity_id, ticket_id, kind, subject, body,
                                   occurred_at, duration_minutes, participants, author_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        id.0,
        c.customer_id.map(|x| x.0),
        c.contact_id.map(|x| x.0),
        c.opportunity_id.map(|x| x.0),
        c.ticket_id.map(|x| x.0),
        c.kind.unwrap_or_default().as_str(),
        c.subject,
        c.body,
        c.occurred_at,
        c.duration_minutes,
        &c.participants,
        author.0,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Updates every field; a new `occurred_at` in another month moves the row to that partition.
pub async fn update(
    conn: &mut PgConnection,
    id: InteractionId,
    c: &InteractionInput,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE interactions SET customer_id = $2, contact_id = $3, opportunity_id = $4, ticket_id = $5, kind = $6,
                subject = $7, body = $8, occurred_at = $9, duration_minutes = $10, participants = $11,
                version = version + 1, updated_at = now()
         WHERE id = $1",
        id.0,
        c.customer_id.map(|x| x.0),
        c.contact_id.map(|x| x.0),
        c.opportunity_id.map(|x| x.0),
        c.ticket_id.map(|x| x.0),
        c.kind.unwrap_or_default().as_str(),
        c.subject,
        c.body,
        c.occurred_at,
        c.duration_minutes,
        &c.participants,
    )
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn delete(conn: &mut PgConnection, id: InteractionId) -> Result<(), sqlx::Error> {
    sqlx::query!("DELETE FROM interactions WHERE id = $1", id.0)
        .execute(conn)
        .await?;
    Ok(())
}

/// Creates the monthly partition holding `month` (moving rows the default partition holds for it); `true`
/// when it was created now.
pub async fn ensure_partition(db: &PgPool, month: chrono::NaiveDate) -> Result<bool, sqlx::Error> {
    let created = sqlx::query_scalar!(
        r#"SELECT crm_ensure_interaction_partition($1) AS "created!""#,
        month
    )
    .fetch_one(db)
    .await?;
    Ok(created)
}

#[derive(Clone)]
pub struct ListParams {
    pub fields: domain::query::FieldFilters,
    pub visible: Visible,
    pub tsquery: Option<String>,
    pub customer_id: Option<CustomerId>,
    pub contact_id: Option<ContactId>,
    pub opportunity_id: Option<OpportunityId>,
    pub ticket_id: Option<TicketId>,
    pub kind: Option<InteractionKind>,
    pub author_id: Option<UserId>,
    pub from: Option<Time>,
    pub to: Option<Time>,
    pub sort: InteractionSortKey,
    pub dir: SortDir,
    /// Checked against the sort with `check_cursor`.
    pub after: Option<domain::page::Cursor>,
    pub limit: i64,
}

/// The sort's column (`i` is `interactions`, and the page's subquery outside it).
pub fn column(key: InteractionSortKey) -> Column {
    use InteractionSortKey as K;
    match key {
        K::OccurredAt => Column::time("i.occurred_at"),
        K::CreatedAt => Column::time("i.created_at"),
        K::Subject => Column::text("i.subject"),
        K::Kind => Column::text("i.kind"),
        K::Body => Column::text("left(i.body, 200)"),
        K::CustomerId => Column::new("i.customer_id", SortType::Uuid),
        K::ContactId => Column::nullable("i.contact_id", SortType::Uuid),
        K::DurationMinutes => Column::nullable("i.duration_minutes", SortType::Int),
        K::UpdatedAt => Column::time("i.updated_at"),
    }
}

/// Refuses a cursor that does not fit the sort (before any statement is built).
pub fn check_cursor(
    key: InteractionSortKey,
    cursor: Option<&domain::page::Cursor>,
) -> Result<(), InvalidCursor> {
    cursor.map_or(Ok(()), |c| column(key).check(c))
}

/// The time and id a page of a time sort starts after.
pub(crate) fn after_time(p: &ListParams) -> Option<(Time, Uuid)> {
    let c = p.after.as_ref()?;
    let t = chrono::DateTime::parse_from_rfc3339(c.sort_value()?).ok()?;
    Some((t.with_timezone(&chrono::Utc), c.id))
}

/// One keyset page. The page is chosen on `interactions` alone (customers are joined only for a team or own
/// scope), then names are added to its rows.
///
/// Full-text search walks the rows in order first and, when a bounded walk does not fill the page, reads the
/// matches of the rare terms through the GIN index window by window (as `customers::list` explains): a
/// frequent word is found by walking, a rare one through the index, and one in between reads the matches of
/// a month or two, not those of every partition.
pub async fn list(db: &PgPool, p: ListParams) -> Result<Vec<InteractionRecord>, sqlx::Error> {
    let Some(tsq) = p.tsquery.clone() else {
        return fetch(db, page_query(&p, Plan::Indexed)).await;
    };
    if !p.sort.is_engine_order() {
        // No index gives this order: the matches are found through the GIN index and sorted.
        let every_term: Vec<usize> = (0..domain::search::tsquery_terms(&tsq).len()).collect();
        let text = super::TextFilter::for_terms(&tsq, &every_term);
        return fetch_as(db, page_query(&p, Plan::Sorted(p.from, p.to, &text)), false).await;
    }
    let walk = |budget| walk(db, &p, &tsq, budget);
    let text = match super::plan_text(db, super::StatsOf::Interactions, &tsq, p.limit, walk).await?
    {
        TextPlan::Index(text) => text,
        TextPlan::Page(walk) => {
            let ids = walk.counts.ids.unwrap_or_default();
            let ats = walk.ats.unwrap_or_default();
            return by_keys(db, ids, ats, &p).await;
        }
    };
    if p.sort != InteractionSortKey::OccurredAt {
        return fetch_as(db, page_query(&p, Plan::Sorted(p.from, p.to, &text)), false).await;
    }
    // Windows of 1, 2, 4, … months in the order of the page, from the cursor (or the newest/oldest row).
    let (lo, hi): (Option<Time>, Option<Time>) =
        sqlx::query_as("SELECT min(occurred_at), max(occurred_at) FROM interactions")
            .fetch_one(db)
            .await?;
    let (Some(lo), Some(hi)) = (lo, hi) else {
        return Ok(Vec::new());
    };
    let desc = p.dir == SortDir::Desc;
    let tick = chrono::Duration::microseconds(1);
    let mut lo = p.from.map_or(lo, |f| f.max(lo));
    let mut hi = p.to.map_or(hi + tick, |t| t.min(hi + tick));
    match after_time(&p) {
        Some((t, _)) if desc => hi = hi.min(t + tick),
        Some((t, _)) => lo = lo.max(t),
        None => {}
    }
    let mut found: Vec<InteractionRecord> = Vec::new();
    let mut months = 1;
    let mut edge = if desc { hi } else { lo };
    while found.len() as i64 <= p.limit && ((desc && edge > lo) || (!desc && edge < hi)) {
        let span = chrono::Months::new(months);
        let (from, to) = if desc {
            (edge.checked_sub_months(span).unwrap_or(lo).max(lo), edge)
        } else {
            (edge, edge.checked_add_months(span).unwrap_or(hi).min(hi))
        };
        let window = ListParams {
            limit: p.limit - found.len() as i64,
            ..p.clone()
        };
        let window = page_query(&window, Plan::Sorted(Some(from), Some(to), &text));
        found.extend(fetch_as(db, window, false).await?);
        edge = if desc { from } else { to };
        months = (months * 2).min(48);
    }
    Ok(found)
}

/// The rows of a page chosen elsewhere (by a walk, or by the search engine), in the order of `p`: one
/// lookup per (id, occurred_at), each pruned to its partition as it runs: the same plan for any ids, so
/// PostgreSQL keeps it instead of planning over every partition per request (1.2 ms). Rows gone since are
/// left out.
pub async fn by_keys(
    db: &PgPool,
    ids: Vec<Uuid>,
    ats: Vec<Time>,
    p: &ListParams,
) -> Result<Vec<InteractionRecord>, sqlx::Error> {
    let order = column(p.sort).order_by("i.id", p.dir == SortDir::Desc);
    let mut qb: QueryBuilder<Postgres> =
        QueryBuilder::new(format!("{NAMES} FROM (SELECT x.* FROM unnest("));
    qb.push_bind(ids)
        .push("::uuid[], ")
        .push_bind(ats)
        .push(format!(
            "::timestamptz[]) AS k(id, at) CROSS JOIN LATERAL (SELECT {COLUMNS} FROM interactions i \
             WHERE i.id = k.id AND i.occurred_at = k.at) x)"
        ));
    qb.push(format!("{JOINS} ORDER BY {order}"));
    fetch(db, qb).await
}

/// How a page is read: the planner's choice; a bounded walk in order testing the query and each of its
/// terms per row, which returns a `WalkSummary`; or the matches inside `[from, to)` found by their indexes
/// and sorted.
#[derive(Clone, Copy)]
enum Plan<'t> {
    Indexed,
    /// Rows to walk, and the query.
    Walk(i64, &'t str),
    Sorted(Option<Time>, Option<Time>, &'t super::TextFilter),
}

async fn fetch(
    db: &PgPool,
    qb: QueryBuilder<'_, Postgres>,
) -> Result<Vec<InteractionRecord>, sqlx::Error> {
    fetch_as(db, qb, true).await
}

/// `persistent: false` plans the statement for its values every time, as the full-text reads through the
/// index do: each reads one window of months, which the planner then prunes to its partitions. The queries
/// are init plans (`TextFilter::push`), so that planning reads no partition's lexeme statistics.
async fn fetch_as(
    db: &PgPool,
    mut qb: QueryBuilder<'_, Postgres>,
    persistent: bool,
) -> Result<Vec<InteractionRecord>, sqlx::Error> {
    Ok(qb
        .build_query_as::<Row>()
        .persistent(persistent)
        .fetch_all(db)
        .await?
        .into_iter()
        .map(Into::into)
        .collect())
}

fn page_query(p: &ListParams, plan: Plan<'_>) -> QueryBuilder<'static, Postgres> {
    let col = column(p.sort);
    let desc = p.dir == SortDir::Desc;
    let mut qb: QueryBuilder<Postgres> = match plan {
        Plan::Walk(_, tsq) => {
            let mut qb = QueryBuilder::new(format!(
                // The first row comes back too (`walk_end`), for the span of time walked: computing it per
                // row with first_value() and extract() cost more than testing the query (5–8 ms over 7,400
                // rows).
                "SELECT id, hit, n, term_hits, at, k FROM (SELECT i.id, i.occurred_at AS at, {} AS k",
                col.expr
            ));
            super::walk_columns(&mut qb, "i.search", tsq);
            qb
        }
        _ => QueryBuilder::new(format!("{NAMES} FROM (SELECT {COLUMNS}")),
    };
    qb.push(" FROM interactions i");
    match &p.visible {
        Visible::All => {
            qb.push(" WHERE true");
        }
        Visible::OwnedBy(ids) => {
            qb.push(" JOIN customers vc ON vc.id = i.customer_id WHERE vc.owner_id = ANY(")
                .push_bind(ids.iter().map(|i| i.0).collect::<Vec<_>>())
                .push(")");
        }
    }
    // The walk tests the query per row; `Indexed` is never a full-text read.
    if let Plan::Sorted(_, _, text) = plan {
        text.push(&mut qb, "i.search");
    }
    let ids = [
        ("i.customer_id", p.customer_id.map(|x| x.0)),
        ("i.contact_id", p.contact_id.map(|x| x.0)),
        ("i.opportunity_id", p.opportunity_id.map(|x| x.0)),
        ("i.ticket_id", p.ticket_id.map(|x| x.0)),
        ("i.author_id", p.author_id.map(|x| x.0)),
    ];
    for (col, id) in ids {
        if let Some(id) = id {
            qb.push(format!(" AND {col} = ")).push_bind(id);
        }
    }
    if let Some(k) = p.kind {
        qb.push(" AND i.kind = ").push_bind(k.as_str());
    }
    super::push_field_filters(&mut qb, &p.fields, &[("subject", "i.subject")]);
    let (from, to) = match plan {
        Plan::Sorted(from, to, _) => (from, to),
        _ => (p.from, p.to),
    };
    if let Some(t) = from {
        qb.push(" AND i.occurred_at >= ").push_bind(t);
    }
    if let Some(t) = to {
        qb.push(" AND i.occurred_at < ").push_bind(t);
    }
    if let Some(c) = &p.after {
        // `check_cursor` has refused a cursor that does not fit.
        let _ = col.push_after(&mut qb, "i.id", desc, c);
    }
    let order = match plan {
        Plan::Sorted(..) => super::Order::Sorted,
        _ => super::Order::Indexed,
    };
    let key = match col.ty {
        SortType::Text => order.key(col.expr, true),
        SortType::Time => order.key(col.expr, false),
        _ => col.expr.to_owned(),
    };
    let inner = col.order_by_as(&key, "i.id", desc);
    if let Plan::Walk(budget, _) = plan {
        super::walk_end(&mut qb, &inner, budget, p.limit, true);
        return qb;
    }
    qb.push(format!(" ORDER BY {inner}"));
    super::limit(&mut qb, p.limit + 1);
    qb.push(format!(") {JOINS} ORDER BY {}", col.order_by("i.id", desc)));
    qb
}

/// One raw timeline entry (the service adds links and labels).
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct TimelineRow {
    pub kind: String,
    pub id: Uuid,
    pub at: Time,
    pub title: String,
    pub summary: String,
    pub actor_id: Option<Uuid>,
    pub actor_name: Option<String>,
    pub data: serde_json::Value,
}

/// A timeline source: a SELECT of `(kind, id, at, title, summary, actor_id, data)` ending in the customer
/// condition, and its time and id columns (each source has an index on customer + time).
struct Source {
    kind: TimelineKind,
    select: &'static str,
    at: &'static str,
    id: &'static str,
}

const SOURCES: [Source; 5] = [
    Source {
        kind: TimelineKind::Interaction,
        select: "SELECT 'interaction'::text AS kind, i.id, i.occurred_at AS at, i.subject AS title,
                left(i.body, 280) AS summary, i.author_id AS actor_id,
                jsonb_build_object('interaction_kind', i.kind, 'duration_minutes', i.duration_minutes,
                    'contact_id', i.contact_id, 'opportunity_id', i.opportunity_id, 'ticket_id', i.ticket_id) AS data
            FROM interactions i WHERE i.customer_id = ",
        at: "i.occurred_at",
        id: "i.id",
    },
    Source {
        kind: TimelineKind::Task,
        select: "SELECT 'task'::text, t.id, t.created_at, t.title,
                'Task ' || replace(t.status, '_', ' ') || coalesce(', due ' || to_char(t.due_at AT TIME ZONE 'UTC', 'YYYY-MM-DD'), ''),
                t.created_by,
                jsonb_build_object('status', t.status, 'priority', t.priority, 'due_at', t.due_at, 'assignee_id', t.assignee_id)
            FROM tasks t WHERE t.customer_id = ",
        at: "t.created_at",
        id: "t.id",
    },
    Source {
        kind: TimelineKind::Ticket,
        select: "SELECT 'ticket'::text, k.id, k.created_at, '#' || k.number || ' ' || k.subject,
                'Ticket opened (now ' || replace(k.status, '_', ' ') || ', priority ' || k.priority || ')',
                NULL::uuid,
                jsonb_build_object('number', k.number, 'status', k.status, 'priority', k.priority,
                    'assignee_id', k.assignee_id, 'resolved_at', k.resolved_at, 'closed_at', k.closed_at)
            FROM tickets k WHERE k.customer_id = ",
        at: "k.created_at",
        id: "k.id",
    },
    Source {
        kind: TimelineKind::StageChange,
        select: "SELECT 'stage_change'::text, h.id, h.changed_at, o.name,
                coalesce(h.from_stage || ' → ', 'entered ') || h.to_stage, h.changed_by,
                jsonb_build_object('opportunity_id', o.id, 'from_stage', h.from_stage, 'to_stage', h.to_stage,
                    'amount', h.amount, 'currency', o.currency, 'probability', h.probability)
            FROM opportunity_stage_history h JOIN opportunities o ON o.id = h.opportunity_id WHERE o.customer_id = ",
        at: "h.changed_at",
        id: "h.id",
    },
    Source {
        kind: TimelineKind::Audit,
        select: "SELECT 'audit'::text, a.id, a.at, a.action,
                coalesce((SELECT string_agg(f, ', ' ORDER BY f) FROM jsonb_object_keys(
                    CASE WHEN jsonb_typeof(a.changes) = 'object' THEN a.changes ELSE '{}'::jsonb END) AS f), ''),
                a.actor_id, jsonb_build_object('action', a.action, 'changes', a.changes, 'actor_email', a.actor_email)
            FROM audit_logs a WHERE a.entity = 'customer' AND a.entity_id = ",
        at: "a.at",
        id: "a.id",
    },
];

/// Newest first after `after`: each source reads at most `limit + 1` rows below the cursor with its own
/// `ORDER BY at DESC LIMIT`, and the union is merged and cut to `limit + 1`.
pub async fn timeline(
    db: &PgPool,
    customer: CustomerId,
    after: Option<&TimelinePos>,
    limit: i64,
) -> Result<Vec<TimelineRow>, sqlx::Error> {
    let mut qb: QueryBuilder<Postgres> = QueryBuilder::new(
        "SELECT t.kind, t.id, t.at, t.title, t.summary, t.actor_id, u.name AS actor_name, t.data FROM (",
    );
    for (n, s) in SOURCES.iter().enumerate() {
        if n > 0 {
            qb.push(" UNION ALL ");
        }
        qb.push("(").push(s.select).push_bind(customer.0);
        if let Some(pos) = after {
            push_below(&mut qb, s, pos);
        }
        qb.push(format!(" ORDER BY {} DESC, {} DESC LIMIT ", s.at, s.id))
            .push_bind(limit + 1)
            .push(")");
    }
    qb.push(
        ") t LEFT JOIN users u ON u.id = t.actor_id ORDER BY t.at DESC, t.kind COLLATE \"C\" DESC, t.id DESC LIMIT ",
    )
    .push_bind(limit + 1);
    qb.build_query_as::<TimelineRow>().fetch_all(db).await
}

/// `(at, kind, id) < cursor` for a source whose kind is fixed.
fn push_below(qb: &mut QueryBuilder<'_, Postgres>, s: &Source, pos: &TimelinePos) {
    match s.kind.as_str().cmp(pos.kind.as_str()) {
        std::cmp::Ordering::Less => {
            qb.push(format!(" AND {} <= ", s.at)).push_bind(pos.at);
        }
        std::cmp::Ordering::Greater => {
            qb.push(format!(" AND {} < ", s.at)).push_bind(pos.at);
        }
        std::cmp::Ordering::Equal => super::push_keyset(qb, s.at, s.id, true, pos.at, pos.id),
    }
}
