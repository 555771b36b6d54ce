use crate::ApiError;
use domain::dashboard::{ActivityReport, Dashboard, DashboardQuery};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

#[server(prefix = "/rpc", endpoint = "load_dashboard", input = Json)]
pub async fn load_dashboard(query: DashboardQuery) -> Result<Dashboard, ApiError> {
    let (ctx, actor) = crate::ssr::web::caller().await?;
    Ok(crate::ssr::services::dashboard::dashboard(&ctx, &actor, query).await?)
}

#[server(prefix = "/rpc", endpoint = "load_activity_report", input = Json)]
pub async fn load_activity_report(query: DashboardQuery) -> Result<ActivityReport, ApiError> {
    let (ctx, actor) = crate::ssr::web::caller().await?;
    Ok(crate::ssr::services::dashboard::activity_report(&ctx, &actor, query).await?)
}
