//! The optional search engine for interactions (Meilisearch, enabled by `MEILI_URL`).
//!
//! PostgreSQL stays the system of record and the default search: a conjunction of frequent words costs GIN
//! an intersection of long posting lists per monthly partition (docs/benchmarks.md), which an engine built
//! on compressed bitmaps does not pay. What the engine holds is derived and rebuilt at will:
//! - every change to an interaction (or to its customer's owner) is queued by triggers in the writing
//!   transaction (`search_sync_queue`), so nothing is lost while the engine is down;
//! - one worker at a time (it locks `search_sync_state`; any node may be the one) first sends the rows that
//!   existed before the engine was configured (the backfill, resumable), then the queue in commit order,
//!   waiting for each engine task to succeed before it forgets the changes it sent;
//! - searches go to the engine only once the backfill is done, and fall back to PostgreSQL when it fails or
//!   is slow. The engine chooses the page's ids (visibility is one of its filters); the rows come from
//!   PostgreSQL and are checked against the caller's rights again, so a stale document never shows a record
//!   the caller may not see.

pub mod interactions;
pub mod plan;

use super::repo::interactions::ListParams;
use super::repo::scope::Visible;
use super::repo::search_sync::{self as repo, InteractionDoc};
use domain::interaction::InteractionSortKey;
use domain::page::SortDir;
use meilisearch_sdk::client::Client;
use meilisearch_sdk::errors::{Error as EngineError, ErrorCode};
use meilisearch_sdk::indexes::Index;
use meilisearch_sdk::search::{MatchingStrategies, Selectors};
use meilisearch_sdk::settings::Settings;
use meilisearch_sdk::task_info::TaskInfo;
use meilisearch_sdk::tasks::Task;
use serde::Deserialize;
use sqlx::{PgConnection, PgPool};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use tokio::sync::watch;
use uuid::Uuid;

type Time = chrono::DateTime<chrono::Utc>;

/// Rows sent per engine task by the backfill (~20 MB of JSON: the engine pays a fixed cost per task, its
/// word-prefix tables, so big tasks index a large table fastest), and queued changes taken per batch.
pub const BACKFILL_BATCH: i64 = 50_000;
/// Backfill tasks sent before waiting for them.
pub const BACKFILL_TASKS: usize = 4;
pub const QUEUE_BATCH: i64 = 1_000;
/// How long a search may take before PostgreSQL answers instead.
const SEARCH_TIMEOUT: Duration = Duration::from_secs(2);
/// How long the worker waits for the engine to apply a batch.
const TASK_TIMEOUT: Duration = Duration::from_secs(300);

#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error("search engine: {0}")]
    Engine(#[from] EngineError),
    #[error("search engine task {uid} failed: {message}")]
    TaskFailed { uid: u32, message: String },
    #[error("search engine did not answer within {0:?}")]
    Timeout(Duration),
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
}

/// A configured engine and index, shared by the request path and the sync worker.
pub struct Meili {
    client: Client,
    index: Index,
    /// What the state row must name for its progress to count: the engine's address and the index.
    target: String,
    /// The backfill is done (read from the state row by this node's worker).
    ready: AtomicBool,
}

/// The index of a database: one engine can serve several databases (and the tests' fresh ones).
pub fn index_uid(prefix: &str, database: &str) -> String {
    let clean: String = database
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("{prefix}{clean}_interactions")
}

impl Meili {
    pub fn new(url: &str, key: Option<&str>, index_uid: &str) -> Result<Self, SearchError> {
        let url = url.trim_end_matches('/');
        let client = Client::new(url, key)?;
        let index = client.index(index_uid);
        Ok(Self {
            target: format!("{url} {index_uid}"),
            client,
            index,
            ready: AtomicBool::new(false),
        })
    }

    /// The engine's address and the index, as the state row names them.
    pub fn target(&self) -> &str {
        &self.target
    }

    pub fn index_uid(&self) -> &str {
        &self.index.uid
    }

    /// Whether searches may go to the engine (the backfill is done).
    pub fn is_ready(&self) -> bool {
        self.ready.load(Ordering::Relaxed)
    }

