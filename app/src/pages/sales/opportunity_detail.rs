//! `/opportunities/:id`: the record, move stage, edit (with the 412 prompt), delete, the stage history with
//! the time spent in each stage, the audit history, and "Start project" once won.

use crate::api::opportunities::{
    delete_opportunity, get_opportunity, opportunity_stage_history, update_opportunity,
};
use crate::components::form::{FormAlert, FormButtons};
use crate::components::format::date_time;
use crate::components::history::RecordHistory;
use crate::components::user_choices::UserChoices;
use crate::components::{ConfirmDialog, EmptyState, ErrorState, FormState, Loading, use_toasts};
use crate::pages::record_page::{IdRoute, Loaded, delete_and_leave};
use crate::pages::sales::opportunities::StageBadge;
use crate::pages::sales::opportunity_form::{
    CustomerChoices, OPPORTUNITY_FIELDS, OpportunityFields, OpportunityFormFields, input_of,
    patch_between,
};
use crate::pages::sales::opportunity_move::{
    LostReasonDialog, MoveMenu, money, move_stage, refusal,
};
use crate::root::use_session;
use domain::opportunity::{Opportunity, OpportunityPatch, Stage};
use domain::{Action, OpportunityId, Resource};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;

pub const STALE_MESSAGE: &str =
    "This opportunity was changed by someone else since you opened it. Reload to see the changes.";

#[component]
pub fn OpportunityDetailPage() -> impl IntoView {
    view! { <IdRoute what="opportunity" page=|id| view! { <OpportunityDetail id=id /> } /> }
}

#[component]
fn OpportunityDetail(id: OpportunityId) -> impl IntoView {
    let session = use_session();
    let toasts = use_toasts();
    let loaded = Loaded::new(move || get_opportunity(id));
    let editing = RwSignal::new(false);
    let asking_reason = RwSignal::new(false);
    let users = UserChoices::load();
    let reload = loaded.reload;
    let saved = Callback::new(move |o: Opportunity| {
        editing.set(false);
        loaded.saved(o, "Opportunity saved.");
    });
    let do_move = move |o: Opportunity, to: Stage, reason: Option<String>| {
        spawn_local(async move {
            match move_stage(&o, to, reason).await {
                Ok(o) => saved.run(o),
                Err(e) => {
                    toasts.error(refusal(&e));
                    if e.problem().status == 412 {
                        reload.run(());
                    }
                }
            }
        });
    };
    let on_move = Callback::new(move |(o, to): (Opportunity, Stage)| {
        if to == Stage::Lost {
            asking_reason.set(true);
        } else {
            do_move(o, to, None);
        }
    });
    let can_update = move || session.can(Resource::Opportunities, Action::Update);

    view! {
        <section class="page">
            <nav class="breadcrumbs" aria-label="Breadcrumb">
                <A href="/pipeline">"Pipeline"</A>
                " / "
                <A href="/opportunities">"Opportunities"</A>
            </nav>
            {loaded.view(move |o: Opportunity| {
                let body = if editing.get() {
                    view! { <EditOpportunityForm opportunity=o.clone() users=users on_saved=saved on_cancel=move |_| editing.set(false) on_reload=reload /> }
                        .into_any()
                } else {
                    view! { <OpportunityFacts o=o.clone() /> }.into_any()
                };
                view! {
                    <OpportunityHeader o=o.clone() editing=editing />
                    <Show when=can_update>
                        <div class="detail-actions">
                            <MoveMenu opportunity=o.clone() on_move=on_move />
                        </div>
                    </Show>
                    {body}
                }
            })}
            {move || {
                asking_reason.get().then(|| {
                    let o = loaded.record.get_untracked();
                    view! {
                        <LostReasonDialog
                            name=o.as_ref().map(|o| o.name.clone()).unwrap_or_default()
                            on_cancel=move |_| asking_reason.set(false)
                            on_confirm=move |reason: String| {
                                asking_reason.set(false);
                                if let Some(o) = o.clone() {
                                    do_move(o, Stage::Lost, Some(reason));
                                }
                            }
                        />
                    }
                })
            }}
            <Show when=move || !loaded.failed()>
                <StageHistory id=id reload_key=loaded.changes />
                <RecordHistory entity="opportunity" id=id.0 reload_key=loaded.changes />
            </Show>
        </section>
    }
}

