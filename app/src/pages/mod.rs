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
pub mod customers;
pub mod login;
pub mod not_found;
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
