use crate::ApiError;
use domain::notification::{Notification, NotificationQuery, UnreadCount};
use domain::{NotificationId, Page};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

#[server(prefix = "/rpc", endpoint = "list_notifications", input = Json)]
pub async fn list_notifications(query: NotificationQuery) -> Result<Page<Notification>, ApiError> {
    let (ctx, actor) = crate::ssr::web::caller().await?;
    Ok(crate::ssr::services::notifications::list(&ctx, &actor, query).await?)
}

#[server(prefix = "/rpc", endpoint = "unread_notifications", input = Json)]
pub async fn unread_notifications() -> Result<UnreadCount, ApiError> {
    let (ctx, actor) = crate::ssr::web::caller().await?;
    Ok(crate::ssr::services::notifications::unread_count(&ctx, &actor).await?)
}

#[server(prefix = "/rpc", endpoint = "mark_notification_read", input = Json)]
pub async fn mark_notification_read(id: NotificationId) -> Result<(), ApiError> {
    let (ctx, actor) = crate::ssr::web::caller().await?;
    Ok(crate::ssr::services::notifications::mark_read(&ctx, &actor, id).await?)
}

#[server(prefix = "/rpc", endpoint = "mark_all_notifications_read", input = Json)]
pub async fn mark_all_notifications_read() -> Result<(), ApiError> {
    let (ctx, actor) = crate::ssr::web::caller().await?;
    Ok(crate::ssr::services::notifications::mark_all_read(&ctx, &actor).await?)
}