#[component]
fn OpportunityHeader(o: Opportunity, editing: RwSignal<bool>) -> impl IntoView {
    let session = use_session();
    let toasts = use_toasts();
    let navigate = use_navigate();
    let confirming = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let id = o.id;
    let won = o.stage == Stage::Won;
    let on_delete = move |_| {
        let done = ("Opportunity deleted.", "/opportunities");
        delete_and_leave(
            delete_opportunity(id),
            done,
            (busy, confirming),
            toasts,
            navigate.clone(),
        );
    };
    let can = move |a: Action| session.can(Resource::Opportunities, a);
    view! {
        <header class="page-header">
            <div>
                <h1>{o.name.clone()}</h1>
                <p class="page-sub">
                    <StageBadge stage=o.stage />
                    " " {money(o.amount, &o.currency)} " · " {format!("{}%", o.probability)}
                </p>
            </div>
            <div class="page-actions">
                <Show when=move || won && session.can(Resource::Projects, Action::Create)>
                    <A href=format!("/projects/new?opportunity_id={id}") attr:class="btn btn-primary">
                        "Start project"
                    </A>
                </Show>
                <Show when=move || can(Action::Update) && !editing.get()>
                    <button type="button" class="btn btn-secondary" on:click=move |_| editing.set(true)>
                        "Edit"
                    </button>
                </Show>
                <Show when=move || can(Action::Delete)>
                    <button type="button" class="btn btn-danger" on:click=move |_| confirming.set(true)>
                        "Delete"
                    </button>
                </Show>
            </div>
        </header>
        <Show when=move || confirming.get()>
            <ConfirmDialog
                title="Delete this opportunity?"
                message="The opportunity and its stage history will be deleted. This cannot be undone."
                confirm_label="Delete"
                busy=busy
                on_confirm=on_delete.clone()
                on_cancel=move |_| confirming.set(false)
            />
        </Show>
    }
}

#[component]
fn OpportunityFacts(o: Opportunity) -> impl IntoView {
    let text = |v: Option<String>| {
        v.filter(|s| !s.is_empty())
            .unwrap_or_else(|| "—".to_owned())
    };
    view! {
        <section class="card" aria-label="Details">
            <dl class="facts">
                <dt>"Customer"</dt>
                <dd><A href=format!("/customers/{}", o.customer_id)>{text(o.customer_name.clone())}</A></dd>
                <dt>"Stage"</dt>
                <dd><StageBadge stage=o.stage /></dd>
                <dt>"Amount"</dt>
                <dd>{money(o.amount, &o.currency)}</dd>
                <dt>"Probability"</dt>
                <dd>{format!("{}%", o.probability)}</dd>
                <dt>"Expected close"</dt>
                <dd>{text(o.expected_close_date.map(|d| d.to_string()))}</dd>
                <dt>"Owner"</dt>
                <dd>{text(o.owner_name.clone())}</dd>
                <dt>"In this stage since"</dt>
                <dd>{date_time(o.stage_changed_at)}</dd>
                <dt>"Closed"</dt>
                <dd>{text(o.closed_at.map(date_time))}</dd>
                <dt>"Lost reason"</dt>
                <dd>{text(o.lost_reason.clone())}</dd>
                <dt>"Description"</dt>
                <dd>{text(Some(o.description.clone()))}</dd>
            </dl>
        </section>
    }
}

