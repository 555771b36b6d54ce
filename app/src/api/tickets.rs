//! Server functions for support tickets.

use crate::ApiError;
use domain::bulk::BulkResult;
use domain::ticket::{
    Ticket, TicketBulkRequest, TicketComment, TicketCommentInput, TicketCommentQuery, TicketInput,
    TicketPatch, TicketQuery,
};
use domain::{Page, TicketId};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

#[server(prefix = "/rpc", endpoint = "list_tickets", input = Json)]
pub async fn list_tickets(query: TicketQuery) -> Result<Page<Ticket>, ApiError> {
    let (ctx, actor) = crate::ssr::web::caller().await?;
    Ok(crate::ssr::services::tickets::list(&ctx, &actor, query).await?)
}

#[server(prefix = "/rpc", endpoint = "get_ticket", input = Json)]
pub async fn get_ticket(id: TicketId) -> Result<Ticket, ApiError> {
    let (ctx, actor) = crate::ssr::web::caller().await?;
    Ok(crate::ssr::services::tickets::get(&ctx, &actor, id).await?)
}

#[server(prefix = "/rpc", endpoint = "create_ticket", input = Json)]
pub async fn create_ticket(input: TicketInput) -> Result<Ticket, ApiError> {
    let (ctx, actor) = crate::ssr::web::caller().await?;
    Ok(crate::ssr::services::tickets::create(&ctx, &actor, input).await?)
}

/// `version` is the version the form was loaded with: a newer stored version answers 412.
#[server(prefix = "/rpc", endpoint = "update_ticket", input = Json)]
pub async fn update_ticket(
    id: TicketId,
    version: i32,
    patch: TicketPatch,
) -> Result<Ticket, ApiError> {
    let (ctx, actor) = crate::ssr::web::caller().await?;
    Ok(crate::ssr::services::tickets::update(&ctx, &actor, id, Some(version), patch).await?)
}

#[server(prefix = "/rpc", endpoint = "delete_ticket", input = Json)]
pub async fn delete_ticket(id: TicketId) -> Result<(), ApiError> {
    let (ctx, actor) = crate::ssr::web::caller().await?;
    Ok(crate::ssr::services::tickets::delete(&ctx, &actor, id, None).await?)
}

#[server(prefix = "/rpc", endpoint = "bulk_ticket_action", input = Json)]
pub async fn bulk_ticket_action(request: TicketBulkRequest) -> Result<BulkResult, ApiError> {
    let (ctx, actor) = crate::ssr::web::caller().await?;
    Ok(crate::ssr::services::tickets::bulk_action(&ctx, &actor, request).await?)
}

#[server(prefix = "/rpc", endpoint = "list_ticket_comments", input = Json)]
pub async fn list_ticket_comments(
    id: TicketId,
    query: TicketCommentQuery,
) -> Result<Page<TicketComment>, ApiError> {
    let (ctx, actor) = crate::ssr::web::caller().await?;
    Ok(crate::ssr::services::tickets::comments(&ctx, &actor, id, query).await?)
}

#[server(prefix = "/rpc", endpoint = "add_ticket_comment", input = Json)]
pub async fn add_ticket_comment(
    id: TicketId,
    input: TicketCommentInput,
) -> Result<TicketComment, ApiError> {
    let (ctx, actor) = crate::ssr::web::caller().await?;
    Ok(crate::ssr::services::tickets::add_comment(&ctx, &actor, id, input).await?)
}
