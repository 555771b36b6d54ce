//! Repositories: every SQL statement of the app lives in this module, one file per table group.

pub mod audit;
pub mod contacts;
pub mod customers;
pub mod idempotency;
pub mod interactions;
pub mod leads;
pub mod login_failures;
pub mod settings;
pub mod tokens;
pub mod users;
// Tasks, reminders (the job queue) and notifications.
pub mod jobs;
pub mod notifications;
pub mod tasks;

// Support tickets and projects (CRM core).
pub mod projects;
pub mod tickets;
// opportunities (pipeline) and the sales-pipeline report
pub mod opportunities;
pub mod sales_report;
// Inventory and purchasing.
pub mod inventory;
pub mod outbox;
pub mod scope;
pub mod search_sync;
pub mod sort;
// The role dashboards' aggregates.
pub mod dashboard;
pub mod purchasing;

use sqlx::{PgPool, Postgres, QueryBuilder};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

/// Appends a keyset condition `(col, id_col) > (value, id)` (or `<` for descending) with bound values.
pub(crate) fn push_keyset<'a, T>(
    qb: &mut QueryBuilder<'a, Postgres>,
    col: &str,
    id_col: &str,
    desc: bool,
    value: T,
    id: uuid::Uuid,
) where
    T: 'a + sqlx::Encode<'a, Postgres> + sqlx::Type<Postgres> + Send,
{
    qb.push(format!(
        " AND ({col}, {id_col}) {} (",
        if desc { "<" } else { ">" }
    ));
    qb.push_bind(value);
    qb.push(", ");
    qb.push_bind(id);
    qb.push(")");
}

/// How many rows a full-text list walks in sort order first: 40 per row of the page (a word in one row of 40
/// fills a page by walking), 1,000 to 10,000. See `plan_text`.
pub(crate) fn walk_budget(limit: i64) -> i64 {
    ((limit + 1) * 40).clamp(1_000, 10_000)
}

/// ` LIMIT n` with `n` in the statement's text. A bound `LIMIT $1` makes PostgreSQL cost the generic plan for
/// an unknown limit (a tenth of the rows), which loses to every custom plan, so the statement was planned
/// again on each run: 0.2–0.7 ms per customers statement, 2.8 ms for a walk over the 30 interaction
/// partitions (pg_stat_statements, docs/benchmarks.md). A literal gives both plans the same cost and the
/// generic one is kept. Walk budgets are rounded (`walk_rows`), so there are few such statements.
pub(crate) fn limit(qb: &mut QueryBuilder<'_, Postgres>, n: i64) {
    qb.push(format!(" LIMIT {n}"));
}

/// A walk's length rounded up to a multiple of 1,024 rows (at most `crate::ssr::search::plan::MAX_WALK`), so that the
/// statements with a literal limit (`limit`) stay few.
fn walk_rows(rows: i64) -> i64 {
    ((rows.max(1) + 1023) / 1024 * 1024).min(crate::ssr::search::plan::MAX_WALK)
}

/// What every full-text walk (rows in sort order, the query and each of its terms tested per row) found.
pub(crate) struct WalkCounts {
    /// Rows read.
    pub walked: i64,
    /// The page's ids in order (at most `limit + 1`); `None` when nothing matched.
    pub ids: Option<Vec<uuid::Uuid>>,
    /// Per term (`tsquery_terms` order), how many of the rows read matched it.
    pub term_hits: Vec<i64>,
}

/// A table's walk result: the counts, and how many rows a GIN lookup reads its matches from.
pub(crate) trait WalkReport {
    fn counts(&self) -> &WalkCounts;
    /// The table, or the first time window.
    fn index_rows(&self) -> f64;
}

/// How a full-text page is read, as `plan_text` chose it.
pub(crate) enum TextPlan<W> {
    /// A walk found the whole page (or read every row there is).
    Page(W),
    /// The GIN index, with this filter, then a sort.
    Index(TextFilter),
}

