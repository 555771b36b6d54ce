//! Server functions for inventory and purchasing: assets and their stock (allocate, return, adjust, ledger,
//! units, maintenance, depreciation), vendors and their prices, purchase orders (with receiving), reorder
//! suggestions and project demand.

use crate::ApiError;
use chrono::NaiveDate;
use domain::asset::{
    AdjustmentInput, AllocateInput, Allocation, Asset, AssetInput, AssetQuery, AssetUnit, Demand,
    DemandInput, DemandPlan, Depreciation, Maintenance, MaintenanceInput, ReturnInput, StockLevel,
    StockMovement,
};
use domain::purchase_order::{
    DraftSuggestedInput, PurchaseOrder, PurchaseOrderInput, PurchaseOrderPatch, PurchaseOrderQuery,
    ReceiveInput, SuggestedOrder,
};
use domain::vendor::{Vendor, VendorAsset, VendorAssetInput, VendorInput, VendorQuery};
use domain::{AssetId, DemandId, Page, ProjectId, PurchaseOrderId, VendorId};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

/// A JSON merge patch of a record's fields (`null` clears one).
pub type JsonPatch = serde_json::Map<String, serde_json::Value>;

// Assets.

#[server(prefix = "/rpc", endpoint = "list_assets", input = Json)]
pub async fn list_assets(query: AssetQuery) -> Result<Page<Asset>, ApiError> {
    let (ctx, actor) = crate::ssr::web::caller().await?;
    Ok(crate::ssr::services::assets::list(&ctx, &actor, query).await?)
}

#[server(prefix = "/rpc", endpoint = "get_asset", input = Json)]
pub async fn get_asset(id: AssetId) -> Result<Asset, ApiError> {
    let (ctx, actor) = crate::ssr::web::caller().await?;
    Ok(crate::ssr::services::assets::get(&ctx, &actor, id).await?)
}

#[server(prefix = "/rpc", endpoint = "create_asset", input = Json)]
pub async fn create_asset(input: AssetInput) -> Result<Asset, ApiError> {
    let (ctx, actor) = crate::ssr::web::caller().await?;
    Ok(crate::ssr::services::assets::create(&ctx, &actor, input).await?)
}

/// `version` is the version the form was loaded with: a newer stored version answers 412.
#[server(prefix = "/rpc", endpoint = "update_asset", input = Json)]
pub async fn update_asset(id: AssetId, version: i32, patch: JsonPatch) -> Result<Asset, ApiError> {
    let (ctx, actor) = crate::ssr::web::caller().await?;
    Ok(crate::ssr::services::assets::update(&ctx, &actor, id, Some(version), patch).await?)
}

#[server(prefix = "/rpc", endpoint = "delete_asset", input = Json)]
pub async fn delete_asset(id: AssetId) -> Result<(), ApiError> {
    let (ctx, actor) = crate::ssr::web::caller().await?;
    Ok(crate::ssr::services::assets::delete(&ctx, &actor, id, None).await?)
}

/// Not enough available answers 409 with a message saying how many are.
#[server(prefix = "/rpc", endpoint = "allocate_asset", input = Json)]
pub async fn allocate_asset(id: AssetId, input: AllocateInput) -> Result<Allocation, ApiError> {
    let (ctx, actor) = crate::ssr::web::caller().await?;
    Ok(crate::ssr::services::assets::allocate(&ctx, &actor, id, input).await?)
}

#[server(prefix = "/rpc", endpoint = "return_asset", input = Json)]
pub async fn return_asset(id: AssetId, input: ReturnInput) -> Result<Allocation, ApiError> {
    let (ctx, actor) = crate::ssr::web::caller().await?;
    Ok(crate::ssr::services::assets::return_items(&ctx, &actor, id, input).await?)
}

#[server(prefix = "/rpc", endpoint = "adjust_asset_stock", input = Json)]
pub async fn adjust_asset_stock(id: AssetId, input: AdjustmentInput) -> Result<Asset, ApiError> {
    let (ctx, actor) = crate::ssr::web::caller().await?;
    Ok(crate::ssr::services::assets::adjust(&ctx, &actor, id, input).await?)
}

