//! The role dashboards' data (`GET /api/v1/dashboard`) and the activity report (`GET /api/v1/reports/activity`):
//! the shapes, the query parsing and which live events should refresh which widget.

use crate::asset::StockLevel;
use crate::opportunity::report::PipelineReport;
use crate::permissions::Role;
use crate::problem::Problem;
use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Which dashboard: each role has its own; an admin may look at any.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DashboardView {
    Sales,
    Manager,
    Support,
    Inventory,
    Admin,
}

impl DashboardView {
    pub const ALL: [DashboardView; 5] = [
        DashboardView::Sales,
        DashboardView::Manager,
        DashboardView::Support,
        DashboardView::Inventory,
        DashboardView::Admin,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DashboardView::Sales => "sales",
            DashboardView::Manager => "manager",
            DashboardView::Support => "support",
            DashboardView::Inventory => "inventory",
            DashboardView::Admin => "admin",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            DashboardView::Sales => "Sales",
            DashboardView::Manager => "Manager",
            DashboardView::Support => "Support",
            DashboardView::Inventory => "Inventory",
            DashboardView::Admin => "Admin",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }

    /// A role's own dashboard (a viewer sees the manager's overview, read-only like everything else).
    pub fn for_role(role: Role) -> Self {
        match role {
            Role::Admin => DashboardView::Admin,
            Role::Manager | Role::Viewer => DashboardView::Manager,
            Role::Sales => DashboardView::Sales,
            Role::Support => DashboardView::Support,
            Role::Inventory => DashboardView::Inventory,
        }
    }

    /// The views a role may open: its own, and every view for admins.
    pub fn allowed(self, role: Role) -> bool {
        role == Role::Admin || self == Self::for_role(role)
    }

    /// Does a live event of this type change what this view shows? (The widget refetches, debounced.)
    pub fn refreshes_on(self, event_type: &str) -> bool {
        let area = event_type.split('.').next().unwrap_or_default();
        // Sales: pipeline, tasks due, recent and weekly activity; manager: pipeline, activity, tickets, stock
        // alerts (with what is on order); support: tickets, tasks, activity; inventory: stock, movements, open
        // orders (with their vendors), top allocations; admin: audit activity, which every write adds to.
        match self {
            DashboardView::Sales => matches!(
                area,
                "opportunity" | "task" | "interaction" | "notification"
            ),
            DashboardView::Manager => matches!(
                area,
                "opportunity" | "interaction" | "ticket" | "stock" | "asset" | "purchase_order"
            ),
            DashboardView::Support => matches!(area, "ticket" | "task" | "interaction"),
            DashboardView::Inventory => {
                matches!(area, "asset" | "stock" | "purchase_order" | "vendor")
            }
            DashboardView::Admin => area != "notification",
        }
    }
}

/// `?view=&from=&to=&team=` as sent.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
pub struct DashboardQuery {
    /// `sales`, `manager`, `support`, `inventory` or `admin`; the caller's own by default.
    pub view: Option<String>,
    /// Start of the activity window (`YYYY-MM-DD`); 8 weeks ago by default.
    pub from: Option<String>,
    /// End of the activity window (inclusive); today by default.
    pub to: Option<String>,
    /// Only reps of this team (managers always see their own team).
    pub team: Option<String>,
}

/// The parsed query: a window of whole days `[from, to]`, at most 366 days.
#[derive(Clone, Debug, PartialEq)]
pub struct DashboardFilter {
    pub view: Option<DashboardView>,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub team: Option<String>,
}

impl DashboardFilter {
    /// The window as timestamps: `[from 00:00, to + 1 day 00:00)` UTC.
    pub fn range(&self) -> (DateTime<Utc>, DateTime<Utc>) {
        let start = |d: NaiveDate| d.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc();
        (start(self.from), start(self.to + Duration::days(1)))
    }
}

fn date(field: &str, v: &Option<String>) -> Result<Option<NaiveDate>, Problem> {
    match v.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| Problem::invalid_field(field, "must be a date YYYY-MM-DD")),
    }
}

impl DashboardQuery {
    pub fn parse(&self, today: NaiveDate) -> Result<DashboardFilter, Problem> {
        let view = match self
            .view
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            None => None,
            Some(s) => Some(DashboardView::parse(s).ok_or_else(|| {
                Problem::invalid_field(
                    "view",
                    "must be one of sales, manager, support, inventory, admin",
                )
            })?),
        };
        let to = date("to", &self.to)?.unwrap_or(today);
        let from = date("from", &self.from)?.unwrap_or(to - Duration::weeks(8) + Duration::days(1));
        if from > to {
            return Err(Problem::invalid_field("from", "must not be after to"));
        }
        if (to - from).num_days() > 366 {
            return Err(Problem::invalid_field(
                "from",
                "the window is at most 366 days",
            ));
        }
        let team = self
            .team
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned);
        Ok(DashboardFilter {
            view,
            from,
            to,
            team,
        })
    }
}

