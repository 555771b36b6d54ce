use crate::extract::{ApiQuery, Caller};
use crate::problem::ApiResult;
use crate::state::AppState;
use app::ssr::services::{assets, dashboard, sales_report};
use axum::Json;
use axum::extract::State;
use domain::opportunity::report::{PipelineQuery, PipelineReport};
use domain::{Page, Problem};

/// Counts and amounts per stage in the base currency (rates from `exchange_rates`; currencies without a rate
/// are listed in `unconverted_currencies` and left out), weighted = amount × probability / 100, plus the
/// monthly forecast, win rates and days in stage. Only opportunities the caller may see. `?format=csv` exports
/// every section as rows of `section,key,count,amount,weighted_amount,won,lost,rate,days`.
#[utoipa::path(get, path = "/reports/sales-pipeline", tag = "reports", params(PipelineQuery),
    responses((status = 200, body = PipelineReport), (status = 403, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn sales_pipeline(
    State(s): State<AppState>,
    Caller(a): Caller,
    ApiQuery(q): ApiQuery<PipelineQuery>,
) -> ApiResult<axum::response::Response> {
    use axum::response::IntoResponse;
    let csv = match q.format.as_deref() {
        None | Some("" | "json") => false,
        Some("csv") => true,
        Some(other) => {
            return Err(Problem::invalid_field(
                "format",
                format!("\"{other}\" is not a format; use json or csv"),
            )
            .into());
        }
    };
    let r = sales_report::sales_pipeline(&s.ctx, &a, q).await?;
    if !csv {
        return Ok(Json(r).into_response());
    }
    let row = |section: &str, key: String, cells: [String; 7]| {
        let mut v = vec![section.to_owned(), key];
        v.extend(cells);
        v
    };
    let blank = String::new;
    let rate = |x: Option<f64>| x.map(|x| format!("{x:.4}")).unwrap_or_default();
    let mut rows = Vec::new();
    for st in &r.stages {
        rows.push(row(
            "stage",
            st.stage.to_string(),
            [
                st.count.to_string(),
                st.amount.to_string(),
                st.weighted_amount.to_string(),
                blank(),
                blank(),
                blank(),
                blank(),
            ],
        ));
    }
    let t = &r.totals;
    rows.push(row(
        "totals",
        r.base_currency.clone(),
        [
            t.open_count.to_string(),
            t.open_amount.to_string(),
            t.weighted_amount.to_string(),
            t.won_amount.to_string(),
            t.lost_amount.to_string(),
            blank(),
            blank(),
        ],
    ));
    for m in &r.forecast {
        rows.push(row(
            "forecast",
            m.month.clone(),
            [
                m.count.to_string(),
                m.amount.to_string(),
                m.weighted_amount.to_string(),
                blank(),
                blank(),
                blank(),
                blank(),
            ],
        ));
    }
    for w in &r.win_rate_by_stage {
        rows.push(row(
            "win_rate_by_stage",
            w.stage.to_string(),
            [
                w.entered.to_string(),
                blank(),
                blank(),
                w.won.to_string(),
                blank(),
                rate(w.rate),
                blank(),
            ],
        ));
    }
    for w in &r.win_rate_by_owner {
        let who = w
            .owner_name
            .clone()
            .unwrap_or_else(|| "(unassigned)".into());
        rows.push(row(
            "win_rate_by_owner",
            who,
            [
                blank(),
                blank(),
                blank(),
                w.won.to_string(),
                w.lost.to_string(),
                rate(w.rate),
                blank(),
            ],
        ));
    }
    for d in &r.avg_days_in_stage {
        rows.push(row(
            "days_in_stage",
            d.stage.to_string(),
            [
                blank(),
                blank(),
                blank(),
                blank(),
                blank(),
                blank(),
                format!("{:.2}", d.days),
            ],
        ));
    }
    csv_file(
        "sales-pipeline.csv",
        &[
            "section",
            "key",
            "count",
            "amount",
            "weighted_amount",
            "won",
            "lost",
            "rate",
            "days",
        ],
        rows.into_iter(),
    )
}

/// Stock per asset with allocated and on-order quantities; the asset list's filters (`category` includes
/// sub-categories, `below_reorder_point=true`), keyset paged. `?format=csv` exports every matching row.
#[utoipa::path(get, path = "/reports/stock-levels", tag = "reports", params(domain::asset::AssetQuery),
    responses((status = 200, body = Page<domain::asset::StockLevel>), (status = 403, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn stock_levels(
    State(s): State<AppState>,
    Caller(a): Caller,
    ApiQuery(q): ApiQuery<domain::asset::AssetQuery>,
) -> ApiResult<axum::response::Response> {
    use axum::response::IntoResponse;
    if q.format.as_deref() != Some("csv") {
        return Ok(Json(assets::stock_levels(&s.ctx, &a, q).await?).into_response());
    }
    let header = [
        "asset_id",
        "sku",
        "name",
        "kind",
        "category",
        "vendor",
        "total_quantity",
        "available_quantity",
        "allocated_quantity",
        "on_order_quantity",
        "reorder_point",
        "below_reorder_point",
    ];
    let mut query = domain::asset::AssetQuery {
        format: None,
        limit: Some("500".into()),
        ..q
    };
    let mut rows = Vec::new();
    loop {
        let page = assets::stock_levels(&s.ctx, &a, query.clone()).await?;
        rows.extend(page.data.iter().map(|r| {
            vec![
                r.asset_id.to_string(),
                r.sku.clone(),
                r.name.clone(),
                r.kind.to_string(),
                r.category.clone(),
                r.vendor_name.clone().unwrap_or_default(),
                r.total_quantity.to_string(),
                r.available_quantity.to_string(),
                r.allocated_quantity.to_string(),
                r.on_order_quantity.to_string(),
                r.reorder_point.to_string(),
                r.below_reorder_point.to_string(),
            ]
        }));
        match page.next_cursor {
            Some(c) => query.cursor = Some(c),
            None => break,
        }
    }
    csv_file("stock-levels.csv", &header, rows.into_iter())
}

/// Book value (at `as_of`, default today) and cost of the stock by top-level category.
#[utoipa::path(get, path = "/reports/valuation", tag = "reports", params(crate::routes::assets::AsOfQuery),
    responses((status = 200, body = crate::routes::customers::Data<domain::asset::ValuationRow>), (status = 403, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn valuation(
    State(s): State<AppState>,
    Caller(a): Caller,
    ApiQuery(q): ApiQuery<crate::routes::assets::AsOfQuery>,
) -> ApiResult<Json<crate::routes::customers::Data<domain::asset::ValuationRow>>> {
    let as_of = crate::routes::assets::parse_as_of(&q)?;
    let data = assets::valuation(&s.ctx, &a, as_of).await?;
    Ok(Json(crate::routes::customers::Data { data }))
}

/// Demand planning: every asset with open project demand against what is available and on order, with the
/// shortfall and the date it bites.
#[utoipa::path(get, path = "/reports/demand-planning", tag = "reports",
    responses((status = 200, body = crate::routes::customers::Data<domain::asset::DemandPlan>), (status = 403, body = Problem)), security(("bearer" = [])))]
pub async fn demand_planning(
    State(s): State<AppState>,
    Caller(a): Caller,
) -> ApiResult<Json<crate::routes::customers::Data<domain::asset::DemandPlan>>> {
    let data = assets::demand_overview(&s.ctx, &a).await?;
    Ok(Json(crate::routes::customers::Data { data }))
}

/// Interactions (calls, e-mails, meetings, notes) per rep per ISO week in `from`–`to` (8 weeks to today by
/// default, at most 366 days): sales see their own, team managers their team's, others everyone's or one
/// `team`'s. `?format=csv` exports the rows.
#[utoipa::path(get, path = "/reports/activity", tag = "reports", params(ActivityParams),
    responses((status = 200, body = domain::dashboard::ActivityReport), (status = 403, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn activity(
    State(s): State<AppState>,
    Caller(a): Caller,
    ApiQuery(q): ApiQuery<ActivityParams>,
) -> ApiResult<axum::response::Response> {
    use axum::response::IntoResponse;
    let csv = q.format.as_deref() == Some("csv");
    let report = dashboard::activity_report(&s.ctx, &a, q.query()).await?;
    if !csv {
        return Ok(Json(report).into_response());
    }
    let rows = report.data.iter().map(|r| {
        vec![
            r.week.to_string(),
            r.user_id.map(|u| u.to_string()).unwrap_or_default(),
            r.user_name.clone(),
            r.calls.to_string(),
            r.emails.to_string(),
            r.meetings.to_string(),
            r.notes.to_string(),
            r.total.to_string(),
        ]
    });
    csv_file(
        "activity.csv",
        &[
            "week",
            "user_id",
            "user_name",
            "calls",
            "emails",
            "meetings",
            "notes",
            "total",
        ],
        rows,
    )
}

/// Per rep: deals won and lost (expected close in `from`–`to`; 8 weeks to today by default), the win rate and
/// the interactions logged in the window; the caller's scope as for `reports/activity`. `?format=csv` exports.
#[utoipa::path(get, path = "/reports/performance", tag = "reports", params(ActivityParams),
    responses((status = 200, body = domain::dashboard::PerformanceReport), (status = 403, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn performance(
    State(s): State<AppState>,
    Caller(a): Caller,
    ApiQuery(q): ApiQuery<ActivityParams>,
) -> ApiResult<axum::response::Response> {
    use axum::response::IntoResponse;
    let csv = q.format.as_deref() == Some("csv");
    let report = dashboard::performance_report(&s.ctx, &a, q.query()).await?;
    if !csv {
        return Ok(Json(report).into_response());
    }
    let rows = report.data.iter().map(|r| {
        vec![
            r.user_id.map(|u| u.to_string()).unwrap_or_default(),
            r.user_name.clone(),
            r.won.to_string(),
            r.lost.to_string(),
            r.win_rate.map(|x| format!("{x:.4}")).unwrap_or_default(),
            r.activities.to_string(),
        ]
    });
    csv_file(
        "performance.csv",
        &[
            "user_id",
            "user_name",
            "won",
            "lost",
            "win_rate",
            "activities",
        ],
        rows,
    )
}

/// A CSV attachment of `header` and `rows`.
fn csv_file(
    name: &'static str,
    header: &[&str],
    rows: impl Iterator<Item = Vec<String>>,
) -> ApiResult<axum::response::Response> {
    use axum::response::IntoResponse;
    let csv_failed = |_| Problem::internal();
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(header).map_err(csv_failed)?;
    for r in rows {
        w.write_record(r).map_err(csv_failed)?;
    }
    let body = w.into_inner().map_err(|_| Problem::internal())?;
    let disposition = format!("attachment; filename=\"{name}\"");
    Ok((
        [
            (
                axum::http::header::CONTENT_TYPE,
                "text/csv; charset=utf-8".to_owned(),
            ),
            (axum::http::header::CONTENT_DISPOSITION, disposition),
        ],
        body,
    )
        .into_response())
}

#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ActivityParams {
    /// First day (`YYYY-MM-DD`); 8 weeks before `to` by default.
    from: Option<String>,
    /// Last day, inclusive; today by default.
    to: Option<String>,
    /// Only reps of this team (a team manager always sees their own).
    team: Option<String>,
    /// `csv` for a CSV file.
    format: Option<String>,
}

impl ActivityParams {
    fn query(&self) -> domain::dashboard::DashboardQuery {
        domain::dashboard::DashboardQuery {
            view: None,
            from: self.from.clone(),
            to: self.to.clone(),
            team: self.team.clone(),
        }
    }
}

/// The caller's role dashboard (or, for admins, any `view`): each section's data for the window `from`–`to`
/// (8 weeks to today by default). Sales: own pipeline, forecast, tasks due, recent and weekly activity.
/// Manager: pipeline, win rates and days in stage per rep, activity per rep, tickets by status and priority
/// with SLA breaches, stock alerts. Support: tickets, tasks, activity. Inventory: stock alerts, allocations
/// and returns per week, open purchase orders (overdue first), top allocated assets. Admin: users by role,
/// sessions, sign-ins per day (failures apart), audit activity, system health.
#[utoipa::path(get, path = "/dashboard", tag = "reports", params(domain::dashboard::DashboardQuery),
    responses((status = 200, body = domain::dashboard::Dashboard), (status = 403, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn dashboard(
    State(s): State<AppState>,
    Caller(a): Caller,
    ApiQuery(q): ApiQuery<domain::dashboard::DashboardQuery>,
) -> ApiResult<Json<domain::dashboard::Dashboard>> {
    Ok(Json(dashboard::dashboard(&s.ctx, &a, q).await?))
}
