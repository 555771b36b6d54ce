//! Server functions, one small file per area. Each is thin: resolve the caller, call a service, return.
//! They are served under `/rpc/…` with JSON bodies; the REST API under `/api/v1` calls the same services.

pub mod audit;
pub mod auth;
pub mod customers;
pub mod interactions;
pub mod leads;
pub mod users;
// Tasks and notifications.
pub mod notifications;
pub mod tasks;

// Support tickets and projects (CRM core).
pub mod projects;
pub mod tickets;
// opportunities (pipeline) and the sales-pipeline report
pub mod opportunities;
// Inventory and purchasing (issue #5).
pub mod inventory;
// Role dashboards and the activity report (issue #6).
pub mod dashboard;
