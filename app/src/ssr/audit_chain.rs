//! The audit trail's hash chain (table `audit_seals`): each entry gets a SHA-256 seal over its content and the
//! previous seal of the same UTC day. A background sealer seals entries shortly after they commit;
//! [`verify`] recomputes every link and names the first entry that was changed or deleted behind the app's
//! back, a seal that was removed, or an old entry that never was sealed.
//!
//! What it cannot see on its own: someone who rewrites both tables consistently, or drops a day's last
//! entries with their seals. For that the sealer logs each day's newest seal (`audit chain head`), an
//! anchor kept outside the database.

use chrono::{DateTime, NaiveDate, Utc};
use futures::TryStreamExt;
use sha2::{Digest, Sha256};
use sqlx::PgPool;
use std::collections::HashMap;
use std::time::Duration;
use uuid::Uuid;

/// Entries sealed per transaction.
const BATCH: i64 = 5_000;
/// How far behind the newest sealed entry the sealer still looks for entries that committed late (a long
/// transaction); older unsealed entries are reported by [`verify`].
const LOOKBACK: &str = "1 hour";

#[derive(sqlx::FromRow)]
struct Entry {
    id: Uuid,
    at: DateTime<Utc>,
    day: NaiveDate,
    actor_id: Option<Uuid>,
    actor_email: Option<String>,
    action: String,
    entity: String,
    entity_id: Option<Uuid>,
    changes: String,
    request_id: Option<String>,
    ip: Option<String>,
}

const ENTRY: &str =
    "a.id, a.at, (a.at AT TIME ZONE 'UTC')::date AS day, a.actor_id, a.actor_email, a.action,
    a.entity, a.entity_id, a.changes::text AS changes, a.request_id, a.ip";

fn put(h: &mut Sha256, field: Option<&[u8]>) {
    match field {
        Some(b) => {
            h.update((b.len() as u64).to_le_bytes());
            h.update(b);
        }
        None => h.update(u64::MAX.to_le_bytes()),
    }
}

/// The seal of `e` after `prev`: every field length-prefixed, so no two different entries encode alike.
fn seal(prev: Option<&[u8]>, e: &Entry) -> Vec<u8> {
    let mut h = Sha256::new();
    let text = |s: &Option<String>| s.as_ref().map(|s| s.as_bytes().to_vec());
    let at = e.at.timestamp_micros().to_le_bytes();
    put(&mut h, prev);
    put(&mut h, Some(e.id.as_bytes()));
    put(&mut h, Some(&at));
    put(&mut h, e.actor_id.as_ref().map(|u| u.as_bytes().as_slice()));
    put(&mut h, text(&e.actor_email).as_deref());
    put(&mut h, Some(e.action.as_bytes()));
    put(&mut h, Some(e.entity.as_bytes()));
    put(
        &mut h,
        e.entity_id.as_ref().map(|u| u.as_bytes().as_slice()),
    );
    put(&mut h, Some(e.changes.as_bytes()));
    put(&mut h, text(&e.request_id).as_deref());
    put(&mut h, text(&e.ip).as_deref());
    h.finalize().to_vec()
}

/// Seals what has committed and is not sealed yet; the number sealed. One sealer at a time (an advisory lock:
/// other nodes skip the round).
pub async fn seal_pending(db: &PgPool) -> Result<u64, sqlx::Error> {
    let mut total = 0;
    loop {
        let n = seal_batch(db).await?;
        total += n;
        if n < BATCH as u64 {
            return Ok(total);
        }
    }
}

async fn seal_batch(db: &PgPool) -> Result<u64, sqlx::Error> {
    let mut tx = db.begin().await?;
    let ours: bool =
        sqlx::query_scalar("SELECT pg_try_advisory_xact_lock(hashtext('crm-ims audit sealer'))")
            .fetch_one(&mut *tx)
            .await?;
    if !ours {
        return Ok(0);
    }
    let since: Option<DateTime<Utc>> = sqlx::query_scalar(&format!(
        "SELECT max(entry_at) - interval '{LOOKBACK}' FROM audit_seals"
    ))
    .fetch_one(&mut *tx)
    .await?;
    let entries: Vec<Entry> = sqlx::query_as(&format!(
        "SELECT {ENTRY} FROM audit_logs a
         WHERE ($1::timestamptz IS NULL OR a.at >= $1)
           AND NOT EXISTS (SELECT 1 FROM audit_seals s WHERE s.audit_id = a.id)
         ORDER BY a.at, a.id LIMIT $2"
    ))
    .bind(since)
    .bind(BATCH)
    .fetch_all(&mut *tx)
    .await?;
    if entries.is_empty() {
        return Ok(0);
    }
    let mut days: Vec<NaiveDate> = entries.iter().map(|e| e.day).collect();
    days.dedup();
    let mut heads: HashMap<NaiveDate, Vec<u8>> = sqlx::query_as(
        "SELECT DISTINCT ON (day) day, hash FROM audit_seals WHERE day = ANY($1) ORDER BY day, seq DESC",
    )
    .bind(&days)
    .fetch_all(&mut *tx)
    .await?
    .into_iter()
    .collect();
    let (mut ids, mut on, mut ats, mut prevs, mut hashes) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for e in &entries {
        let prev = heads.get(&e.day).cloned();
        let hash = seal(prev.as_deref(), e);
        heads.insert(e.day, hash.clone());
        ids.push(e.id);
        on.push(e.day);
        ats.push(e.at);
        prevs.push(prev);
        hashes.push(hash);
    }
    sqlx::query(
        "INSERT INTO audit_seals (audit_id, day, entry_at, prev, hash)
         SELECT id, day, at, prev, hash
         FROM UNNEST($1::uuid[], $2::date[], $3::timestamptz[], $4::bytea[], $5::bytea[])
              WITH ORDINALITY AS t(id, day, at, prev, hash, n)
         ORDER BY n",
    )
    .bind(&ids)
    .bind(&on)
    .bind(&ats)
    .bind(&prevs)
    .bind(&hashes)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    for (day, hash) in &heads {
        tracing::info!(%day, head = %hex(hash), "audit chain head");
    }
    Ok(entries.len() as u64)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Seals every few seconds, in the background, for the life of the process.
pub fn spawn_sealer(db: PgPool, every: Duration) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        loop {
            tick.tick().await;
            if let Err(e) = seal_pending(&db).await {
                tracing::warn!(error = %e, "audit sealer: will retry");
            }
        }
    })
}