/// Chooses how to read a full-text page of `limit + 1` rows. Neither plan is fast for every query: walking the
/// sort key's index and testing each row reads ~N/m rows per result for m matches among N (fast for a
/// frequent word), the GIN index reads and sorts every match (fast for a rare one), and PostgreSQL's guess
/// between them was off by 100× for prefix queries (0.1–1 s at 2M customers). So `walk` runs first over a
/// bounded number of rows (as long as the statistics say, or none when they show a term too rare for any
/// walk: `crate::ssr::search::plan::before_walk`); while that does not fill the page, `crate::ssr::search::plan::after_walk` weighs a
/// longer walk against the index from the walk's counts and the table's lexeme statistics.
pub(crate) async fn plan_text<W, F, Fut>(
    db: &PgPool,
    stats_of: StatsOf,
    tsq: &str,
    limit: i64,
    mut walk: F,
) -> Result<TextPlan<W>, sqlx::Error>
where
    W: WalkReport,
    F: FnMut(i64) -> Fut,
    Fut: std::future::Future<Output = Result<W, sqlx::Error>>,
{
    let stats = lexeme_stats(db, stats_of).await?;
    let known = known_shares(&stats, tsq);
    let terms = domain::search::tsquery_terms(tsq);
    let mut budget = match crate::ssr::search::plan::before_walk(
        &terms,
        &known,
        limit + 1,
        walk_budget(limit),
    ) {
        crate::ssr::search::plan::AfterWalk::Walk(rows) => walk_rows(rows),
        crate::ssr::search::plan::AfterWalk::Index(rare) => {
            return Ok(TextPlan::Index(TextFilter::for_terms(tsq, &rare)));
        }
    };
    loop {
        let w = walk(budget).await?;
        let c = w.counts();
        let found = c.ids.as_ref().map_or(0, |ids| ids.len() as i64);
        if found > limit || c.walked < budget {
            return Ok(TextPlan::Page(w));
        }
        let next = crate::ssr::search::plan::after_walk(
            c.walked,
            found,
            limit + 1,
            &c.term_hits,
            &known,
            w.index_rows(),
        );
        match next {
            crate::ssr::search::plan::AfterWalk::Walk(rows) => budget = walk_rows(rows),
            crate::ssr::search::plan::AfterWalk::Index(terms) => {
                return Ok(TextPlan::Index(TextFilter::for_terms(tsq, &terms)));
            }
        }
    }
}

/// A table whose lexeme statistics full-text search reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum StatsOf {
    Customers,
    /// The largest partition of `interactions` (each partition is analyzed on its own).
    Interactions,
}

/// How long a node keeps a table's lexeme statistics (autovacuum refreshes them about as rarely).
const STATS_TTL: Duration = Duration::from_secs(600);

type StatsCache =
    Mutex<HashMap<(String, StatsOf), (Instant, Arc<crate::ssr::search::plan::LexemeStats>)>>;

/// The `crate::ssr::search::plan::LexemeStats` of a table's `search` column from `pg_stats`, cached per database for
/// ten minutes. Empty (every share unknown) before the table's first ANALYZE.
async fn lexeme_stats(
    db: &PgPool,
    table: StatsOf,
) -> Result<Arc<crate::ssr::search::plan::LexemeStats>, sqlx::Error> {
    static CACHE: OnceLock<StatsCache> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    let key = (
        db.connect_options()
            .get_database()
            .unwrap_or_default()
            .to_owned(),
        table,
    );
    if let Some((at, stats)) = cache.lock().expect("stats cache").get(&key)
        && at.elapsed() < STATS_TTL
    {
        return Ok(stats.clone());
    }
    let relation = match table {
        StatsOf::Customers => "SELECT 'customers'::name",
        StatsOf::Interactions => {
            "SELECT c.relname FROM pg_inherits h JOIN pg_class c ON c.oid = h.inhrelid
             WHERE h.inhparent = 'interactions'::regclass ORDER BY c.reltuples DESC LIMIT 1"
        }
    };
    let row: Option<(Vec<String>, Vec<f32>)> = sqlx::query_as(&format!(
        "SELECT most_common_elems::text::text[], most_common_elem_freqs FROM pg_stats
         WHERE schemaname = current_schema() AND attname = 'search' AND tablename = ({relation})
           AND most_common_elems IS NOT NULL"
    ))
    .fetch_optional(db)
    .await?;
    let common = row
        .map(|(elems, freqs)| {
            elems
                .into_iter()
                .zip(freqs.into_iter().map(f64::from))
                .collect()
        })
        .unwrap_or_default();
    let stats = Arc::new(crate::ssr::search::plan::LexemeStats::new(common));
    cache
        .lock()
        .expect("stats cache")
        .insert(key, (Instant::now(), stats.clone()));
    Ok(stats)
}

