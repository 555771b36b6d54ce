//! The lead list as a table (cards on small screens) with row selection, and the lead status badge.

use crate::components::format::{date, iso};
use crate::components::{PagedList, SortHeader};
use crate::root::use_session;
use domain::lead::{Lead, LeadStatus};
use domain::{Action, LeadId, Resource};
use leptos::prelude::*;
use leptos_router::components::A;
use std::collections::HashSet;

pub type LeadSelection = RwSignal<HashSet<LeadId>>;

/// Reuses the customer badge colours: new like a prospect, open work as active, the end states muted.
#[component]
pub fn LeadStatusBadge(status: LeadStatus) -> impl IntoView {
    let tone = match status {
        LeadStatus::New => "prospect",
        LeadStatus::Contacted | LeadStatus::Qualified | LeadStatus::Converted => "active",
        LeadStatus::Disqualified => "inactive",
    };
    view! { <span class=format!("badge badge-{tone}")>{status.label()}</span> }
}

/// The amount with its currency, or a dash.
pub fn money(value: Option<rust_decimal::Decimal>, currency: &str) -> String {
    value.map_or_else(|| "—".to_owned(), |v| format!("{v} {currency}"))
}

fn can_select() -> impl Fn() -> bool + Copy + Send + Sync + 'static {
    let session = use_session();
    move || {
        session.can(Resource::Leads, Action::Update) || session.can(Resource::Leads, Action::Delete)
    }
}

#[component]
pub fn LeadTable(
    list: PagedList<Lead>,
    sort: RwSignal<String>,
    selection: LeadSelection,
) -> impl IntoView {
    let selectable = can_select();
    let all_selected = move || {
        list.rows.with(|rows| {
            !rows.is_empty() && selection.with(|s| rows.iter().all(|l| s.contains(&l.id)))
        })
    };
    let some_selected = move || !all_selected() && selection.with(|s| !s.is_empty());
    let toggle_all = move |ev: leptos::ev::Event| {
        let on = event_target_checked(&ev);
        selection.update(|s| match on {
            true => list
                .rows
                .with_untracked(|rows| s.extend(rows.iter().map(|l| l.id))),
            false => s.clear(),
        });
    };
    view! {
        <Show when=selectable>
            <label class="cards-select-all">
                <input type="checkbox" prop:checked=all_selected prop:indeterminate=some_selected on:change=toggle_all />
                "Select all"
            </label>
        </Show>
        <div class="table-wrap">
            <table class="data-table responsive-table">
                <caption class="sr-only">"Leads"</caption>
                <thead>
                    <tr>
                        <Show when=selectable>
                            <th scope="col" class="col-check">
                                <input
                                    type="checkbox"
                                    aria-label="Select all leads"
                                    prop:checked=all_selected
                                    prop:indeterminate=some_selected
                                    on:change=toggle_all
                                />
                            </th>
                        </Show>
                        <SortHeader label="Name" key="name" sort=sort />
                        <th scope="col">"Status"</th>
                        <th scope="col">"Source"</th>
                        <th scope="col">"Owner"</th>
                        <SortHeader label="Value" key="estimated_value" sort=sort desc_first=true />
                        <SortHeader label="Created" key="created_at" sort=sort desc_first=true />
                        <SortHeader label="Updated" key="updated_at" sort=sort desc_first=true />
                    </tr>
                </thead>
                <tbody>
                    <For each=move || list.rows.get() key=|l| (l.id, l.version) let:lead>
                        <LeadRow lead=lead selection=selection />
                    </For>
                </tbody>
            </table>
        </div>
    }
}

#[component]
fn LeadRow(lead: Lead, selection: LeadSelection) -> impl IntoView {
    let selectable = can_select();
    let id = lead.id;
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
    let name = lead.name.clone();
    let sub = [lead.company.clone(), lead.email.clone()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" · ");
    view! {
        <tr class:is-selected=checked>
            <Show when=selectable>
                <td class="col-check">
                    <input type="checkbox" aria-label=format!("Select {name}") prop:checked=checked on:change=toggle />
                </td>
            </Show>
            <td data-label="Name" class="col-primary">
                <A href=format!("/leads/{id}")>{lead.name.clone()}</A>
                <div class="cell-sub">{sub}</div>
            </td>
            <td data-label="Status">
                <LeadStatusBadge status=lead.status />
            </td>
            <td data-label="Source">{lead.source.label()}</td>
            <td data-label="Owner">{lead.owner_name.clone().unwrap_or_else(|| "—".into())}</td>
            <td data-label="Value">{money(lead.estimated_value, &lead.currency)}</td>
            <td data-label="Created">
                <time datetime=iso(lead.created_at)>{date(lead.created_at)}</time>
            </td>
            <td data-label="Updated">
                <time datetime=iso(lead.updated_at)>{date(lead.updated_at)}</time>
            </td>
        </tr>
    }
}
