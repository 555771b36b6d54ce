use crate::ApiError;
use domain::Page;
use domain::audit::{AuditEntry, AuditQuery};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

/// The audit trail (admins and managers), newest first. With `entity` + `entity_id` it is one record's history.
#[server(prefix = "/rpc", endpoint = "list_audit", input = Json)]
pub async fn list_audit(query: AuditQuery) -> Result<Page<AuditEntry>, ApiError> {
    let (ctx, actor) = crate::ssr::web::caller().await?;
    Ok(crate::ssr::services::audit::list(&ctx, &actor, query).await?)
}

/// One record's history, for its detail page; visible to whoever may read the record.
#[server(prefix = "/rpc", endpoint = "record_history", input = Json)]
pub async fn record_history(
    entity: String,
    entity_id: uuid::Uuid,
) -> Result<Vec<AuditEntry>, ApiError> {
    let (ctx, actor) = crate::ssr::web::caller().await?;
    Ok(crate::ssr::services::audit::record_history(&ctx, &actor, &entity, entity_id).await?)
}
