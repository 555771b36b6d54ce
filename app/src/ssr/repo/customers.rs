use super::TextPlan;
use super::scope::Visible;
use super::sort::{Column, InvalidCursor};
use domain::customer::{Customer, CustomerInput, CustomerSortKey, CustomerStatus};
use domain::page::{SortDir, SortType};
use domain::{CustomerId, UserId};
use sqlx::{PgConnection, PgPool, Postgres, QueryBuilder};
use uuid::Uuid;

/// A customer with the owner's team, which decides who may see it.
#[derive(Clone, Debug)]
pub struct CustomerRecord {
    pub customer: Customer,
    pub owner_team: Option<String>,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: Uuid,
    name: String,
    email: Option<String>,
    phone: Option<String>,
    website: Option<String>,
    industry: Option<String>,
    status: String,
    owner_id: Option<Uuid>,
    owner_name: Option<String>,
    owner_team: Option<String>,
    tags: Vec<String>,
    version: i32,
    created_at: chrono::DateTime<chrono::Utc>,
    updated_at: chrono::DateTime<chrono::Utc>,
}

impl From<Row> for CustomerRecord {
    fn from(r: Row) -> Self {
        Self {
            customer: Customer {
                id: CustomerId(r.id),
                name: r.name,
                email: r.email,
                phone: r.phone,
                website: r.website,
                industry: r.industry,
                status: CustomerStatus::parse(&r.status).unwrap_or_default(),
                owner_id: r.owner_id.map(UserId),
                owner_name: r.owner_name,
                tags: r.tags,
                version: r.version,
                created_at: r.created_at,
                updated_at: r.updated_at,
            },
            owner_team: r.owner_team,
        }
    }
}

const SELECT: &str =
    "SELECT c.id, c.name, c.email, c.phone, c.website, c.industry, c.status, c.owner_id,
        u.name AS owner_name, u.team AS owner_team, c.tags, c.version, c.created_at, c.updated_at
    FROM customers c LEFT JOIN users u ON u.id = c.owner_id";

pub async fn by_id(
    conn: &mut PgConnection,
    id: CustomerId,
) -> Result<Option<CustomerRecord>, sqlx::Error> {
    let row = sqlx::query_as!(
        Row,
        r#"SELECT c.id, c.name, c.email, c.phone, c.website, c.industry, c.status, c.owner_id,
                u.name AS "owner_name?", u.team AS owner_team, c.tags, c.version, c.created_at, c.updated_at
           FROM customers c LEFT JOIN users u ON u.id = c.owner_id WHERE c.id = $1"#,
        id.0
    )
    .fetch_optional(conn)
    .await?;
    Ok(row.map(Into::into))
}

/// Locks the customer row for the rest of the transaction.
pub async fn by_id_for_update(
    conn: &mut PgConnection,
    id: CustomerId,
) -> Result<Option<CustomerRecord>, sqlx::Error> {
    let row = sqlx::query_as!(
        Row,
        r#"SELECT c.id, c.name, c.email, c.phone, c.website, c.industry, c.status, c.owner_id,
                u.name AS "owner_name?", u.team AS owner_team, c.tags, c.version, c.created_at, c.updated_at
           FROM customers c LEFT JOIN users u ON u.id = c.owner_id WHERE c.id = $1 FOR UPDATE OF c"#,
        id.0
    )
    .fetch_optional(conn)
    .await?;
    Ok(row.map(Into::into))
}

pub async fn insert(
    conn: &mut PgConnection,
    id: CustomerId,
    c: &CustomerInput,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO customers (id, name, email, phone, website, industry, status, owner_id, tags)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        id.0,
        c.name,
        c.email,
        c.phone,
        c.website,
        c.industry,
        c.status.as_str(),
        c.owner_id.map(|o| o.0),
        &c.tags,
    )
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn update(
    conn: &mut PgConnection,
    id: CustomerId,
    c: &CustomerInput,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE customers SET name = $2, email = $3, phone = $4, website = $5, industry = $6, status = $7, owner_id = $8,
                tags = $9, version = version + 1, updated_at = now()
         WHERE id = $1",
        id.0,
        c.name,
        c.email,
        c.phone,
        c.website,
        c.industry,
        c.status.as_str(),
        c.owner_id.map(|o| o.0),
        &c.tags,
    )
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn delete(conn: &mut PgConnection, id: CustomerId) -> Result<(), sqlx::Error> {
    sqlx::query!("DELETE FROM customers WHERE id = $1", id.0)
        .execute(conn)
        .await?;
    Ok(())
}

