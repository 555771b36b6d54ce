//! `/dashboard`: the signed-in role's live dashboard. The data comes from one call (`load_dashboard`); socket
//! events that touch what the view shows refetch it, debounced (a burst of events is one refetch), and every
//! chart is patched in place. Each chart has its numbers as a table and an accessible label.

use crate::ApiError;
use crate::api::dashboard::load_dashboard;
use crate::components::chart::{Chart, ChartData, ChartKind, Series};
use crate::components::format::date_time;
use crate::components::states::Allowed;
use crate::components::{ErrorState, Loading, SelectField, TextField};
use crate::live::use_live;
use crate::root::use_session;
use domain::dashboard::{Dashboard, DashboardQuery, DashboardView};
use domain::money::grouped;
use domain::opportunity::Stage;
use domain::{Action, Resource, Role};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use std::time::Duration;

const FAILED: &str = "#dc2626";
/// Socket events are collected this long before the dashboard refetches.
const DEBOUNCE: Duration = Duration::from_millis(1200);

#[component]
pub fn DashboardPage() -> impl IntoView {
    view! {
        <Allowed resource=Resource::Reports action=Action::Read>
            <DashboardBody />
        </Allowed>
    }
}

fn some(s: String) -> Option<String> {
    Some(s.trim().to_owned()).filter(|s| !s.is_empty())
}

fn money(d: Decimal) -> f64 {
    d.to_f64().unwrap_or(0.0)
}

#[component]
fn DashboardBody() -> impl IntoView {
    let session = use_session();
    let live = use_live();
    let role = session.role().unwrap_or(Role::Viewer);
    let own = DashboardView::for_role(role);
    let view_name = RwSignal::new(own.as_str().to_owned());
    let from = RwSignal::new(String::new());
    let to = RwSignal::new(String::new());
    let team = RwSignal::new(String::new());
    let dash = RwSignal::new(Dashboard::default());
    let loaded = RwSignal::new(false);
    let error = RwSignal::new(None::<ApiError>);
    let updated = RwSignal::new(String::new());
    let current = move || DashboardView::parse(&view_name.get_untracked()).unwrap_or(own);
    let load = move || {
        let query = DashboardQuery {
            view: some(view_name.get_untracked()),
            from: some(from.get_untracked()),
            to: some(to.get_untracked()),
            team: some(team.get_untracked()),
        };
        spawn_local(async move {
            match load_dashboard(query).await {
                Ok(d) => {
                    dash.try_set(d);
                    error.try_set(None);
                    loaded.try_set(true);
                    updated.try_set(date_time(chrono::Utc::now()));
                }
                Err(e) => {
                    error.try_set(Some(e));
                }
            }
        });
    };
    Effect::new(move |_| {
        view_name.track();
        from.track();
        to.track();
        team.track();
        load();
    });
    live.on_debounced(move |m| current().refreshes_on(&m.kind), DEBOUNCE, load);
    let views = Signal::derive(move || {
        DashboardView::ALL
            .iter()
            .filter(|v| v.allowed(role))
            .map(|v| (v.as_str().to_owned(), v.label().to_owned()))
            .collect::<Vec<_>>()
    });
    let shown = move || dash.with(|d| d.view);
    let retry = Callback::new(move |()| load());
    view! {
        <section class="page dashboard">
            <header class="page-header">
                <div>
                    <h1>"Dashboard"</h1>
                    <p class="page-sub" aria-live="polite">
                        {move || {
                            let u = updated.get();
                            if u.is_empty() { String::new() } else { format!("Updated {u} · live") }
                        }}
                    </p>
                </div>
            </header>
            <div class="filters filters-inline" role="search" aria-label="Dashboard filters">
                <Show when=move || role == Role::Admin>
                    <SelectField label="View" value=view_name options=views />
                </Show>
                <TextField label="From" value=from input_type="date" />
                <TextField label="To" value=to input_type="date" />
                <Show when=move || matches!(role, Role::Admin | Role::Viewer) || (role == Role::Manager && session.user().is_some_and(|u| u.team.is_none()))>
                    <TextField label="Team" value=team placeholder="All teams" />
                </Show>
            </div>
            {move || error.get().map(|e| view! { <ErrorState error=e on_retry=retry /> })}
            <Show when=move || loaded.get() fallback=|| view! { <Loading label="Loading dashboard…" /> }>
                <div class="dashboard-grid">
                    <Show when=move || dash.with(|d| d.pipeline.is_some())>
                        <PipelineWidgets dash=dash />
                    </Show>
                    <Show when=move || shown() == Some(DashboardView::Manager)>
                        <RepWidgets dash=dash />
                    </Show>
                    <Show when=move || dash.with(|d| d.activity.is_some())>
                        <ActivityWidget dash=dash />
                    </Show>
                    <Show when=move || dash.with(|d| d.tickets.is_some())>
                        <TicketWidgets dash=dash />
                    </Show>
                    <Show when=move || dash.with(|d| d.tasks_due.is_some())>
                        <TasksWidget dash=dash />
                    </Show>
                    <Show when=move || dash.with(|d| d.recent_activity.is_some())>
                        <RecentWidget dash=dash />
                    </Show>
                    <Show when=move || dash.with(|d| d.stock_alerts.is_some())>
                        <StockWidget dash=dash />
                    </Show>
                    <Show when=move || dash.with(|d| d.movements.is_some())>
                        <InventoryWidgets dash=dash />
                    </Show>
                    <Show when=move || dash.with(|d| d.logins.is_some())>
                        <AdminWidgets dash=dash />
                    </Show>
                </div>
            </Show>
        </section>
    }
}

