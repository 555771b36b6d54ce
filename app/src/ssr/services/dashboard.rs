//! The role dashboards and the activity report. Each view reads only what its role may read: the pipeline and
//! activity through the caller's record scope, tickets through the customers they may see, inventory and
//! administration sections only with those permissions.

use super::{require, sales_report, visible};
use crate::ssr::repo::dashboard as repo;
use crate::ssr::repo::scope::Visible;
use crate::ssr::{Actor, AppCtx, Result, ServiceError};
use domain::asset::AssetQuery;
use domain::dashboard::{
    ActivityReport, Dashboard, DashboardFilter, DashboardQuery, DashboardView, Health,
    PerformanceReport, performance_rows,
};
use domain::opportunity::report::PipelineQuery;
use domain::{Action, Principal, Problem, Resource, Role};
use uuid::Uuid;

fn owners(v: &Visible) -> Option<Vec<Uuid>> {
    match v {
        Visible::All => None,
        Visible::OwnedBy(ids) => Some(ids.iter().map(|u| u.0).collect()),
    }
}

/// Whose activity the caller may see: their own (sales), their team's (team managers), everyone's otherwise.
async fn activity_scope(
    ctx: &AppCtx,
    p: &Principal,
    f: &DashboardFilter,
) -> Result<(Option<Vec<Uuid>>, Option<String>)> {
    require(p, Resource::Interactions, Action::Read)?;
    let authors = owners(&visible(&ctx.db, p, Resource::Opportunities).await?);
    // A team manager's own team wins over the filter; others may pick one.
    let team = match (p.role, &p.team) {
        (Role::Manager, Some(t)) => Some(t.clone()),
        _ => f.team.clone(),
    };
    Ok((authors, team))
}

/// `reports/activity`: interactions per rep per week in the window.
pub async fn activity_report(
    ctx: &AppCtx,
    actor: &Actor,
    query: DashboardQuery,
) -> Result<ActivityReport> {
    let p = &actor.principal;
    require(p, Resource::Reports, Action::Read)?;
    let f = query.parse(chrono::Utc::now().date_naive())?;
    let (authors, team) = activity_scope(ctx, p, &f).await?;
    let data = repo::activity(&ctx.db, (f.from, f.to), authors.as_deref(), team.as_deref()).await?;
    Ok(ActivityReport {
        from: f.from,
        to: f.to,
        data,
    })
}

/// `reports/performance`: per rep, deals won and lost (expected close in the window) and interactions logged
/// in it — both from rollups.
pub async fn performance_report(
    ctx: &AppCtx,
    actor: &Actor,
    query: DashboardQuery,
) -> Result<PerformanceReport> {
    let p = &actor.principal;
    require(p, Resource::Reports, Action::Read)?;
    let f = query.parse(chrono::Utc::now().date_naive())?;
    let (authors, team) = activity_scope(ctx, p, &f).await?;
    let pipeline = PipelineQuery {
        from: Some(f.from.to_string()),
        to: Some(f.to.to_string()),
        ..Default::default()
    };
    let (report, activity) =
        tokio::try_join!(sales_report::sales_pipeline(ctx, actor, pipeline), async {
            Ok(
                repo::activity(&ctx.db, (f.from, f.to), authors.as_deref(), team.as_deref())
                    .await?,
            )
        },)?;
    Ok(PerformanceReport {
        from: f.from,
        to: f.to,
        data: performance_rows(&report.win_rate_by_owner, &activity),
    })
}

fn pipeline_query(owner: Option<Uuid>) -> PipelineQuery {
    PipelineQuery {
        owner_id: owner.map(|u| u.to_string()),
        ..Default::default()
    }
}

