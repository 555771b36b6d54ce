//! Administration: users, roles and the audit trail.

pub mod admin_audit;
pub mod admin_roles;
pub mod admin_users;
pub mod user_form;
