//! Live events (`GET /api/v1/ws`): their names, and who may receive which. A socket gets an event only when its
//! user may read the record the event is about — with the same matrix and record-level scope the REST API uses.
//! Record-level facts (the owner and the owner's team; for tasks assignee, creator and linked records' owners)
//! travel in the event's `data`, written with the change.
//!
//! Every create, update and delete of a record a dashboard counts writes an event: the records implement
//! [`Live`] (its entity, its three events and the [`Subject`] that decides who may read it), and the services'
//! shared write helpers turn the subject into `data` on the write's transaction.

use crate::asset::Asset;
use crate::contact::Contact;
use crate::customer::Customer;
use crate::interaction::Interaction;
use crate::lead::Lead;
use crate::opportunity::{Opportunity, Stage};
use crate::permissions::{Action, Principal, Resource};
use crate::project::{Milestone, Project};
use crate::purchase_order::PurchaseOrder;
use crate::task::{LinkOwner, Task, TaskAccess, sees_task};
use crate::ticket::{Ticket, sees_internal_notes};
use crate::vendor::Vendor;
use crate::{CustomerId, LeadId, OpportunityId, ProjectId, UserId};
use serde_json::{Value, json};
use uuid::Uuid;

/// A user's access ended (deactivated, password reset): every node closes their open sockets. Never sent to a
/// client.
pub const USER_ACCESS_REVOKED: &str = "user.access_revoked";
pub const ASSET_ALLOCATED: &str = "asset.allocated";
pub const ASSET_RETURNED: &str = "asset.returned";
pub const STOCK_LOW: &str = "stock.low";
pub const TICKET_CREATED: &str = "ticket.created";
pub const TICKET_UPDATED: &str = "ticket.updated";
pub const TICKET_COMMENTED: &str = "ticket.commented";
pub const OPPORTUNITY_CREATED: &str = "opportunity.created";
pub const OPPORTUNITY_UPDATED: &str = "opportunity.updated";
pub const OPPORTUNITY_STAGE_CHANGED: &str = "opportunity.stage_changed";
pub const OPPORTUNITY_WON: &str = "opportunity.won";
pub const OPPORTUNITY_LOST: &str = "opportunity.lost";
pub const OPPORTUNITY_DELETED: &str = "opportunity.deleted";
pub const PURCHASE_ORDER_RECEIVED: &str = "purchase_order.received";
pub const PURCHASE_ORDER_CREATED: &str = "purchase_order.created";
pub const PURCHASE_ORDER_UPDATED: &str = "purchase_order.updated";
pub const PURCHASE_ORDER_DELETED: &str = "purchase_order.deleted";
pub const TICKET_DELETED: &str = "ticket.deleted";
pub const CUSTOMER_CREATED: &str = "customer.created";
pub const CUSTOMER_UPDATED: &str = "customer.updated";
pub const CUSTOMER_DELETED: &str = "customer.deleted";
pub const CONTACT_CREATED: &str = "contact.created";
pub const CONTACT_UPDATED: &str = "contact.updated";
pub const CONTACT_DELETED: &str = "contact.deleted";
pub const LEAD_CREATED: &str = "lead.created";
pub const LEAD_UPDATED: &str = "lead.updated";
pub const LEAD_DELETED: &str = "lead.deleted";
pub const INTERACTION_CREATED: &str = "interaction.created";
pub const INTERACTION_UPDATED: &str = "interaction.updated";
pub const INTERACTION_DELETED: &str = "interaction.deleted";
pub const TASK_CREATED: &str = "task.created";
pub const TASK_UPDATED: &str = "task.updated";
pub const TASK_DELETED: &str = "task.deleted";
pub const PROJECT_CREATED: &str = "project.created";
pub const PROJECT_UPDATED: &str = "project.updated";
pub const PROJECT_DELETED: &str = "project.deleted";
pub const MILESTONE_CREATED: &str = "milestone.created";
pub const MILESTONE_UPDATED: &str = "milestone.updated";
pub const MILESTONE_DELETED: &str = "milestone.deleted";
pub const VENDOR_CREATED: &str = "vendor.created";
pub const VENDOR_UPDATED: &str = "vendor.updated";
pub const VENDOR_DELETED: &str = "vendor.deleted";
pub const ASSET_CREATED: &str = "asset.created";
pub const ASSET_UPDATED: &str = "asset.updated";
pub const ASSET_DELETED: &str = "asset.deleted";
/// A new notification, for its recipient (`data.user_id`) alone.
pub const NOTIFICATION: &str = "notification";
/// Sent by the server, never stored: "you may have missed events, fetch again" (after a gap too big to replay).
pub const RESYNC: &str = "resync";

