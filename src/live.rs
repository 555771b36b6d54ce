//! Live events (`GET /api/v1/ws`): their names, and who may receive which. A socket gets an event only when its
//! user may read the record the event is about — with the same matrix and record-level scope the REST API uses.
//! Record-level facts (the owner and the owner's team) travel in the event's `data`, written with the change.

use crate::UserId;
use crate::opportunity::Stage;
use crate::permissions::{Action, Principal, Resource};
use crate::ticket::sees_internal_notes;
use serde_json::Value;

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
pub const PURCHASE_ORDER_RECEIVED: &str = "purchase_order.received";
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
