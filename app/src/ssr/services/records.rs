//! Helpers shared by the services of records hanging off a customer (tickets, projects): the audit row of a
//! create/update/delete, and inserting many items in one transaction.

use super::customers::prefix_error;
use super::{record, snapshot};
use crate::ssr::{Actor, AppCtx, Result};
use domain::audit::diff;
use futures::future::BoxFuture;
use serde::Serialize;
use sqlx::PgConnection;

/// Which record a change is about: entity name (`ticket`), verb (`create`) and id.
pub(crate) struct Change<'a> {
    pub entity: &'a str,
    pub verb: &'a str,
    pub id: uuid::Uuid,
}

/// Writes the audit row `<entity>.<verb>` with the diff between the two snapshots, on the write's transaction.
pub(crate) async fn audit<T: Serialize>(
    conn: &mut PgConnection,
    actor: &Actor,
    change: Change<'_>,
    before: Option<&T>,
    after: Option<&T>,
) -> Result<()> {
    let (before, after) = (before.map(snapshot), after.map(snapshot));
    record(
        conn,
        actor,
        &format!("{}.{}", change.entity, change.verb),
        change.entity,
        change.id,
        diff(before.as_ref(), after.as_ref()),
    )
    .await
}

/// Inserts every (already cleaned) item in one transaction: a failing item names itself (`items[3].field`)
/// and nothing is written. `insert` gets the item and its field prefix (`items[3].`).
pub(crate) async fn insert_all<T, R, F>(
    ctx: &AppCtx,
    actor: &Actor,
    items: Vec<T>,
    insert: F,
) -> Result<Vec<R>>
where
    F: for<'c> Fn(&'c mut PgConnection, &'c Actor, T, String) -> BoxFuture<'c, Result<R>>,
{
    let mut tx = ctx.db.begin().await?;
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.into_iter().enumerate() {
        let prefix = format!("items[{i}]");
        let created = insert(&mut tx, actor, item, format!("{prefix}."))
            .await
            .map_err(|e| prefix_error(e, &prefix))?;
        out.push(created);
    }
    tx.commit().await?;
    Ok(out)
}