/// Each term's share of rows by the statistics, in `tsquery_terms` order.
fn known_shares(stats: &crate::ssr::search::plan::LexemeStats, full: &str) -> Vec<Option<f64>> {
    domain::search::tsquery_terms(full)
        .iter()
        .map(|t| stats.share(t))
        .collect()
}

/// A full-text condition for a plan that reads the matches through the GIN index: the terms the index looks
/// up (the rare ones, see `crate::ssr::search::plan::after_walk`), with the whole query checked on the rows they find.
#[derive(Clone, Debug)]
pub(crate) struct TextFilter {
    full: String,
    /// The terms the index looks up, `&`-joined; `None`: all of them.
    index: Option<String>,
}

impl TextFilter {
    /// The filter for the index plan that looks up these terms (indices into `tsquery_terms(full)`).
    pub(crate) fn for_terms(full: &str, chosen: &[usize]) -> Self {
        let terms = domain::search::tsquery_terms(full);
        let index = (chosen.len() < terms.len()).then(|| {
            chosen
                .iter()
                .filter_map(|&i| terms.get(i).map(String::as_str))
                .collect::<Vec<_>>()
                .join(" & ")
        });
        Self {
            full: full.to_owned(),
            index: index.filter(|i| !i.is_empty()),
        }
    }

    /// ` AND <col> @@ …`: an index condition, plus the whole query as a check the planner cannot turn into
    /// another index lookup (`ts_match_vq` is the function behind `@@`).
    ///
    /// Each query is an init plan (`(SELECT to_tsquery(…))`), not a constant: the planner then costs the
    /// lookup with its default share of rows instead of reading the column's lexeme statistics, which
    /// `plan_text` has already weighed. With a constant every plan read the 10,000 most common lexemes
    /// (statistics target 1000): 0.3–0.5 ms of each customers search. So the statement's generic plan is its
    /// custom plan (GIN bitmap, then the sort) and PostgreSQL keeps it.
    pub(crate) fn push(&self, qb: &mut QueryBuilder<'_, Postgres>, col: &str) {
        let indexed = self.index.as_ref().unwrap_or(&self.full);
        qb.push(format!(" AND {col} @@ (SELECT to_tsquery('simple', "))
            .push_bind(indexed.clone())
            .push("))");
        if self.index.is_some() {
            qb.push(format!(
                " AND ts_match_vq({col}, (SELECT to_tsquery('simple', "
            ))
            .push_bind(self.full.clone())
            .push(")))");
        }
    }
}

/// The columns of a full-text walk's inner rows (rows in sort order under the window `w` that
/// `walk_end` defines): `hit` (the whole query), `n` (the row's place in the walk) and `term_hits` (how many
/// rows so far matched each term, `tsquery_terms` order). Every query is parsed once (an init plan), not
/// once per row walked.
pub(crate) fn walk_columns(qb: &mut QueryBuilder<'_, Postgres>, col: &str, full: &str) {
    qb.push(format!(", {col} @@ (SELECT to_tsquery('simple', "))
        .push_bind(full.to_owned())
        .push(")) AS hit, row_number() OVER w AS n, ARRAY[");
    for (i, term) in domain::search::tsquery_terms(full).into_iter().enumerate() {
        if i > 0 {
            qb.push(", ");
        }
        qb.push(format!(
            "count(*) FILTER (WHERE {col} @@ (SELECT to_tsquery('simple', "
        ))
        .push_bind(term)
        .push("))) OVER w");
    }
    qb.push("]::bigint[] AS term_hits");
}

