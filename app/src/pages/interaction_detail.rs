//! `/interactions/:id`: the interaction, edit, delete and its history.

use crate::ApiError;
use crate::api::interactions::{delete_interaction, get_interaction};
use crate::components::format::{date_time, iso};
use crate::components::history::RecordHistory;
use crate::components::{ConfirmDialog, ErrorState, Loading, use_toasts};
use crate::pages::customer_detail::or_dash;
use crate::pages::interaction_form::{InteractionDialog, kind_label};
use crate::root::use_session;
use domain::interaction::Interaction;
use domain::{Action, InteractionId, Resource};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_params_map};

#[component]
pub fn InteractionDetailPage() -> impl IntoView {
    let params = use_params_map();
    let id =
        Memo::new(move |_| params.with(|p| p.get("id").and_then(|s| s.parse::<uuid::Uuid>().ok())));
    move || match id.get() {
        Some(id) => view! { <InteractionDetail id=InteractionId(id) /> }.into_any(),
        None => view! {
            <section class="page">
                <ErrorState error=ApiError(domain::Problem::not_found("interaction")) />
            </section>
        }
        .into_any(),
    }
}

#[component]
fn InteractionDetail(id: InteractionId) -> impl IntoView {
    let session = use_session();
    let toasts = use_toasts();
    let navigate = use_navigate();
    let record = RwSignal::new(None::<Interaction>);
    let error = RwSignal::new(None::<ApiError>);
    let editing = RwSignal::new(false);
    let confirming = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let changes = RwSignal::new(0_u32);
    let load = move || {
        error.set(None);
        spawn_local(async move {
            match get_interaction(id).await {
                Ok(i) => {
                    record.try_set(Some(i));
                }
                Err(e) => {
                    session.check(&e);
                    error.try_set(Some(e));
                }
            }
        });
    };
    load();
    let reload = Callback::new(move |()| load());
    let on_saved = Callback::new(move |i: Interaction| {
        record.set(Some(i));
        editing.set(false);
        changes.update(|n| *n += 1);
        toasts.success("Interaction saved.");
    });
    let on_delete = move |_| {
        busy.set(true);
        let navigate = navigate.clone();
        spawn_local(async move {
            let result = delete_interaction(id).await;
            busy.try_set(false);
            match result {
                Ok(()) => {
                    toasts.success("Interaction deleted.");
                    navigate("/interactions", Default::default());
                }
                Err(e) => {
                    session.check(&e);
                    confirming.try_set(false);
                    toasts.error(crate::components::form::problem_message(e.problem(), &[]));
                }
            }
        });
    };
    view! {
        <section class="page">
            <nav class="breadcrumbs" aria-label="Breadcrumb">
                <A href="/interactions">"Interactions"</A>
            </nav>
            {move || {
                if let Some(e) = error.get() {
                    return view! { <ErrorState error=e on_retry=reload /> }.into_any();
                }
                match record.get() {
                    None => view! { <Loading /> }.into_any(),
                    Some(i) => view! { <InteractionFacts interaction=i editing=editing confirming=confirming /> }.into_any(),
                }
            }}
            <Show when=move || error.with(Option::is_none)>
                <RecordHistory entity="interaction" id=id.0 reload_key=changes />
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