/// The CSV export of a report over the dashboard's window (the REST API; the session cookie authenticates it).
fn export_href(dash: RwSignal<Dashboard>, report: &str) -> String {
    let (from, to) = dash.with(|d| (d.from, d.to));
    format!(
        "/api/v1/reports/{report}{}",
        crate::components::format::query_string(&[
            ("format", Some("csv".to_owned())),
            ("from", from.map(|d| d.to_string())),
            ("to", to.map(|d| d.to_string())),
        ])
    )
}

/// A card with a heading (its id labels the section).
#[component]
fn Card(
    #[prop(into)] title: String,
    #[prop(optional)] wide: bool,
    children: Children,
) -> impl IntoView {
    let id = format!(
        "card-{}",
        title
            .to_lowercase()
            .replace(|c: char| !c.is_alphanumeric(), "-")
    );
    let heading = id.clone();
    view! {
        <section class="card dashboard-card" class:dashboard-card-wide=wide aria-labelledby=id>
            <h2 id=heading class="card-title">{title}</h2>
            {children()}
        </section>
    }
}

/// Key figures as a definition list.
#[component]
fn Figures(#[prop(into)] items: Signal<Vec<(&'static str, String)>>) -> impl IntoView {
    view! {
        <dl class="kpis">
            {move || items.get().into_iter().map(|(k, v)| view! {
                <div class="kpi"><dt>{k}</dt><dd>{v}</dd></div>
            }).collect_view()}
        </dl>
    }
}

#[component]
fn PipelineWidgets(dash: RwSignal<Dashboard>) -> impl IntoView {
    let figures = Signal::derive(move || {
        dash.with(|d| {
            let Some(p) = &d.pipeline else {
                return Vec::new();
            };
            let c = &p.base_currency;
            let t = &p.totals;
            vec![
                ("Open deals", t.open_count.to_string()),
                ("Open amount", format!("{c} {}", grouped(t.open_amount))),
                (
                    "Weighted forecast",
                    format!("{c} {}", grouped(t.weighted_amount)),
                ),
                ("Won", format!("{c} {}", grouped(t.won_amount))),
                ("Lost", format!("{c} {}", grouped(t.lost_amount))),
            ]
        })
    });
    let funnel = Signal::derive(move || {
        dash.with(|d| {
            let stages: Vec<_> = d
                .pipeline
                .iter()
                .flat_map(|p| p.stages.iter())
                .filter(|s| Stage::OPEN.contains(&s.stage))
                .collect();
            ChartData::new(
                ChartKind::Funnel,
                "Stage",
                stages.iter().map(|s| s.stage.label().to_owned()).collect(),
            )
            .series(Series::new(
                "Amount",
                stages.iter().map(|s| money(s.amount)).collect(),
            ))
        })
    });
    let forecast = Signal::derive(move || {
        dash.with(|d| {
            let months: Vec<_> = d.pipeline.iter().flat_map(|p| p.forecast.iter()).collect();
            ChartData::new(
                ChartKind::Bar,
                "Close month",
                months.iter().map(|m| m.month.clone()).collect(),
            )
            .series(Series::new(
                "Weighted",
                months.iter().map(|m| money(m.weighted_amount)).collect(),
            ))
            .series(Series::new(
                "Amount",
                months.iter().map(|m| money(m.amount)).collect(),
            ))
        })
    });
    view! {
        <Card title="Pipeline" wide=true>
            <Figures items=figures />
        </Card>
        <Card title="Open pipeline by stage">
            <Chart data=funnel label="Funnel of open opportunity amounts by stage" />
        </Card>
        <Card title="Forecast by close month">
            <Chart data=forecast label="Bar chart of weighted and total open amounts by expected close month" />
        </Card>
    }
}

