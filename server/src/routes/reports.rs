use crate::extract::{ApiQuery, Caller};
use crate::problem::ApiResult;
use crate::state::AppState;
use app::ssr::services::sales_report;
use axum::Json;
use axum::extract::State;
use domain::Problem;
use domain::opportunity::report::{PipelineQuery, PipelineReport};

/// Counts and amounts per stage in the base currency (rates from `exchange_rates`; currencies without a rate
/// are listed in `unconverted_currencies` and left out), weighted = amount × probability / 100, plus the
/// monthly forecast, win rates and days in stage. Only opportunities the caller may see.
#[utoipa::path(get, path = "/api/v1/reports/sales-pipeline", tag = "reports", params(PipelineQuery),
    responses((status = 200, body = PipelineReport), (status = 403, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn sales_pipeline(
    State(s): State<AppState>,
    Caller(a): Caller,
    ApiQuery(q): ApiQuery<PipelineQuery>,
) -> ApiResult<Json<PipelineReport>> {
    Ok(Json(sales_report::sales_pipeline(&s.ctx, &a, q).await?))
}
