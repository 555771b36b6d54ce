//! One page per file; each route in `root.rs` shows one of these.

pub mod admin_audit;
pub mod admin_roles;
pub mod admin_users;
pub mod contact_form;
pub mod contacts;
pub mod customer_bulk;
pub mod customer_contacts;
pub mod customer_detail;
pub mod customer_edit;
pub mod customer_filters;
pub mod customer_form;
pub mod customer_table;
pub mod customer_timeline;
pub mod customers;
pub mod dashboard;
pub mod interaction_detail;
pub mod interaction_form;
pub mod interactions;
pub mod lead_bulk;
pub mod lead_convert;
pub mod lead_detail;
pub mod lead_filters;
pub mod lead_form;
pub mod lead_table;
pub mod leads;
pub mod login;
pub mod not_found;
// Tasks and notifications.
pub mod notifications;
pub mod task_bulk;
pub mod task_detail;
pub mod task_form;
pub mod tasks;
// opportunities (pipeline) and the sales-pipeline report
pub mod opportunities;
pub mod opportunity_bulk;
pub mod opportunity_detail;
pub mod opportunity_filters;
pub mod opportunity_form;
pub mod opportunity_move;
pub mod pipeline;
pub mod pipeline_report;
pub mod user_form;

// Support tickets and projects (CRM core).
pub mod customer_work;
pub mod project_detail;
pub mod projects;
pub mod record_page;
pub mod ticket_detail;
pub mod tickets;

// Inventory and purchasing (issue #5).
pub mod allocations_card;
pub mod asset_activity;
pub mod asset_detail;
pub mod asset_form;
pub mod asset_stock;
pub mod assets;
pub mod demand_planning;
pub mod inventory_reports;
pub mod project_demands;
pub mod purchase_order_detail;
pub mod purchase_orders;
pub mod suggested_orders;
pub mod vendor_detail;
pub mod vendors;
