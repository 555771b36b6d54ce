//! The sales-pipeline report over the opportunities the caller may see.

use super::{require, visible};
use crate::ssr::repo::sales_report::{self as repo, ReportScope};
use crate::ssr::{Actor, AppCtx, Result};
use domain::opportunity::report::{PipelineQuery, PipelineReport, complete_stages};
use domain::{Action, Resource};

/// Each section is one aggregate query over the rollups (any close-date range); they run concurrently on the
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
