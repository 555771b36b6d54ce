//! One page per file, in a folder per area; each route in `root.rs` shows one of these. The pages every
//! area shares (the dashboard, sign-in, not found, the record-page loader) stay at the top.

pub mod activity;
pub mod admin;
pub mod customers;
pub mod dashboard;
pub mod inventory;
pub mod login;
pub mod not_found;
pub mod record_page;
pub mod sales;
pub mod service;
