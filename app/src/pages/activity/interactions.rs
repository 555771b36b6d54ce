//! `/interactions`: every interaction the user may see, newest first; full-text search (`?q=` in the URL),
//! kind and date filters, "Load more".

use crate::api::interactions::list_interactions;
use crate::components::format::{date_time, iso};
use crate::components::list_filters::{FilterKey, ListFilters};
use crate::components::paged::PagedStates;
use crate::components::states::Allowed;
use crate::components::{PagedList, SelectField, TextField};
use crate::pages::activity::interaction_form::kind_label;
use domain::interaction::{Interaction, InteractionKind, InteractionQuery};
use domain::{Action, Resource};
use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn InteractionsPage() -> impl IntoView {
    view! {
        <Allowed resource=Resource::Interactions action=Action::Read>
            <InteractionList />
        </Allowed>
    }
}

/// Kept in the URL (`?q=renewal&kind=call&from=2026-01-01`), so a search can be bookmarked and shared.
const INTERACTION_FILTERS: &[FilterKey] = &[
    FilterKey::search(),
    FilterKey::choice("kind"),
    FilterKey::choice("from"),
    FilterKey::choice("to"),
];

#[component]
fn InteractionList() -> impl IntoView {
    let filters = ListFilters::<InteractionQuery>::new(INTERACTION_FILTERS);
    filters.sync_with_url();
    let list = PagedList::new(move |cursor| list_interactions(filters.query(cursor, 50)));
    Effect::new(move |_| {
        filters.query(None, 50);
        list.reload();
    });
    let kinds = Signal::derive(|| {
        let mut out = vec![(String::new(), "Any kind".to_owned())];
        out.extend(
            InteractionKind::ALL
                .iter()
                .map(|k| (k.as_str().to_owned(), kind_label(*k).to_owned())),
        );
        out
    });
    let empty = Signal::derive(move || {
        if filters.settled("q").trim().is_empty() {
            "No interactions yet.".to_owned()
        } else {
            "No interactions match this search.".to_owned()
        }
    });
    view! {
        <section class="page">
            <header class="page-header">
                <h1>"Interactions"</h1>
            </header>
            <div class="filters" role="search">
                <div class="filters-main">
                    <TextField
                        label="Search"
                        value=filters.search()
                        input_type="search"
                        placeholder="Words in the subject or notes"
                        class="field-search"
                    />
                    <SelectField label="Kind" value=filters.signal("kind") options=kinds />
                    <TextField label="From" value=filters.signal("from") input_type="date" />
                    <TextField label="To" value=filters.signal("to") input_type="date" />
                </div>
            </div>
            <PagedStates list=list empty_title=empty>
                <div class="table-wrap">
                    <table class="data-table responsive-table">
                        <caption class="sr-only">"Interactions"</caption>
                        <thead>
                            <tr>
                                <th scope="col">"When"</th>
                                <th scope="col">"Kind"</th>
                                <th scope="col">"Subject"</th>
                                <th scope="col">"Customer"</th>
                                <th scope="col">"By"</th>
                            </tr>
                        </thead>
                        <tbody>
                            <For each=move || list.rows.get() key=|i| (i.id, i.version) let:interaction>
                                <InteractionRow interaction=interaction />
                            </For>
                        </tbody>
                    </table>
                </div>
            </PagedStates>
        </section>
    }
}

#[component]
fn InteractionRow(interaction: Interaction) -> impl IntoView {
    let i = interaction;
    view! {
        <tr>
            <td data-label="When">
                <time datetime=iso(i.occurred_at)>{date_time(i.occurred_at)}</time>
            </td>
            <td data-label="Kind">{kind_label(i.kind)}</td>
            <td data-label="Subject" class="col-primary">
                <A href=format!("/interactions/{}", i.id)>{i.subject.clone()}</A>
            </td>
            <td data-label="Customer">
                <A href=format!("/customers/{}", i.customer_id)>
                    {i.customer_name.clone().unwrap_or_else(|| "Customer".to_owned())}
                </A>
            </td>
            <td data-label="By">{i.author_name.clone().unwrap_or_else(|| "—".to_owned())}</td>
        </tr>
    }
}