    /// The hits of the page `p` of interactions matching every word of `q` (the last one as a prefix), in
    /// the order of the page, ties broken by id; one more than the page's limit when there are more.
    ///
    /// The engine sorts by the list's time only: a second sort key costs it 3–4× (34 against 7 ms for one
    /// frequent word at 5M documents, docs/benchmarks.md). Rows of one time come back in its own order, so
    /// they are put in id order here; and when the page's last row has the time of the row after it, the rows
    /// of that time are asked for again in id order, as the keyset cursor needs.
    pub async fn search(&self, q: &str, p: &ListParams) -> Result<Vec<Found>, SearchError> {
        let Some(filter) = filter_of(p) else {
            return Ok(Vec::new());
        };
        let (col, dir) = sort_of(p);
        let want = p.limit as usize + 1;
        let mut hits = self
            .hits(q, &filter, &format!("{col}:{dir}"), want, p)
            .await?;
        let desc = p.dir == SortDir::Desc;
        let order = |a: &Found, b: &Found| {
            let o = (a.sort_at, a.id).cmp(&(b.sort_at, b.id));
            if desc { o.reverse() } else { o }
        };
        hits.sort_by(order);
        let boundary = match hits.as_slice() {
            [.., last, ahead] if hits.len() == want && last.sort_at == ahead.sort_at => {
                Some(ahead.sort_at)
            }
            _ => None,
        };
        if let Some(at) = boundary {
            let same = format!("{col} = {}", micros(at));
            let filter = if filter.is_empty() {
                same
            } else {
                format!("{filter} AND {same}")
            };
            let group = self.hits(q, &filter, &format!("id:{dir}"), want, p).await?;
            hits.retain(|h| h.sort_at != at);
            hits.extend(group);
            hits.sort_by(order);
            hits.truncate(want);
        }
        Ok(hits)
    }

    async fn hits(
        &self,
        q: &str,
        filter: &str,
        sort: &str,
        limit: usize,
        p: &ListParams,
    ) -> Result<Vec<Found>, SearchError> {
        let mut query = self.index.search();
        if !filter.is_empty() {
            query.with_filter(filter);
        }
        let sort = [sort];
        query
            .with_query(q)
            .with_sort(&sort)
            .with_limit(limit)
            .with_matching_strategy(MatchingStrategies::ALL)
            .with_attributes_to_retrieve(Selectors::Some(&["id", "occurred_at", "created_at"]));
        let found = tokio::time::timeout(SEARCH_TIMEOUT, query.execute::<Hit>())
            .await
            .map_err(|_| SearchError::Timeout(SEARCH_TIMEOUT))??;
        Ok(found
            .hits
            .into_iter()
            .filter_map(|h| {
                let time = |t: f64| chrono::DateTime::from_timestamp_micros(t.round() as i64);
                let occurred_at = time(h.result.occurred_at)?;
                let created_at = time(h.result.created_at)?;
                Some(Found {
                    id: h.result.id,
                    occurred_at,
                    sort_at: match p.sort {
                        InteractionSortKey::CreatedAt => created_at,
                        // Other keys are never asked: the service reads their order from PostgreSQL.
                        _ => occurred_at,
                    },
                })
            })
            .collect())
    }

    /// Waits for an engine task; a failed task is an error.
    async fn finish(&self, task: TaskInfo) -> Result<(), SearchError> {
        match task
            .wait_for_completion(
                &self.client,
                Some(Duration::from_millis(20)),
                Some(TASK_TIMEOUT),
            )
            .await?
        {
            Task::Failed { content } => Err(SearchError::TaskFailed {
                uid: content.task.uid,
                message: content.error.error_message,
            }),
            _ => Ok(()),
        }
    }

    /// Deletes the index (tests and `search reindex` start from nothing).
    pub async fn delete_index(&self) -> Result<(), SearchError> {
        let task = self.client.delete_index(&self.index.uid).await?;
        // Deleting an index that does not exist fails the task: that is the state wanted.
        let _ = task
            .wait_for_completion(
                &self.client,
                Some(Duration::from_millis(20)),
                Some(TASK_TIMEOUT),
            )
            .await?;
        Ok(())
    }
}

