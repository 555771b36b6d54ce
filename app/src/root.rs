//! The app shell: session context, router and layout.

use crate::api::auth::current_user;
use crate::components::nav::AppHeader;
use crate::components::toast::{ToastHost, provide_toasts};
use crate::components::{Loading, format::encode_query_value};
use crate::pages;
use domain::user::User;
use domain::{Action, Resource, Role};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::{Outlet, ParentRoute, Redirect, Route, Router, Routes};
use leptos_router::hooks::use_location;
use leptos_router::path;

/// The signed-in user, shared by every page through context.
#[derive(Clone, Copy)]
pub struct Session {
    user: RwSignal<Option<User>>,
    /// False until the first `current_user()` answer: guards wait instead of redirecting.
    ready: RwSignal<bool>,
}

impl Session {
    fn new() -> Self {
        Self {
            user: RwSignal::new(None),
            ready: RwSignal::new(false),
        }
    }

    pub fn user(&self) -> Option<User> {
        self.user.get()
    }

    pub fn role(&self) -> Option<Role> {
        self.user.with(|u| u.as_ref().map(|u| u.role))
    }

    pub fn is_signed_in(&self) -> bool {
        self.user.with(Option::is_some)
    }

    pub fn is_ready(&self) -> bool {
        self.ready.get()
    }

    /// May the current user take `action` on `resource`? (`false` when signed out.) Reactive.
    pub fn can(&self, resource: Resource, action: Action) -> bool {
        self.role()
            .is_some_and(|role| domain::permissions::allows(role, resource, action))
    }

    pub fn signed_in(&self, user: User) {
        self.user.set(Some(user));
        self.ready.set(true);
    }

    pub fn signed_out(&self) {
        self.user.set(None);
        self.ready.set(true);
    }

    /// The session ended (expired, revoked, user deactivated): back to the login page.
    fn ended(&self) {
        self.user.try_set(None);
    }
}

pub fn use_session() -> Session {
    expect_context::<Session>()
}

