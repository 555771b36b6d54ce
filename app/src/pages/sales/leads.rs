//! `/leads`: search, filter, sort, page through, select and act on many, create ("n").

use crate::api::leads::list_leads;
use crate::components::paged::PagedStates;
use crate::components::states::Allowed;
use crate::components::timing::on_create_shortcut;
use crate::components::user_choices::UserChoices;
use crate::components::{PagedList, use_toasts};
use crate::pages::sales::lead_bulk::LeadBulkActions;
use crate::pages::sales::lead_filters::{LEAD_FILTERS, LeadFilters, LeadFiltersBar};
use crate::pages::sales::lead_form::NewLeadDialog;
use crate::pages::sales::lead_table::LeadTable;
use crate::root::use_session;
use domain::lead::Lead;
use domain::{Action, Resource};
use leptos::prelude::*;
use std::collections::HashSet;

#[component]
pub fn LeadsPage() -> impl IntoView {
    view! {
        <Allowed resource=Resource::Leads action=Action::Read>
            <LeadList />
        </Allowed>
    }
}

#[component]
fn LeadList() -> impl IntoView {
    let session = use_session();
    let toasts = use_toasts();
    let filters = LeadFilters::new(LEAD_FILTERS);
    filters.sync_with_url();
    let users = UserChoices::load();
    let list = PagedList::new(move |cursor| list_leads(filters.query(cursor, 50)));
    let selection = RwSignal::new(HashSet::new());
    let creating = RwSignal::new(false);
    let can_create = move || session.can(Resource::Leads, Action::Create);

    // Any filter or sort change starts again from the first page (and forgets the selection).
    Effect::new(move |_| {
        filters.query(None, 50);
        selection.set(HashSet::new());
        list.reload();
    });

    on_create_shortcut(creating, can_create);

    let on_created = move |l: Lead| {
        creating.set(false);
        toasts.success(format!("Lead \u{201c}{}\u{201d} created.", l.name));
        list.reload();
    };
    let empty_title = Signal::derive(move || {
        if filters.is_filtered() {
            "No leads match these filters.".to_owned()
        } else {
            "No leads yet.".to_owned()
        }
    });

    view! {
        <section class="page">
            <header class="page-header">
                <div>
                    <h1>"Leads"</h1>
                    <p class="page-sub">{move || summary(list)}</p>
                </div>
                <Show when=can_create>
                    <button
                        type="button"
                        class="btn btn-primary"
                        aria-keyshortcuts="n"
                        title="New lead (N)"
                        on:click=move |_| creating.set(true)
                    >
                        "New lead"
                    </button>
                </Show>
            </header>
            <LeadFiltersBar filters=filters users=users />
            <LeadBulkActions selection=selection users=users on_done=move |_| list.reload() />
            <PagedStates list=list empty_title=empty_title>
                <LeadTable list=list sort=filters.sort() selection=selection />
            </PagedStates>
            <Show when=move || creating.get()>
                <NewLeadDialog users=users on_close=move |_| creating.set(false) on_created=on_created />
            </Show>
        </section>
    }
}

fn summary(list: PagedList<Lead>) -> String {
    let n = list.rows.with(Vec::len);
    let more = list.next_cursor.with(Option::is_some);
    match (n, more) {
        _ if !list.loaded.get() => String::new(),
        (1, false) => "1 lead".to_owned(),
        (n, false) => format!("{n} leads"),
        (n, true) => format!("Showing the first {n} leads"),
    }
}
