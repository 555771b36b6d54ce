//! Helpers shared by the CRM-core services (leads, opportunities, interactions, tasks, tickets, projects): the
//! audit row of a create/update/delete, inserting many items in one transaction, the lock-check-write flow of
//! updates and deletes, and bulk actions. The audit row of a record live clients follow comes with its live
//! event (`super::events`), so every service writing through these helpers feeds the dashboards.

use super::events::publish;
use super::{check_bulk_ids, check_version, clean_all, name_bulk_id, record, require, snapshot};
use crate::ssr::{Actor, AppCtx, Result};
use domain::audit::diff;
use domain::bulk::BulkResult;
use domain::live::{Live, Verb};
use domain::{Action, Principal, Problem, Resource};
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
            .map_err(|e| e.prefixed(&prefix))?;
        out.push(created);
    }
    tx.commit().await?;
    Ok(out)
}

/// A record created by the common flow ([`create`], [`bulk_create`]): check the role, clean the input (every bad
/// field at once), insert it with its audit row in one transaction.
pub(crate) trait Creatable: Sized + Send {
    /// What `POST /<records>` takes.
    type Input: Send;
    const RESOURCE: Resource;
    /// Normalises and validates an input (every bad field at once).
    fn clean(input: Self::Input) -> Result<Self::Input, Problem>;
    /// Inserts a cleaned input with its audit row; field errors carry `prefix` (`items[3].`).
    fn insert<'c>(
        conn: &'c mut PgConnection,
        actor: &'c Actor,
        input: Self::Input,
        prefix: &'c str,
    ) -> BoxFuture<'c, Result<Self>>;
}

/// `impl Creatable` for a service's record: `impl_creatable!(Vendor, VendorInput, R, insert => insert_one)`.
macro_rules! impl_creatable {
    ($ty:ty, $input:ty, $resource:expr, insert => $insert:path $(,)?) => {
        impl $crate::ssr::services::records::Creatable for $ty {
            type Input = $input;
            const RESOURCE: domain::Resource = $resource;
            fn clean(input: $input) -> std::result::Result<$input, domain::Problem> {
                <$input>::clean(input)
            }
            fn insert<'c>(
                conn: &'c mut sqlx::PgConnection,
                actor: &'c $crate::ssr::Actor,
                input: $input,
                prefix: &'c str,
            ) -> futures::future::BoxFuture<'c, $crate::ssr::Result<Self>> {
                Box::pin($insert(conn, actor, input, prefix))
            }
        }
    };
}
pub(crate) use impl_creatable;

/// A record whose service follows the common write flow: lock the visible record, check the role and the
/// version, write, audit (and publish its live event) on the same transaction ([`lock_for`], [`delete`],
/// [`apply_all`]). Its entity name and id come from [`Live`].
pub(crate) trait Record: Creatable + Live + Serialize + Sync {
    type Id: Copy + Send + Sync;
    fn version(&self) -> i32;
    /// The record if the caller may see it (404 otherwise), locked for the write.
    fn locked<'c>(
        conn: &'c mut PgConnection,
        p: &'c Principal,
        id: Self::Id,
    ) -> BoxFuture<'c, Result<Self>>;
    /// Deletes the record (and whatever hangs off it that the database does not cascade).
    fn remove<'c>(conn: &'c mut PgConnection, current: &'c Self) -> BoxFuture<'c, Result<()>>;
}

/// `impl Record` for a service's record type (with a `version` field and `impl Live`; the service's `R` is its
/// resource): `impl_record!(Ticket, TicketId, TicketInput, insert => insert_one,
/// locked(conn, p, id) => …, remove(conn, current) => …)`, both bodies evaluated in an `async move` block.
macro_rules! impl_record {
    ($ty:ty, $id:ty, $input:ty,
     insert => $insert:path,
     locked($conn:ident, $p:ident, $key:ident) => $locked:expr,
     remove($conn2:ident, $current:ident) => $remove:expr $(,)?) => {
        $crate::ssr::services::records::impl_creatable!($ty, $input, R, insert => $insert);
        impl $crate::ssr::services::records::Record for $ty {
            type Id = $id;
            fn version(&self) -> i32 {
                self.version
            }
            fn locked<'c>(
                $conn: &'c mut sqlx::PgConnection,
                $p: &'c domain::Principal,
                $key: $id,
            ) -> futures::future::BoxFuture<'c, $crate::ssr::Result<Self>> {
                Box::pin(async move { $locked })
            }
            fn remove<'c>(
                $conn2: &'c mut sqlx::PgConnection,
                $current: &'c Self,
            ) -> futures::future::BoxFuture<'c, $crate::ssr::Result<()>> {
                Box::pin(async move { $remove })
            }
        }
    };
}
pub(crate) use impl_record;