/// How `q` matches: the name starts with it, or prefix full text over name/e-mail/phone/website (GIN; the
/// typo-tolerant search is full text too, with corrected words: `name_word_corrections`).
#[derive(Clone, Debug)]
pub enum Search {
    /// The name starts with this (lower-case) text: the type-ahead case.
    NamePrefix(String),
    FullText(String),
    /// Text with no letters or digits: a plain substring match on the name.
    Substring(String),
}

pub struct ListParams<'a> {
    pub fields: domain::query::FieldFilters,
    pub visible: Visible,
    pub search: Option<Search>,
    pub status: Option<CustomerStatus>,
    pub owner_id: Option<UserId>,
    pub industry: Option<&'a str>,
    pub tag: Option<&'a str>,
    pub created_from: Option<chrono::DateTime<chrono::Utc>>,
    pub created_to: Option<chrono::DateTime<chrono::Utc>>,
    pub sort: CustomerSortKey,
    pub dir: SortDir,
    /// Checked against the sort with `check_cursor`.
    pub after: Option<domain::page::Cursor>,
    pub limit: i64,
}

/// The sort's column. Plain columns of `customers` only: `name_prefix_query` reads them from its subquery.
pub fn column(key: CustomerSortKey) -> Column {
    use CustomerSortKey as K;
    let text = |expr| Column::nullable(expr, SortType::Text);
    match key {
        K::Name => Column::text("c.name"),
        K::CreatedAt => Column::time("c.created_at"),
        K::UpdatedAt => Column::time("c.updated_at"),
        K::Email => text("c.email"),
        K::Phone => text("c.phone"),
        K::Website => text("c.website"),
        K::Industry => text("c.industry"),
        K::Status => Column::text("c.status"),
        K::OwnerId => Column::nullable("c.owner_id", SortType::Uuid),
    }
}

/// Refuses a cursor that does not fit the sort (before any statement is built).
pub fn check_cursor(
    key: CustomerSortKey,
    cursor: Option<&domain::page::Cursor>,
) -> Result<(), InvalidCursor> {
    cursor.map_or(Ok(()), |c| column(key).check(c))
}

/// The ORDER BY list of a customers statement.
fn order_by(p: &ListParams<'_>) -> String {
    column(p.sort).order_by("c.id", p.dir == SortDir::Desc)
}

/// One keyset page (`limit + 1` rows). Each filter and sort has its index (see the migrations). Full text is
/// read by the plan `super::plan_text` chooses.
pub async fn list(db: &PgPool, p: &ListParams<'_>) -> Result<Vec<CustomerRecord>, sqlx::Error> {
    let rows = match &p.search {
        Some(Search::NamePrefix(prefix)) => {
            let pattern = super::like_escape(prefix);
            match names_starting(db, prefix, p.limit + 1).await? {
                // No name starts with it (a phone number, an address, a word inside names, a typo).
                0 => Vec::new(),
                n if n <= p.limit => fetch(db, name_prefix_query(p, &pattern)).await?,
                _ => match name_prefix_walk(db, p, prefix).await? {
                    Some(ids) => fetch_ids(db, p, ids).await?,
                    None => fetch(db, name_prefix_query(p, &pattern)).await?,
                },
            }
        }
        Some(Search::FullText(tsq)) => {
            let walk = |budget| walk(db, p, tsq, budget);
            match super::plan_text(db, super::StatsOf::Customers, tsq, p.limit, walk).await? {
                TextPlan::Page(walk) => {
                    fetch_ids(db, p, walk.counts.ids.unwrap_or_default()).await?
                }
                TextPlan::Index(text) => {
                    fetch(db, plain_query(p, super::Order::Sorted, Some(&text))).await?
                }
            }
        }
        _ => fetch(db, plain_query(p, super::Order::Indexed, None)).await?,
    };
    Ok(rows.into_iter().map(Into::into).collect())
}

