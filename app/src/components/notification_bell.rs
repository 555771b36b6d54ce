//! The notification bell in the header: the unread count (patched by each `notification` pushed over the live
//! socket, counted afresh after a resync and, as a fallback, every minute), a panel with the latest
//! notifications (click → mark read and open its record) and "Mark all read".

use crate::api::notifications::{
    list_notifications, mark_all_notifications_read, mark_notification_read, unread_notifications,
};
use crate::components::format::{date_time, iso};
use domain::notification::{Notification, NotificationQuery};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::{use_location, use_navigate};
use std::time::Duration;

/// The window event that tells the bell to count again (a notification was read elsewhere).
const CHANGED: &str = "crm-notifications-changed";
const POLL: Duration = Duration::from_secs(60);

/// Tells the bell that unread notifications changed.
pub fn unread_changed() {
    if let Ok(ev) = leptos::web_sys::Event::new(CHANGED) {
        let _ = window().dispatch_event(&ev);
    }
}

#[component]
pub fn NotificationBell() -> impl IntoView {
    let count = RwSignal::new(0_i64);
    let open = RwSignal::new(false);
    let latest = RwSignal::new(Vec::<Notification>::new());
    let refresh = move || {
        spawn_local(async move {
            if let Ok(c) = unread_notifications().await {
                count.try_set(c.count);
            }
        });
    };
    refresh();
    if let Ok(handle) = set_interval_with_handle(refresh, POLL) {
        on_cleanup(move || handle.clear());
    }
    let changed = window_event_listener_untyped(CHANGED, move |_| refresh());
    on_cleanup(move || changed.remove());
    let load_latest = move || {
        spawn_local(async move {
            let query = NotificationQuery {
                limit: Some("8".into()),
                ..Default::default()
            };
            if let Ok(page) = list_notifications(query).await {
                latest.try_set(page.data);
            }
        });
    };
    // A new notification for me: one more unread, at once (no refetch); after a gap, count again.
    crate::live::use_live().on(move |m| {
        if m.is_resync() {
            refresh();
        } else if m.kind == domain::live::NOTIFICATION {
            count.update(|c| *c += 1);
            if open.get_untracked() {
                load_latest();
            }
        }
    });
    let location = use_location();
    Effect::new(move |_| {
        location.pathname.track();
        open.set(false);
    });
    let toggle = move |_| {
        let now_open = !open.get_untracked();
        open.set(now_open);
        if now_open {
            load_latest();
            refresh();
        }
    };
    let read_all = move |_| {
        spawn_local(async move {
            if mark_all_notifications_read().await.is_ok() {
                count.try_set(0);
                load_latest();
            }
        });
    };
    let label = move || match count.get() {
        0 => "Notifications, none unread".to_owned(),
        n => format!("Notifications, {n} unread"),
    };
    view! {
        <div class="notification-bell">
            <button
                type="button"
                class="btn btn-ghost bell-button"
                aria-label=label
                aria-expanded=move || open.get().to_string()
                aria-controls="notification-panel"
                on:click=toggle
            >
                <span aria-hidden="true">"🔔"</span>
                <Show when=move || { count.get() > 0 }>
                    <span class="bell-count" aria-hidden="true">
                        {move || if count.get() > 99 { "99+".to_owned() } else { count.get().to_string() }}
                    </span>
                </Show>
            </button>
            <Show when=move || open.get()>
                <div id="notification-panel" class="notification-panel" role="region" aria-label="Latest notifications">
                    <div class="notification-panel-head">
                        <strong>"Notifications"</strong>
                        <button type="button" class="btn btn-ghost btn-small" on:click=read_all>"Mark all read"</button>
                    </div>
                    <Show
                        when=move || latest.with(|l| !l.is_empty())
                        fallback=|| view! { <p class="muted">"Nothing new."</p> }
                    >
                        <ul class="notification-list">
                            <For each=move || latest.get() key=|n| (n.id, n.read_at) let:n>
                                <NotificationItem notification=n on_read=move |_| load_latest() />
                            </For>
                        </ul>
                    </Show>
                    <A href="/notifications">"See all notifications"</A>
                </div>
            </Show>
        </div>
    }
}

/// One notification; clicking marks it read and opens its record.
#[component]
pub fn NotificationItem(
    notification: Notification,
    #[prop(into)] on_read: Callback<()>,
) -> impl IntoView {
    let navigate = use_navigate();
    let unread = notification.read_at.is_none();
    let (id, link) = (notification.id, notification.link.clone());
    let open = move |_| {
        let navigate = navigate.clone();
        let link = link.clone();
        spawn_local(async move {
            if unread && mark_notification_read(id).await.is_ok() {
                unread_changed();
                on_read.run(());
            }
            if let Some(link) = link {
                navigate(&link, Default::default());
            }
        });
    };
    view! {
        <li class="notification-item" class:is-unread=unread>
            <button type="button" class="notification-open" on:click=open>
                <span class="notification-title">{notification.title.clone()}</span>
                <span class="cell-sub">{notification.body.clone()}</span>
                <time class="cell-sub" datetime=iso(notification.created_at)>{date_time(notification.created_at)}</time>
            </button>
        </li>
    }
}
