//! Roles, the permission matrix (resource × action) and record-level scopes.
//!
//! This is the single source of truth: the REST API, server functions, search, exports and the UI's
//! "hide what you cannot do" all ask these functions. `docs/permissions.md` is generated from `matrix_markdown`.

use crate::ids::UserId;
use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Admin,
    Manager,
    Sales,
    Support,
    Inventory,
    Viewer,
}

impl Role {
    pub const ALL: [Role; 6] = [
        Role::Admin,
        Role::Manager,
        Role::Sales,
        Role::Support,
        Role::Inventory,
        Role::Viewer,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Manager => "manager",
            Role::Sales => "sales",
            Role::Support => "support",
            Role::Inventory => "inventory",
            Role::Viewer => "viewer",
        }
    }

    pub fn parse(s: &str) -> Result<Role, String> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| {
                "must be one of admin, manager, sales, support, inventory, viewer".to_owned()
            })
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::Admin => "Administrator",
            Role::Manager => "Manager",
            Role::Sales => "Sales",
            Role::Support => "Support",
            Role::Inventory => "Inventory",
            Role::Viewer => "Viewer",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Role {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::parse(s)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Resource {
    Users,
    AuditLogs,
    Customers,
    Contacts,
    Leads,
    Opportunities,
    Interactions,
    Tasks,
    Tickets,
    Projects,
    Vendors,
    Assets,
    PurchaseOrders,
    Reports,
}

impl Resource {
    pub const ALL: [Resource; 14] = [
        Resource::Users,
        Resource::AuditLogs,
        Resource::Customers,
        Resource::Contacts,
        Resource::Leads,
        Resource::Opportunities,
        Resource::Interactions,
        Resource::Tasks,
        Resource::Tickets,
        Resource::Projects,
        Resource::Vendors,
        Resource::Assets,
        Resource::PurchaseOrders,
        Resource::Reports,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Resource::Users => "users",
            Resource::AuditLogs => "audit_logs",
            Resource::Customers => "customers",
            Resource::Contacts => "contacts",
            Resource::Leads => "leads",
            Resource::Opportunities => "opportunities",
            Resource::Interactions => "interactions",
            Resource::Tasks => "tasks",
            Resource::Tickets => "tickets",
            Resource::Projects => "projects",
            Resource::Vendors => "vendors",
            Resource::Assets => "assets",
            Resource::PurchaseOrders => "purchase_orders",
            Resource::Reports => "reports",
        }
    }

    /// Records of these resources have an owner; sales and team managers see only their share.
    pub fn is_owned(self) -> bool {
        matches!(
            self,
            Resource::Customers | Resource::Contacts | Resource::Leads | Resource::Opportunities
        )
    }

    fn area(self) -> Area {
        match self {
            Resource::Users | Resource::AuditLogs => Area::Admin,
            Resource::Customers
            | Resource::Contacts
            | Resource::Leads
            | Resource::Opportunities => Area::Sales,
            Resource::Interactions | Resource::Tasks => Area::Activity,
            Resource::Tickets => Area::Support,
            Resource::Projects => Area::Projects,
            Resource::Vendors | Resource::Assets | Resource::PurchaseOrders => Area::Inventory,
            Resource::Reports => Area::Reports,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Read,
    Create,
    Update,
    Delete,
    Export,
}

impl Action {
    pub const ALL: [Action; 5] = [
        Action::Read,
        Action::Create,
        Action::Update,
        Action::Delete,
        Action::Export,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Action::Read => "read",
            Action::Create => "create",
            Action::Update => "update",
            Action::Delete => "delete",
            Action::Export => "export",
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Area {
    Admin,
    Sales,
    Activity,
    Support,
    Projects,
    Inventory,
    Reports,
}

/// May `role` take `action` on `resource` at all? Record-level rules come on top (see [`Scope`]).
pub fn allows(role: Role, resource: Resource, action: Action) -> bool {
    use Action::*;
    use Area as A;
    let area = resource.area();
    let write = matches!(action, Create | Update | Delete);
    match role {
        Role::Admin => true,
        // Users are a directory every role may read (to pick owners and assignees); only admins change them.
        _ if resource == Resource::Users => action == Read,
        Role::Manager => match area {
            A::Admin => matches!(action, Read | Export),
            A::Inventory => matches!(action, Read | Export),
            _ => true,
        },
        Role::Sales => match area {
            A::Admin => false,
            A::Sales | A::Activity => true,
            A::Support | A::Projects | A::Inventory => action == Read,
            A::Reports => matches!(action, Read | Export),
        },
        Role::Support => match area {
            A::Admin => false,
            A::Support | A::Activity => true,
            // Support keeps contact details current but does not own accounts.
            A::Sales if resource == Resource::Contacts => matches!(action, Read | Create | Update),
            A::Sales | A::Projects | A::Inventory => action == Read,
            A::Reports => matches!(action, Read | Export),
        },
        Role::Inventory => match area {
            A::Admin => false,
            A::Inventory => true,
            A::Activity => matches!(action, Read | Create | Update),
            A::Sales | A::Support | A::Projects => action == Read,
            A::Reports => matches!(action, Read | Export),
        },
        Role::Viewer => area != A::Admin && !write && action == Read,
    }
}

/// The authenticated caller as every service sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Principal {
    pub user_id: UserId,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub team: Option<String>,
}

impl Principal {
    pub fn can(&self, resource: Resource, action: Action) -> bool {
        allows(self.role, resource, action)
    }

    /// Which records of an owned resource this caller may see.
    pub fn scope(&self, resource: Resource) -> Scope {
        if !resource.is_owned() {
            return Scope::All;
        }
        match (self.role, &self.team) {
            (Role::Sales, Some(team)) | (Role::Manager, Some(team)) => Scope::Team(team.clone()),
            (Role::Sales, None) => Scope::Own(self.user_id),
            _ => Scope::All,
        }
    }

    /// Can the caller see a record owned by `owner` (whose team is `owner_team`)?
    pub fn sees(
        &self,
        resource: Resource,
        owner: Option<UserId>,
        owner_team: Option<&str>,
    ) -> bool {
        self.can(resource, Action::Read) && self.scope(resource).contains(owner, owner_team)
    }
}

/// Record-level visibility of an owned resource.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Scope {
    All,
    /// Records whose owner is in this team.
    Team(String),
    /// Records this user owns.
    Own(UserId),
}

impl Scope {
    pub fn contains(&self, owner: Option<UserId>, owner_team: Option<&str>) -> bool {
        match self {
            Scope::All => true,
            Scope::Team(team) => owner.is_some() && owner_team == Some(team.as_str()),
            Scope::Own(me) => owner == Some(*me),
        }
    }
}

/// The permission matrix as a Markdown table (for docs and the roles page).
pub fn matrix_markdown() -> String {
    let mut out = String::from("| resource |");
    for role in Role::ALL {
        out.push_str(&format!(" {role} |"));
    }
    out.push_str("\n|---|");
    for _ in Role::ALL {
        out.push_str("---|");
    }
    for resource in Resource::ALL {
        out.push_str(&format!("\n| {} |", resource.as_str()));
        for role in Role::ALL {
            let letters: String = Action::ALL
                .into_iter()
                .filter(|a| allows(role, resource, *a))
                .map(|a| {
                    a.as_str()
                        .chars()
                        .next()
                        .unwrap_or('?')
                        .to_ascii_uppercase()
                })
                .collect();
            out.push_str(&format!(
                " {} |",
                if letters.is_empty() {
                    "–".to_owned()
                } else {
                    letters
                }
            ));
        }
    }
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use Action::*;
    use Resource::*;

    fn who(role: Role, team: Option<&str>) -> Principal {
        Principal {
            user_id: UserId::new(),
            email: "a@b.c".into(),
            name: "A".into(),
            role,
            team: team.map(str::to_owned),
        }
    }

    /// Every role × resource × action, written out once more by hand: a change to the matrix must be deliberate.
    #[test]
    fn matrix_for_every_role_and_action() {
        let expect = |role: Role, resource: Resource, allowed: &str| {
            for action in Action::ALL {
                let letter = action.as_str().chars().next().unwrap().to_ascii_uppercase();
                assert_eq!(
                    allows(role, resource, action),
                    allowed.contains(letter),
                    "{role} {resource:?} {action:?}"
                );
            }
        };
        for resource in Resource::ALL {
            expect(Role::Admin, resource, "RCUDE");
        }
        for role in [
            Role::Manager,
            Role::Sales,
            Role::Support,
            Role::Inventory,
            Role::Viewer,
        ] {
            expect(role, Users, "R");
        }
        expect(Role::Manager, AuditLogs, "RE");
        expect(Role::Manager, Customers, "RCUDE");
        expect(Role::Manager, Assets, "RE");
        expect(Role::Sales, Customers, "RCUDE");
        expect(Role::Sales, Contacts, "RCUDE");
        expect(Role::Sales, AuditLogs, "");
        expect(Role::Sales, Tickets, "R");
        expect(Role::Sales, Assets, "R");
        expect(Role::Support, Tickets, "RCUDE");
        expect(Role::Support, Customers, "R");
        expect(Role::Support, Contacts, "RCU");
        expect(Role::Inventory, Assets, "RCUDE");
        expect(Role::Inventory, PurchaseOrders, "RCUDE");
        expect(Role::Inventory, Customers, "R");
        expect(Role::Inventory, Interactions, "RCU");
        for resource in Resource::ALL {
            let admin_area = matches!(resource, Users | AuditLogs);
            expect(
                Role::Viewer,
                resource,
                if resource == Users {
                    "R"
                } else if admin_area {
                    ""
                } else {
                    "R"
                },
            );
        }
    }

    #[test]
    fn viewer_never_writes() {
        for resource in Resource::ALL {
            for action in [Create, Update, Delete] {
                assert!(!allows(Role::Viewer, resource, action));
            }
        }
    }

    #[test]
    fn scopes_follow_the_record_rules() {
        let sales_solo = who(Role::Sales, None);
        assert_eq!(sales_solo.scope(Customers), Scope::Own(sales_solo.user_id));
        let sales_team = who(Role::Sales, Some("north"));
        assert_eq!(sales_team.scope(Customers), Scope::Team("north".into()));
        assert_eq!(
            who(Role::Manager, Some("north")).scope(Customers),
            Scope::Team("north".into())
        );
        assert_eq!(who(Role::Manager, None).scope(Customers), Scope::All);
        assert_eq!(who(Role::Viewer, None).scope(Customers), Scope::All);
        assert_eq!(who(Role::Support, Some("x")).scope(Customers), Scope::All);
        // Unowned resources are never narrowed.
        assert_eq!(sales_solo.scope(Tickets), Scope::All);
    }

    #[test]
    fn sees_own_and_team_records_only() {
        let a = who(Role::Sales, None);
        let b = who(Role::Sales, None);
        assert!(a.sees(Customers, Some(a.user_id), None));
        assert!(!a.sees(Customers, Some(b.user_id), None));
        assert!(!a.sees(Customers, None, None));
        let t = who(Role::Sales, Some("north"));
        assert!(t.sees(Customers, Some(b.user_id), Some("north")));
        assert!(!t.sees(Customers, Some(b.user_id), Some("south")));
        assert!(!who(Role::Sales, None).sees(AuditLogs, None, None));
    }

    #[test]
    fn roles_round_trip_and_reject_unknown() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Ok(r));
        }
        assert!(Role::parse("root").is_err());
        assert!(matrix_markdown().contains("| customers |"));
    }
}

#[cfg(test)]
mod docs_tests {
    /// `docs/permissions.md` shows the matrix as the code has it; `UPDATE_DOCS=1 cargo test -p domain` rewrites it.
    #[test]
    fn permissions_doc_matches_the_code() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/permissions.md");
        let doc = std::fs::read_to_string(path).unwrap_or_default();
        let start = "<!-- matrix:start -->\n";
        let end = "<!-- matrix:end -->";
        let (Some(a), Some(b)) = (doc.find(start), doc.find(end)) else {
            panic!("{path} lacks the matrix markers")
        };
        let fresh = format!(
            "{}{start}{}{}",
            &doc[..a],
            super::matrix_markdown(),
            &doc[b..]
        );
        if std::env::var("UPDATE_DOCS").is_ok() {
            std::fs::write(path, &fresh).unwrap();
            return;
        }
        assert_eq!(
            doc, fresh,
            "docs/permissions.md is stale: run UPDATE_DOCS=1 cargo test -p domain"
        );
    }
}
