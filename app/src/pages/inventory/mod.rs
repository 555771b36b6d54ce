//! Assets and stock, vendors, purchase orders, demand planning and inventory reports.

pub mod allocations_card;
pub mod asset_activity;
pub mod asset_detail;
pub mod asset_form;
pub mod asset_stock;
pub mod assets;
pub mod demand_planning;
pub mod inventory_reports;
pub mod purchase_order_detail;
pub mod purchase_orders;
pub mod suggested_orders;
pub mod vendor_detail;
pub mod vendors;