/// The events an opportunity's update emits: a stage change (and, on entering won or lost, that outcome too),
/// or a plain update.
pub fn opportunity_events(from: Stage, to: Stage) -> Vec<&'static str> {
    match to {
        _ if from == to => vec![OPPORTUNITY_UPDATED],
        Stage::Won => vec![OPPORTUNITY_STAGE_CHANGED, OPPORTUNITY_WON],
        Stage::Lost => vec![OPPORTUNITY_STAGE_CHANGED, OPPORTUNITY_LOST],
        _ => vec![OPPORTUNITY_STAGE_CHANGED],
    }
}

/// The `data` keys that carry record-level visibility.
pub const OWNER_ID: &str = "owner_id";
pub const OWNER_TEAM: &str = "owner_team";

/// What happened to a record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verb {
    Created,
    Updated,
    Deleted,
}

/// What decides who may read a record, as the record itself knows it; the owners' teams are looked up when the
/// event is written (their state at that moment, as the REST API would judge a read).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Subject {
    /// Whoever's role reads the resource (vendors, assets, purchase orders).
    Open,
    /// An owned record (customers, leads, opportunities): its owner and the owner's team.
    Owned(Option<UserId>),
    /// Seen with its customer (contacts, interactions, tickets, projects): the customer's owner and team.
    OfCustomer(CustomerId),
    /// A milestone: seen with its project's customer.
    OfProject(ProjectId),
    /// A task: its assignee, its creator and the owners of the records it links to.
    Task {
        assignee: Option<UserId>,
        creator: Option<UserId>,
        customer: Option<CustomerId>,
        lead: Option<LeadId>,
        opportunity: Option<OpportunityId>,
    },
}

/// A record whose changes live clients follow.
pub trait Live {
    /// The `entity` of its events (and of its audit rows): `customer`.
    const ENTITY: &'static str;
    /// The events its creation, update and deletion write; `None` where its service writes a richer event of
    /// its own (tickets, opportunities).
    const EVENTS: [Option<&'static str>; 3];
    fn live_id(&self) -> Uuid;
    fn subject(&self) -> Subject;

    /// The event a change writes, if any.
    fn event(verb: Verb) -> Option<&'static str> {
        Self::EVENTS[match verb {
            Verb::Created => 0,
            Verb::Updated => 1,
            Verb::Deleted => 2,
        }]
    }
}