/// The rows of these ids, in the list's order.
async fn fetch_ids(
    db: &PgPool,
    p: &ListParams<'_>,
    ids: Vec<Uuid>,
) -> Result<Vec<Row>, sqlx::Error> {
    // A join with the ids, not `c.id = ANY($1)`: its generic plan is the custom one, so the statement is
    // not planned again on every run (0.4–0.7 ms at 2M customers).
    let mut qb = QueryBuilder::new(SELECT);
    qb.push(" JOIN unnest(")
        .push_bind(ids)
        .push("::uuid[]) AS k(id) ON k.id = c.id");
    qb.push(format!(" ORDER BY {}", order_by(p)));
    fetch(db, qb).await
}

/// How many customers (at most `most`, whoever owns them) have a name starting with `prefix`. None: the
/// search goes on to full text at once; up to a page: reading all of them (`name_prefix_query`) is cheaper
/// than walking the group of their first three letters, which a rare prefix would walk to its end (1.4 ms
/// at 2M customers). Reads at most `most` entries of customers_name_prefix_idx, through the range the
/// prefix spans, so that the statement's generic plan uses the index (a LIKE pattern given as a parameter
/// cannot, and was planned again on every run). A prefix with no range above it (only U+10FFFF) counts as
/// `most`: the walk then decides.
async fn names_starting(db: &PgPool, prefix: &str, most: i64) -> Result<i64, sqlx::Error> {
    let Some(upper) = next_prefix(prefix) else {
        return Ok(most);
    };
    sqlx::query_scalar(&format!(
        "SELECT count(*) FROM (SELECT 1 FROM customers
          WHERE lower(name) ~>=~ $1 AND lower(name) ~<~ $2 LIMIT {most}) s"
    ))
    .bind(prefix)
    .bind(upper)
    .fetch_one(db)
    .await
}

/// The smallest text above every text that starts with `prefix`, in byte order (`~<~`): the last character
/// raised by one. `None` when there is none to raise.
fn next_prefix(prefix: &str) -> Option<String> {
    let mut chars: Vec<char> = prefix.chars().collect();
    while let Some(last) = chars.pop() {
        let next = (last as u32 + 1..=char::MAX as u32).find_map(char::from_u32);
        if let Some(next) = next {
            chars.push(next);
            return Some(chars.into_iter().collect());
        }
    }
    None
}

/// Type-ahead, newest (or oldest) first: walks the customers whose name starts with the same three letters
/// in age order through customers_name_head_idx (index only) and tests the whole prefix per entry, or, for
/// a prefix of one or two letters, all customers in age order. The walk stops at the page's last match, or
/// after 40 entries per row of the page (`walk_budget`). The page's ids when it is full or the walk read
/// every entry there is; `None` when the walk ran out first, or the list needs what the index does not hold
/// (another sort, a status, industry or tag filter): then `name_prefix_query` reads every match, which are
/// few then.
async fn name_prefix_walk(
    db: &PgPool,
    p: &ListParams<'_>,
    prefix: &str,
) -> Result<Option<Vec<Uuid>>, sqlx::Error> {
    if p.sort != CustomerSortKey::CreatedAt
        || p.status.is_some()
        || p.industry.is_some()
        || p.tag.is_some()
    {
        return Ok(None);
    }
    let budget = super::walk_budget(p.limit);
    let dir = direction(p);
    // The same walk as full text's (`super::walk_end`), with the prefix as its one test and no terms.
    let mut qb: QueryBuilder<Postgres> = QueryBuilder::new(
        "SELECT id, hit, n, '{}'::bigint[] AS term_hits FROM (SELECT c.id, lower(c.name) LIKE ",
    );
    qb.push_bind(format!("{}%", super::like_escape(prefix)))
        .push(" AS hit, row_number() OVER w AS n FROM customers c WHERE true");
    let head: String = prefix.chars().take(3).collect();
    // ASCII only: PostgreSQL's lower() and Rust's may disagree on other letters (and on their count).
    if head.len() == 3 && head.is_ascii() {
        qb.push(" AND lower(left(c.name, 3)) = ").push_bind(head);
    }
    push_filters(&mut qb, p, None);
    let order = format!("c.created_at {dir}, c.id {dir}");
    super::walk_end(&mut qb, &order, budget, p.limit, false);
    let rows: Vec<super::WalkRow> = qb.build_query_as().fetch_all(db).await?;
    let walk = super::walk_counts(&rows, budget, p.limit);
    let ids = walk.ids.unwrap_or_default();
    Ok((ids.len() as i64 > p.limit || walk.walked < budget).then_some(ids))
}

