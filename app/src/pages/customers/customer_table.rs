//! The customer list as a table (cards on small screens), with row selection.

use crate::components::format::{date, iso};
use crate::components::{PagedList, SortHeader};
use crate::pages::customers::customer_filters::status_label;
use crate::root::use_session;
use domain::customer::Customer;
use domain::{Action, CustomerId, Resource};
use leptos::prelude::*;
use leptos_router::components::A;
use std::collections::HashSet;

pub type Selection = RwSignal<HashSet<CustomerId>>;

/// Rows can be selected only by someone who may act on many at once (update or delete).
fn can_select() -> impl Fn() -> bool + Copy + Send + Sync + 'static {
    let session = use_session();
    move || {
        session.can(Resource::Customers, Action::Update)
            || session.can(Resource::Customers, Action::Delete)
    }
}

#[component]
pub fn StatusBadge(status: domain::customer::CustomerStatus) -> impl IntoView {
    view! { <span class=format!("badge badge-{}", status.as_str())>{status_label(status)}</span> }
}

#[component]
pub fn CustomerTable(
    list: PagedList<Customer>,
    sort: RwSignal<String>,
    selection: Selection,
) -> impl IntoView {
    let selectable = can_select();
    let all_selected = move || {
        list.rows.with(|rows| {
            !rows.is_empty() && selection.with(|s| rows.iter().all(|c| s.contains(&c.id)))
        })
    };
    let some_selected = move || !all_selected() && selection.with(|s| !s.is_empty());
    let toggle_all = move |ev: leptos::ev::Event| {
        let on = event_target_checked(&ev);
        selection.update(|s| {
            if on {
                list.rows
                    .with_untracked(|rows| s.extend(rows.iter().map(|c| c.id)));
            } else {
                s.clear();
            }
        });
    };
    view! {
        // On phone-width screens the rows are cards and the header row is hidden: this stands in for
        // its checkbox (the CSS shows one or the other).
        <Show when=selectable>
            <label class="cards-select-all">
                <input
                    type="checkbox"
                    prop:checked=all_selected
                    prop:indeterminate=some_selected
                    on:change=toggle_all
                />
                "Select all"
            </label>
        </Show>
        <div class="table-wrap">
            <table class="data-table responsive-table">
                <caption class="sr-only">"Customers"</caption>
                <thead>
                    <tr>
                        <Show when=selectable>
                            <th scope="col" class="col-check">
                                <input
                                    type="checkbox"
                                    aria-label="Select all customers"
                                    prop:checked=all_selected
                                    prop:indeterminate=some_selected
                                    on:change=toggle_all
                                />
                            </th>
                        </Show>
                        <SortHeader label="Name" key="name" sort=sort />
                        <th scope="col">"Status"</th>
                        <th scope="col">"Owner"</th>
                        <th scope="col">"Industry"</th>
                        <th scope="col">"Tags"</th>
                        <SortHeader label="Created" key="created_at" sort=sort desc_first=true />
                        <SortHeader label="Updated" key="updated_at" sort=sort desc_first=true />
                    </tr>
                </thead>
                <tbody>
                    <For each=move || list.rows.get() key=|c| (c.id, c.version) let:customer>
                        <CustomerRow customer=customer selection=selection />
                    </For>
                </tbody>
            </table>
        </div>
    }
}

#[component]
fn CustomerRow(customer: Customer, selection: Selection) -> impl IntoView {
    let selectable = can_select();
    let id = customer.id;
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
    let tags = customer.tags.clone();
    let name = customer.name.clone();
    view! {
        <tr class:is-selected=checked>
            <Show when=selectable>
                <td class="col-check">
                    <input
                        type="checkbox"
                        aria-label=format!("Select {}", name)
                        prop:checked=checked
                        on:change=toggle
                    />
                </td>
            </Show>
            <td data-label="Name" class="col-primary">
                <A href=format!("/customers/{id}")>{customer.name.clone()}</A>
                <div class="cell-sub">{customer.email.clone()}</div>
            </td>
            <td data-label="Status">
                <StatusBadge status=customer.status />
            </td>
            <td data-label="Owner">{customer.owner_name.clone().unwrap_or_else(|| "—".into())}</td>
            <td data-label="Industry">{customer.industry.clone().unwrap_or_else(|| "—".into())}</td>
            <td data-label="Tags">
                <ul class="tag-list">
                    {tags.into_iter().map(|t| view! { <li class="tag">{t}</li> }).collect_view()}
                </ul>
            </td>
            <td data-label="Created">
                <time datetime=iso(customer.created_at)>{date(customer.created_at)}</time>
            </td>
            <td data-label="Updated">
                <time datetime=iso(customer.updated_at)>{date(customer.updated_at)}</time>
            </td>
        </tr>
    }
}