/// What is wrong at the first broken link.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Break {
    /// The entry's content no longer matches its seal.
    Changed,
    /// The sealed entry is gone.
    Deleted,
    /// A seal before this one is missing (the chain does not follow on).
    SealMissing,
    /// The entry is older than the sealer's reach and has no seal (inserted behind the app's back).
    Unsealed,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BrokenLink {
    pub audit_id: Uuid,
    pub day: NaiveDate,
    pub what: Break,
}

impl std::fmt::Display for BrokenLink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let what = match self.what {
            Break::Changed => "was changed after it was sealed",
            Break::Deleted => "was deleted after it was sealed",
            Break::SealMissing => {
                "does not follow the seal before it: a sealed entry before it was removed"
            }
            Break::Unsealed => "was never sealed: it was inserted behind the app's back",
        };
        write!(f, "audit entry {} ({}) {what}", self.audit_id, self.day)
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Verified {
    pub sealed: u64,
    pub days: u64,
    /// Recent entries the sealer has not reached yet.
    pub pending: u64,
    pub broken: Option<BrokenLink>,
}

#[derive(sqlx::FromRow)]
struct SealRow {
    audit_id: Uuid,
    day: NaiveDate,
    prev: Option<Vec<u8>>,
    hash: Vec<u8>,
    id: Option<Uuid>,
    at: Option<DateTime<Utc>>,
    actor_id: Option<Uuid>,
    actor_email: Option<String>,
    action: Option<String>,
    entity: Option<String>,
    entity_id: Option<Uuid>,
    changes: Option<String>,
    request_id: Option<String>,
    ip: Option<String>,
}

/// Walks the whole chain, day by day in seal order, and stops at the first broken link.
pub async fn verify(db: &PgPool) -> Result<Verified, sqlx::Error> {
    let mut out = Verified::default();
    let mut rows = sqlx::query_as::<_, SealRow>(
        "SELECT s.audit_id, s.day, s.prev, s.hash, a.id, a.at, a.actor_id, a.actor_email, a.action, a.entity,
                a.entity_id, a.changes::text AS changes, a.request_id, a.ip
         FROM audit_seals s LEFT JOIN audit_logs a ON a.id = s.audit_id
         ORDER BY s.day, s.seq",
    )
    .fetch(db);
    let mut last: Option<(NaiveDate, Vec<u8>)> = None;
    while let Some(r) = rows.try_next().await? {
        let expected_prev = match &last {
            Some((day, hash)) if *day == r.day => Some(hash.clone()),
            Some(_) | None => {
                out.days += 1;
                None
            }
        };
        let broken = |what| BrokenLink {
            audit_id: r.audit_id,
            day: r.day,
            what,
        };
        if r.prev != expected_prev {
            out.broken = Some(broken(Break::SealMissing));
            return Ok(out);
        }
        let (Some(id), Some(at), Some(action), Some(entity), Some(changes)) = (
            r.id,
            r.at,
            r.action.clone(),
            r.entity.clone(),
            r.changes.clone(),
        ) else {
            out.broken = Some(broken(Break::Deleted));
            return Ok(out);
        };
        let entry = Entry {
            id,
            at,
            day: r.day,
            actor_id: r.actor_id,
            actor_email: r.actor_email.clone(),
            action,
            entity,
            entity_id: r.entity_id,
            changes,
            request_id: r.request_id.clone(),
            ip: r.ip.clone(),
        };
        if seal(r.prev.as_deref(), &entry) != r.hash {
            out.broken = Some(broken(Break::Changed));
            return Ok(out);
        }
        out.sealed += 1;
        last = Some((r.day, r.hash));
    }
    drop(rows);
    let unsealed: Vec<(Uuid, NaiveDate, bool)> = sqlx::query_as(&format!(
        "SELECT a.id, (a.at AT TIME ZONE 'UTC')::date,
                a.at >= coalesce((SELECT max(entry_at) FROM audit_seals), '-infinity') - interval '{LOOKBACK}'
         FROM audit_logs a
         WHERE NOT EXISTS (SELECT 1 FROM audit_seals s WHERE s.audit_id = a.id)
         ORDER BY a.at, a.id"
    ))
    .fetch_all(db)
    .await?;
    for (id, day, recent) in unsealed {
        if recent {
            out.pending += 1;
        } else if out.broken.is_none() {
            out.broken = Some(BrokenLink {
                audit_id: id,
                day,
                what: Break::Unsealed,
            });
        }
    }
    Ok(out)
}