/// A customers walk: the counts and PostgreSQL's estimate of the table's rows (what a GIN lookup reads from).
struct WalkSummary {
    counts: super::WalkCounts,
    table_rows: f64,
}

/// A row of a customers walk, with the table's estimated size.
#[derive(sqlx::FromRow)]
struct WalkRow {
    #[sqlx(flatten)]
    row: super::WalkRow,
    table_rows: f64,
}

impl super::WalkReport for WalkSummary {
    fn counts(&self) -> &super::WalkCounts {
        &self.counts
    }
    fn index_rows(&self) -> f64 {
        self.table_rows
    }
}

async fn fetch(db: &PgPool, mut qb: QueryBuilder<'_, Postgres>) -> Result<Vec<Row>, sqlx::Error> {
    qb.build_query_as::<Row>().fetch_all(db).await
}

fn direction(p: &ListParams<'_>) -> &'static str {
    if p.dir == SortDir::Desc {
        "DESC"
    } else {
        "ASC"
    }
}

/// Every filter in SQL, ordered by the sort key (through its index, or sorted after the filters).
fn plain_query<'a>(
    p: &ListParams<'a>,
    order: super::Order,
    text: Option<&super::TextFilter>,
) -> QueryBuilder<'a, Postgres> {
    let col = column(p.sort);
    let key = match col.ty {
        SortType::Text => order.key(col.expr, true),
        SortType::Time => order.key(col.expr, false),
        _ => col.expr.to_owned(),
    };
    let mut qb: QueryBuilder<Postgres> = QueryBuilder::new(SELECT);
    qb.push(" WHERE true");
    push_filters(&mut qb, p, text);
    qb.push(format!(
        " ORDER BY {}",
        col.order_by_as(&key, "c.id", p.dir == SortDir::Desc)
    ));
    super::limit(&mut qb, p.limit + 1);
    qb
}

/// Index-only scan of customers_name_prefix_idx, top-N by the sort key, then the page's rows: a prefix
/// shared by thousands of customers never reads their table rows (the plan the planner will not pick by
/// itself, hence the materialized steps).
fn name_prefix_query<'a>(p: &ListParams<'a>, prefix: &str) -> QueryBuilder<'a, Postgres> {
    let col = column(p.sort);
    let mut qb: QueryBuilder<Postgres> = QueryBuilder::new(
        "WITH hits AS MATERIALIZED (SELECT c.id, c.name, c.created_at, c.updated_at, c.email, c.phone, c.website, \
         c.industry, c.status, c.owner_id FROM customers c WHERE lower(c.name) LIKE ",
    );
    qb.push_bind(format!("{prefix}%"));
    push_filters(&mut qb, p, None);
    let bare = col.expr.trim_start_matches("c.");
    qb.push(format!(
        "), top AS MATERIALIZED (SELECT id FROM hits ORDER BY {}",
        col.order_by_as(bare, "id", p.dir == SortDir::Desc)
    ));
    super::limit(&mut qb, p.limit + 1);
    qb.push(format!(
        ") {SELECT} JOIN top ON top.id = c.id ORDER BY {}",
        order_by(p)
    ));
    qb
}

/// The first `budget` customers in sort order (scope, filters and cursor applied), testing `tsq` and each
/// of its terms on every row, up to the page's last match (`super::walk_end`).
fn walk_query<'a>(p: &ListParams<'a>, tsq: &str, budget: i64) -> QueryBuilder<'a, Postgres> {
    let order = order_by(p);
    let mut qb: QueryBuilder<Postgres> = QueryBuilder::new(
        "SELECT id, hit, n, term_hits, \
         (SELECT greatest(reltuples, 0)::float8 FROM pg_class WHERE oid = 'customers'::regclass) AS table_rows \
         FROM (SELECT c.id",
    );
    super::walk_columns(&mut qb, "c.search", tsq);
    qb.push(" FROM customers c WHERE true");
    push_filters(&mut qb, p, None);
    super::walk_end(&mut qb, &order, budget, p.limit, false);
    qb
}

