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
pub mod user_form;

// Support tickets and projects (CRM core).
pub mod customer_work;
pub mod project_detail;
pub mod projects;
pub mod record_page;
pub mod ticket_detail;
pub mod tickets;
