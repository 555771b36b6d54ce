//! The header: brand, the sections the role may read, the user and "Log out".

use crate::api::auth::logout;
use crate::root::use_session;
use domain::{Action, Resource};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::{use_location, use_navigate};

#[component]
pub fn AppHeader() -> impl IntoView {
    let session = use_session();
    let menu_open = RwSignal::new(false);
    let location = use_location();
    // Close the mobile menu after every navigation.
    Effect::new(move |_| {
        location.pathname.track();
        menu_open.set(false);
    });

    view! {
        <Show when=move || session.is_signed_in()>
            <header class="app-header">
                <A href="/" attr:class="brand">
                    <img src="/favicon.svg" alt="" width="24" height="24" />
                    <span>"CRM-IMS"</span>
                </A>
                <button
                    type="button"
                    class="btn btn-ghost menu-toggle"
                    aria-controls="main-nav"
                    aria-expanded=move || menu_open.get().to_string()
                    on:click=move |_| menu_open.update(|o| *o = !*o)
                >
                    "Menu"
                </button>
                <nav id="main-nav" class="main-nav" class:is-open=move || menu_open.get() aria-label="Main">
                    <NavLinks />
                </nav>
                <crate::live::LiveStatus />
                <super::notification_bell::NotificationBell />
                <UserMenu />
            </header>
        </Show>
    }
}

#[component]
fn NavLinks() -> impl IntoView {
    let session = use_session();
    let can_read = move |r: Resource| session.can(r, Action::Read);
    // Managing users and roles is an admin's job: every role may read the user directory, only admins create.
    let admin = move || session.can(Resource::Users, Action::Create);
    let audit = move || can_read(Resource::AuditLogs);
    view! {
        <ul class="nav-list">
            <Show when=move || can_read(Resource::Reports)>
                <li><A href="/dashboard">"Dashboard"</A></li>
            </Show>
            <Show when=move || can_read(Resource::Customers)>
                <li><A href="/customers">"Customers"</A></li>
            </Show>
            <Show when=move || can_read(Resource::Contacts)>
                <li><A href="/contacts">"Contacts"</A></li>
            </Show>
            <Show when=move || can_read(Resource::Leads)>
                <li><A href="/leads">"Leads"</A></li>
            </Show>
            <Show when=move || can_read(Resource::Tasks)>
                <li><A href="/tasks">"Tasks"</A></li>
            </Show>
            <Show when=move || can_read(Resource::Interactions)>
                <li><A href="/interactions">"Interactions"</A></li>
            </Show>
            // Support tickets and projects (CRM core).
            <Show when=move || can_read(Resource::Tickets)>
                <li><A href="/tickets">"Tickets"</A></li>
            </Show>
            <Show when=move || can_read(Resource::Projects)>
                <li><A href="/projects">"Projects"</A></li>
            </Show>
            // opportunities (pipeline) and the sales-pipeline report
            <Show when=move || can_read(Resource::Opportunities)>
                <li><A href="/pipeline">"Pipeline"</A></li>
            </Show>
            <Show when=move || can_read(Resource::Reports)>
                <li><A href="/reports/pipeline">"Pipeline report"</A></li>
            </Show>
        </ul>
        // Inventory and purchasing (issue #5).
        <Show when=move || can_read(Resource::Assets)>
            <div class="nav-group">
                <span class="nav-group-label" id="nav-inventory-label">"Inventory"</span>
                <ul class="nav-list" aria-labelledby="nav-inventory-label">
                    <li><A href="/assets">"Assets"</A></li>
                    <Show when=move || can_read(Resource::Vendors)>
                        <li><A href="/vendors">"Vendors"</A></li>
                    </Show>
                    <Show when=move || can_read(Resource::PurchaseOrders)>
                        <li><A href="/purchase-orders">"Purchase orders"</A></li>
                    </Show>
                    <li><A href="/demand">"Demand"</A></li>
                    <li><A href="/inventory/reports">"Valuation"</A></li>
                </ul>
            </div>
        </Show>
        <Show when=move || admin() || audit()>
            <div class="nav-group">
                <span class="nav-group-label" id="nav-admin-label">"Admin"</span>
                <ul class="nav-list" aria-labelledby="nav-admin-label">
                    <Show when=admin>
                        <li><A href="/admin/users">"Users"</A></li>
                        <li><A href="/admin/roles">"Roles"</A></li>
                    </Show>
                    <Show when=audit>
                        <li><A href="/admin/audit">"Audit log"</A></li>
                    </Show>
                </ul>
            </div>
        </Show>
        <ul class="nav-list">
            <li>
                <a href="/api/docs" rel="external noopener" target="_blank">"API docs"</a>
            </li>
        </ul>
    }
}

#[component]
fn UserMenu() -> impl IntoView {
    let session = use_session();
    let navigate = use_navigate();
    let busy = RwSignal::new(false);
    let on_logout = move |_| {
        busy.set(true);
        let navigate = navigate.clone();
        spawn_local(async move {
            // Whatever the server answers, this browser is signed out now.
            let _ = logout().await;
            busy.set(false);
            navigate("/login", Default::default());
            session.signed_out();
        });
    };
    view! {
        <div class="user-menu">
            {move || {
                session
                    .user()
                    .map(|u| {
                        view! {
                            <span class="user-name" title=u.email.clone()>{u.name.clone()}</span>
                            <span class="badge badge-role">{u.role.label()}</span>
                        }
                    })
            }}
            <button type="button" class="btn btn-ghost" disabled=move || busy.get() on:click=on_logout>
                "Log out"
            </button>
        </div>
    }
}