#[component]
fn RepWidgets(dash: RwSignal<Dashboard>) -> impl IntoView {
    let win = Signal::derive(move || {
        dash.with(|d| {
            let reps: Vec<_> = d
                .pipeline
                .iter()
                .flat_map(|p| p.win_rate_by_owner.iter())
                .collect();
            ChartData::new(
                ChartKind::Bar,
                "Rep",
                reps.iter()
                    .map(|r| {
                        r.owner_name
                            .clone()
                            .unwrap_or_else(|| "(unassigned)".into())
                    })
                    .collect(),
            )
            .series(Series::new(
                "Win rate %",
                reps.iter()
                    .map(|r| (r.rate.unwrap_or(0.0) * 100.0).round())
                    .collect(),
            ))
            .series(Series::new(
                "Won",
                reps.iter().map(|r| r.won as f64).collect(),
            ))
            .series(Series::new("Lost", reps.iter().map(|r| r.lost as f64).collect()).color(FAILED))
        })
    });
    let days = Signal::derive(move || {
        dash.with(|d| {
            let stages: Vec<_> = d
                .pipeline
                .iter()
                .flat_map(|p| p.avg_days_in_stage.iter())
                .collect();
            ChartData::new(
                ChartKind::Bar,
                "Stage",
                stages.iter().map(|s| s.stage.label().to_owned()).collect(),
            )
            .series(Series::new(
                "Average days",
                stages
                    .iter()
                    .map(|s| (s.days * 10.0).round() / 10.0)
                    .collect(),
            ))
        })
    });
    let rep_days = Signal::derive(move || {
        dash.with(|d| {
            let rows = d.time_in_stage_by_rep.clone().unwrap_or_default();
            let mut reps: Vec<String> = rows.iter().map(|r| r.user_name.clone()).collect();
            reps.dedup();
            let mut data = ChartData::new(ChartKind::Bar, "Rep", reps.clone());
            for stage in Stage::OPEN {
                let days = reps
                    .iter()
                    .map(|rep| {
                        rows.iter()
                            .find(|r| r.user_name == *rep && r.stage == stage.as_str())
                            .map_or(0.0, |r| (r.days * 10.0).round() / 10.0)
                    })
                    .collect();
                data = data.series(Series::new(stage.label(), days));
            }
            data
        })
    });
    view! {
        <Card title="Days in stage per rep">
            <Chart data=rep_days label="Bar chart of the average days each rep's opportunities spend in each open stage" />
        </Card>
        <Card title="Win rate per rep">
            <Chart data=win label="Bar chart of win rate, won and lost deals per rep" />
            <p class="muted"><a href=move || export_href(dash, "performance") rel="external" download="performance.csv">"Export performance per rep (CSV)"</a></p>
        </Card>
        <Card title="Time in stage">
            <Chart data=days label="Bar chart of the average days opportunities spend in each stage" />
        </Card>
    }
}

