//! "Assets allocated": the allocation history of a project or a customer (what they have, what came back), on
//! their detail pages. Allocating and returning happen on the asset's page.

use crate::api::inventory::allocations_of;
use crate::components::format::{date_time, iso};
use crate::components::{CheckboxField, EmptyState, ErrorState, Loading};
use crate::root::use_session;
use domain::asset::Allocation;
use domain::{Action, CustomerId, ProjectId, Resource};
use leptos::prelude::*;
use leptos_router::components::A;

/// Whose allocations to show.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum AllocatedTo {
    Project(ProjectId),
    Customer(CustomerId),
}

#[component]
pub fn AllocationsCard(to: AllocatedTo) -> impl IntoView {
    let session = use_session();
    let show_closed = RwSignal::new(false);
    let items = LocalResource::new(move || {
        let open_only = !show_closed.get();
        async move {
            let (project, customer) = match to {
                AllocatedTo::Project(p) => (Some(p), None),
                AllocatedTo::Customer(c) => (None, Some(c)),
            };
            allocations_of(project, customer, open_only).await
        }
    });
    let retry = Callback::new(move |()| items.refetch());
    view! {
        <Show when=move || session.can(Resource::Assets, Action::Read)>
            <section class="card" aria-labelledby="allocated-title">
                <div class="card-header">
                    <h2 id="allocated-title" class="card-title">"Assets allocated"</h2>
                    <CheckboxField label="Show returned" checked=show_closed />
                </div>
                {move || match items.get() {
                    None => view! { <Loading /> }.into_any(),
                    Some(Err(e)) => view! { <ErrorState error=e on_retry=retry /> }.into_any(),
                    Some(Ok(list)) if list.is_empty() => {
                        view! { <EmptyState title="No assets allocated." /> }.into_any()
                    }
                    Some(Ok(list)) => view! { <AllocationRows list=list /> }.into_any(),
                }}
            </section>
        </Show>
    }
}

#[component]
fn AllocationRows(list: Vec<Allocation>) -> impl IntoView {
    view! {
        <div class="table-wrap">
            <table class="data-table responsive-table" data-testid="allocated-table">
                <caption class="sr-only">"Assets allocated"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Asset"</th>
                        <th scope="col" class="num">"Quantity"</th>
                        <th scope="col" class="num">"Outstanding"</th>
                        <th scope="col">"Serials"</th>
                        <th scope="col">"Note"</th>
                        <th scope="col">"Allocated"</th>
                    </tr>
                </thead>
                <tbody>
                    {list.into_iter().map(|a| view! {
                        <tr>
                            <td data-label="Asset" class="col-primary">
                                <A href=format!("/assets/{}", a.asset_id)>{a.sku.clone()}</A>
                                <span class="cell-sub">{format!(" {}", a.asset_name)}</span>
                            </td>
                            <td data-label="Quantity" class="num">{a.quantity}</td>
                            <td data-label="Outstanding" class="num">{a.outstanding_quantity}</td>
                            <td data-label="Serials" class="cell-wrap">{a.serials.join(", ")}</td>
                            <td data-label="Note" class="cell-wrap">{a.note.clone()}</td>
                            <td data-label="Allocated"><time datetime=iso(a.allocated_at)>{date_time(a.allocated_at)}</time></td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}