/// The stock ledger, newest first.
#[server(prefix = "/rpc", endpoint = "asset_movements", input = Json)]
pub async fn asset_movements(
    id: AssetId,
    cursor: Option<String>,
) -> Result<Page<StockMovement>, ApiError> {
    let (ctx, actor) = crate::ssr::web::caller().await?;
    Ok(crate::ssr::services::assets::movements(&ctx, &actor, id, cursor, None).await?)
}

#[server(prefix = "/rpc", endpoint = "asset_allocations", input = Json)]
pub async fn asset_allocations(id: AssetId, open_only: bool) -> Result<Vec<Allocation>, ApiError> {
    use crate::ssr::repo::inventory::AllocationsOf;
    let (ctx, actor) = crate::ssr::web::caller().await?;
    Ok(
        crate::ssr::services::assets::allocations(
            &ctx,
            &actor,
            AllocationsOf::Asset(id),
            open_only,
        )
        .await?,
    )
}

#[server(prefix = "/rpc", endpoint = "asset_units", input = Json)]
pub async fn asset_units(id: AssetId) -> Result<Vec<AssetUnit>, ApiError> {
    let (ctx, actor) = crate::ssr::web::caller().await?;
    Ok(crate::ssr::services::assets::units(&ctx, &actor, id).await?)
}

#[server(prefix = "/rpc", endpoint = "asset_maintenance", input = Json)]
pub async fn asset_maintenance(id: AssetId) -> Result<Vec<Maintenance>, ApiError> {
    let (ctx, actor) = crate::ssr::web::caller().await?;
    Ok(crate::ssr::services::assets::maintenance(&ctx, &actor, id).await?)
}

#[server(prefix = "/rpc", endpoint = "add_asset_maintenance", input = Json)]
pub async fn add_asset_maintenance(
    id: AssetId,
    input: MaintenanceInput,
) -> Result<Maintenance, ApiError> {
    let (ctx, actor) = crate::ssr::web::caller().await?;
    Ok(crate::ssr::services::assets::add_maintenance(&ctx, &actor, id, input).await?)
}

/// The schedule of one unit and the book value on `as_of` (default today); 409 when cost or life is missing.
#[server(prefix = "/rpc", endpoint = "asset_depreciation", input = Json)]
pub async fn asset_depreciation(
    id: AssetId,
    as_of: Option<NaiveDate>,
) -> Result<Depreciation, ApiError> {
    let (ctx, actor) = crate::ssr::web::caller().await?;
    Ok(crate::ssr::services::assets::depreciation(&ctx, &actor, id, as_of).await?)
}

/// The asset list's filters with allocated and on-order quantities (reports permission).
#[server(prefix = "/rpc", endpoint = "stock_levels", input = Json)]
pub async fn stock_levels(query: AssetQuery) -> Result<Page<StockLevel>, ApiError> {
    let (ctx, actor) = crate::ssr::web::caller().await?;
    Ok(crate::ssr::services::assets::stock_levels(&ctx, &actor, query).await?)
}

/// The vendors of an asset with their prices.
#[server(prefix = "/rpc", endpoint = "asset_vendors", input = Json)]
pub async fn asset_vendors(id: AssetId) -> Result<Vec<VendorAsset>, ApiError> {
    let (ctx, actor) = crate::ssr::web::caller().await?;
    Ok(crate::ssr::services::vendors::of_asset(&ctx, &actor, id).await?)
}

// Vendors.

#[server(prefix = "/rpc", endpoint = "list_vendors", input = Json)]
pub async fn list_vendors(query: VendorQuery) -> Result<Page<Vendor>, ApiError> {
    let (ctx, actor) = crate::ssr::web::caller().await?;
    Ok(crate::ssr::services::vendors::list(&ctx, &actor, query).await?)
}

#[server(prefix = "/rpc", endpoint = "get_vendor", input = Json)]
pub async fn get_vendor(id: VendorId) -> Result<Vendor, ApiError> {
    let (ctx, actor) = crate::ssr::web::caller().await?;
    Ok(crate::ssr::services::vendors::get(&ctx, &actor, id).await?)
}

#[server(prefix = "/rpc", endpoint = "create_vendor", input = Json)]
pub async fn create_vendor(input: VendorInput) -> Result<Vendor, ApiError> {
    let (ctx, actor) = crate::ssr::web::caller().await?;
    Ok(crate::ssr::services::vendors::create(&ctx, &actor, input).await?)
}