/// The Monday of `d`'s ISO week (the activity report's buckets).
pub fn week_start(d: NaiveDate) -> NaiveDate {
    d - Duration::days(i64::from(d.weekday().num_days_from_monday()))
}

/// One rep's logged interactions in one week.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ActivityRow {
    /// Monday of the week.
    pub week: NaiveDate,
    pub user_id: Option<Uuid>,
    pub user_name: String,
    pub calls: i64,
    pub emails: i64,
    pub meetings: i64,
    pub notes: i64,
    pub total: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ActivityReport {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub data: Vec<ActivityRow>,
}

/// One rep's results in a window: deals closed (by expected close date) and interactions logged.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PerformanceRow {
    pub user_id: Option<Uuid>,
    pub user_name: String,
    pub won: i64,
    pub lost: i64,
    /// won / (won + lost); `None` before anything closed.
    pub win_rate: Option<f64>,
    pub activities: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PerformanceReport {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub data: Vec<PerformanceRow>,
}

/// Joins the win rates per owner with the activity per author: one row per person, busiest first.
pub fn performance_rows(
    wins: &[crate::opportunity::report::OwnerWinRate],
    activity: &[ActivityRow],
) -> Vec<PerformanceRow> {
    let mut rows: Vec<PerformanceRow> = wins
        .iter()
        .map(|w| PerformanceRow {
            user_id: w.owner_id.map(|u| u.0),
            user_name: w
                .owner_name
                .clone()
                .unwrap_or_else(|| "(unassigned)".into()),
            won: w.won,
            lost: w.lost,
            win_rate: w.rate,
            activities: 0,
        })
        .collect();
    for a in activity {
        match rows.iter_mut().find(|r| r.user_id == a.user_id) {
            Some(r) => r.activities += a.total,
            None => rows.push(PerformanceRow {
                user_id: a.user_id,
                user_name: a.user_name.clone(),
                won: 0,
                lost: 0,
                win_rate: None,
                activities: a.total,
            }),
        }
    }
    rows.sort_by(|a, b| {
        (b.won, b.activities)
            .cmp(&(a.won, a.activities))
            .then_with(|| a.user_name.cmp(&b.user_name))
    });
    rows
}

/// How long one rep's opportunities stay in a stage before moving on (completed stays).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RepStageDays {
    pub user_id: Option<Uuid>,
    pub user_name: String,
    pub stage: String,
    pub days: f64,
}

