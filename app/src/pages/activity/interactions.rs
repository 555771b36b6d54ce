//! `/interactions`: every interaction the user may see, newest first; full-text search (`?q=` in the URL),
//! kind and date filters, "Load more".

use crate::api::interactions::list_interactions;
use crate::components::form::optional;
use crate::components::format::{date_time, iso, query_string};
use crate::components::paged::PagedStates;
use crate::components::timing::debounced;
use crate::components::{Forbidden, PagedList, SelectField, TextField};
use crate::pages::activity::interaction_form::kind_label;
use crate::root::use_session;
use domain::interaction::{Interaction, InteractionKind, InteractionQuery};
use domain::{Action, Resource};
use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::components::A;
use leptos_router::hooks::{use_location, use_navigate, use_query_map};
use std::time::Duration;

#[component]
pub fn InteractionsPage() -> impl IntoView {
    let session = use_session();
    move || {
        if session.can(Resource::Interactions, Action::Read) {
            view! { <InteractionList /> }.into_any()
        } else {
            view! { <Forbidden /> }.into_any()
        }
    }
}

#[component]
fn InteractionList() -> impl IntoView {
    let url = use_query_map();
    let from_url = |k: &str| url.with_untracked(|m| m.get(k).unwrap_or_default());
    let q = RwSignal::new(from_url("q"));
    let kind = RwSignal::new(from_url("kind"));
    let from = RwSignal::new(from_url("from"));
    let to = RwSignal::new(from_url("to"));
    let settled = debounced(q, Duration::from_millis(250));
    let query = move |cursor: Option<String>| InteractionQuery {
        q: optional(settled.get()),
        kind: optional(kind.get()),
        from: optional(from.get()),
        to: optional(to.get()),
        limit: Some("50".into()),
        cursor,
        ..Default::default()
    };
    let list = PagedList::new(move |cursor| list_interactions(query(cursor)));
    Effect::new(move |_| {
        query(None);
        list.reload();
    });
    // The filters go into the URL (replacing the entry), so a search can be bookmarked and shared.
    let navigate = use_navigate();
    let here = use_location().pathname.get_untracked();
    Effect::new(move |_| {
        let pairs = [
            ("q", optional(settled.get())),
            ("kind", optional(kind.get())),
            ("from", optional(from.get())),
            ("to", optional(to.get())),
        ];
        navigate(
            &format!("{here}{}", query_string(&pairs)),
            NavigateOptions {
                replace: true,
                scroll: false,
                ..Default::default()
            },
        );
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
        if settled.with(|s| s.trim().is_empty()) {
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
                        value=q
                        input_type="search"
                        placeholder="Words in the subject or notes"
                        class="field-search"
                    />
                    <SelectField label="Kind" value=kind options=kinds />
                    <TextField label="From" value=from input_type="date" />
                    <TextField label="To" value=to input_type="date" />
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