/// One hit: the row's keys, and its place in the list's order (the sort column's value).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Found {
    pub id: Uuid,
    pub occurred_at: Time,
    pub sort_at: Time,
}

#[derive(Deserialize)]
struct Hit {
    id: Uuid,
    occurred_at: f64,
    created_at: f64,
}

fn micros(t: Time) -> i64 {
    t.timestamp_micros()
}

/// The sort column and direction (`desc` or `asc`) of a list.
fn sort_of(p: &ListParams) -> (&'static str, &'static str) {
    let col = match p.sort {
        InteractionSortKey::CreatedAt => "created_at",
        // The only other order the engine is asked for (`InteractionSortKey::is_engine_order`).
        _ => "occurred_at",
    };
    (
        col,
        if p.dir == SortDir::Desc {
            "desc"
        } else {
            "asc"
        },
    )
}

/// The engine's filter for the list's conditions; `None` when nothing can match (no visible owner).
/// Ids are UUIDs and kinds a closed set, so quoting them needs no escaping.
fn filter_of(p: &ListParams) -> Option<String> {
    let mut parts: Vec<String> = Vec::new();
    if let Visible::OwnedBy(ids) = &p.visible {
        if ids.is_empty() {
            return None;
        }
        let list: Vec<String> = ids.iter().map(|u| format!("\"{}\"", u.0)).collect();
        parts.push(format!("owner_id IN [{}]", list.join(", ")));
    }
    let ids = [
        ("customer_id", p.customer_id.map(|x| x.0)),
        ("contact_id", p.contact_id.map(|x| x.0)),
        ("opportunity_id", p.opportunity_id.map(|x| x.0)),
        ("ticket_id", p.ticket_id.map(|x| x.0)),
        ("author_id", p.author_id.map(|x| x.0)),
    ];
    for (field, id) in ids {
        if let Some(id) = id {
            parts.push(format!("{field} = \"{id}\""));
        }
    }
    if let Some(k) = p.kind {
        parts.push(format!("kind = \"{}\"", k.as_str()));
    }
    if let Some(t) = p.from {
        parts.push(format!("occurred_at >= {}", micros(t)));
    }
    if let Some(t) = p.to {
        parts.push(format!("occurred_at < {}", micros(t)));
    }
    if let Some((t, id)) = super::repo::interactions::after_time(p) {
        let (col, _) = sort_of(p);
        let op = if p.dir == SortDir::Desc { "<" } else { ">" };
        let t = micros(t);
        parts.push(format!(
            "({col} {op} {t} OR ({col} = {t} AND id {op} \"{id}\"))"
        ));
    }
    Some(if parts.is_empty() {
        // Every document: the engine needs no filter.
        String::new()
    } else {
        parts.join(" AND ")
    })
}

fn settings() -> Settings {
    Settings::new()
        .with_searchable_attributes(["subject", "body"])
        .with_filterable_attributes([
            "id",
            "customer_id",
            "owner_id",
            "contact_id",
            "opportunity_id",
            "ticket_id",
            "author_id",
            "kind",
            "occurred_at",
            "created_at",
        ])
        .with_sortable_attributes(["occurred_at", "created_at", "id"])
        // A list is in the order of its sort; the other rules only order rows of the same time.
        .with_ranking_rules([
            "sort",
            "words",
            "typo",
            "proximity",
            "attribute",
            "exactness",
        ])
}

