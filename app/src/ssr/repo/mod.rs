//! Repositories: every SQL statement of the app lives in this module, one file per table group.

pub mod audit;
pub mod contacts;
pub mod customers;
pub mod interactions;
pub mod leads;
pub mod login_failures;
pub mod settings;
pub mod tokens;
pub mod users;
// Tasks, reminders (the job queue) and notifications.
pub mod jobs;
pub mod notifications;
pub mod tasks;

// Support tickets and projects (CRM core).
pub mod projects;
pub mod tickets;
// opportunities (pipeline) and the sales-pipeline report
pub mod opportunities;
pub mod sales_report;
// Inventory and purchasing.
pub mod inventory;
pub mod outbox;
// The role dashboards' aggregates.
pub mod dashboard;
pub mod purchasing;

use sqlx::{Postgres, QueryBuilder};

/// Appends a keyset condition `(col, id_col) > (value, id)` (or `<` for descending) with bound values.
pub(crate) fn push_keyset<'a, T>(
    qb: &mut QueryBuilder<'a, Postgres>,
    col: &str,
    id_col: &str,
    desc: bool,
    value: T,
    id: uuid::Uuid,
) where
    T: 'a + sqlx::Encode<'a, Postgres> + sqlx::Type<Postgres> + Send,
{
    qb.push(format!(
        " AND ({col}, {id_col}) {} (",
        if desc { "<" } else { ">" }
    ));
    qb.push_bind(value);
    qb.push(", ");
    qb.push_bind(id);
    qb.push(")");
}

/// Where a keyset page starts: after this sort value and id.
#[derive(Clone, Debug)]
pub enum After {
    Time(chrono::DateTime<chrono::Utc>, uuid::Uuid),
    Text(String, uuid::Uuid),
}

impl After {
    pub(crate) fn push(
        self,
        qb: &mut QueryBuilder<'_, Postgres>,
        col: &str,
        id_col: &str,
        desc: bool,
    ) {
        match self {
            After::Time(t, id) => push_keyset(qb, col, id_col, desc, t, id),
            After::Text(s, id) => push_keyset(qb, col, id_col, desc, s, id),
        }
    }
}

/// Escapes `%`, `_` and `\\` for a LIKE pattern.
pub(crate) fn like_escape(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}
