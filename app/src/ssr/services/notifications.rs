//! Notifications: every user reads and marks only their own (someone else's answers 404).

use crate::ssr::repo::notifications as repo;
use crate::ssr::{Actor, AppCtx, Result};
use domain::notification::{Notification, NotificationQuery, UnreadCount, cursor_of};
use domain::{NotificationId, Page, Problem};

pub async fn list(
    ctx: &AppCtx,
    actor: &Actor,
    query: NotificationQuery,
) -> Result<Page<Notification>> {
    let f = query.parse()?;
    let rows = repo::list(&ctx.db, actor.principal.user_id, &f).await?;
    Ok(Page::from_rows(rows, f.limit, cursor_of))
}

pub async fn unread_count(ctx: &AppCtx, actor: &Actor) -> Result<UnreadCount> {
    Ok(UnreadCount {
        count: repo::unread_count(&ctx.db, actor.principal.user_id).await?,
    })
}

pub async fn mark_read(ctx: &AppCtx, actor: &Actor, id: NotificationId) -> Result<()> {
    if repo::mark_read(&ctx.db, actor.principal.user_id, id).await? {
        Ok(())
    } else {
        Err(Problem::not_found("notification").into())
    }
}

pub async fn mark_all_read(ctx: &AppCtx, actor: &Actor) -> Result<()> {
    repo::mark_all_read(&ctx.db, actor.principal.user_id).await?;
    Ok(())
}