/// Ends a walk begun with `SELECT … FROM (SELECT <row>` `walk_columns` ` FROM … WHERE …`: the window, the
/// order and the walk's length, then only the matches and the row at the walk's end. The outer LIMIT stops
/// the walk at the page's last match (the executor keeps the subquery's order), so a frequent word reads
/// a few hundred rows, not the whole budget; the end row carries the counts `after_walk` needs when the page
/// did not fill. `first`: the first row walked comes back too (`n = 1`).
pub(crate) fn walk_end(
    qb: &mut QueryBuilder<'_, Postgres>,
    order: &str,
    budget: i64,
    limit: i64,
    first: bool,
) {
    let (or_first, extra) = if first { (" OR n = 1", 1) } else { ("", 0) };
    qb.push(format!(
        " WINDOW w AS (ORDER BY {order} ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) ORDER BY {order} \
         LIMIT {budget}) x WHERE hit OR n = {budget}{or_first} LIMIT {}",
        limit + 2 + extra
    ));
}

/// The rows `walk_end` returns (as `WalkRow`) turned into the walk's counts: the page's ids in order, how
/// far the walk went (`budget` when it ran to its end or filled the page; less when the rows ran out first,
/// which is all `plan_text` needs to know then) and the term counts at the walk's end.
pub(crate) fn walk_counts(rows: &[WalkRow], budget: i64, limit: i64) -> WalkCounts {
    let hits: Vec<uuid::Uuid> = rows
        .iter()
        .filter(|r| r.hit)
        .take(limit as usize + 1)
        .map(|r| r.id)
        .collect();
    let end = rows.iter().find(|r| r.n == budget);
    let walked = if end.is_some() || hits.len() as i64 > limit {
        budget
    } else {
        rows.last().map_or(0, |r| r.n)
    };
    WalkCounts {
        walked,
        term_hits: end.map(|e| e.term_hits.clone()).unwrap_or_default(),
        ids: (!hits.is_empty()).then_some(hits),
    }
}

/// One row a walk returns: a match, or the row at its end (`n = budget`).
#[derive(sqlx::FromRow)]
pub(crate) struct WalkRow {
    pub id: uuid::Uuid,
    pub hit: bool,
    pub n: i64,
    pub term_hits: Vec<i64>,
}

/// How a list is ordered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Order {
    /// By the sort column, which the planner may read from its index in order.
    Indexed,
    /// By an expression of the sort column that no index provides, so that the planner finds the rows
    /// through the filters' indexes (GIN for full text) and sorts them; the order is the same.
    Sorted,
}

impl Order {
    /// The ORDER BY key for `col` (`text`: the column is text, else a timestamp).
    pub(crate) fn key(self, col: &str, text: bool) -> String {
        match (self, text) {
            (Order::Indexed, _) => col.to_owned(),
            (Order::Sorted, true) => format!("({col} || '')"),
            (Order::Sorted, false) => format!("({col} + interval '0 s')"),
        }
    }
}

/// ` AND <column> = <value>` for each exact field filter of a list (`domain::query::FieldFilters`), with the
/// column named in `columns` (`("email", "c.email")`). Text compares ignoring case (`ILIKE` with every
/// wildcard escaped, which trigram indexes serve); e-mail addresses are stored lower-cased, so they compare
/// with `=` and use their b-tree index. A field without a column is a programming error that the contract
/// tests (`server/tests/contract.rs`) catch: it matches nothing rather than everything.
pub(crate) fn push_field_filters(
    qb: &mut QueryBuilder<'_, Postgres>,
    filters: &domain::query::FieldFilters,
    columns: &[(&str, &str)],
) {
    use domain::query::FieldValue;
    for (field, value) in &filters.0 {
        let Some((_, col)) = columns.iter().find(|(f, _)| f == field) else {
            tracing::error!(field, "a list filter has no column");
            qb.push(" AND false");
            continue;
        };
        match value {
            FieldValue::Text(t) => {
                qb.push(format!(" AND {col} ILIKE "))
                    .push_bind(like_escape(t));
            }
            FieldValue::Email(e) => {
                qb.push(format!(" AND {col} = ")).push_bind(e.clone());
            }
            FieldValue::Int(n) => {
                qb.push(format!(" AND {col} = ")).push_bind(*n);
            }
            FieldValue::Decimal(d) => {
                qb.push(format!(" AND {col} = ")).push_bind(*d);
            }
            FieldValue::Date(d) => {
                qb.push(format!(" AND {col} = ")).push_bind(*d);
            }
        }
    }
}

/// Escapes `%`, `_` and `\\` for a LIKE pattern.
pub(crate) fn like_escape(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}
