//! The record scope of a list or lookup: which owners' records the caller may see (from the role's
//! `Scope` in the domain crate, resolved to user ids by `services::visible`).

use domain::UserId;
use sqlx::{Postgres, QueryBuilder};

/// Which records (by their owner, or their customer's owner) a query may include.
#[derive(Clone, Debug)]
pub enum Visible {
    All,
    OwnedBy(Vec<UserId>),
}

impl Visible {
    /// ` AND <owner_col> = ANY($n)` when the scope is limited; nothing for `All`.
    pub(crate) fn push_owner(&self, qb: &mut QueryBuilder<'_, Postgres>, owner_col: &str) {
        if let Visible::OwnedBy(ids) = self {
            qb.push(format!(" AND {owner_col} = ANY("))
                .push_bind(ids.iter().map(|i| i.0).collect::<Vec<_>>())
                .push(")");
        }
    }
}
