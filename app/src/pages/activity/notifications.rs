//! `/notifications`: all of the caller's notifications, newest first; opening one marks it read.

use crate::api::notifications::{list_notifications, mark_all_notifications_read};
use crate::components::notification_bell::{NotificationItem, unread_changed};
use crate::components::{PagedList, PagedStates, use_toasts};
use domain::notification::{Notification, NotificationQuery};
use leptos::prelude::*;
use leptos::task::spawn_local;

#[component]
pub fn NotificationsPage() -> impl IntoView {
    let toasts = use_toasts();
    let unread_only = RwSignal::new(false);
    let list: PagedList<Notification> = PagedList::new(move |cursor| {
        list_notifications(NotificationQuery {
            unread: unread_only.get().then(|| "true".to_owned()),
            cursor,
            ..Default::default()
        })
    });
    Effect::new(move |_| {
        unread_only.track();
        list.reload();
    });
    // New notifications pushed over the live socket show up without a reload (a burst reloads once).
    crate::live::use_live().on_debounced(
        |m| m.kind == domain::live::NOTIFICATION,
        std::time::Duration::from_millis(500),
        move || list.reload(),
    );
    let read_all = move |_| {
        spawn_local(async move {
            match mark_all_notifications_read().await {
                Ok(()) => {
                    unread_changed();
                    list.reload();
                }
                Err(e) => toasts.error(crate::components::form::problem_message(e.problem(), &[])),
            }
        });
    };
    view! {
        <section class="page page-narrow">
            <header class="page-header">
                <h1>"Notifications"</h1>
                <div class="page-actions">
                    <crate::components::CheckboxField label="Unread only" checked=unread_only />
                    <button type="button" class="btn btn-secondary" on:click=read_all>"Mark all read"</button>
                </div>
            </header>
            <PagedStates list=list empty_title="No notifications.">
                <ul class="notification-list">
                    <For each=move || list.rows.get() key=|n| (n.id, n.read_at) let:n>
                        <NotificationItem notification=n on_read=move |_| list.reload() />
                    </For>
                </ul>
            </PagedStates>
        </section>
    }
}