#[server(prefix = "/rpc", endpoint = "update_vendor", input = Json)]
pub async fn update_vendor(
    id: VendorId,
    version: i32,
    patch: JsonPatch,
) -> Result<Vendor, ApiError> {
    let (ctx, actor) = crate::ssr::web::caller().await?;
    Ok(crate::ssr::services::vendors::update(&ctx, &actor, id, Some(version), patch).await?)
}

#[server(prefix = "/rpc", endpoint = "delete_vendor", input = Json)]
pub async fn delete_vendor(id: VendorId) -> Result<(), ApiError> {
    let (ctx, actor) = crate::ssr::web::caller().await?;
    Ok(crate::ssr::services::vendors::delete(&ctx, &actor, id, None).await?)
}

#[server(prefix = "/rpc", endpoint = "vendor_assets", input = Json)]
pub async fn vendor_assets(id: VendorId) -> Result<Vec<VendorAsset>, ApiError> {
    let (ctx, actor) = crate::ssr::web::caller().await?;
    Ok(crate::ssr::services::vendors::assets(&ctx, &actor, id).await?)
}

#[server(prefix = "/rpc", endpoint = "set_vendor_price", input = Json)]
pub async fn set_vendor_price(
    id: VendorId,
    asset: AssetId,
    input: VendorAssetInput,
) -> Result<VendorAsset, ApiError> {
    let (ctx, actor) = crate::ssr::web::caller().await?;
    Ok(crate::ssr::services::vendors::set_price(&ctx, &actor, id, asset, input).await?)
}

#[server(prefix = "/rpc", endpoint = "remove_vendor_price", input = Json)]
pub async fn remove_vendor_price(id: VendorId, asset: AssetId) -> Result<(), ApiError> {
    let (ctx, actor) = crate::ssr::web::caller().await?;
    Ok(crate::ssr::services::vendors::remove_price(&ctx, &actor, id, asset).await?)
}

// Purchase orders.

#[server(prefix = "/rpc", endpoint = "list_purchase_orders", input = Json)]
pub async fn list_purchase_orders(
    query: PurchaseOrderQuery,
) -> Result<Page<PurchaseOrder>, ApiError> {
    let (ctx, actor) = crate::ssr::web::caller().await?;
    Ok(crate::ssr::services::purchase_orders::list(&ctx, &actor, query).await?)
}

#[server(prefix = "/rpc", endpoint = "get_purchase_order", input = Json)]
pub async fn get_purchase_order(id: PurchaseOrderId) -> Result<PurchaseOrder, ApiError> {
    let (ctx, actor) = crate::ssr::web::caller().await?;
    Ok(crate::ssr::services::purchase_orders::get(&ctx, &actor, id).await?)
}

#[server(prefix = "/rpc", endpoint = "create_purchase_order", input = Json)]
pub async fn create_purchase_order(input: PurchaseOrderInput) -> Result<PurchaseOrder, ApiError> {
    let (ctx, actor) = crate::ssr::web::caller().await?;
    Ok(crate::ssr::services::purchase_orders::create(&ctx, &actor, input).await?)
}

/// `status: ordered` sends a draft, `cancelled` cancels; a draft's lines and notes may change.
#[server(prefix = "/rpc", endpoint = "update_purchase_order", input = Json)]
pub async fn update_purchase_order(
    id: PurchaseOrderId,
    version: i32,
    patch: PurchaseOrderPatch,
) -> Result<PurchaseOrder, ApiError> {
    let (ctx, actor) = crate::ssr::web::caller().await?;
    Ok(
        crate::ssr::services::purchase_orders::update(&ctx, &actor, id, Some(version), patch)
            .await?,
    )
}

#[server(prefix = "/rpc", endpoint = "delete_purchase_order", input = Json)]
pub async fn delete_purchase_order(id: PurchaseOrderId) -> Result<(), ApiError> {
    let (ctx, actor) = crate::ssr::web::caller().await?;
    Ok(crate::ssr::services::purchase_orders::delete(&ctx, &actor, id, None).await?)
}

