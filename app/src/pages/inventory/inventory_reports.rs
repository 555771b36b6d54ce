//! `/inventory/reports`: the valuation of the stock (cost and book value by top-level category at a date) and the
//! stock-levels export (CSV, every asset, or only those below their reorder point).

use crate::api::inventory::inventory_valuation;
use crate::components::field::TextField;
use crate::components::{EmptyState, ErrorState, Forbidden, Loading};
use crate::root::use_session;
use domain::asset::ValuationRow;
use domain::{Action, Resource};
use leptos::prelude::*;
use rust_decimal::Decimal;

#[component]
pub fn InventoryReportsPage() -> impl IntoView {
    let session = use_session();
    move || {
        if session.can(Resource::Reports, Action::Read)
            && session.can(Resource::Assets, Action::Read)
        {
            view! { <InventoryReports /> }.into_any()
        } else {
            view! { <Forbidden /> }.into_any()
        }
    }
}

#[component]
fn InventoryReports() -> impl IntoView {
    let as_of = RwSignal::new(String::new());
    let date_error = RwSignal::new(None::<String>);
    let rows = LocalResource::new(move || {
        let text = as_of.get();
        async move {
            let date = chrono::NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").ok();
            inventory_valuation(date).await
        }
    });
    Effect::new(move |_| {
        let text = as_of.get();
        let bad = !text.trim().is_empty()
            && chrono::NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").is_err();
        date_error.set(bad.then(|| "must be a date (YYYY-MM-DD)".to_owned()));
    });
    let retry = Callback::new(move |()| rows.refetch());
    view! {
        <section class="page">
            <header class="page-header">
                <div>
                    <h1>"Inventory valuation"</h1>
                    <p class="page-sub">"Cost and book value of the stock owned, by category, at a date (today by default)."</p>
                </div>
                <div class="page-actions">
                    <a class="btn btn-secondary" href="/api/v1/reports/stock-levels?format=csv" download="stock-levels.csv">
                        "Download stock levels (CSV)"
                    </a>
                    <a class="btn btn-secondary" href="/api/v1/reports/stock-levels?format=csv&below_reorder_point=true"
                        download="stock-below-reorder.csv">
                        "Below reorder point (CSV)"
                    </a>
                </div>
            </header>
            <div class="filters">
                <TextField label="As of" value=as_of input_type="date" error=date_error />
            </div>
            {move || match rows.get() {
                None => view! { <Loading /> }.into_any(),
                Some(Err(e)) => view! { <ErrorState error=e on_retry=retry /> }.into_any(),
                Some(Ok(list)) if list.is_empty() => {
                    view! { <EmptyState title="No priced stock to value." /> }.into_any()
                }
                Some(Ok(list)) => view! { <ValuationTable rows=list /> }.into_any(),
            }}
        </section>
    }
}

#[component]
fn ValuationTable(rows: Vec<ValuationRow>) -> impl IntoView {
    let total_cost: Decimal = rows.iter().map(|r| r.cost).sum();
    let total_book: Decimal = rows.iter().map(|r| r.book_value).sum();
    view! {
        <div class="table-wrap">
            <table class="data-table responsive-table" data-testid="valuation-table">
                <caption class="sr-only">"Valuation by category"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Category"</th>
                        <th scope="col" class="num">"Assets"</th>
                        <th scope="col" class="num">"Units"</th>
                        <th scope="col" class="num">"Cost"</th>
                        <th scope="col" class="num">"Book value"</th>
                    </tr>
                </thead>
                <tbody>
                    {rows.into_iter().map(|r| view! {
                        <tr>
                            <td data-label="Category" class="col-primary">{r.category}</td>
                            <td data-label="Assets" class="num">{r.asset_count}</td>
                            <td data-label="Units" class="num">{r.units}</td>
                            <td data-label="Cost" class="num">{r.cost.round_dp(2).to_string()}</td>
                            <td data-label="Book value" class="num">{r.book_value.round_dp(2).to_string()}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
                <tfoot>
                    <tr>
                        <th scope="row" colspan="3">"Total"</th>
                        <td class="num">{total_cost.round_dp(2).to_string()}</td>
                        <td class="num" data-testid="valuation-total">{total_book.round_dp(2).to_string()}</td>
                    </tr>
                </tfoot>
            </table>
        </div>
    }
}
