//! The app shell: session context, router and layout.

use crate::ApiError;
use crate::api::auth::current_user;
use crate::components::nav::AppHeader;
use crate::components::toast::{ToastHost, provide_toasts};
use crate::components::{Loading, format::encode_query_value};
use crate::pages;
use domain::user::User;
use domain::{Action, Resource, Role};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::{Redirect, Route, Router, Routes};
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

    /// A 401 answer means the session ended (expired, revoked, user deactivated): back to the login page.
    pub fn check(&self, error: &ApiError) {
        if error.problem().status == 401 {
            self.user.try_set(None);
        }
    }
}

pub fn use_session() -> Session {
    expect_context::<Session>()
}

#[component]
pub fn App() -> impl IntoView {
    let session = Session::new();
    provide_context(session);
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
                        <Route path=path!("/") view=|| view! { <Protected><HomeRedirect /></Protected> } />
                        <Route
                            path=path!("/dashboard")
                            view=|| view! { <Protected><pages::dashboard::DashboardPage /></Protected> }
                        />
                        <Route
                            path=path!("/customers")
                            view=|| view! { <Protected><pages::customers::CustomersPage /></Protected> }
                        />
                        <Route
                            path=path!("/customers/:id")
                            view=|| view! { <Protected><pages::customer_detail::CustomerDetailPage /></Protected> }
                        />
                        <Route
                            path=path!("/contacts")
                            view=|| view! { <Protected><pages::contacts::ContactsPage /></Protected> }
                        />
                        // Tasks and notifications.
                        <Route
                            path=path!("/tasks")
                            view=|| view! { <Protected><pages::tasks::TasksPage /></Protected> }
                        />
                        <Route
                            path=path!("/tasks/:id")
                            view=|| view! { <Protected><pages::task_detail::TaskDetailPage /></Protected> }
                        />
                        <Route
                            path=path!("/notifications")
                            view=|| view! { <Protected><pages::notifications::NotificationsPage /></Protected> }
                        />
                        <Route
                            path=path!("/leads")
                            view=|| view! { <Protected><pages::leads::LeadsPage /></Protected> }
                        />
                        <Route
                            path=path!("/leads/:id")
                            view=|| view! { <Protected><pages::lead_detail::LeadDetailPage /></Protected> }
                        />
                        <Route
                            path=path!("/interactions")
                            view=|| view! { <Protected><pages::interactions::InteractionsPage /></Protected> }
                        />
                        <Route
                            path=path!("/interactions/:id")
                            view=|| view! { <Protected><pages::interaction_detail::InteractionDetailPage /></Protected> }
                        />
                        // Support tickets and projects (CRM core).
                        <Route
                            path=path!("/tickets")
                            view=|| view! { <Protected><pages::tickets::TicketsPage /></Protected> }
                        />
                        <Route
                            path=path!("/tickets/:id")
                            view=|| view! { <Protected><pages::ticket_detail::TicketDetailPage /></Protected> }
                        />
                        <Route
                            path=path!("/projects")
                            view=|| view! { <Protected><pages::projects::ProjectsPage /></Protected> }
                        />
                        <Route
                            path=path!("/projects/new")
                            view=|| view! { <Protected><pages::projects::NewProjectPage /></Protected> }
                        />
                        <Route
                            path=path!("/projects/:id")
                            view=|| view! { <Protected><pages::project_detail::ProjectDetailPage /></Protected> }
                        />
                        // opportunities (pipeline) and the sales-pipeline report
                        <Route
                            path=path!("/pipeline")
                            view=|| view! { <Protected><pages::pipeline::PipelinePage /></Protected> }
                        />
                        <Route
                            path=path!("/opportunities")
                            view=|| view! { <Protected><pages::opportunities::OpportunitiesPage /></Protected> }
                        />
                        <Route
                            path=path!("/opportunities/:id")
                            view=|| view! { <Protected><pages::opportunity_detail::OpportunityDetailPage /></Protected> }
                        />
                        <Route
                            path=path!("/reports/pipeline")
                            view=|| view! { <Protected><pages::pipeline_report::PipelineReportPage /></Protected> }
                        />
                        // Inventory and purchasing (issue #5).
                        <Route
                            path=path!("/assets")
                            view=|| view! { <Protected><pages::assets::AssetsPage /></Protected> }
                        />
                        <Route
                            path=path!("/assets/:id")
                            view=|| view! { <Protected><pages::asset_detail::AssetDetailPage /></Protected> }
                        />
                        <Route
                            path=path!("/vendors")
                            view=|| view! { <Protected><pages::vendors::VendorsPage /></Protected> }
                        />
                        <Route
                            path=path!("/vendors/:id")
                            view=|| view! { <Protected><pages::vendor_detail::VendorDetailPage /></Protected> }
                        />
                        <Route
                            path=path!("/purchase-orders")
                            view=|| view! { <Protected><pages::purchase_orders::PurchaseOrdersPage /></Protected> }
                        />
                        <Route
                            path=path!("/purchase-orders/suggested")
                            view=|| view! { <Protected><pages::suggested_orders::SuggestedOrdersPage /></Protected> }
                        />
                        <Route
                            path=path!("/purchase-orders/:id")
                            view=|| view! { <Protected><pages::purchase_order_detail::PurchaseOrderDetailPage /></Protected> }
                        />
                        <Route
                            path=path!("/inventory/reports")
                            view=|| view! { <Protected><pages::inventory_reports::InventoryReportsPage /></Protected> }
                        />
                        <Route
                            path=path!("/demand")
                            view=|| view! { <Protected><pages::demand_planning::DemandPlanningPage /></Protected> }
                        />
                        <Route
                            path=path!("/admin")
                            view=|| view! { <Protected><Redirect path="/admin/users" /></Protected> }
                        />
                        <Route
                            path=path!("/admin/users")
                            view=|| view! { <Protected><pages::admin_users::UsersPage /></Protected> }
                        />
                        <Route
                            path=path!("/admin/roles")
                            view=|| view! { <Protected><pages::admin_roles::RolesPage /></Protected> }
                        />
                        <Route
                            path=path!("/admin/audit")
                            view=|| view! { <Protected><pages::admin_audit::AuditPage /></Protected> }
                        />
                    </Routes>
                </main>
            </Show>
            <ToastHost />
        </Router>
    }
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