#[component]
fn EditOpportunityForm(
    opportunity: Opportunity,
    users: UserChoices,
    #[prop(into)] on_saved: Callback<Opportunity>,
    #[prop(into)] on_cancel: Callback<()>,
    #[prop(into)] on_reload: Callback<()>,
) -> impl IntoView {
    let form = FormState::new();
    let customers = CustomerChoices::load();
    let before = input_of(&opportunity);
    let fields = OpportunityFields::from_input(&before);
    let (id, version) = (opportunity.id, opportunity.version);
    let unchanged = StoredValue::new(opportunity);
    let before = StoredValue::new(before);
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if form.busy.get_untracked() {
            return;
        }
        form.clear();
        let input = match fields.input() {
            Ok(input) => input,
            Err(problem) => return form.show_invalid(problem),
        };
        let patch = before.with_value(|b| patch_between(b, input));
        if patch == OpportunityPatch::default() {
            on_saved.run(unchanged.get_value());
            return;
        }
        form.busy.set(true);
        spawn_local(async move {
            let result = update_opportunity(id, version, patch).await;
            form.busy.try_set(false);
            match result {
                Ok(o) => on_saved.run(o),
                Err(e) => {
                    if e.problem().status == 412 {
                        form.status.set(Some(412));
                    } else {
                        form.show_error(&e, &OPPORTUNITY_FIELDS);
                    }
                }
            }
        });
    };
    view! {
        <section class="card" aria-labelledby="edit-title">
            <h2 id="edit-title" class="card-title">"Edit opportunity"</h2>
            <form novalidate on:submit=on_submit>
                <Show when=move || form.status.get() == Some(412)>
                    <div class="form-alert form-alert-warning" role="alert">
                        <p>{STALE_MESSAGE}</p>
                        <button type="button" class="btn btn-secondary" on:click=move |_| on_reload.run(())>
                            "Reload"
                        </button>
                    </div>
                </Show>
                <FormAlert form=form />
                <OpportunityFormFields fields=fields form=form users=users customers=customers />
                <FormButtons form=form submit_label="Save" on_cancel=on_cancel />
            </form>
        </section>
    }
}

/// The stages entered, oldest first, with the days spent in each.
#[component]
fn StageHistory(id: OpportunityId, reload_key: RwSignal<u32>) -> impl IntoView {
    let history = LocalResource::new(move || {
        reload_key.track();
        async move { opportunity_stage_history(id).await }
    });
    let retry = Callback::new(move |()| history.refetch());
    view! {
        <section class="card" aria-labelledby="stages-title">
            <h2 id="stages-title" class="card-title">"Stage history"</h2>
            {move || match history.get() {
                None => view! { <Loading label="Loading stages…" /> }.into_any(),
                Some(Err(e)) => view! { <ErrorState error=e on_retry=retry /> }.into_any(),
                Some(Ok(rows)) if rows.is_empty() => view! { <EmptyState title="No stage changes yet." /> }.into_any(),
                Some(Ok(rows)) => {
                    let now = chrono::Utc::now();
                    view! {
                        <ol class="timeline">
                            {rows
                                .into_iter()
                                .map(|c| {
                                    let days = c.days_in_stage(now);
                                    let still = c.left_at.is_none();
                                    view! {
                                        <li class="timeline-item">
                                            <StageBadge stage=c.to_stage />
                                            " " {c.amount.to_string()} " · " {format!("{}%", c.probability)}
                                            <p class="cell-sub">
                                                {date_time(c.changed_at)} " · "
                                                {c.changed_by_name.clone().unwrap_or_else(|| "System".into())} " · "
                                                {format!(
                                                    "{days} day{} in this stage{}",
                                                    if days == 1 { "" } else { "s" },
                                                    if still { " so far" } else { "" },
                                                )}
                                            </p>
                                        </li>
                                    }
                                })
                                .collect_view()}
                        </ol>
                    }
                        .into_any()
                }
            }}
        </section>
    }
}
