//! CRM-IMS domain crate: the types, parsing, validation, permission matrix and business rules shared by the
//! browser (wasm32) and the server. It does no I/O: no tokio, no sqlx, no HTTP.

#[macro_use]
mod text_enum;

pub mod audit;
pub mod auth;
pub mod bulk;
pub mod contact;
pub mod customer;
pub mod depreciation;
pub mod ids;
pub mod interaction;
pub mod lead;
pub mod money;
pub mod opportunity;
pub mod page;
pub mod patch;
pub mod permissions;
pub mod priority;
pub mod problem;
pub mod query;
pub mod search;
pub mod user;
pub mod validation;
// Tasks and notifications (issue #4, tasks helper).
pub mod notification;
pub mod task;

// Support tickets and projects (CRM core).
pub mod project;
pub mod ticket;

// Inventory and purchasing (issue #5).
pub mod asset;
pub mod purchase_order;
pub mod vendor;

// Live events and who receives them (issue #6).
pub mod live;
// Role dashboards and the activity report (issue #6).
pub mod dashboard;

pub use ids::*;
pub use page::{Cursor, Page, SortDir, SortSpec};
pub use patch::Patch;
pub use permissions::{Action, Principal, Resource, Role, Scope};
pub use problem::{FieldError, Problem};
