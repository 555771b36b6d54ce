//! `/opportunities`: the pipeline as a table — filter, sort, page through, select and act on many, create.

use crate::api::opportunities::list_opportunities;
use crate::components::format::date;
use crate::components::paged::PagedStates;
use crate::components::states::Allowed;
use crate::components::timing::on_create_shortcut;
use crate::components::user_choices::UserChoices;
use crate::components::{PagedList, SortHeader, use_toasts};
use crate::pages::sales::opportunity_bulk::{OpportunityBulkBar, Selection};
use crate::pages::sales::opportunity_filters::{
    BOARD_FILTERS, OpportunityFilters, OpportunityFiltersBar, TABLE_FILTERS,
};
use crate::pages::sales::opportunity_form::NewOpportunityDialog;
use crate::pages::sales::opportunity_move::money;
use crate::root::use_session;
use domain::opportunity::{Opportunity, Stage};
use domain::{Action, Resource};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;
use std::collections::HashSet;

#[component]
pub fn OpportunitiesPage() -> impl IntoView {
    view! {
        <Allowed resource=Resource::Opportunities action=Action::Read>
            <OpportunityList />
        </Allowed>
    }
}

#[component]
fn OpportunityList() -> impl IntoView {
    let session = use_session();
    let toasts = use_toasts();
    let navigate = use_navigate();
    let filters = OpportunityFilters::new(TABLE_FILTERS);
    filters.sync_with_url();
    let users = UserChoices::load();
    let list = PagedList::new(move |cursor| list_opportunities(filters.query(cursor, 50)));
    let selection: Selection = RwSignal::new(HashSet::new());
    let creating = RwSignal::new(false);
    let can_create = move || session.can(Resource::Opportunities, Action::Create);

    // Any filter or sort change starts again from the first page (and forgets the selection).
    Effect::new(move |_| {
        filters.query(None, 50);
        selection.set(HashSet::new());
        list.reload();
    });

    on_create_shortcut(creating, can_create);

    let on_created = Callback::new(move |o: Opportunity| {
        creating.set(false);
        toasts.success(format!("Opportunity \u{201c}{}\u{201d} created.", o.name));
        navigate(&format!("/opportunities/{}", o.id), Default::default());
    });
    let empty = Signal::derive(move || {
        if filters.is_filtered() {
            "No opportunities match these filters.".to_owned()
        } else {
            "No opportunities yet.".to_owned()
        }
    });

    view! {
        <section class="page">
            <header class="page-header">
                <div>
                    <h1>"Opportunities"</h1>
                </div>
                <div class="page-actions">
                    <A href=move || format!("/pipeline{}", filters.query_string_for(BOARD_FILTERS)) attr:class="btn btn-secondary">
                        "Board view"
                    </A>
                    <Show when=can_create>
                        <button
                            type="button"
                            class="btn btn-primary"
                            aria-keyshortcuts="n"
                            title="New opportunity (N)"
                            on:click=move |_| creating.set(true)
                        >
                            "New opportunity"
                        </button>
                    </Show>
                </div>
            </header>
            <OpportunityFiltersBar filters=filters users=users />
            <OpportunityBulkBar selection=selection users=users on_done=move |_| list.reload() />
            <PagedStates list=list empty_title=empty>
                <OpportunityTable list=list sort=filters.sort() selection=selection />
            </PagedStates>
            <Show when=move || creating.get()>
                <NewOpportunityDialog users=users on_close=move |_| creating.set(false) on_created=on_created />
            </Show>
        </section>
    }
}

#[component]
fn OpportunityTable(
    list: PagedList<Opportunity>,
    sort: RwSignal<String>,
    selection: Selection,
) -> impl IntoView {
    let session = use_session();
    let selectable = move || {
        session.can(Resource::Opportunities, Action::Update)
            || session.can(Resource::Opportunities, Action::Delete)
    };
    let all_selected = move || {
        list.rows.with(|rows| {
            !rows.is_empty() && selection.with(|s| rows.iter().all(|o| s.contains(&o.id)))
        })
    };
    let toggle_all = move |ev: leptos::ev::Event| {
        let on = event_target_checked(&ev);
        selection.update(|s| {
            if on {
                list.rows
                    .with_untracked(|rows| s.extend(rows.iter().map(|o| o.id)));
            } else {
                s.clear();
            }
        });
    };
    view! {
        <div class="table-wrap">
            <table class="data-table responsive-table">
                <caption class="sr-only">"Opportunities"</caption>
                <thead>
                    <tr>
                        <Show when=selectable>
                            <th scope="col" class="col-check">
                                <input
                                    type="checkbox"
                                    aria-label="Select all opportunities"
                                    prop:checked=all_selected
                                    on:change=toggle_all
                                />
                            </th>
                        </Show>
                        <SortHeader label="Name" key="name" sort=sort />
                        <th scope="col">"Customer"</th>
                        <th scope="col">"Stage"</th>
                        <SortHeader label="Amount" key="amount" sort=sort desc_first=true />
                        <SortHeader label="Probability" key="probability" sort=sort desc_first=true />
                        <SortHeader label="Expected close" key="expected_close_date" sort=sort />
                        <th scope="col">"Owner"</th>
                        <SortHeader label="Updated" key="updated_at" sort=sort desc_first=true />
                    </tr>
                </thead>
                <tbody>
                    <For each=move || list.rows.get() key=|o| (o.id, o.version) let:o>
                        <OpportunityRow o=o selection=selection selectable=selectable() />
                    </For>
                </tbody>
            </table>
        </div>
    }
}

#[component]
pub fn StageBadge(stage: Stage) -> impl IntoView {
    view! { <span class=format!("badge badge-stage stage-{}", stage.as_str())>{stage.label()}</span> }
}

#[component]
fn OpportunityRow(o: Opportunity, selection: Selection, selectable: bool) -> impl IntoView {
    let id = o.id;
    let checked = move || selection.with(|s| s.contains(&id));
    let toggle = move |ev: leptos::ev::Event| {
        let on = event_target_checked(&ev);
        selection.update(|s| {
            if on {
                s.insert(id);
            } else {
                s.remove(&id);
            }
        });
    };
    let select_label = format!("Select {}", o.name);
    view! {
        <tr class:is-selected=checked>
            <Show when=move || selectable>
                <td class="col-check">
                    <input type="checkbox" aria-label=select_label.clone() prop:checked=checked on:change=toggle />
                </td>
            </Show>
            <td data-label="Name" class="col-primary">
                <A href=format!("/opportunities/{id}")>{o.name.clone()}</A>
            </td>
            <td data-label="Customer">
                <A href=format!("/customers/{}", o.customer_id)>{o.customer_name.clone().unwrap_or_default()}</A>
            </td>
            <td data-label="Stage"><StageBadge stage=o.stage /></td>
            <td data-label="Amount" class="num">{money(o.amount, &o.currency)}</td>
            <td data-label="Probability" class="num">{format!("{}%", o.probability)}</td>
            <td data-label="Expected close">
                {o.expected_close_date.map(|d| d.to_string()).unwrap_or_else(|| "—".into())}
            </td>
            <td data-label="Owner">{o.owner_name.clone().unwrap_or_else(|| "—".into())}</td>
            <td data-label="Updated">{date(o.updated_at)}</td>
        </tr>
    }
}