/// Activities per week: one series per rep on the manager's view (the eight busiest, the rest as "Others"),
/// one per kind on a rep's own.
#[component]
fn ActivityWidget(dash: RwSignal<Dashboard>) -> impl IntoView {
    let chart = Signal::derive(move || {
        dash.with(|d| {
            let rows = d.activity.clone().unwrap_or_default();
            let mut weeks: Vec<_> = rows.iter().map(|r| r.week).collect();
            weeks.sort();
            weeks.dedup();
            let categories = weeks
                .iter()
                .map(|w| w.format("%d %b").to_string())
                .collect();
            let mut data = ChartData::new(ChartKind::StackedBar, "Week of", categories);
            let per_week = |f: &dyn Fn(&domain::dashboard::ActivityRow) -> i64| -> Vec<f64> {
                weeks
                    .iter()
                    .map(|w| rows.iter().filter(|r| r.week == *w).map(f).sum::<i64>() as f64)
                    .collect()
            };
            if d.view == Some(DashboardView::Sales) {
                data = data
                    .series(Series::new("Calls", per_week(&|r| r.calls)))
                    .series(Series::new("E-mails", per_week(&|r| r.emails)))
                    .series(Series::new("Meetings", per_week(&|r| r.meetings)))
                    .series(Series::new("Notes", per_week(&|r| r.notes)));
            } else {
                let mut reps: Vec<(String, i64)> = Vec::new();
                for r in &rows {
                    match reps.iter_mut().find(|(n, _)| *n == r.user_name) {
                        Some(x) => x.1 += r.total,
                        None => reps.push((r.user_name.clone(), r.total)),
                    }
                }
                reps.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
                let top: Vec<String> = reps.iter().take(8).map(|(n, _)| n.clone()).collect();
                for name in &top {
                    data = data.series(Series::new(
                        name.clone(),
                        per_week(&|r| if r.user_name == *name { r.total } else { 0 }),
                    ));
                }
                if reps.len() > top.len() {
                    data = data.series(Series::new(
                        "Others",
                        per_week(&|r| {
                            if top.contains(&r.user_name) {
                                0
                            } else {
                                r.total
                            }
                        }),
                    ));
                }
            }
            data
        })
    });
    view! {
        <Card title="Activities per week" wide=true>
            <Chart data=chart label="Stacked bar chart of logged calls, e-mails, meetings and notes per week" />
            <p class="muted"><a href=move || export_href(dash, "activity") rel="external" download="activity.csv">"Export activity (CSV)"</a></p>
        </Card>
    }
}

#[component]
fn TicketWidgets(dash: RwSignal<Dashboard>) -> impl IntoView {
    let figures = Signal::derive(move || {
        dash.with(|d| {
            d.tickets
                .as_ref()
                .map(|t| {
                    vec![
                        ("Active tickets", t.open.to_string()),
                        ("SLA breached", t.breached.to_string()),
                    ]
                })
                .unwrap_or_default()
        })
    });
    let counts = move |f: fn(&domain::dashboard::TicketStats) -> &Vec<domain::dashboard::Count>,
                       kind,
                       label: &'static str| {
        Signal::derive(move || {
            dash.with(|d| {
                let rows = d.tickets.as_ref().map(f).cloned().unwrap_or_default();
                ChartData::new(
                    kind,
                    label,
                    rows.iter().map(|c| c.label.replace('_', " ")).collect(),
                )
                .series(Series::new(
                    "Tickets",
                    rows.iter().map(|c| c.count as f64).collect(),
                ))
            })
        })
    };
    let by_status = counts(|t| &t.by_status, ChartKind::Bar, "Status");
    let by_priority = counts(|t| &t.by_priority, ChartKind::Pie, "Priority");
    view! {
        <Card title="Tickets">
            <Figures items=figures />
            <Chart data=by_status label="Bar chart of tickets by status" height=200 />
        </Card>
        <Card title="Active tickets by priority">
            <Chart data=by_priority label="Pie chart of open and in-progress tickets by priority" />
            <p class="muted"><A href="/tickets?breached=true">"SLA breaches"</A></p>
        </Card>
    }
}