/// Makes the state describe this engine and index (a new one starts over: settings, then the backfill).
/// An index that is gone although the state says it was made (the engine lost its data, or someone deleted
/// it) starts over too, instead of answering every search with nothing.
pub async fn enable(db: &PgPool, meili: &Meili) -> Result<(), SearchError> {
    let mut tx = db.begin().await?;
    if repo::start(&mut tx, &meili.target).await? {
        tracing::info!(
            index = meili.index_uid(),
            "search engine: syncing from scratch"
        );
    } else if repo::state(&mut tx)
        .await?
        .is_some_and(|s| s.settings_applied)
    {
        match meili.client.get_index(meili.index_uid()).await {
            Err(EngineError::Meilisearch(e)) if e.error_code == ErrorCode::IndexNotFound => {
                tracing::warn!(
                    index = meili.index_uid(),
                    "search engine: the index is gone, syncing from scratch"
                );
                repo::reset(&mut tx, &meili.target).await?;
            }
            Err(e) => return Err(e.into()),
            Ok(_) => {}
        }
    }
    tx.commit().await?;
    Ok(())
}

/// Starts over: deletes the index, forgets what was sent; the worker sends every row again.
pub async fn reindex(db: &PgPool, meili: &Meili) -> Result<(), SearchError> {
    let mut tx = db.begin().await?;
    // Holding the state row keeps the worker of every node out until the reset commits.
    repo::start(&mut tx, &meili.target).await?;
    meili.delete_index().await?;
    repo::reset(&mut tx, &meili.target).await?;
    tx.commit().await?;
    meili.ready.store(false, Ordering::Relaxed);
    Ok(())
}

/// One step of the worker: apply the settings, or send a backfill batch, or send a batch of queued
/// changes. Returns how many rows it sent (0 when there was nothing to do or another node holds the work).
pub async fn sync_once(db: &PgPool, meili: &Meili) -> Result<usize, SearchError> {
    let mut conn = db.acquire().await?;
    let ready = repo::backfilled(&mut conn, &meili.target).await?;
    meili.ready.store(ready, Ordering::Relaxed);
    drop(conn);
    let mut tx = db.begin().await?;
    let Some(state) = repo::lock_state(&mut tx).await? else {
        return Ok(0);
    };
    if state.target != meili.target {
        // Another configuration owns the state (a node with other settings): leave it alone.
        return Ok(0);
    }
    let sent = if !state.settings_applied {
        let task = meili.index.set_settings(&settings()).await?;
        meili.finish(task).await?;
        repo::mark_settings_applied(&mut tx).await?;
        1
    } else if state.backfilled_at.is_none() {
        backfill_step(&mut tx, meili, &state).await?
    } else {
        queue_step(&mut tx, meili).await?
    };
    tx.commit().await?;
    Ok(sent)
}

async fn backfill_step(
    conn: &mut PgConnection,
    meili: &Meili,
    state: &repo::State,
) -> Result<usize, SearchError> {
    // Several tasks in flight: the engine indexes consecutive additions as one batch, which costs far less
    // than one batch each. The position is saved once all of them succeeded.
    let mut after = state.backfill_at.zip(state.backfill_id);
    let mut tasks = Vec::new();
    let mut sent = 0;
    let mut done = false;
    while tasks.len() < BACKFILL_TASKS && !done {
        let docs = repo::backfill_batch(conn, after, BACKFILL_BATCH).await?;
        done = (docs.len() as i64) < BACKFILL_BATCH;
        if let Some(d) = docs.last() {
            after = chrono::DateTime::from_timestamp_micros(d.occurred_at).map(|at| (at, d.id));
            tasks.push(meili.index.add_or_update(&docs, Some("id")).await?);
        }
        sent += docs.len();
    }
    for task in tasks {
        meili.finish(task).await?;
    }
    repo::save_backfill(conn, after, done).await?;
    if done {
        meili.ready.store(true, Ordering::Relaxed);
        tracing::info!(index = meili.index_uid(), "search engine: backfill done");
    }
    // A finished backfill reports at least one so the worker goes on to the queue at once.
    Ok(sent.max(usize::from(done)))
}

