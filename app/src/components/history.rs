//! A record's history as a timeline: who did what, when, and which fields changed from → to.

use crate::api::audit::record_history;
use crate::components::format::{action_verb, changes, date_time, iso};
use crate::components::{EmptyState, ErrorState, Loading};
use domain::audit::AuditEntry;
use leptos::prelude::*;

/// The audit history of any record (`entity` as in the audit log: `customer`, `lead`, `opportunity`, …).
/// Bump `reload_key` after a write to show it.
#[component]
pub fn RecordHistory(
    entity: &'static str,
    id: uuid::Uuid,
    reload_key: RwSignal<u32>,
) -> impl IntoView {
    let history = LocalResource::new(move || {
        reload_key.track();
        async move { record_history(entity.to_owned(), id).await }
    });
    let retry = Callback::new(move |()| history.refetch());
    view! {
        <section class="card" aria-labelledby="history-title">
            <h2 id="history-title" class="card-title">"History"</h2>
            {move || match history.get() {
                None => view! { <Loading label="Loading history…" /> }.into_any(),
                Some(Err(e)) => view! { <ErrorState error=e on_retry=retry /> }.into_any(),
                Some(Ok(entries)) if entries.is_empty() => {
                    view! { <EmptyState title="No changes recorded yet." /> }.into_any()
                }
                Some(Ok(entries)) => {
                    view! {
                        <ol class="timeline">
                            {entries.into_iter().map(|e| view! { <HistoryItem entry=e /> }).collect_view()}
                        </ol>
                    }
                        .into_any()
                }
            }}
        </section>
    }
}

#[component]
pub fn HistoryItem(entry: AuditEntry) -> impl IntoView {
    let rows = changes(&entry.changes);
    let who = entry
        .actor_email
        .clone()
        .unwrap_or_else(|| "System".to_owned());
    view! {
        <li class="timeline-item">
            <div class="timeline-head">
                <span class="timeline-action">{action_verb(&entry.action)}</span>
                " by "
                <span class="timeline-actor">{who}</span>
                <time class="timeline-time" datetime=iso(entry.at)>{date_time(entry.at)}</time>
            </div>
            <ChangeList rows=rows />
        </li>
    }
}

/// `field: from → to` lines.
#[component]
pub fn ChangeList(rows: Vec<(String, String, String)>) -> impl IntoView {
    (!rows.is_empty()).then(|| {
        view! {
            <ul class="change-list">
                {rows
                    .into_iter()
                    .map(|(field, from, to)| {
                        view! {
                            <li>
                                <span class="change-field">{field}</span>
                                ": "
                                <span class="change-from">{from}</span>
                                <span class="change-arrow" aria-label="changed to">" → "</span>
                                <span class="change-to">{to}</span>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        }
    })
}