/// One role's dashboard (the caller's own, or any for admins).
pub async fn dashboard(ctx: &AppCtx, actor: &Actor, query: DashboardQuery) -> Result<Dashboard> {
    let p = &actor.principal;
    let f = query.parse(chrono::Utc::now().date_naive())?;
    let view = f.view.unwrap_or(DashboardView::for_role(p.role));
    if !view.allowed(p.role) {
        return Err(Problem::forbidden(format!(
            "The {} dashboard is not available to your role.",
            view.as_str()
        ))
        .into());
    }
    require(p, Resource::Reports, Action::Read)?;
    let db = &ctx.db;
    let range = f.range();
    let days = (f.from, f.to);
    let me = p.user_id.0;
    let mut d = Dashboard {
        view: Some(view),
        from: Some(f.from),
        to: Some(f.to),
        ..Default::default()
    };
    match view {
        DashboardView::Sales => {
            d.pipeline =
                Some(sales_report::sales_pipeline(ctx, actor, pipeline_query(Some(me))).await?);
            d.tasks_due = Some(repo::tasks_due(db, me, 7).await?);
            d.recent_activity = Some(repo::recent_activity(db, me).await?);
            d.activity = Some(repo::activity(db, days, Some(&[me]), None).await?);
        }
        DashboardView::Manager => {
            d.pipeline =
                Some(sales_report::sales_pipeline(ctx, actor, pipeline_query(None)).await?);
            let reps = owners(&visible(db, p, Resource::Opportunities).await?);
            d.time_in_stage_by_rep = Some(repo::time_in_stage_by_rep(db, reps.as_deref()).await?);
            let (authors, team) = activity_scope(ctx, p, &f).await?;
            d.activity = Some(repo::activity(db, days, authors.as_deref(), team.as_deref()).await?);
            if p.can(Resource::Tickets, Action::Read) {
                let customers = owners(&visible(db, p, Resource::Customers).await?);
                d.tickets = Some(repo::ticket_stats(db, customers.as_deref()).await?);
            }
            if p.can(Resource::Assets, Action::Read) {
                d.stock_alerts = Some(stock_alerts(ctx, actor).await?);
            }
        }
        DashboardView::Support => {
            require(p, Resource::Tickets, Action::Read)?;
            let customers = owners(&visible(db, p, Resource::Customers).await?);
            d.tickets = Some(repo::ticket_stats(db, customers.as_deref()).await?);
            d.tasks_due = Some(repo::tasks_due(db, me, 7).await?);
            d.recent_activity = Some(repo::recent_activity(db, me).await?);
        }
        DashboardView::Inventory => {
            require(p, Resource::Assets, Action::Read)?;
            d.stock_alerts = Some(stock_alerts(ctx, actor).await?);
            d.movements = Some(repo::movements(db, range).await?);
            if p.can(Resource::PurchaseOrders, Action::Read) {
                d.open_orders = Some(repo::open_orders(db).await?);
            }
            d.top_allocated = Some(repo::top_allocated(db).await?);
        }
        DashboardView::Admin => {
            require(p, Resource::AuditLogs, Action::Read)?;
            d.users_by_role = Some(repo::users_by_role(db).await?);
            d.signed_in_recently =
                Some(repo::signed_in_since(db, chrono::Duration::hours(12)).await?);
            if !ctx.settings.sessions_in_redis {
                d.active_sessions = Some(repo::active_sessions(db).await?);
            }
            d.logins = Some(repo::logins(db, range).await?);
            d.audit_activity = Some(repo::audit_per_day(db, range).await?);
            d.health = Some(health(ctx).await?);
        }
    }
    Ok(d)
}

/// Assets at or below their reorder point (the 20 most urgent).
async fn stock_alerts(ctx: &AppCtx, actor: &Actor) -> Result<Vec<domain::asset::StockLevel>> {
    let query = AssetQuery {
        below_reorder_point: Some("true".into()),
        limit: Some("20".into()),
        ..Default::default()
    };
    Ok(super::assets::stock_levels(ctx, actor, query).await?.data)
}

async fn health(ctx: &AppCtx) -> Result<Health> {
    let (events_pending, events_failed, jobs_pending) = repo::backlog(&ctx.db).await?;
    let live_sockets = i64::try_from(ctx.events.receivers())
        .map_err(|_| ServiceError::internal("socket count"))?;
    Ok(Health {
        database_connections: ctx.db.size(),
        database_idle: u32::try_from(ctx.db.num_idle()).unwrap_or(u32::MAX),
        events_pending,
        events_failed,
        jobs_pending,
        live_sockets,
        uptime_seconds: i64::try_from(ctx.started.elapsed().as_secs()).unwrap_or(i64::MAX),
    })
}