async fn queue_step(conn: &mut PgConnection, meili: &Meili) -> Result<usize, SearchError> {
    let queued = repo::queued(conn, QUEUE_BATCH).await?;
    if queued.is_empty() {
        return Ok(0);
    }
    let mut interactions: Vec<Uuid> = Vec::new();
    let mut customers: Vec<Uuid> = Vec::new();
    for q in &queued {
        match q.entity.as_str() {
            "customer" => customers.push(q.entity_id),
            _ => interactions.push(q.entity_id),
        }
    }
    interactions.sort_unstable();
    interactions.dedup();
    customers.sort_unstable();
    customers.dedup();
    // What is still there is sent as it is now; what is gone is deleted.
    let docs: Vec<InteractionDoc> = repo::interaction_docs(conn, &interactions).await?;
    let present: std::collections::HashSet<Uuid> = docs.iter().map(|d| d.id).collect();
    let gone: Vec<Uuid> = interactions
        .iter()
        .filter(|id| !present.contains(id))
        .copied()
        .collect();
    if !docs.is_empty() {
        meili
            .finish(meili.index.add_or_update(&docs, Some("id")).await?)
            .await?;
    }
    if !gone.is_empty() {
        meili
            .finish(meili.index.delete_documents(&gone).await?)
            .await?;
    }
    if !customers.is_empty() {
        let owners = repo::owner_docs(conn, &customers).await?;
        if !owners.is_empty() {
            meili
                .finish(meili.index.add_or_update(&owners, Some("id")).await?)
                .await?;
        }
    }
    let ids: Vec<i64> = queued.iter().map(|q| q.id).collect();
    repo::dequeue(conn, &ids).await?;
    Ok(queued.len())
}

/// What `crm-ims search status` prints.
#[derive(Debug)]
pub struct Status {
    pub index: String,
    pub state: Option<repo::State>,
    pub ours: bool,
    pub queued: i64,
    pub oldest_secs: Option<f64>,
}

impl Status {
    /// Whether this database's engine still lacks rows: the backfill is not done, or changes are queued.
    pub fn work_left(&self) -> bool {
        self.ours
            && self
                .state
                .as_ref()
                .is_some_and(|s| s.backfilled_at.is_none() || self.queued > 0)
    }
}

impl std::fmt::Display for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "index {}: ", self.index)?;
        match &self.state {
            None => write!(
                f,
                "not enabled (a server with MEILI_URL, or `crm-ims search sync`, enables it)"
            )?,
            Some(s) if !self.ours => write!(
                f,
                "the database syncs another engine or index ({})",
                s.target
            )?,
            Some(s) if !s.settings_applied => write!(f, "enabled, settings not applied yet")?,
            Some(s) => match (s.backfilled_at, s.backfill_at) {
                (Some(done), _) => write!(f, "serving searches (backfill done {done})")?,
                (None, Some(at)) => write!(
                    f,
                    "backfilling: rows up to {at} sent; PostgreSQL answers meanwhile"
                )?,
                (None, None) => write!(f, "backfill not started; PostgreSQL answers meanwhile")?,
            },
        }
        write!(f, "; {} change(s) queued", self.queued)?;
        if let Some(age) = self.oldest_secs {
            write!(f, ", the oldest {age:.1} s ago")?;
        }
        Ok(())
    }
}

pub async fn status(db: &PgPool, meili: &Meili) -> Result<Status, SearchError> {
    let mut conn = db.acquire().await?;
    let state = repo::state(&mut conn).await?;
    let (queued, oldest_secs) = repo::backlog(&mut conn).await?;
    Ok(Status {
        index: meili.index_uid().to_owned(),
        ours: state.as_ref().is_some_and(|s| s.target == meili.target),
        state,
        queued,
        oldest_secs,
    })
}

/// Runs [`sync_once`] until nothing is left (tests, and the CLI's reindex).
pub async fn sync_until_idle(db: &PgPool, meili: &Meili) -> Result<usize, SearchError> {
    let mut total = 0;
    loop {
        match sync_once(db, meili).await? {
            0 => return Ok(total),
            n => total += n,
        }
    }
}

