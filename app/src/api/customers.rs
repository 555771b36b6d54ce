use crate::ApiError;
use domain::bulk::BulkResult;
use domain::contact::{Contact, ContactInput, ContactPatch, ContactQuery};
use domain::customer::{
    Customer, CustomerBulkRequest, CustomerInput, CustomerPatch, CustomerQuery,
};
use domain::{ContactId, CustomerId, Page};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

#[server(prefix = "/rpc", endpoint = "list_customers", input = Json)]
pub async fn list_customers(query: CustomerQuery) -> Result<Page<Customer>, ApiError> {
    let (ctx, actor) = crate::ssr::web::caller().await?;
    Ok(crate::ssr::services::customers::list(&ctx, &actor, query).await?)
}

#[server(prefix = "/rpc", endpoint = "get_customer", input = Json)]
pub async fn get_customer(id: CustomerId) -> Result<Customer, ApiError> {
    let (ctx, actor) = crate::ssr::web::caller().await?;
    Ok(crate::ssr::services::customers::get(&ctx, &actor, id).await?)
}

#[server(prefix = "/rpc", endpoint = "create_customer", input = Json)]
pub async fn create_customer(input: CustomerInput) -> Result<Customer, ApiError> {
    let (ctx, actor) = crate::ssr::web::caller().await?;
    Ok(crate::ssr::services::customers::create(&ctx, &actor, input).await?)
}

/// `version` is the version the form was loaded with: a newer stored version answers 412.
#[server(prefix = "/rpc", endpoint = "update_customer", input = Json)]
pub async fn update_customer(
    id: CustomerId,
    version: i32,
    patch: CustomerPatch,
) -> Result<Customer, ApiError> {
    let (ctx, actor) = crate::ssr::web::caller().await?;
    Ok(crate::ssr::services::customers::update(&ctx, &actor, id, Some(version), patch).await?)
}

#[server(prefix = "/rpc", endpoint = "delete_customer", input = Json)]
pub async fn delete_customer(id: CustomerId) -> Result<(), ApiError> {
    let (ctx, actor) = crate::ssr::web::caller().await?;
    Ok(crate::ssr::services::customers::delete(&ctx, &actor, id, None).await?)
}

#[server(prefix = "/rpc", endpoint = "bulk_customer_action", input = Json)]
pub async fn bulk_customer_action(request: CustomerBulkRequest) -> Result<BulkResult, ApiError> {
    let (ctx, actor) = crate::ssr::web::caller().await?;
    Ok(crate::ssr::services::customers::bulk_action(&ctx, &actor, request).await?)
}

#[server(prefix = "/rpc", endpoint = "list_contacts", input = Json)]
pub async fn list_contacts(query: ContactQuery) -> Result<Page<Contact>, ApiError> {
    let (ctx, actor) = crate::ssr::web::caller().await?;
    Ok(crate::ssr::services::contacts::list(&ctx, &actor, query).await?)
}

#[server(prefix = "/rpc", endpoint = "create_contact", input = Json)]
pub async fn create_contact(input: ContactInput) -> Result<Contact, ApiError> {
    let (ctx, actor) = crate::ssr::web::caller().await?;
    Ok(crate::ssr::services::contacts::create(&ctx, &actor, input).await?)
}

#[server(prefix = "/rpc", endpoint = "update_contact", input = Json)]
pub async fn update_contact(
    id: ContactId,
    version: i32,
    patch: ContactPatch,
) -> Result<Contact, ApiError> {
    let (ctx, actor) = crate::ssr::web::caller().await?;
    Ok(crate::ssr::services::contacts::update(&ctx, &actor, id, Some(version), patch).await?)
}

#[server(prefix = "/rpc", endpoint = "delete_contact", input = Json)]
pub async fn delete_contact(id: ContactId) -> Result<(), ApiError> {
    let (ctx, actor) = crate::ssr::web::caller().await?;
    Ok(crate::ssr::services::contacts::delete(&ctx, &actor, id, None).await?)
}
