//! The sales-pipeline report over the opportunities the caller may see.

use super::{require, visible};
use crate::ssr::repo::sales_report::{self as repo, ReportScope};
use crate::ssr::{Actor, AppCtx, Result};
use domain::opportunity::report::{PipelineQuery, PipelineReport, complete_stages};
use domain::{Action, Resource};

/// Reports over the live tables computed at the same time on this node (a close-date range that is not whole
/// months: the rollups cannot answer it, and the report aggregates ~0.5–0.9 s at 500k opportunities). One report
/// runs its five sections on five pool connections; more such at once would take the whole pool and answer
/// every other request 503. Waiting callers queue (bounded by the request timeout). Reports read from the
/// rollups (milliseconds) do not wait.
static RUNNING_LIVE: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(1);

/// Each section is one aggregate query (over the rollups when the filters allow); they run concurrently on the
/// pool.
pub async fn sales_pipeline(
    ctx: &AppCtx,
    actor: &Actor,
    query: PipelineQuery,
) -> Result<PipelineReport> {
    let p = &actor.principal;
    require(p, Resource::Reports, Action::Read)?;
    require(p, Resource::Opportunities, Action::Read)?;
    let f = query.parse()?;
    let scope = ReportScope {
        visible: visible(&ctx.db, p, Resource::Opportunities).await?,
        owner_id: f.owner_id,
        from: f.from,
        to: f.to,
    };
    let _permit = if scope.reads_live_tables() {
        Some(
            RUNNING_LIVE
                .acquire()
                .await
                .map_err(|_| crate::ssr::ServiceError::internal("report limiter closed"))?,
        )
    } else {
        None
    };
    let db = &ctx.db;
    let ((found, unconverted_currencies), forecast, win_rate_by_stage, win_rate_by_owner, avg_days) =
        tokio::try_join!(
            repo::stage_totals(db, &scope),
            repo::forecast(db, &scope),
            repo::win_rate_by_stage(db, &scope),
            repo::win_rate_by_owner(db, &scope),
            repo::avg_days_in_stage(db, &scope),
        )?;
    let (stages, totals) = complete_stages(found);
    Ok(PipelineReport {
        base_currency: domain::money::DEFAULT_CURRENCY.to_owned(),
        stages,
        totals,
        unconverted_currencies,
        forecast,
        win_rate_by_stage,
        win_rate_by_owner,
        avg_days_in_stage: avg_days,
    })
}