/// The sync worker of this node: enables the engine (retrying while it is unreachable), then syncs every
/// `every`, at once again while there is more.
pub async fn run_worker(
    db: PgPool,
    meili: Arc<Meili>,
    every: Duration,
    stop: watch::Receiver<bool>,
) {
    let enabled = AtomicBool::new(false);
    let (db, meili, enabled) = (&db, &*meili, &enabled);
    super::poll::until_stopped("search sync worker", every, 1, stop, move || async move {
        if !enabled.load(Ordering::Relaxed) {
            enable(db, meili).await.map_err(internal)?;
            enabled.store(true, Ordering::Relaxed);
            return Ok(1);
        }
        // 1 (a full batch to the loop): go again at once.
        Ok(sync_once(db, meili).await.map_err(internal)?.min(1))
    })
    .await;
}

fn internal(e: SearchError) -> super::ServiceError {
    super::ServiceError::Internal(e.to_string())
}

pub fn spawn_worker(
    db: PgPool,
    meili: Arc<Meili>,
    every: Duration,
) -> (watch::Sender<bool>, tokio::task::JoinHandle<()>) {
    let (tx, rx) = watch::channel(false);
    (tx, tokio::spawn(run_worker(db, meili, every, rx)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::UserId;
    use domain::page::Cursor;

    fn status(backfilled: bool, queued: i64, ours: bool) -> Status {
        Status {
            index: "crm_ims_x_interactions".into(),
            state: Some(repo::State {
                target: "http://engine crm_ims_x_interactions".into(),
                settings_applied: true,
                backfill_at: None,
                backfill_id: None,
                backfilled_at: backfilled.then(chrono::Utc::now),
            }),
            ours,
            queued,
            oldest_secs: None,
        }
    }

    #[test]
    fn work_is_left_while_the_backfill_runs_or_changes_are_queued_for_this_engine() {
        assert!(!status(true, 0, true).work_left());
        assert!(status(false, 0, true).work_left());
        assert!(status(true, 3, true).work_left());
        // Another engine's state, or none: nothing this engine could take.
        assert!(!status(false, 3, false).work_left());
        let mut off = status(true, 0, true);
        off.state = None;
        assert!(!off.work_left());
    }

    fn params() -> ListParams {
        ListParams {
            fields: Default::default(),
            visible: Visible::All,
            tsquery: None,
            customer_id: None,
            contact_id: None,
            opportunity_id: None,
            ticket_id: None,
            kind: None,
            author_id: None,
            from: None,
            to: None,
            sort: InteractionSortKey::OccurredAt,
            dir: SortDir::Desc,
            after: None,
            limit: 50,
        }
    }

    #[test]
    fn filters_name_visibility_fields_range_and_cursor() {
        assert_eq!(filter_of(&params()).as_deref(), Some(""));
        let nobody = ListParams {
            visible: Visible::OwnedBy(Vec::new()),
            ..params()
        };
        assert_eq!(filter_of(&nobody), None);
        let owner = Uuid::nil();
        let at = chrono::DateTime::from_timestamp_micros(1_700_000_000_123_456).expect("time");
        let id = Uuid::from_u128(7);
        let p = ListParams {
            visible: Visible::OwnedBy(vec![UserId(owner)]),
            kind: Some(domain::interaction::InteractionKind::Call),
            from: Some(at),
            after: Some(Cursor::at("-occurred_at", Some(at.to_rfc3339()), id)),
            ..params()
        };
        let f = filter_of(&p).expect("filter");
        assert_eq!(
            f,
            format!(
                "owner_id IN [\"{owner}\"] AND kind = \"call\" AND occurred_at >= 1700000000123456 AND \
                 (occurred_at < 1700000000123456 OR (occurred_at = 1700000000123456 AND id < \"{id}\"))"
            )
        );
        let asc = ListParams {
            dir: SortDir::Asc,
            sort: InteractionSortKey::CreatedAt,
            after: Some(Cursor::at("-occurred_at", Some(at.to_rfc3339()), id)),
            ..params()
        };
        assert!(
            filter_of(&asc)
                .expect("filter")
                .contains("created_at > 1700000000123456")
        );
    }

    #[test]
    fn index_names_are_valid_uids() {
        assert_eq!(
            index_uid("crm_ims_", "crm-ims.prod"),
            "crm_ims_crm-ims_prod_interactions"
        );
    }
}
