//! `/leads/:id`: the lead, edit, delete, convert (with duplicate suggestions), what it became, its history.

use crate::api::leads::{delete_lead, get_lead};
use crate::components::format::{date_time, iso};
use crate::components::history::RecordHistory;
use crate::components::user_choices::UserChoices;
use crate::components::{ConfirmDialog, use_toasts};
use crate::pages::customers::customer_detail::or_dash;
use crate::pages::record_page::{IdRoute, Loaded, delete_and_leave};
use crate::pages::sales::lead_convert::{ConversionLinks, ConvertLeadDialog};
use crate::pages::sales::lead_form::EditLeadForm;
use crate::pages::sales::lead_table::{LeadStatusBadge, money};
use crate::root::use_session;
use domain::lead::{Lead, LeadConversion, LeadStatus};
use domain::{Action, LeadId, Resource};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;

#[component]
pub fn LeadDetailPage() -> impl IntoView {
    view! { <IdRoute what="lead" page=|id| view! { <LeadDetail id=id /> } /> }
}

#[component]
fn LeadDetail(id: LeadId) -> impl IntoView {
    let loaded = Loaded::new(move || get_lead(id));
    let editing = RwSignal::new(false);
    let converting = RwSignal::new(false);
    let users = UserChoices::load();
    let reload = loaded.reload;
    let on_saved = Callback::new(move |l: Lead| {
        editing.set(false);
        loaded.saved(l, "Lead saved.");
    });
    let on_converted = Callback::new(move |c: LeadConversion| {
        converting.set(false);
        let message = format!(
            "Converted: customer \u{201c}{}\u{201d} is ready.",
            c.customer.name
        );
        loaded.saved(c.lead, message);
    });

    view! {
        <section class="page">
            <nav class="breadcrumbs" aria-label="Breadcrumb">
                <A href="/leads">"Leads"</A>
            </nav>
            {loaded.view(move |l: Lead| view! {
                <LeadHeader lead=l.clone() editing=editing converting=converting />
                {(l.status == LeadStatus::Converted).then(|| view! { <ConversionLinks lead=l.clone() /> })}
                {if editing.get() {
                    view! {
                        <EditLeadForm
                            lead=l
                            users=users
                            on_saved=on_saved
                            on_cancel=move |_| editing.set(false)
                            on_reload=reload
                        />
                    }
                        .into_any()
                } else {
                    view! { <LeadFacts lead=l /> }.into_any()
                }}
            })}
            <Show when=move || converting.get()>
                {move || loaded.record.get().map(|l| view! {
                    <ConvertLeadDialog lead=l on_close=move |_| converting.set(false) on_converted=on_converted />
                })}
            </Show>
            <Show when=move || !loaded.failed()>
                <RecordHistory entity="lead" id=id.0 reload_key=loaded.changes />
            </Show>
        </section>
    }
}

#[component]
fn LeadHeader(lead: Lead, editing: RwSignal<bool>, converting: RwSignal<bool>) -> impl IntoView {
    let session = use_session();
    let toasts = use_toasts();
    let navigate = use_navigate();
    let confirming = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let (id, name) = (lead.id, lead.name.clone());
    let open = !matches!(lead.status, LeadStatus::Converted);
    let convertible = open && lead.status != LeadStatus::Disqualified;
    let can = move |r: Resource, a: Action| session.can(r, a);
    let on_delete = move |_| {
        let done = ("Lead deleted.", "/leads");
        delete_and_leave(
            delete_lead(id),
            done,
            (busy, confirming),
            toasts,
            navigate.clone(),
        );
    };
    view! {
        <header class="page-header">
            <div>
                <h1>{lead.name.clone()}</h1>
                <p class="page-sub">
                    <LeadStatusBadge status=lead.status />
                    {lead.company.clone().map(|c| format!(" {c}"))}
                </p>
            </div>
            <div class="page-actions">
                <Show when=move || convertible && can(Resource::Leads, Action::Update) && !editing.get()>
                    <button type="button" class="btn btn-primary" on:click=move |_| converting.set(true)>
                        "Convert"
                    </button>
                </Show>
                <Show when=move || open && can(Resource::Leads, Action::Update) && !editing.get()>
                    <button type="button" class="btn btn-secondary" on:click=move |_| editing.set(true)>
                        "Edit"
                    </button>
                </Show>
                <Show when=move || can(Resource::Leads, Action::Delete)>
                    <button type="button" class="btn btn-danger-outline" on:click=move |_| confirming.set(true)>
                        "Delete"
                    </button>
                </Show>
            </div>
        </header>
        <Show when=move || confirming.get()>
            <ConfirmDialog
                title="Delete lead"
                message=format!("Delete \u{201c}{name}\u{201d}? This cannot be undone.")
                confirm_label="Delete"
                busy=busy
                on_confirm=on_delete.clone()
                on_cancel=move |_| confirming.set(false)
            />
        </Show>
    }
}

#[component]
fn LeadFacts(lead: Lead) -> impl IntoView {
    let link = |href: String, text: String| view! { <a href=href rel="external">{text}</a> };
    let text = |v: Option<String>| v.unwrap_or_else(|| "—".to_owned());
    view! {
        <section class="card" aria-labelledby="facts-title">
            <h2 id="facts-title" class="card-title">"Details"</h2>
            <dl class="facts">
                <div>
                    <dt>"Company"</dt>
                    <dd>{text(lead.company.clone())}</dd>
                </div>
                <div>
                    <dt>"Email"</dt>
                    <dd>{or_dash(lead.email.clone().map(|e| link(format!("mailto:{e}"), e)))}</dd>
                </div>
                <div>
                    <dt>"Phone"</dt>
                    <dd>{or_dash(lead.phone.clone().map(|p| link(format!("tel:{p}"), p)))}</dd>
                </div>
                <div>
                    <dt>"Source"</dt>
                    <dd>{lead.source.label()}</dd>
                </div>
                <div>
                    <dt>"Estimated value"</dt>
                    <dd>{money(lead.estimated_value, &lead.currency)}</dd>
                </div>
                <div>
                    <dt>"Owner"</dt>
                    <dd>{text(lead.owner_name.clone())}</dd>
                </div>
                {lead.disqualified_reason.clone().map(|r| view! {
                    <div>
                        <dt>"Why disqualified"</dt>
                        <dd>{r}</dd>
                    </div>
                })}
                <div>
                    <dt>"Notes"</dt>
                    <dd>{if lead.notes.is_empty() { "—".to_owned() } else { lead.notes.clone() }}</dd>
                </div>
                <div>
                    <dt>"Created"</dt>
                    <dd><time datetime=iso(lead.created_at)>{date_time(lead.created_at)}</time></dd>
                </div>
                <div>
                    <dt>"Updated"</dt>
                    <dd><time datetime=iso(lead.updated_at)>{date_time(lead.updated_at)}</time></dd>
                </div>
            </dl>
        </section>
    }
}
