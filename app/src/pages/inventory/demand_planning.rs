//! `/demand`: every asset that projects still need, against what is available and on order, shortest first;
//! each row opens the dated events (project needs, expected receipts) that give its shortfall date.

use crate::api::inventory::demand_overview;
use crate::components::states::Allowed;
use crate::components::{EmptyState, ErrorState, Loading};
use crate::root::use_session;
use domain::asset::DemandPlan;
use domain::{Action, Resource};
use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn DemandPlanningPage() -> impl IntoView {
    view! {
        <Allowed resource=Resource::Assets action=Action::Read>
            <DemandOverview />
        </Allowed>
    }
}

#[component]
fn DemandOverview() -> impl IntoView {
    let session = use_session();
    let plans = LocalResource::new(move || async move { demand_overview().await });
    let retry = Callback::new(move |()| plans.refetch());
    view! {
        <section class="page">
            <header class="page-header">
                <div>
                    <h1>"Demand planning"</h1>
                    <p class="page-sub">"What projects still need, against stock available and on order."</p>
                </div>
                <Show when=move || session.can(Resource::PurchaseOrders, Action::Read)>
                    <A href="/purchase-orders/suggested" attr:class="btn btn-secondary">"Reorder suggestions"</A>
                </Show>
            </header>
            {move || match plans.get() {
                None => view! { <Loading /> }.into_any(),
                Some(Err(e)) => view! { <ErrorState error=e on_retry=retry /> }.into_any(),
                Some(Ok(list)) if list.is_empty() => view! { <EmptyState title="No open project demand." /> }.into_any(),
                Some(Ok(list)) => view! {
                    <div class="table-wrap">
                        <table class="data-table responsive-table" data-testid="demand-table">
                            <caption class="sr-only">"Demand by asset"</caption>
                            <thead>
                                <tr>
                                    <th scope="col">"Asset"</th>
                                    <th scope="col" class="num">"Available"</th>
                                    <th scope="col" class="num">"Required"</th>
                                    <th scope="col" class="num">"On order"</th>
                                    <th scope="col" class="num">"Shortfall"</th>
                                    <th scope="col">"Short from"</th>
                                    <th scope="col">"Events"</th>
                                </tr>
                            </thead>
                            <tbody>
                                {list.into_iter().map(|p| view! { <DemandRow plan=p /> }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any(),
            }}
        </section>
    }
}

#[component]
fn DemandRow(plan: DemandPlan) -> impl IntoView {
    let p = plan;
    let short = p.shortfall > 0;
    view! {
        <tr class:is-short=short>
            <td data-label="Asset" class="col-primary">
                <A href=format!("/assets/{}", p.asset_id)>{p.sku.clone()}</A>
                <span class="cell-sub">{format!(" {}", p.name)}</span>
            </td>
            <td data-label="Available" class="num">{p.available_quantity}</td>
            <td data-label="Required" class="num">{p.required_quantity}</td>
            <td data-label="On order" class="num">{p.on_order_quantity}</td>
            <td data-label="Shortfall" class="num" data-testid="shortfall">
                {if short {
                    view! { <span class="badge badge-danger">{p.shortfall}</span> }.into_any()
                } else {
                    view! { <span class="badge badge-active">"0"</span> }.into_any()
                }}
            </td>
            <td data-label="Short from">{p.shortfall_date.map(|d| d.to_string()).unwrap_or_else(|| "—".into())}</td>
            <td data-label="Events">
                <details class="demand-events">
                    <summary>{format!("{} dated", p.events.len())}</summary>
                    <ul>
                        {p.events.into_iter().map(|e| {
                            let sign = if e.quantity > 0 { "+" } else { "" };
                            view! { <li><time>{e.date.to_string()}</time>" "{format!("{sign}{}", e.quantity)}" "{e.label}</li> }
                        }).collect_view()}
                    </ul>
                </details>
            </td>
        </tr>
    }
}