/// Field errors name `lines[i].quantity` and `lines[i].serials` (i: the index in `input.lines`).
#[server(prefix = "/rpc", endpoint = "receive_purchase_order", input = Json)]
pub async fn receive_purchase_order(
    id: PurchaseOrderId,
    input: ReceiveInput,
) -> Result<PurchaseOrder, ApiError> {
    let (ctx, actor) = crate::ssr::web::caller().await?;
    Ok(crate::ssr::services::purchase_orders::receive(&ctx, &actor, id, input).await?)
}

#[server(prefix = "/rpc", endpoint = "suggested_orders", input = Json)]
pub async fn suggested_orders() -> Result<Vec<SuggestedOrder>, ApiError> {
    let (ctx, actor) = crate::ssr::web::caller().await?;
    Ok(crate::ssr::services::purchase_orders::suggested(&ctx, &actor).await?)
}

#[server(prefix = "/rpc", endpoint = "draft_suggested_orders", input = Json)]
pub async fn draft_suggested_orders(
    input: DraftSuggestedInput,
) -> Result<Vec<PurchaseOrder>, ApiError> {
    let (ctx, actor) = crate::ssr::web::caller().await?;
    Ok(crate::ssr::services::purchase_orders::draft_suggested(&ctx, &actor, input).await?)
}

// Demand planning.

#[server(prefix = "/rpc", endpoint = "demand_overview", input = Json)]
pub async fn demand_overview() -> Result<Vec<DemandPlan>, ApiError> {
    let (ctx, actor) = crate::ssr::web::caller().await?;
    Ok(crate::ssr::services::assets::demand_overview(&ctx, &actor).await?)
}

#[server(prefix = "/rpc", endpoint = "asset_demand_plan", input = Json)]
pub async fn asset_demand_plan(id: AssetId) -> Result<DemandPlan, ApiError> {
    let (ctx, actor) = crate::ssr::web::caller().await?;
    Ok(crate::ssr::services::assets::demand_plan(&ctx, &actor, id).await?)
}

#[server(prefix = "/rpc", endpoint = "project_demands", input = Json)]
pub async fn project_demands(project: ProjectId) -> Result<Vec<Demand>, ApiError> {
    let (ctx, actor) = crate::ssr::web::caller().await?;
    Ok(crate::ssr::services::assets::demands(&ctx, &actor, project).await?)
}

#[server(prefix = "/rpc", endpoint = "add_project_demand", input = Json)]
pub async fn add_project_demand(
    project: ProjectId,
    input: DemandInput,
) -> Result<Demand, ApiError> {
    let (ctx, actor) = crate::ssr::web::caller().await?;
    Ok(crate::ssr::services::assets::add_demand(&ctx, &actor, project, input).await?)
}

#[server(prefix = "/rpc", endpoint = "delete_project_demand", input = Json)]
pub async fn delete_project_demand(project: ProjectId, id: DemandId) -> Result<(), ApiError> {
    let (ctx, actor) = crate::ssr::web::caller().await?;
    Ok(crate::ssr::services::assets::delete_demand(&ctx, &actor, project, id).await?)
}

// Inventory reports.

#[server(prefix = "/rpc", endpoint = "inventory_valuation", input = Json)]
pub async fn inventory_valuation(
    as_of: Option<chrono::NaiveDate>,
) -> Result<Vec<domain::asset::ValuationRow>, ApiError> {
    let (ctx, actor) = crate::ssr::web::caller().await?;
    Ok(crate::ssr::services::assets::valuation(&ctx, &actor, as_of).await?)
}

/// Allocations to a project or a customer (exactly one), newest first.
#[server(prefix = "/rpc", endpoint = "allocations_of", input = Json)]
pub async fn allocations_of(
    project: Option<ProjectId>,
    customer: Option<domain::CustomerId>,
    open_only: bool,
) -> Result<Vec<Allocation>, ApiError> {
    use crate::ssr::repo::inventory::AllocationsOf;
    let (ctx, actor) = crate::ssr::web::caller().await?;
    let of = match (project, customer) {
        (Some(p), None) => AllocationsOf::Project(p),
        (None, Some(c)) => AllocationsOf::Customer(c),
        _ => {
            return Err(
                domain::Problem::invalid_field("project", "give a project or a customer").into(),
            );
        }
    };
    Ok(crate::ssr::services::assets::allocations(&ctx, &actor, of, open_only).await?)
}