/// Runs a walk of `budget` rows.
async fn walk(
    db: &PgPool,
    p: &ListParams<'_>,
    tsq: &str,
    budget: i64,
) -> Result<WalkSummary, sqlx::Error> {
    let rows: Vec<WalkRow> = walk_query(p, tsq, budget)
        .build_query_as()
        .fetch_all(db)
        .await?;
    let table_rows = rows.first().map_or(0.0, |r| r.table_rows);
    let rows: Vec<super::WalkRow> = rows.into_iter().map(|r| r.row).collect();
    Ok(WalkSummary {
        counts: super::walk_counts(&rows, budget, p.limit),
        table_rows,
    })
}

/// The `AND …` conditions of a list: scope, search, filters and the keyset position.
/// Full text is matched by `text` when given (and left to the caller otherwise: the walk tests it per row).
fn push_filters(
    qb: &mut QueryBuilder<'_, Postgres>,
    p: &ListParams<'_>,
    text: Option<&super::TextFilter>,
) {
    p.visible.push_owner(qb, "c.owner_id");
    match p.search.clone() {
        Some(Search::FullText(_)) => {
            if let Some(t) = text {
                t.push(qb, "c.search");
            }
        }
        Some(Search::Substring(q)) => {
            qb.push(" AND c.name ILIKE ")
                .push_bind(format!("%{}%", super::like_escape(&q)));
        }
        Some(Search::NamePrefix(_)) | None => {}
    }
    super::push_field_filters(
        qb,
        &p.fields,
        &[
            ("name", "c.name"),
            ("email", "c.email"),
            ("phone", "c.phone"),
            ("website", "c.website"),
        ],
    );
    if let Some(s) = p.status {
        qb.push(" AND c.status = ").push_bind(s.as_str());
    }
    if let Some(o) = p.owner_id {
        qb.push(" AND c.owner_id = ").push_bind(o.0);
    }
    if let Some(i) = p.industry {
        qb.push(" AND c.industry = ").push_bind(i.to_owned());
    }
    if let Some(t) = p.tag {
        qb.push(" AND c.tags @> ARRAY[")
            .push_bind(t.to_owned())
            .push("]::text[]");
    }
    if let Some(t) = p.created_from {
        qb.push(" AND c.created_at >= ").push_bind(t);
    }
    if let Some(t) = p.created_to {
        qb.push(" AND c.created_at < ").push_bind(t);
    }
    if let Some(c) = &p.after {
        // `check_cursor` has refused a cursor that does not fit.
        let _ = column(p.sort).push_after(qb, "c.id", p.dir == SortDir::Desc, c);
    }
}

/// For each word, the known words of customer names that resemble it (trigram similarity over
/// `customer_name_words`, most similar first, at most three).
pub async fn name_word_corrections(
    db: &PgPool,
    words: &[String],
) -> Result<Vec<Vec<String>>, sqlx::Error> {
    let rows: Vec<(i64, Vec<String>)> = sqlx::query_as(
        "SELECT q.i, array(SELECT w.word FROM customer_name_words w WHERE w.word % q.word
                           ORDER BY w.word <-> q.word, w.word LIMIT 3)
         FROM unnest($1::text[]) WITH ORDINALITY AS q(word, i) ORDER BY q.i",
    )
    .bind(words)
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().map(|(_, found)| found).collect())
}

#[cfg(test)]
mod tests {
    use super::next_prefix;

    #[test]
    fn the_range_of_a_prefix_ends_at_its_last_character_raised() {
        assert_eq!(next_prefix("nak").as_deref(), Some("nal"));
        assert_eq!(next_prefix("müller 9").as_deref(), Some("müller :"));
        // Surrogates are not characters: the next one after U+D7FF is U+E000.
        assert_eq!(next_prefix("a\u{D7FF}").as_deref(), Some("a\u{E000}"));
        // Nothing is above U+10FFFF: the character before it is raised instead.
        assert_eq!(next_prefix("a\u{10FFFF}").as_deref(), Some("b"));
        assert_eq!(next_prefix("\u{10FFFF}"), None);
    }
}
