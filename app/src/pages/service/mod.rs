//! Support tickets and projects (with their stock demand).

pub mod project_demands;
pub mod project_detail;
pub mod projects;
pub mod ticket_detail;
pub mod tickets;
