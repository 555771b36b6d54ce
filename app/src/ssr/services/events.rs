//! The live event of a change to a record live clients follow (`domain::live::Live`), written on the change's
//! transaction. Its `data` carries who may read the record — the owner and the owner's team, or a task's
//! assignee, creator and linked records' owners — looked up as they are at the write, so the socket can apply
//! the REST API's read rule (`domain::live::may_receive`) without asking the database.

use crate::ssr::repo::outbox::{self, NewEvent, OwnerOf};
use crate::ssr::{Actor, Result};
use domain::live::{self, Live, Subject, Verb};
use domain::task::{LinkOwner, TaskAccess};
use domain::{Resource, UserId};
use serde_json::{Value, json};
use sqlx::PgConnection;
use uuid::Uuid;

/// Writes the event of `verb` on `record` (nothing when its service writes a richer event itself).
pub(crate) async fn publish<T: Live>(
    conn: &mut PgConnection,
    actor: &Actor,
    verb: Verb,
    record: &T,
) -> Result<()> {
    let Some(kind) = T::event(verb) else {
        return Ok(());
    };
    let data = audience(conn, &record.subject()).await?;
    outbox::insert(
        conn,
        NewEvent {
            r#type: kind,
            entity: T::ENTITY,
            entity_id: record.live_id(),
            data,
            actor_id: Some(actor.principal.user_id.0),
        },
    )
    .await?;
    Ok(())
}

/// The owner of a record and the owner's team (nobody when the record is gone).
async fn owner(
    conn: &mut PgConnection,
    of: OwnerOf,
    id: Uuid,
) -> Result<(Option<UserId>, Option<String>)> {
    let (owner, team) = outbox::owner_of(conn, of, id).await?.unwrap_or_default();
    Ok((owner.map(UserId), team))
}

async fn team(conn: &mut PgConnection, user: Option<UserId>) -> Result<Option<String>> {
    Ok(match user {
        Some(u) => outbox::team_of(conn, u.0).await?,
        None => None,
    })
}

/// The facts of `subject` that decide who may read the record, as an event's `data`.
async fn audience(conn: &mut PgConnection, subject: &Subject) -> Result<Value> {
    let with = |mut data: Value, key: &str, id: Uuid| {
        data[key] = json!(id);
        data
    };
    Ok(match *subject {
        Subject::Open => json!({}),
        Subject::Owned(owner) => {
            let team = team(conn, owner).await?;
            live::owner_data(owner, team.as_deref())
        }
        Subject::OfCustomer(c) => {
            let (o, t) = owner(conn, OwnerOf::Customer, c.0).await?;
            with(live::owner_data(o, t.as_deref()), "customer_id", c.0)
        }
        Subject::OfProject(p) => {
            let (o, t) = owner(conn, OwnerOf::ProjectCustomer, p.0).await?;
            with(live::owner_data(o, t.as_deref()), "project_id", p.0)
        }
        Subject::Task {
            assignee,
            creator,
            customer,
            lead,
            opportunity,
        } => {
            // The links the tasks repository decides a task's visibility on (`repo::tasks::TaskRecord`).
            let mut links = Vec::new();
            for (resource, of, id) in [
                (
                    Resource::Customers,
                    OwnerOf::Customer,
                    customer.map(|c| c.0),
                ),
                (Resource::Leads, OwnerOf::Lead, lead.map(|l| l.0)),
                (
                    Resource::Opportunities,
                    OwnerOf::Opportunity,
                    opportunity.map(|o| o.0),
                ),
            ] {
                if let Some(id) = id {
                    let (owner, owner_team) = owner(conn, of, id).await?;
                    links.push(LinkOwner {
                        resource,
                        owner,
                        owner_team,
                    });
                }
            }
            let assignee_team = team(conn, assignee).await?;
            let creator_team = if creator == assignee {
                assignee_team.clone()
            } else {
                team(conn, creator).await?
            };
            live::task_data(&TaskAccess {
                assignee,
                assignee_team,
                creator,
                creator_team,
                links,
            })
        }
    })
}
