//! Repositories: every SQL statement of the app lives in this module, one file per table group.

pub mod audit;
pub mod contacts;
pub mod customers;
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

/// Where a keyset page starts: after this sort value and id.
#[derive(Clone, Debug)]
pub enum After {
    Time(chrono::DateTime<chrono::Utc>, uuid::Uuid),
    Text(String, uuid::Uuid),
}

impl After {
    pub(crate) fn push(
        self,
        qb: &mut QueryBuilder<'_, Postgres>,
        col: &str,
        id_col: &str,
        desc: bool,
    ) {
        match self {
            After::Time(t, id) => push_keyset(qb, col, id_col, desc, t, id),
            After::Text(s, id) => push_keyset(qb, col, id_col, desc, s, id),
        }
    }
}

/// How many rows a full-text list walks in sort order first: 40 per row of the page (a word in one row of 40
/// fills a page by walking), 1,000 to 10,000. See `plan_text`.
pub(crate) fn walk_budget(limit: i64) -> i64 {
    ((limit + 1) * 40).clamp(1_000, 10_000)
}

/// What every full-text walk (rows in sort order, the query and each of its terms tested per row) returns.
#[derive(sqlx::FromRow)]
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
/// walk: `domain::search::before_walk`); while that does not fill the page, `domain::search::after_walk` weighs a
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
    let mut budget =
        match domain::search::before_walk(&terms, &known, limit + 1, walk_budget(limit)) {
            domain::search::AfterWalk::Walk(rows) => rows,
            domain::search::AfterWalk::Index(rare) => {
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
        let next = domain::search::after_walk(
            c.walked,
            found,
            limit + 1,
            &c.term_hits,
            &known,
            w.index_rows(),
        );
        match next {
            domain::search::AfterWalk::Walk(rows) => budget = rows,
            domain::search::AfterWalk::Index(terms) => {
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

type StatsCache = Mutex<HashMap<(String, StatsOf), (Instant, Arc<domain::search::LexemeStats>)>>;

/// The `domain::search::LexemeStats` of a table's `search` column from `pg_stats`, cached per database for
/// ten minutes. Empty (every share unknown) before the table's first ANALYZE.
async fn lexeme_stats(
    db: &PgPool,
    table: StatsOf,
) -> Result<Arc<domain::search::LexemeStats>, sqlx::Error> {
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
    let stats = Arc::new(domain::search::LexemeStats::new(common));
    cache
        .lock()
        .expect("stats cache")
        .insert(key, (Instant::now(), stats.clone()));
    Ok(stats)
}

/// Each term's share of rows by the statistics, in `tsquery_terms` order.
fn known_shares(stats: &domain::search::LexemeStats, full: &str) -> Vec<Option<f64>> {
    domain::search::tsquery_terms(full)
        .iter()
        .map(|t| stats.share(t))
        .collect()
}

/// A full-text condition for a plan that reads the matches through the GIN index: the terms the index looks
/// up (the rare ones, see `domain::search::after_walk`), with the whole query checked on the rows they find.
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
    pub(crate) fn push(&self, qb: &mut QueryBuilder<'_, Postgres>, col: &str) {
        let indexed = self.index.as_ref().unwrap_or(&self.full);
        qb.push(format!(" AND {col} @@ to_tsquery('simple', "))
            .push_bind(indexed.clone())
            .push(")");
        if self.index.is_some() {
            qb.push(format!(" AND ts_match_vq({col}, to_tsquery('simple', "))
                .push_bind(self.full.clone())
                .push("))");
        }
    }
}

/// The columns a full-text walk adds per row: `hit` (the whole query) and `t1`, `t2`, … (each term), every
/// query parsed once (an init plan), not once per row walked.
pub(crate) fn walk_term_columns(qb: &mut QueryBuilder<'_, Postgres>, col: &str, full: &str) {
    qb.push(format!(", {col} @@ (SELECT to_tsquery('simple', "))
        .push_bind(full.to_owned())
        .push(")) AS hit");
    for (i, term) in domain::search::tsquery_terms(full).into_iter().enumerate() {
        qb.push(format!(", {col} @@ (SELECT to_tsquery('simple', "))
            .push_bind(term)
            .push(format!(")) AS t{}", i + 1));
    }
}

/// `count(*) AS walked, ARRAY[count(*) FILTER (WHERE t1), …] AS term_hits` over the CTE `walk`.
pub(crate) fn walk_counts(full: &str) -> String {
    let counts: Vec<String> = (1..=domain::search::tsquery_terms(full).len())
        .map(|i| format!("count(*) FILTER (WHERE t{i})"))
        .collect();
    format!(
        "(SELECT count(*) FROM walk) AS walked, (SELECT ARRAY[{}]::bigint[] FROM walk) AS term_hits",
        counts.join(", ")
    )
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

/// Escapes `%`, `_` and `\\` for a LIKE pattern.
pub(crate) fn like_escape(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}