/// `impl Live`: `live!(Customer, "customer", [created, updated, deleted], |c| Subject::Owned(c.owner_id))`.
macro_rules! live {
    ($ty:ty, $entity:literal, [$c:expr, $u:expr, $d:expr], |$r:ident| $subject:expr) => {
        impl Live for $ty {
            const ENTITY: &'static str = $entity;
            const EVENTS: [Option<&'static str>; 3] = [$c, $u, $d];
            fn live_id(&self) -> Uuid {
                self.id.0
            }
            fn subject(&self) -> Subject {
                let $r = self;
                $subject
            }
        }
    };
}

live!(
    Customer,
    "customer",
    [
        Some(CUSTOMER_CREATED),
        Some(CUSTOMER_UPDATED),
        Some(CUSTOMER_DELETED)
    ],
    |c| Subject::Owned(c.owner_id)
);
live!(
    Lead,
    "lead",
    [Some(LEAD_CREATED), Some(LEAD_UPDATED), Some(LEAD_DELETED)],
    |l| Subject::Owned(l.owner_id)
);
live!(
    Opportunity,
    "opportunity",
    [None, None, Some(OPPORTUNITY_DELETED)],
    |o| Subject::Owned(o.owner_id)
);
live!(
    Contact,
    "contact",
    [
        Some(CONTACT_CREATED),
        Some(CONTACT_UPDATED),
        Some(CONTACT_DELETED)
    ],
    |c| Subject::OfCustomer(c.customer_id)
);
live!(
    Interaction,
    "interaction",
    [
        Some(INTERACTION_CREATED),
        Some(INTERACTION_UPDATED),
        Some(INTERACTION_DELETED)
    ],
    |i| Subject::OfCustomer(i.customer_id)
);
live!(Ticket, "ticket", [None, None, Some(TICKET_DELETED)], |t| {
    Subject::OfCustomer(t.customer_id)
});
live!(
    Project,
    "project",
    [
        Some(PROJECT_CREATED),
        Some(PROJECT_UPDATED),
        Some(PROJECT_DELETED)
    ],
    |p| Subject::OfCustomer(p.customer_id)
);
live!(
    Milestone,
    "milestone",
    [
        Some(MILESTONE_CREATED),
        Some(MILESTONE_UPDATED),
        Some(MILESTONE_DELETED)
    ],
    |m| Subject::OfProject(m.project_id)
);
live!(
    Task,
    "task",
    [Some(TASK_CREATED), Some(TASK_UPDATED), Some(TASK_DELETED)],
    |t| Subject::Task {
        assignee: t.assignee_id,
        creator: t.created_by,
        customer: t.customer_id,
        lead: t.lead_id,
        opportunity: t.opportunity_id,
    }
);
live!(
    Vendor,
    "vendor",
    [
        Some(VENDOR_CREATED),
        Some(VENDOR_UPDATED),
        Some(VENDOR_DELETED)
    ],
    |_v| Subject::Open
);
live!(
    Asset,
    "asset",
    [
        Some(ASSET_CREATED),
        Some(ASSET_UPDATED),
        Some(ASSET_DELETED)
    ],
    |_a| Subject::Open
);
live!(
    PurchaseOrder,
    "purchase_order",
    [
        Some(PURCHASE_ORDER_CREATED),
        Some(PURCHASE_ORDER_UPDATED),
        Some(PURCHASE_ORDER_DELETED)
    ],
    |_p| Subject::Open
);

/// The `data` of an event about a record seen through an owner: the owner and the owner's team.
pub fn owner_data(owner: Option<UserId>, team: Option<&str>) -> Value {
    json!({ OWNER_ID: owner, OWNER_TEAM: team })
}

/// The `data` of an event about a task: who it concerns (see [`sees_task`]).
pub fn task_data(a: &TaskAccess) -> Value {
    let links: Vec<Value> = a
        .links
        .iter()
        .map(|l| json!({ "resource": l.resource, OWNER_ID: l.owner, OWNER_TEAM: l.owner_team }))
        .collect();
    json!({
        "assignee_id": a.assignee,
        "assignee_team": a.assignee_team,
        "created_by": a.creator,
        "creator_team": a.creator_team,
        "links": links,
    })
}

/// The task's access facts back from [`task_data`] (missing facts are absent, so they grant nothing).
fn task_access(data: &Value) -> TaskAccess {
    let text = |v: &Value, key: &str| v.get(key).and_then(Value::as_str).map(str::to_owned);
    let links = data
        .get("links")
        .and_then(Value::as_array)
        .map(|links| {
            links
                .iter()
                .filter_map(|l| {
                    Some(LinkOwner {
                        resource: serde_json::from_value(l.get("resource")?.clone()).ok()?,
                        owner: user_in(l, OWNER_ID),
                        owner_team: text(l, OWNER_TEAM),
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    TaskAccess {
        assignee: user_in(data, "assignee_id"),
        assignee_team: text(data, "assignee_team"),
        creator: user_in(data, "created_by"),
        creator_team: text(data, "creator_team"),
        links,
    }
}

fn user_in(data: &Value, key: &str) -> Option<UserId> {
    data.get(key)
        .and_then(Value::as_str)
        .and_then(|s| uuid::Uuid::parse_str(s).ok())
        .map(UserId)
}

/// May `p` receive the event `kind` about an `entity` record, with this `data`? Unknown entities never go out.
pub fn may_receive(p: &Principal, kind: &str, entity: &str, data: &Value) -> bool {
    if kind == NOTIFICATION {
        return user_in(data, "user_id") == Some(p.user_id);
    }
    let owner = user_in(data, OWNER_ID);
    let team = data.get(OWNER_TEAM).and_then(Value::as_str);
    match entity {
        "asset" => p.can(Resource::Assets, Action::Read),
        "purchase_order" => p.can(Resource::PurchaseOrders, Action::Read),
        "vendor" => p.can(Resource::Vendors, Action::Read),
        "opportunity" => p.sees(Resource::Opportunities, owner, team),
        "customer" => p.sees(Resource::Customers, owner, team),
        "lead" => p.sees(Resource::Leads, owner, team),
        // Contacts follow their customer's owner, in the contacts' own scope.
        "contact" => p.sees(Resource::Contacts, owner, team),
        // Interactions, projects and their milestones are visible to whoever sees the customer.
        "interaction" => {
            p.can(Resource::Interactions, Action::Read) && p.sees(Resource::Customers, owner, team)
        }
        "project" | "milestone" => {
            p.can(Resource::Projects, Action::Read) && p.sees(Resource::Customers, owner, team)
        }
        "task" => sees_task(p, &task_access(data)),
        // A ticket is visible to whoever sees its customer; an internal note only to those who work tickets.
        "ticket" => {
            let internal = data.get("internal").and_then(Value::as_bool) == Some(true);
            p.can(Resource::Tickets, Action::Read)
                && p.sees(Resource::Customers, owner, team)
                && (!internal || sees_internal_notes(p.role))
        }
        _ => false,
    }
}

/// The `data` of an event as `p` may read it, when it differs from what was published (`None`: send as is).
/// An allocation names where the units went; a reader who may not see that customer (directly or through its
/// project) reads only that they went somewhere. The owner facts used for the decision never go out.
pub fn redact(p: &Principal, kind: &str, data: &Value) -> Option<Value> {
    if kind != ASSET_ALLOCATED {
        return None;
    }
    let mut out = data.clone();
    let m = out.as_object_mut()?;
    let owner = user_in(data, OWNER_ID);
    let team = data.get(OWNER_TEAM).and_then(Value::as_str);
    let has_customer = ["customer_id", "project_id"]
        .iter()
        .any(|k| data.get(*k).is_some_and(|v| !v.is_null()));
    if has_customer && !p.sees(Resource::Customers, owner, team) {
        m.remove("customer_id");
        m.remove("project_id");
    }
    m.remove(OWNER_ID);
    m.remove(OWNER_TEAM);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Role;
    use serde_json::json;

    fn principal(role: Role, team: Option<&str>) -> Principal {
        Principal {
            user_id: UserId::new(),
            email: "a@example.com".into(),
            name: "A".into(),
            role,
            team: team.map(str::to_owned),
        }
    }

    #[test]
    fn an_allocation_event_hides_a_customer_the_reader_may_not_see() {
        let owner = UserId::new();
        let data = json!({"customer_id": "c", "quantity": 2, OWNER_ID: owner, OWNER_TEAM: "north"});
        let north = principal(Role::Sales, Some("north"));
        let south = principal(Role::Sales, Some("south"));
        let seen = redact(&north, ASSET_ALLOCATED, &data).unwrap();
        assert_eq!(seen, json!({"customer_id": "c", "quantity": 2}));
        let hidden = redact(&south, ASSET_ALLOCATED, &data).unwrap();
        assert_eq!(hidden, json!({"quantity": 2}));
        let to_user = json!({"user_id": "u", OWNER_ID: null, OWNER_TEAM: null});
        assert_eq!(
            redact(&south, ASSET_ALLOCATED, &to_user).unwrap(),
            json!({"user_id": "u"})
        );
        assert_eq!(redact(&south, ASSET_RETURNED, &data), None);
    }

    #[test]
    fn an_opportunity_update_names_its_stage_change_and_outcome() {
        use Stage::*;
        assert_eq!(
            opportunity_events(Proposal, Proposal),
            [OPPORTUNITY_UPDATED]
        );
        assert_eq!(
            opportunity_events(Qualification, Proposal),
            [OPPORTUNITY_STAGE_CHANGED]
        );
        assert_eq!(
            opportunity_events(Negotiation, Won),
            [OPPORTUNITY_STAGE_CHANGED, OPPORTUNITY_WON]
        );
        assert_eq!(
            opportunity_events(Proposal, Lost),
            [OPPORTUNITY_STAGE_CHANGED, OPPORTUNITY_LOST]
        );
        assert_eq!(
            opportunity_events(Won, Negotiation),
            [OPPORTUNITY_STAGE_CHANGED]
        );
    }

    #[test]
    fn notifications_go_to_their_recipient_alone() {
        let me = principal(Role::Admin, None);
        let data = json!({ "user_id": me.user_id.0 });
        assert!(may_receive(&me, NOTIFICATION, "notification", &data));
        let admin = principal(Role::Admin, None);
        assert!(!may_receive(&admin, NOTIFICATION, "notification", &data));
        assert!(!may_receive(&me, NOTIFICATION, "notification", &json!({})));
    }

    #[test]
    fn opportunities_follow_the_owner_scope() {
        let rep = principal(Role::Sales, None);
        let other = principal(Role::Sales, None);
        let team_rep = principal(Role::Sales, Some("north"));
        let manager = principal(Role::Manager, Some("north"));
        let south_manager = principal(Role::Manager, Some("south"));
        let data = json!({ "owner_id": rep.user_id.0, "owner_team": "north" });
        let kind = OPPORTUNITY_WON;
        assert!(may_receive(&rep, kind, "opportunity", &data));
        assert!(!may_receive(&other, kind, "opportunity", &data));
        assert!(may_receive(&team_rep, kind, "opportunity", &data));
        assert!(may_receive(&manager, kind, "opportunity", &data));
        assert!(!may_receive(&south_manager, kind, "opportunity", &data));
        assert!(may_receive(
            &principal(Role::Viewer, None),
            kind,
            "opportunity",
            &data
        ));
    }

    #[test]
    fn internal_ticket_notes_reach_staff_only() {
        let data = json!({ "internal": true });
        assert!(may_receive(
            &principal(Role::Support, None),
            TICKET_COMMENTED,
            "ticket",
            &data
        ));
        assert!(!may_receive(
            &principal(Role::Viewer, None),
            TICKET_COMMENTED,
            "ticket",
            &data
        ));
        let public = json!({ "internal": false });
        assert!(may_receive(
            &principal(Role::Viewer, None),
            TICKET_COMMENTED,
            "ticket",
            &public
        ));
    }

    /// Who of a set of callers gets an event about a record of `entity` with `data`.
    fn receivers<'a>(
        who: &'a [(&'a str, Principal)],
        kind: &str,
        entity: &str,
        data: &Value,
    ) -> Vec<&'a str> {
        who.iter()
            .filter(|(_, p)| may_receive(p, kind, entity, data))
            .map(|(name, _)| *name)
            .collect()
    }

    /// A rep owning the record (team north), a rep of the same team, a rep of another team, a rep without a
    /// team, the north and south managers, support, inventory and a viewer.
    fn cast() -> (UserId, Vec<(&'static str, Principal)>) {
        let owner = principal(Role::Sales, Some("north"));
        let id = owner.user_id;
        let who = vec![
            ("owner", owner),
            ("teammate", principal(Role::Sales, Some("north"))),
            ("south rep", principal(Role::Sales, Some("south"))),
            ("lone rep", principal(Role::Sales, None)),
            ("north manager", principal(Role::Manager, Some("north"))),
            ("south manager", principal(Role::Manager, Some("south"))),
            ("support", principal(Role::Support, None)),
            ("inventory", principal(Role::Inventory, None)),
            ("viewer", principal(Role::Viewer, None)),
        ];
        (id, who)
    }

    #[test]
    fn customers_and_leads_follow_the_owner_and_the_owners_team() {
        let (owner, who) = cast();
        let data = owner_data(Some(owner), Some("north"));
        let everyone_but_other_teams = [
            "owner",
            "teammate",
            "north manager",
            "support",
            "inventory",
            "viewer",
        ];
        for kind in [CUSTOMER_CREATED, CUSTOMER_UPDATED, CUSTOMER_DELETED] {
            assert_eq!(
                receivers(&who, kind, "customer", &data),
                everyone_but_other_teams
            );
        }
        for kind in [LEAD_CREATED, LEAD_UPDATED, LEAD_DELETED] {
            assert_eq!(
                receivers(&who, kind, "lead", &data),
                everyone_but_other_teams
            );
        }
        // Without facts (an owner-less record a team rep may not see) only the unscoped roles get it.
        let unowned = owner_data(None, None);
        assert_eq!(
            receivers(&who, LEAD_UPDATED, "lead", &unowned),
            ["support", "inventory", "viewer"]
        );
        assert_eq!(
            receivers(&who, OPPORTUNITY_DELETED, "opportunity", &data),
            everyone_but_other_teams
        );
    }

    #[test]
    fn contacts_interactions_projects_and_milestones_follow_their_customers_owner() {
        let (owner, who) = cast();
        let data = owner_data(Some(owner), Some("north"));
        let sees_customer = [
            "owner",
            "teammate",
            "north manager",
            "support",
            "inventory",
            "viewer",
        ];
        assert_eq!(
            receivers(&who, CONTACT_UPDATED, "contact", &data),
            sees_customer
        );
        assert_eq!(
            receivers(&who, INTERACTION_CREATED, "interaction", &data),
            sees_customer
        );
        assert_eq!(
            receivers(&who, PROJECT_UPDATED, "project", &data),
            sees_customer
        );
        assert_eq!(
            receivers(&who, MILESTONE_DELETED, "milestone", &data),
            sees_customer
        );
        assert_eq!(
            receivers(&who, TICKET_DELETED, "ticket", &data),
            sees_customer
        );
        // A rep without a team sees only their own customers' records.
        let lone = &who[3].1;
        let theirs = owner_data(Some(lone.user_id), None);
        assert!(may_receive(lone, CONTACT_CREATED, "contact", &theirs));
        assert!(may_receive(lone, PROJECT_CREATED, "project", &theirs));
        assert!(!may_receive(lone, PROJECT_CREATED, "project", &data));
    }

    #[test]
    fn tasks_follow_the_task_visibility_rules() {
        let (owner, who) = cast();
        let assignee = principal(Role::Support, None);
        let access = TaskAccess {
            assignee: Some(assignee.user_id),
            assignee_team: None,
            creator: Some(assignee.user_id),
            creator_team: None,
            links: vec![LinkOwner {
                resource: Resource::Customers,
                owner: Some(owner),
                owner_team: Some("north".into()),
            }],
        };
        let data = task_data(&access);
        assert_eq!(task_access(&data), access, "the facts survive the trip");
        // Through the linked customer: its owner, the owner's team and the unscoped roles; a team manager sees
        // the tasks of their team's members only (not those linked to their team's customers).
        assert_eq!(
            receivers(&who, TASK_CREATED, "task", &data),
            ["owner", "teammate", "support", "inventory", "viewer"]
        );
        assert!(may_receive(&assignee, TASK_UPDATED, "task", &data));
        // Unlinked, assigned to a north rep by the north manager: the rep, the manager, admins and viewers.
        let rep = &who[1].1;
        let manager = &who[4].1;
        let unlinked = task_data(&TaskAccess {
            assignee: Some(rep.user_id),
            assignee_team: Some("north".into()),
            creator: Some(manager.user_id),
            creator_team: Some("north".into()),
            links: vec![],
        });
        assert_eq!(
            receivers(&who, TASK_DELETED, "task", &unlinked),
            ["teammate", "north manager", "viewer"]
        );
        assert!(may_receive(
            &principal(Role::Admin, Some("south")),
            TASK_DELETED,
            "task",
            &unlinked
        ));
        assert!(!may_receive(&who[0].1, TASK_DELETED, "task", &json!({})));
    }

    #[test]
    fn vendor_asset_and_purchase_order_events_follow_the_role_matrix() {
        for role in Role::ALL {
            let p = principal(role, None);
            for (entity, resource, kind) in [
                ("vendor", Resource::Vendors, VENDOR_UPDATED),
                ("asset", Resource::Assets, ASSET_CREATED),
                (
                    "purchase_order",
                    Resource::PurchaseOrders,
                    PURCHASE_ORDER_DELETED,
                ),
            ] {
                assert_eq!(
                    may_receive(&p, kind, entity, &json!({})),
                    p.can(resource, Action::Read),
                    "{role} {kind}"
                );
            }
        }
    }

    #[test]
    fn each_record_names_its_own_events_and_leaves_the_richer_ones_to_its_service() {
        fn names<T: Live>() -> Vec<Option<&'static str>> {
            [Verb::Created, Verb::Updated, Verb::Deleted]
                .into_iter()
                .map(T::event)
                .collect()
        }
        assert_eq!(
            names::<Customer>(),
            [
                Some("customer.created"),
                Some("customer.updated"),
                Some("customer.deleted")
            ]
        );
        assert_eq!(names::<Ticket>(), [None, None, Some("ticket.deleted")]);
        assert_eq!(
            names::<Opportunity>(),
            [None, None, Some("opportunity.deleted")]
        );
        fn own<T: Live>() -> bool {
            T::EVENTS.iter().flatten().all(|e| {
                e.strip_prefix(T::ENTITY)
                    .is_some_and(|r| r.starts_with('.'))
            })
        }
        assert!(own::<Customer>() && own::<Contact>() && own::<Lead>() && own::<Opportunity>());
        assert!(own::<Interaction>() && own::<Task>() && own::<Ticket>() && own::<Project>());
        assert!(own::<Milestone>() && own::<Vendor>() && own::<Asset>() && own::<PurchaseOrder>());
    }

    #[test]
    fn inventory_events_need_read_and_unknown_entities_never_go_out() {
        let sales = principal(Role::Sales, None);
        assert!(may_receive(&sales, STOCK_LOW, "asset", &json!({})));
        assert!(!may_receive(
            &principal(Role::Admin, None),
            "x.y",
            "secret",
            &json!({})
        ));
    }
}