/// A labelled count (a bar, a pie slice, a table row).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Count {
    pub label: String,
    pub count: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TicketStats {
    pub by_status: Vec<Count>,
    /// Open and in-progress tickets by priority.
    pub by_priority: Vec<Count>,
    /// Active tickets past their SLA deadline.
    pub breached: i64,
    pub open: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TaskDue {
    pub id: Uuid,
    pub title: String,
    pub due_at: Option<DateTime<Utc>>,
    pub priority: String,
    pub overdue: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecentActivity {
    pub id: Uuid,
    pub kind: String,
    pub subject: String,
    pub customer_id: Uuid,
    pub customer_name: String,
    pub occurred_at: DateTime<Utc>,
}

/// Allocations and returns per week (units).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MovementWeek {
    pub week: NaiveDate,
    pub allocated: i64,
    pub returned: i64,
    pub received: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OpenOrder {
    pub id: Uuid,
    pub number: i64,
    pub vendor_name: String,
    pub status: String,
    pub expected_on: Option<NaiveDate>,
    pub overdue: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TopAsset {
    pub asset_id: Uuid,
    pub sku: String,
    pub name: String,
    /// Units out on open allocations.
    pub allocated: i64,
}

/// Logins per day, failures apart.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LoginDay {
    pub day: NaiveDate,
    pub succeeded: i64,
    pub failed: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Health {
    pub database_connections: u32,
    pub database_idle: u32,
    /// Outbox events not yet handled, and those given up after repeated failures.
    pub events_pending: i64,
    pub events_failed: i64,
    pub jobs_pending: i64,
    /// WebSocket clients connected to this node.
    pub live_sockets: i64,
    pub uptime_seconds: i64,
}

/// One dashboard: the sections its view shows (the others are absent).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Dashboard {
    pub view: Option<DashboardView>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    /// Sales: the caller's own; manager: the team's (or what the caller may see).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pipeline: Option<PipelineReport>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tasks_due: Option<Vec<TaskDue>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recent_activity: Option<Vec<RecentActivity>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub activity: Option<Vec<ActivityRow>>,
    /// Manager: average days in each stage per rep.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_in_stage_by_rep: Option<Vec<RepStageDays>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tickets: Option<TicketStats>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stock_alerts: Option<Vec<StockLevel>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub movements: Option<Vec<MovementWeek>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub open_orders: Option<Vec<OpenOrder>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub top_allocated: Option<Vec<TopAsset>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub users_by_role: Option<Vec<Count>>,
    /// Unexpired browser sessions (absent when they live in Redis).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active_sessions: Option<i64>,
    /// Active users who signed in within the last 12 hours.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signed_in_recently: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logins: Option<Vec<LoginDay>>,
    /// Audit entries per day in the window.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audit_activity: Option<Vec<Count>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub health: Option<Health>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn the_default_window_is_eight_weeks_up_to_today() {
        let f = DashboardQuery::default().parse(day("2026-12-02")).unwrap();
        assert_eq!((f.from, f.to), (day("2026-10-08"), day("2026-12-02")));
        assert_eq!(f.view, None);
        let (a, b) = f.range();
        assert_eq!((b - a).num_days(), 56);
    }

    #[test]
    fn bad_queries_name_their_field() {
        let q = |view: &str, from: &str, to: &str| DashboardQuery {
            view: Some(view.into()),
            from: Some(from.into()),
            to: Some(to.into()),
            team: None,
        };
        let today = day("2026-12-02");
        let field = |q: DashboardQuery| q.parse(today).unwrap_err().errors[0].field.clone();
        assert_eq!(field(q("boss", "", "")), "view");
        assert_eq!(field(q("sales", "2026-13-01", "")), "from");
        assert_eq!(field(q("sales", "2026-12-02", "2026-12-01")), "from");
        assert_eq!(field(q("sales", "2024-01-01", "2026-12-01")), "from");
        assert_eq!(
            q("inventory", "2026-11-01", "2026-11-30")
                .parse(today)
                .unwrap()
                .view,
            Some(DashboardView::Inventory)
        );
    }

    #[test]
    fn roles_open_their_own_view_and_admins_any() {
        assert!(DashboardView::Sales.allowed(Role::Sales));
        assert!(!DashboardView::Manager.allowed(Role::Sales));
        assert!(DashboardView::Manager.allowed(Role::Viewer));
        assert!(DashboardView::ALL.iter().all(|v| v.allowed(Role::Admin)));
    }

    #[test]
    fn widgets_refresh_on_their_areas_events() {
        assert!(DashboardView::Inventory.refreshes_on("asset.allocated"));
        assert!(!DashboardView::Inventory.refreshes_on("ticket.created"));
        assert!(DashboardView::Manager.refreshes_on("opportunity.won"));
        assert!(DashboardView::Manager.refreshes_on("stock.low"));
        assert!(!DashboardView::Admin.refreshes_on("notification"));
        // Every area a view counts, not only the first four.
        assert!(DashboardView::Sales.refreshes_on("task.created"));
        assert!(DashboardView::Sales.refreshes_on("interaction.deleted"));
        assert!(!DashboardView::Sales.refreshes_on("vendor.updated"));
        assert!(DashboardView::Support.refreshes_on("task.updated"));
        assert!(DashboardView::Support.refreshes_on("interaction.created"));
        assert!(DashboardView::Support.refreshes_on("ticket.deleted"));
        assert!(!DashboardView::Support.refreshes_on("lead.created"));
        assert!(DashboardView::Manager.refreshes_on("interaction.created"));
        assert!(DashboardView::Manager.refreshes_on("asset.updated"));
        assert!(DashboardView::Manager.refreshes_on("opportunity.deleted"));
        assert!(DashboardView::Inventory.refreshes_on("purchase_order.created"));
        assert!(DashboardView::Inventory.refreshes_on("vendor.updated"));
        assert!(DashboardView::Admin.refreshes_on("customer.created"));
    }

    #[test]
    fn performance_joins_wins_and_activity_per_person() {
        use crate::opportunity::report::OwnerWinRate;
        let ann = Uuid::from_u128(1);
        let bob = Uuid::from_u128(2);
        let wins = [OwnerWinRate {
            owner_id: Some(crate::UserId(ann)),
            owner_name: Some("Ann".into()),
            won: 3,
            lost: 1,
            rate: Some(0.75),
        }];
        let act = |user: Uuid, name: &str, week: &str, total: i64| ActivityRow {
            week: day(week),
            user_id: Some(user),
            user_name: name.into(),
            calls: total,
            emails: 0,
            meetings: 0,
            notes: 0,
            total,
        };
        let rows = performance_rows(
            &wins,
            &[
                act(ann, "Ann", "2026-11-23", 4),
                act(bob, "Bob", "2026-11-23", 9),
                act(ann, "Ann", "2026-11-30", 2),
            ],
        );
        assert_eq!(rows.len(), 2);
        assert_eq!(
            (rows[0].user_name.as_str(), rows[0].won, rows[0].activities),
            ("Ann", 3, 6)
        );
        assert_eq!(
            (
                rows[1].user_name.as_str(),
                rows[1].win_rate,
                rows[1].activities
            ),
            ("Bob", None, 9)
        );
    }

    #[test]
    fn weeks_start_on_monday() {
        assert_eq!(week_start(day("2026-12-02")), day("2026-11-30"));
        assert_eq!(week_start(day("2026-11-30")), day("2026-11-30"));
        assert_eq!(week_start(day("2026-12-06")), day("2026-11-30"));
    }
}
