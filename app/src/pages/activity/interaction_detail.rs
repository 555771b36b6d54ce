//! `/interactions/:id`: the interaction, edit, delete and its history.

use crate::api::interactions::{delete_interaction, get_interaction};
use crate::components::format::{date_time, iso};
use crate::components::history::RecordHistory;
use crate::components::{ConfirmDialog, use_toasts};
use crate::pages::activity::interaction_form::{InteractionDialog, kind_label};
use crate::pages::customers::customer_detail::or_dash;
use crate::pages::record_page::{IdRoute, Loaded, delete_and_leave};
use crate::root::use_session;
use domain::interaction::Interaction;
use domain::{Action, InteractionId, Resource};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;

#[component]
pub fn InteractionDetailPage() -> impl IntoView {
    view! { <IdRoute what="interaction" page=|id| view! { <InteractionDetail id=id /> } /> }
}

#[component]
fn InteractionDetail(id: InteractionId) -> impl IntoView {
    let toasts = use_toasts();
    let navigate = use_navigate();
    let loaded = Loaded::new(move || get_interaction(id));
    let record = loaded.record;
    let editing = RwSignal::new(false);
    let confirming = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let on_saved = Callback::new(move |i: Interaction| {
        editing.set(false);
        loaded.saved(i, "Interaction saved.");
    });
    let on_delete = move |_| {
        let done = ("Interaction deleted.", "/interactions");
        delete_and_leave(
            delete_interaction(id),
            done,
            (busy, confirming),
            toasts,
            navigate.clone(),
        );
    };
    view! {
        <section class="page">
            <nav class="breadcrumbs" aria-label="Breadcrumb">
                <A href="/interactions">"Interactions"</A>
            </nav>
            {loaded.view(move |i: Interaction| view! {
                <InteractionFacts interaction=i editing=editing confirming=confirming />
            })}
            <Show when=move || !loaded.failed()>
                <RecordHistory entity="interaction" id=id.0 reload_key=loaded.changes />
            </Show>
        </section>
        {move || {
            let i = record.get().filter(|_| editing.get())?;
            Some(view! {
                <InteractionDialog
                    customer_id=i.customer_id
                    interaction=Some(i)
                    on_close=move |_| editing.set(false)
                    on_saved=on_saved
                />
            })
        }}
        <Show when=move || confirming.get()>
            <ConfirmDialog
                title="Delete interaction"
                message="Delete this interaction? This cannot be undone."
                confirm_label="Delete"
                busy=busy
                on_confirm=on_delete.clone()
                on_cancel=move |_| confirming.set(false)
            />
        </Show>
    }
}

#[component]
fn InteractionFacts(
    interaction: Interaction,
    editing: RwSignal<bool>,
    confirming: RwSignal<bool>,
) -> impl IntoView {
    let session = use_session();
    let i = interaction;
    view! {
        <header class="page-header">
            <div>
                <h1>{i.subject.clone()}</h1>
                <p class="page-sub"><span class="badge">{kind_label(i.kind)}</span></p>
            </div>
            <div class="page-actions">
                <Show when=move || session.can(Resource::Interactions, Action::Update)>
                    <button type="button" class="btn btn-secondary" on:click=move |_| editing.set(true)>
                        "Edit"
                    </button>
                </Show>
                <Show when=move || session.can(Resource::Interactions, Action::Delete)>
                    <button type="button" class="btn btn-danger-outline" on:click=move |_| confirming.set(true)>
                        "Delete"
                    </button>
                </Show>
            </div>
        </header>
        <section class="card" aria-labelledby="facts-title">
            <h2 id="facts-title" class="card-title">"Details"</h2>
            <dl class="facts">
                <div>
                    <dt>"Customer"</dt>
                    <dd>
                        <A href=format!("/customers/{}", i.customer_id)>
                            {i.customer_name.clone().unwrap_or_else(|| "Customer".to_owned())}
                        </A>
                    </dd>
                </div>
                <div>
                    <dt>"When"</dt>
                    <dd><time datetime=iso(i.occurred_at)>{date_time(i.occurred_at)}</time></dd>
                </div>
                <div>
                    <dt>"Duration"</dt>
                    <dd>{or_dash(i.duration_minutes.map(|d| format!("{d} min")))}</dd>
                </div>
                <div>
                    <dt>"Logged by"</dt>
                    <dd>{or_dash(i.author_name.clone())}</dd>
                </div>
                <div>
                    <dt>"Participants"</dt>
                    <dd>{or_dash((!i.participants.is_empty()).then(|| i.participants.join(", ")))}</dd>
                </div>
            </dl>
            <p class="interaction-body">{i.body.clone()}</p>
        </section>
    }
}
