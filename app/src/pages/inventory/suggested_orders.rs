//! `/purchase-orders/suggested`: assets at or below their reorder point grouped by vendor, with the quantity to
//! order; "Draft purchase orders" drafts all of them (or one vendor's) in one go.

use crate::api::inventory::{draft_suggested_orders, suggested_orders};
use crate::components::form::problem_message;
use crate::components::states::Allowed;
use crate::components::{EmptyState, ErrorState, Loading, use_toasts};
use crate::pages::inventory::purchase_orders::po_number;
use crate::root::use_session;
use domain::purchase_order::{DraftSuggestedInput, PurchaseOrder, SuggestedOrder};
use domain::{Action, Resource, VendorId};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;

#[component]
pub fn SuggestedOrdersPage() -> impl IntoView {
    view! {
        <Allowed resource=Resource::PurchaseOrders action=Action::Read>
            <Suggestions />
        </Allowed>
    }
}

#[component]
fn Suggestions() -> impl IntoView {
    let session = use_session();
    let toasts = use_toasts();
    let suggestions = LocalResource::new(move || async move { suggested_orders().await });
    let busy = RwSignal::new(false);
    let drafted = RwSignal::new(Vec::<PurchaseOrder>::new());
    let draft = Callback::new(move |vendor_ids: Vec<VendorId>| {
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        spawn_local(async move {
            let result = draft_suggested_orders(DraftSuggestedInput { vendor_ids }).await;
            busy.try_set(false);
            match result {
                Ok(orders) => {
                    toasts.success(match orders.len() {
                        1 => "1 purchase order drafted.".to_owned(),
                        n => format!("{n} purchase orders drafted."),
                    });
                    drafted.update(|d| d.extend(orders));
                    suggestions.refetch();
                }
                Err(e) => toasts.error(problem_message(e.problem(), &e.problem().errors)),
            }
        });
    });
    let can_draft = move || session.can(Resource::PurchaseOrders, Action::Create);
    let has_any = move || {
        suggestions
            .get()
            .is_some_and(|r| r.is_ok_and(|list| !list.is_empty()))
    };
    let retry = Callback::new(move |()| suggestions.refetch());
    view! {
        <section class="page">
            <nav class="breadcrumbs" aria-label="Breadcrumb"><A href="/purchase-orders">"Purchase orders"</A></nav>
            <header class="page-header">
                <div>
                    <h1>"Reorder suggestions"</h1>
                    <p class="page-sub">"Assets at or below their reorder point, by vendor, less what is already on order."</p>
                </div>
                <Show when=move || can_draft() && has_any()>
                    <button
                        type="button"
                        class="btn btn-primary"
                        disabled=move || busy.get()
                        aria-busy=move || busy.get().then_some("true")
                        on:click=move |_| draft.run(Vec::new())
                    >
                        "Draft purchase orders"
                    </button>
                </Show>
            </header>
            <Show when=move || !drafted.with(Vec::is_empty)>
                <div class="form-alert form-alert-success" role="status">
                    <p>"Drafted: "
                        {move || drafted.get().into_iter().map(|po| view! {
                            <A href=format!("/purchase-orders/{}", po.id)>{format!("{} ({})", po_number(&po), po.vendor_name)}</A>
                            " "
                        }).collect_view()}
                    </p>
                </div>
            </Show>
            {move || match suggestions.get() {
                None => view! { <Loading /> }.into_any(),
                Some(Err(e)) => view! { <ErrorState error=e on_retry=retry /> }.into_any(),
                Some(Ok(list)) if list.is_empty() => {
                    view! { <EmptyState title="Nothing to reorder: every asset with a vendor is above its reorder point or on order." /> }.into_any()
                }
                Some(Ok(list)) => list
                    .into_iter()
                    .map(|s| view! { <VendorSuggestion suggestion=s can_draft=Signal::derive(can_draft) busy=busy on_draft=draft /> })
                    .collect_view()
                    .into_any(),
            }}
        </section>
    }
}

#[component]
fn VendorSuggestion(
    suggestion: SuggestedOrder,
    can_draft: Signal<bool>,
    busy: RwSignal<bool>,
    on_draft: Callback<Vec<VendorId>>,
) -> impl IntoView {
    let s = suggestion;
    let vendor = s.vendor_id;
    let title_id = format!("suggested-{vendor}");
    let currency = s.currency.clone();
    let (name, caption) = (
        s.vendor_name.clone(),
        format!("Suggested order from {}", s.vendor_name),
    );
    view! {
        <section class="card suggestion" aria-labelledby=title_id.clone() data-testid="suggested-order">
            <header class="card-header">
                <h2 id=title_id.clone() class="card-title"><A href=format!("/vendors/{vendor}")>{name}</A></h2>
                <Show when=move || can_draft.get()>
                    <button type="button" class="btn btn-secondary" disabled=move || busy.get() on:click=move |_| on_draft.run(vec![vendor])>
                        "Draft this order"
                    </button>
                </Show>
            </header>
            <div class="table-wrap">
                <table class="data-table responsive-table">
                    <caption class="sr-only">{caption}</caption>
                    <thead>
                        <tr>
                            <th scope="col">"Asset"</th>
                            <th scope="col" class="num">"Available"</th>
                            <th scope="col" class="num">"On order"</th>
                            <th scope="col" class="num">"Reorder point"</th>
                            <th scope="col" class="num">"Order"</th>
                            <th scope="col" class="num">"Unit price"</th>
                            <th scope="col" class="num">"Line total"</th>
                        </tr>
                    </thead>
                    <tbody>
                        {s.lines.into_iter().map(|l| {
                            let total = rust_decimal::Decimal::from(l.quantity) * l.unit_price;
                            view! {
                                <tr>
                                    <td data-label="Asset" class="col-primary">
                                        <A href=format!("/assets/{}", l.asset_id)>{l.sku.clone()}</A>
                                        <span class="cell-sub">{format!(" {}", l.name)}</span>
                                    </td>
                                    <td data-label="Available" class="num">{l.available_quantity}</td>
                                    <td data-label="On order" class="num">{l.on_order_quantity}</td>
                                    <td data-label="Reorder point" class="num">{l.reorder_point}</td>
                                    <td data-label="Order" class="num"><strong>{l.quantity}</strong></td>
                                    <td data-label="Unit price" class="num">{l.unit_price.to_string()}</td>
                                    <td data-label="Line total" class="num">{total.to_string()}</td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                    <tfoot>
                        <tr>
                            <th scope="row" colspan="6" class="num">"Total"</th>
                            <td class="num">{format!("{} {currency}", s.total)}</td>
                        </tr>
                    </tfoot>
                </table>
            </div>
        </section>
    }
}
