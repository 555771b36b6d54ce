//! Interactions, tasks and notifications.

pub mod interaction_detail;
pub mod interaction_form;
pub mod interactions;
pub mod notifications;
pub mod task_bulk;
pub mod task_detail;
pub mod task_form;
pub mod tasks;
