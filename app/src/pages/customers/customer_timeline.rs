//! The timeline card of a customer's page: interactions, tasks, tickets, stage changes and record changes,
//! newest first, with "Log interaction".

use crate::api::interactions::customer_timeline;
use crate::components::format::{date_time, iso};
use crate::components::paged::PagedStates;
use crate::components::{PagedList, use_toasts};
use crate::pages::activity::interaction_form::{InteractionDialog, kind_label};
use crate::root::use_session;
use domain::interaction::{
    Interaction, InteractionKind, TimelineEntry, TimelineKind, TimelinePos, TimelineQuery,
};
use domain::{Action, CustomerId, Resource};
use leptos::prelude::*;
use leptos_router::components::A;

/// Bump `reload_key` after a change to the customer (its audit events are part of the feed).
#[component]
pub fn CustomerTimeline(customer_id: CustomerId, reload_key: RwSignal<u32>) -> impl IntoView {
    let session = use_session();
    let toasts = use_toasts();
    let logging = RwSignal::new(false);
    let list = PagedList::new(move |cursor| {
        customer_timeline(
            customer_id,
            TimelineQuery {
                limit: Some("20".into()),
                cursor,
            },
        )
    });
    Effect::new(move |_| {
        reload_key.track();
        list.reload();
    });
    // The new interaction takes its place in the loaded feed (the top, when it happened just now).
    let on_saved = Callback::new(move |i: Interaction| {
        logging.set(false);
        toasts.success("Interaction logged.");
        let entry = entry_of(&i);
        list.rows.update(|rows| {
            let pos = TimelinePos::of(&entry);
            let at = rows
                .iter()
                .position(|r| TimelinePos::newest_first(&pos, &TimelinePos::of(r)).is_lt())
                .unwrap_or(rows.len());
            rows.insert(at, entry);
        });
    });
    view! {
        <section class="card" aria-labelledby="timeline-title">
            <header class="card-header">
                <h2 id="timeline-title" class="card-title">"Timeline"</h2>
                <Show when=move || session.can(Resource::Interactions, Action::Create)>
                    <button type="button" class="btn btn-secondary" on:click=move |_| logging.set(true)>
                        "Log interaction"
                    </button>
                </Show>
            </header>
            <PagedStates list=list empty_title="Nothing has happened with this customer yet.">
                <ol class="timeline">
                    <For each=move || list.rows.get() key=|e| (e.kind, e.id) let:entry>
                        <TimelineItem entry=entry />
                    </For>
                </ol>
            </PagedStates>
        </section>
        <Show when=move || logging.get()>
            <InteractionDialog
                customer_id=customer_id
                interaction=None
                on_close=move |_| logging.set(false)
                on_saved=on_saved
            />
        </Show>
    }
}

/// How a fresh interaction appears in the feed (as the server would list it).
fn entry_of(i: &Interaction) -> TimelineEntry {
    TimelineEntry {
        kind: TimelineKind::Interaction,
        id: i.id.0,
        at: i.occurred_at,
        title: i.subject.clone(),
        summary: i.body.chars().take(280).collect(),
        actor_id: i.author_id,
        actor_name: i.author_name.clone(),
        link: Some(format!("/interactions/{}", i.id)),
        data: serde_json::json!({ "interaction_kind": i.kind, "duration_minutes": i.duration_minutes }),
    }
}

/// An icon and a word for each kind of entry.
fn badge(e: &TimelineEntry) -> (&'static str, String) {
    match e.kind {
        TimelineKind::Interaction => {
            let kind = e.data["interaction_kind"]
                .as_str()
                .and_then(|k| InteractionKind::parse(k).ok())
                .unwrap_or(InteractionKind::Note);
            let icon = match kind {
                InteractionKind::Call => "☎",
                InteractionKind::Email => "✉",
                InteractionKind::Meeting => "👥",
                InteractionKind::Note => "📝",
            };
            (icon, kind_label(kind).to_owned())
        }
        TimelineKind::Task => ("☑", "Task".to_owned()),
        TimelineKind::Ticket => ("🎫", "Ticket".to_owned()),
        TimelineKind::StageChange => ("📈", "Stage change".to_owned()),
        TimelineKind::Audit => ("✎", "Record change".to_owned()),
    }
}

#[component]
fn TimelineItem(entry: TimelineEntry) -> impl IntoView {
    let (icon, label) = badge(&entry);
    let title = match entry.link.clone() {
        Some(href) => view! { <A href=href>{entry.title.clone()}</A> }.into_any(),
        None => view! { <span>{entry.title.clone()}</span> }.into_any(),
    };
    view! {
        <li class="timeline-item">
            <div class="timeline-head">
                <span class="timeline-kind" aria-hidden="true">{icon}</span>
                <span class="badge">{label}</span>
                <span class="timeline-action">{title}</span>
                {entry.actor_name.clone().map(|n| view! { " by " <span class="timeline-actor">{n}</span> })}
                <time class="timeline-time" datetime=iso(entry.at)>{date_time(entry.at)}</time>
            </div>
            {(!entry.summary.is_empty()).then(|| view! { <p class="timeline-summary">{entry.summary.clone()}</p> })}
        </li>
    }
}