#[component]
fn TasksWidget(dash: RwSignal<Dashboard>) -> impl IntoView {
    view! {
        <Card title="My tasks due this week">
            {move || {
                let tasks = dash.with(|d| d.tasks_due.clone().unwrap_or_default());
                if tasks.is_empty() {
                    return view! { <p class="muted">"Nothing due. "<A href="/tasks">"All tasks"</A></p> }.into_any();
                }
                view! {
                    <ul class="dashboard-list">
                        {tasks.into_iter().map(|t| view! {
                            <li class:is-overdue=t.overdue>
                                <A href=format!("/tasks/{}", t.id)>{t.title}</A>
                                <span class="muted">
                                    {t.due_at.map(date_time).unwrap_or_default()}
                                    {if t.overdue { " · overdue" } else { "" }}
                                </span>
                            </li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </Card>
    }
}

#[component]
fn RecentWidget(dash: RwSignal<Dashboard>) -> impl IntoView {
    view! {
        <Card title="My recent activity">
            {move || {
                let items = dash.with(|d| d.recent_activity.clone().unwrap_or_default());
                if items.is_empty() {
                    return view! { <p class="muted">"No interactions logged yet."</p> }.into_any();
                }
                view! {
                    <ul class="dashboard-list">
                        {items.into_iter().map(|i| view! {
                            <li>
                                <A href=format!("/interactions/{}", i.id)>{format!("{}: {}", i.kind, i.subject)}</A>
                                <span class="muted">{format!("{} · {}", i.customer_name, date_time(i.occurred_at))}</span>
                            </li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </Card>
    }
}

#[component]
fn StockWidget(dash: RwSignal<Dashboard>) -> impl IntoView {
    let chart = Signal::derive(move || {
        dash.with(|d| {
            let rows = d.stock_alerts.clone().unwrap_or_default();
            ChartData::new(
                ChartKind::Bar,
                "SKU",
                rows.iter().map(|r| r.sku.clone()).collect(),
            )
            .series(Series::new(
                "Available",
                rows.iter()
                    .map(|r| f64::from(r.available_quantity))
                    .collect(),
            ))
            .series(
                Series::new(
                    "Reorder point",
                    rows.iter().map(|r| f64::from(r.reorder_point)).collect(),
                )
                .color(FAILED),
            )
            .series(Series::new(
                "On order",
                rows.iter().map(|r| r.on_order_quantity as f64).collect(),
            ))
        })
    });
    view! {
        <Card title="Stock below reorder point">
            <Chart data=chart label="Bar chart of available stock against reorder points for assets at or below them" />
            <p class="muted"><A href="/purchase-orders/suggested">"Suggested orders"</A></p>
        </Card>
    }
}

#[component]
fn InventoryWidgets(dash: RwSignal<Dashboard>) -> impl IntoView {
    let movements = Signal::derive(move || {
        dash.with(|d| {
            let rows = d.movements.clone().unwrap_or_default();
            ChartData::new(
                ChartKind::Line,
                "Week of",
                rows.iter()
                    .map(|r| r.week.format("%d %b").to_string())
                    .collect(),
            )
            .series(Series::new(
                "Allocated",
                rows.iter().map(|r| r.allocated as f64).collect(),
            ))
            .series(Series::new(
                "Returned",
                rows.iter().map(|r| r.returned as f64).collect(),
            ))
            .series(Series::new(
                "Received",
                rows.iter().map(|r| r.received as f64).collect(),
            ))
        })
    });
    let top = Signal::derive(move || {
        dash.with(|d| {
            let rows = d.top_allocated.clone().unwrap_or_default();
            ChartData::new(
                ChartKind::Bar,
                "SKU",
                rows.iter().map(|r| r.sku.clone()).collect(),
            )
            .series(Series::new(
                "Units out",
                rows.iter().map(|r| r.allocated as f64).collect(),
            ))
        })
    });
    view! {
        <Card title="Allocations and returns" wide=true>
            <Chart data=movements label="Line chart of units allocated, returned and received per week" />
        </Card>
        <Card title="Top allocated assets">
            <Chart data=top label="Bar chart of the assets with the most units out on allocations" />
        </Card>
        <Card title="Open purchase orders">
            {move || {
                let orders = dash.with(|d| d.open_orders.clone().unwrap_or_default());
                if orders.is_empty() {
                    return view! { <p class="muted">"No open orders."</p> }.into_any();
                }
                view! {
                    <table class="data-table">
                        <thead><tr><th scope="col">"PO"</th><th scope="col">"Vendor"</th><th scope="col">"Expected"</th></tr></thead>
                        <tbody>
                            {orders.into_iter().map(|o| view! {
                                <tr class:is-overdue=o.overdue>
                                    <th scope="row"><A href=format!("/purchase-orders/{}", o.id)>{format!("PO-{}", o.number)}</A></th>
                                    <td>{o.vendor_name}</td>
                                    <td>
                                        {o.expected_on.map(|d| d.to_string()).unwrap_or_else(|| "—".into())}
                                        {if o.overdue { " (overdue)" } else { "" }}
                                    </td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}
        </Card>
    }
}

#[component]
fn AdminWidgets(dash: RwSignal<Dashboard>) -> impl IntoView {
    let figures = Signal::derive(move || {
        dash.with(|d| {
            let mut out = Vec::new();
            let users: i64 = d.users_by_role.iter().flatten().map(|c| c.count).sum();
            out.push(("Active users", users.to_string()));
            if let Some(n) = d.signed_in_recently {
                out.push(("Signed in (12 h)", n.to_string()));
            }
            if let Some(s) = d.active_sessions {
                out.push(("Sessions", s.to_string()));
            }
            if let Some(h) = &d.health {
                out.push(("Live sockets (this node)", h.live_sockets.to_string()));
                out.push((
                    "DB connections",
                    format!("{} ({} idle)", h.database_connections, h.database_idle),
                ));
                out.push(("Events pending", h.events_pending.to_string()));
                out.push(("Events failed", h.events_failed.to_string()));
                out.push(("Jobs pending", h.jobs_pending.to_string()));
                out.push((
                    "Uptime",
                    format!(
                        "{} h {} min",
                        h.uptime_seconds / 3600,
                        h.uptime_seconds % 3600 / 60
                    ),
                ));
            }
            out
        })
    });
    let roles = Signal::derive(move || {
        dash.with(|d| {
            let rows = d.users_by_role.clone().unwrap_or_default();
            ChartData::new(
                ChartKind::Pie,
                "Role",
                rows.iter().map(|c| c.label.clone()).collect(),
            )
            .series(Series::new(
                "Users",
                rows.iter().map(|c| c.count as f64).collect(),
            ))
        })
    });
    let logins = Signal::derive(move || {
        dash.with(|d| {
            let rows = d.logins.clone().unwrap_or_default();
            ChartData::new(
                ChartKind::StackedBar,
                "Day",
                rows.iter()
                    .map(|r| r.day.format("%d %b").to_string())
                    .collect(),
            )
            .series(Series::new(
                "Signed in",
                rows.iter().map(|r| r.succeeded as f64).collect(),
            ))
            .series(
                Series::new("Failed", rows.iter().map(|r| r.failed as f64).collect()).color(FAILED),
            )
        })
    });
    let audit = Signal::derive(move || {
        dash.with(|d| {
            let rows = d.audit_activity.clone().unwrap_or_default();
            ChartData::new(
                ChartKind::Line,
                "Day",
                rows.iter().map(|c| c.label.clone()).collect(),
            )
            .series(Series::new(
                "Audit entries",
                rows.iter().map(|c| c.count as f64).collect(),
            ))
        })
    });
    view! {
        <Card title="System" wide=true>
            <Figures items=figures />
            <p class="muted"><a href="/metrics">"Metrics (Prometheus)"</a></p>
        </Card>
        <Card title="Users by role">
            <Chart data=roles label="Pie chart of active users by role" />
        </Card>
        <Card title="Sign-ins per day">
            <Chart data=logins label="Stacked bar chart of successful and failed sign-ins per day" />
        </Card>
        <Card title="Audit activity" wide=true>
            <Chart data=audit label="Line chart of audit log entries per day" />
            <p class="muted"><A href="/admin/audit">"Audit log"</A></p>
        </Card>
    }
}
