//! Where a page of interactions matching `q` comes from, behind one trait: PostgreSQL's full text (always
//! there: `repo::interactions::list` with the plans of `plan`) or the search engine (`MEILI_URL`). Either way
//! the rows are read from the database and checked against the caller's rights as they are now.

use super::{Found, Meili, SearchError};
use crate::ssr::repo::interactions::{self as repo, InteractionRecord, ListParams};
use crate::ssr::{Result, ServiceError};
use domain::page::Cursor;
use sqlx::PgPool;
use std::future::Future;

/// A page of an interaction list with `q`: its rows (one more than the limit when there are more), and the
/// last hit to go on from when the engine's rounds ran out before the page filled.
pub struct Hits {
    pub rows: Vec<InteractionRecord>,
    pub resume: Option<Found>,
}

/// One way to find the page. The outer error is the database's; the inner one a failure of the engine, after
/// which the caller asks PostgreSQL instead.
pub trait InteractionSearch {
    fn page(
        &self,
        db: &PgPool,
        q: &str,
        params: ListParams,
        visible: &(dyn Fn(&InteractionRecord) -> bool + Sync),
    ) -> impl Future<Output = Result<std::result::Result<Hits, SearchError>>> + Send;
}

/// PostgreSQL's own full text: the scope is part of the statement, so `visible` has nothing left to drop.
pub struct Postgres;

impl InteractionSearch for Postgres {
    async fn page(
        &self,
        db: &PgPool,
        _q: &str,
        params: ListParams,
        _visible: &(dyn Fn(&InteractionRecord) -> bool + Sync),
    ) -> Result<std::result::Result<Hits, SearchError>> {
        let rows = repo::list(db, params).await.map_err(ServiceError::from)?;
        Ok(Ok(Hits { rows, resume: None }))
    }
}

/// Times the engine is asked for one page when the check against PostgreSQL drops the rows it found.
const ENGINE_ROUNDS: usize = 4;

/// The engine chose the page; the caller's rights are checked again on the rows as they are now, so a
/// document the engine has not caught up with never shows a forbidden record (a row whose time changed, or
/// that is gone, is left out too). When that drops rows while the engine has more, the engine is asked again
/// from past its last hit, so such rows never end the list early.
impl InteractionSearch for Meili {
    async fn page(
        &self,
        db: &PgPool,
        q: &str,
        mut params: ListParams,
        visible: &(dyn Fn(&InteractionRecord) -> bool + Sync),
    ) -> Result<std::result::Result<Hits, SearchError>> {
        let want = usize::try_from(params.limit).unwrap_or(0) + 1;
        let mut rows = Vec::new();
        let mut resume = None;
        for _ in 0..ENGINE_ROUNDS {
            let hits = match self.search(q, &params).await {
                Ok(hits) => hits,
                Err(e) => return Ok(Err(e)),
            };
            let (ids, ats) = hits.iter().map(|h| (h.id, h.occurred_at)).unzip();
            rows.extend(
                repo::by_keys(db, ids, ats, &params)
                    .await?
                    .into_iter()
                    .filter(|r| visible(r)),
            );
            match hits.last() {
                Some(&last) if hits.len() >= want && rows.len() < want => {
                    params.after = Some(Cursor::at("", Some(last.sort_at.to_rfc3339()), last.id));
                    resume = Some(last);
                }
                _ => return Ok(Ok(Hits { rows, resume: None })),
            }
        }
        Ok(Ok(Hits { rows, resume }))
    }
}