/// `POST /<records>`: the cleaned input inserted, with its audit row, in one transaction.
pub(crate) async fn create<T: Creatable>(
    ctx: &AppCtx,
    actor: &Actor,
    input: T::Input,
) -> Result<T> {
    require(&actor.principal, T::RESOURCE, Action::Create)?;
    let input = T::clean(input)?;
    let mut tx = ctx.db.begin().await?;
    let created = T::insert(&mut tx, actor, input, "").await?;
    tx.commit().await?;
    Ok(created)
}

/// `POST /<records>/bulk`, all or nothing: every item is validated first (errors named `items[i].field`), then
/// all are inserted in one transaction.
pub(crate) async fn bulk_create<T: Creatable>(
    ctx: &AppCtx,
    actor: &Actor,
    items: Vec<T::Input>,
) -> Result<Vec<T>>
where
    T::Input: 'static,
{
    require(&actor.principal, T::RESOURCE, Action::Create)?;
    let cleaned = clean_all(items, T::clean)?;
    insert_all(ctx, actor, cleaned, |conn, actor, item, prefix| {
        Box::pin(async move { T::insert(conn, actor, item, &prefix).await })
    })
    .await
}

/// The record the caller is about to change, locked: 404 when they may not see it, 403 when their role may
/// not take `action`, 412 when `if_match` is not its version.
pub(crate) async fn lock_for<T: Record>(
    conn: &mut PgConnection,
    p: &Principal,
    id: T::Id,
    action: Action,
    if_match: Option<i32>,
) -> Result<T> {
    require(p, T::RESOURCE, Action::Read)?;
    let current = T::locked(conn, p, id).await?;
    require(p, T::RESOURCE, action)?;
    check_version(if_match, current.version())?;
    Ok(current)
}

/// The audit row `<entity>.create` of a new record and its live event (`<entity>.created`).
pub(crate) async fn audit_create<T: Live + Serialize>(
    conn: &mut PgConnection,
    actor: &Actor,
    created: &T,
) -> Result<()> {
    let change = Change {
        entity: T::ENTITY,
        verb: "create",
        id: created.live_id(),
    };
    audit(conn, actor, change, None, Some(created)).await?;
    publish(conn, actor, Verb::Created, created).await
}

/// The audit row `<entity>.update` of a changed record and its live event (`<entity>.updated`).
pub(crate) async fn audit_update<T: Live + Serialize>(
    conn: &mut PgConnection,
    actor: &Actor,
    before: &T,
    after: &T,
) -> Result<()> {
    let change = Change {
        entity: T::ENTITY,
        verb: "update",
        id: after.live_id(),
    };
    audit(conn, actor, change, Some(before), Some(after)).await?;
    publish(conn, actor, Verb::Updated, after).await
}

/// The audit row `<entity>.delete` of a deleted record and its live event (`<entity>.deleted`; who may read
/// it is judged on the record as it was, with its customer's or owner's team as they are).
pub(crate) async fn audit_delete<T: Live + Serialize>(
    conn: &mut PgConnection,
    actor: &Actor,
    deleted: &T,
) -> Result<()> {
    let change = Change {
        entity: T::ENTITY,
        verb: "delete",
        id: deleted.live_id(),
    };
    audit(conn, actor, change, Some(deleted), None).await?;
    publish(conn, actor, Verb::Deleted, deleted).await
}

/// Deletes one record on the caller's transaction, with its audit row and live event.
pub(crate) async fn delete_in<T: Record>(
    conn: &mut PgConnection,
    actor: &Actor,
    id: T::Id,
    if_match: Option<i32>,
) -> Result<()> {
    let current: T = lock_for(conn, &actor.principal, id, Action::Delete, if_match).await?;
    T::remove(conn, &current).await?;
    audit_delete(conn, actor, &current).await
}

/// `DELETE /<records>/{id}`: one transaction.
pub(crate) async fn delete<T: Record>(
    ctx: &AppCtx,
    actor: &Actor,
    id: T::Id,
    if_match: Option<i32>,
) -> Result<()> {
    let mut tx = ctx.db.begin().await?;
    delete_in::<T>(&mut tx, actor, id, if_match).await?;
    tx.commit().await?;
    Ok(())
}

/// Applies one bulk action to every id in one transaction: the first refused id fails the whole request
/// (named `ids[i]`) and nothing is written. `apply` gets the transaction, the caller, the action and one id.
pub(crate) async fn apply_all<I, A, F>(
    ctx: &AppCtx,
    actor: &Actor,
    ids: &[I],
    action: &A,
    apply: F,
) -> Result<BulkResult>
where
    I: Copy,
    F: for<'c> Fn(&'c mut PgConnection, &'c Actor, &'c A, I) -> BoxFuture<'c, Result<()>>,
{
    check_bulk_ids(ids.len())?;
    let mut tx = ctx.db.begin().await?;
    for (i, id) in ids.iter().enumerate() {
        apply(&mut tx, actor, action, *id)
            .await
            .map_err(|e| name_bulk_id(e, i))?;
    }
    tx.commit().await?;
    Ok(BulkResult {
        affected: ids.len() as u64,
    })
}