#[component]
pub fn App() -> impl IntoView {
    let session = Session::new();
    provide_context(session);
    // Any server function answering 401 ends the session, whichever page called it.
    crate::error::on_unauthorized(move || session.ended());
    let toasts = provide_toasts();
    // One live connection while signed in (reconnects on its own; closed on sign-out).
    let live = crate::live::provide_live();
    Effect::new(move |_| {
        if session.is_signed_in() {
            live.start();
        } else {
            live.stop();
        }
    });

    spawn_local(async move {
        match current_user().await {
            Ok(Some(user)) => session.signed_in(user),
            Ok(None) => session.signed_out(),
            Err(e) => {
                if e.problem().status != 401 {
                    toasts.error(crate::components::form::problem_message(e.problem(), &[]));
                }
                session.signed_out();
            }
        }
    });

    view! {
        <Router>
            <a class="skip-link" href="#main">"Skip to content"</a>
            <Show when=move || session.is_ready() fallback=|| view! { <Loading label="Starting CRM-IMS…" /> }>
                <AppHeader />
                <main id="main" class="main" tabindex="-1">
                    <Routes fallback=pages::not_found::NotFoundPage>
                        <Route path=path!("/login") view=pages::login::LoginPage />
                        // Every other page needs a signed-in user: declared once here.
                        <ParentRoute path=path!("") view=ProtectedArea>
                            <Route path=path!("/") view=HomeRedirect />
                            <Route path=path!("/dashboard") view=pages::dashboard::DashboardPage />
                            <Route path=path!("/customers") view=pages::customers::customer_list::CustomersPage />
                            <Route path=path!("/customers/:id") view=pages::customers::customer_detail::CustomerDetailPage />
                            <Route path=path!("/contacts") view=pages::customers::contacts::ContactsPage />
                            // Tasks and notifications.
                            <Route path=path!("/tasks") view=pages::activity::tasks::TasksPage />
                            <Route path=path!("/tasks/:id") view=pages::activity::task_detail::TaskDetailPage />
                            <Route path=path!("/notifications") view=pages::activity::notifications::NotificationsPage />
                            <Route path=path!("/leads") view=pages::sales::leads::LeadsPage />
                            <Route path=path!("/leads/:id") view=pages::sales::lead_detail::LeadDetailPage />
                            <Route path=path!("/interactions") view=pages::activity::interactions::InteractionsPage />
                            <Route path=path!("/interactions/:id") view=pages::activity::interaction_detail::InteractionDetailPage />
                            // Support tickets and projects (CRM core).
                            <Route path=path!("/tickets") view=pages::service::tickets::TicketsPage />
                            <Route path=path!("/tickets/:id") view=pages::service::ticket_detail::TicketDetailPage />
                            <Route path=path!("/projects") view=pages::service::projects::ProjectsPage />
                            <Route path=path!("/projects/new") view=pages::service::projects::NewProjectPage />
                            <Route path=path!("/projects/:id") view=pages::service::project_detail::ProjectDetailPage />
                            // opportunities (pipeline) and the sales-pipeline report
                            <Route path=path!("/pipeline") view=pages::sales::pipeline::PipelinePage />
                            <Route path=path!("/opportunities") view=pages::sales::opportunities::OpportunitiesPage />
                            <Route path=path!("/opportunities/:id") view=pages::sales::opportunity_detail::OpportunityDetailPage />
                            <Route path=path!("/reports/pipeline") view=pages::sales::pipeline_report::PipelineReportPage />
                            // Inventory and purchasing (issue #5).
                            <Route path=path!("/assets") view=pages::inventory::assets::AssetsPage />
                            <Route path=path!("/assets/:id") view=pages::inventory::asset_detail::AssetDetailPage />
                            <Route path=path!("/vendors") view=pages::inventory::vendors::VendorsPage />
                            <Route path=path!("/vendors/:id") view=pages::inventory::vendor_detail::VendorDetailPage />
                            <Route path=path!("/purchase-orders") view=pages::inventory::purchase_orders::PurchaseOrdersPage />
                            <Route path=path!("/purchase-orders/suggested") view=pages::inventory::suggested_orders::SuggestedOrdersPage />
                            <Route path=path!("/purchase-orders/:id") view=pages::inventory::purchase_order_detail::PurchaseOrderDetailPage />
                            <Route path=path!("/inventory/reports") view=pages::inventory::inventory_reports::InventoryReportsPage />
                            <Route path=path!("/demand") view=pages::inventory::demand_planning::DemandPlanningPage />
                            <Route path=path!("/admin") view=|| view! { <Redirect path="/admin/users" /> } />
                            <Route path=path!("/admin/users") view=pages::admin::admin_users::UsersPage />
                            <Route path=path!("/admin/roles") view=pages::admin::admin_roles::RolesPage />
                            <Route path=path!("/admin/audit") view=pages::admin::admin_audit::AuditPage />
                        </ParentRoute>
                    </Routes>
                </main>
            </Show>
            <ToastHost />
        </Router>
    }
}

/// The parent of every page but the login: the page (its `Outlet`) for a signed-in user, else the login.
#[component]
fn ProtectedArea() -> impl IntoView {
    view! { <Protected><Outlet /></Protected> }
}

/// Renders its children for a signed-in user; otherwise sends the browser to the login page and back here after.
#[component]
fn Protected(children: ChildrenFn) -> impl IntoView {
    let session = use_session();
    let signed_in = Memo::new(move |_| session.is_signed_in());
    let location = use_location();
    move || {
        if signed_in.get() {
            children().into_any()
        } else {
            let here = format!(
                "{}{}",
                location.pathname.get_untracked(),
                location.search.get_untracked()
            );
            let target = if here == "/" || here.is_empty() {
                "/login".to_owned()
            } else {
                format!("/login?next={}", encode_query_value(&here))
            };
            view! { <Redirect path=target /> }.into_any()
        }
    }
}

/// `/`: the role's dashboard, or the customer list for a role without reports.
#[component]
fn HomeRedirect() -> impl IntoView {
    let session = use_session();
    let target = if session.can(Resource::Reports, Action::Read) {
        "/dashboard"
    } else {
        "/customers"
    };
    view! { <Redirect path=target /> }
}
