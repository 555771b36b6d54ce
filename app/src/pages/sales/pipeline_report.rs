//! `/reports/pipeline`: the sales-pipeline report as tables with simple CSS bars.

use crate::api::opportunities::sales_pipeline_report;
use crate::components::states::Allowed;
use crate::components::user_choices::UserChoices;
use crate::components::{ErrorState, Loading, SelectField, TextField};
use domain::opportunity::report::{PipelineQuery, PipelineReport};
use domain::{Action, Resource};
use leptos::prelude::*;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

#[component]
pub fn PipelineReportPage() -> impl IntoView {
    view! {
        <Allowed resource=Resource::Reports action=Action::Read>
            <ReportView />
        </Allowed>
    }
}

fn some(s: String) -> Option<String> {
    Some(s.trim().to_owned()).filter(|s| !s.is_empty())
}

#[component]
fn ReportView() -> impl IntoView {
    let users = UserChoices::load();
    let owner = RwSignal::new(String::new());
    let from = RwSignal::new(String::new());
    let to = RwSignal::new(String::new());
    let report = LocalResource::new(move || {
        let query = PipelineQuery {
            owner_id: some(owner.get()),
            from: some(from.get()),
            to: some(to.get()),
            format: None,
        };
        async move { sales_pipeline_report(query).await }
    });
    let retry = Callback::new(move |()| report.refetch());
    // The same filters as a CSV file (the REST API; the session cookie authenticates it).
    let csv_href = move || {
        format!(
            "/api/v1/reports/sales-pipeline{}",
            crate::components::format::query_string(&[
                ("format", Some("csv".to_owned())),
                ("owner_id", some(owner.get())),
                ("from", some(from.get())),
                ("to", some(to.get())),
            ])
        )
    };
    view! {
        <section class="page">
            <header class="page-header">
                <div>
                    <h1>"Sales pipeline"</h1>
                    <p class="page-sub">"Amounts in the base currency; weighted = amount × probability."</p>
                </div>
                <a class="btn btn-secondary" href=csv_href rel="external" download="sales-pipeline.csv">"Download CSV"</a>
            </header>
            <div class="filters" role="search">
                <SelectField label="Owner" value=owner options=users.options("Everyone") />
                <TextField label="Closes from" value=from input_type="date" />
                <TextField label="Closes until" value=to input_type="date" />
            </div>
            {move || match report.get() {
                None => view! { <Loading /> }.into_any(),
                Some(Err(e)) => view! { <ErrorState error=e on_retry=retry /> }.into_any(),
                Some(Ok(r)) => view! { <Report r=r /> }.into_any(),
            }}
        </section>
    }
}

/// Width of a bar, in percent of the largest value.
fn share(v: Decimal, max: Decimal) -> String {
    let pct = if max.is_zero() {
        0.0
    } else {
        (v / max * Decimal::from(100)).to_f64().unwrap_or(0.0)
    };
    format!("width: {pct:.1}%")
}

#[component]
fn Bar(value: Decimal, max: Decimal) -> impl IntoView {
    view! {
        <span class="report-bar" aria-hidden="true">
            <span class="report-bar-fill" style=share(value, max)></span>
        </span>
    }
}

fn percent(rate: Option<f64>) -> String {
    rate.map(|r| format!("{:.0}%", r * 100.0))
        .unwrap_or_else(|| "—".to_owned())
}

#[component]
fn Report(r: PipelineReport) -> impl IntoView {
    let cur = r.base_currency.clone();
    let max_stage = r.stages.iter().map(|s| s.amount).max().unwrap_or_default();
    let max_month = r
        .forecast
        .iter()
        .map(|m| m.amount)
        .max()
        .unwrap_or_default();
    let t = r.totals.clone();
    let unconverted = r.unconverted_currencies.join(", ");
    view! {
        <section class="card" aria-labelledby="totals-title">
            <h2 id="totals-title" class="card-title">"Totals"</h2>
            <dl class="facts">
                <dt>"Open opportunities"</dt>
                <dd>{t.open_count}</dd>
                <dt>"Open amount"</dt>
                <dd>{format!("{cur} {}", t.open_amount)}</dd>
                <dt>"Weighted"</dt>
                <dd>{format!("{cur} {}", t.weighted_amount)}</dd>
                <dt>"Won"</dt>
                <dd>{format!("{cur} {}", t.won_amount)}</dd>
                <dt>"Lost"</dt>
                <dd>{format!("{cur} {}", t.lost_amount)}</dd>
            </dl>
            <Show when={
                let empty = unconverted.is_empty();
                move || !empty
            }>
                <p class="form-alert form-alert-warning">
                    {format!("Left out (no exchange rate): {unconverted}")}
                </p>
            </Show>
        </section>
        <section class="card" aria-labelledby="stages-title">
            <h2 id="stages-title" class="card-title">"By stage"</h2>
            <table class="data-table report-table">
                <thead>
                    <tr>
                        <th scope="col">"Stage"</th>
                        <th scope="col" class="num">"Count"</th>
                        <th scope="col" class="num">"Amount"</th>
                        <th scope="col" class="num">"Weighted"</th>
                        <th scope="col">""</th>
                    </tr>
                </thead>
                <tbody>
                    {r.stages
                        .into_iter()
                        .map(|s| view! {
                            <tr>
                                <th scope="row">{s.stage.label()}</th>
                                <td class="num">{s.count}</td>
                                <td class="num">{s.amount.to_string()}</td>
                                <td class="num">{s.weighted_amount.to_string()}</td>
                                <td><Bar value=s.amount max=max_stage /></td>
                            </tr>
                        })
                        .collect_view()}
                </tbody>
            </table>
        </section>
        <section class="card" aria-labelledby="forecast-title">
            <h2 id="forecast-title" class="card-title">"Forecast by expected close month (open)"</h2>
            <table class="data-table report-table">
                <thead>
                    <tr>
                        <th scope="col">"Month"</th>
                        <th scope="col" class="num">"Count"</th>
                        <th scope="col" class="num">"Amount"</th>
                        <th scope="col" class="num">"Weighted"</th>
                        <th scope="col">""</th>
                    </tr>
                </thead>
                <tbody>
                    {r.forecast
                        .into_iter()
                        .map(|m| view! {
                            <tr>
                                <th scope="row">{m.month}</th>
                                <td class="num">{m.count}</td>
                                <td class="num">{m.amount.to_string()}</td>
                                <td class="num">{m.weighted_amount.to_string()}</td>
                                <td><Bar value=m.amount max=max_month /></td>
                            </tr>
                        })
                        .collect_view()}
                </tbody>
            </table>
        </section>
        <section class="card" aria-labelledby="win-title">
            <h2 id="win-title" class="card-title">"Win rates"</h2>
            <table class="data-table report-table">
                <caption>"By stage entered (closed opportunities)"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Stage"</th>
                        <th scope="col" class="num">"Entered"</th>
                        <th scope="col" class="num">"Won"</th>
                        <th scope="col" class="num">"Rate"</th>
                    </tr>
                </thead>
                <tbody>
                    {r.win_rate_by_stage
                        .into_iter()
                        .map(|w| view! {
                            <tr>
                                <th scope="row">{w.stage.label()}</th>
                                <td class="num">{w.entered}</td>
                                <td class="num">{w.won}</td>
                                <td class="num">{percent(w.rate)}</td>
                            </tr>
                        })
                        .collect_view()}
                </tbody>
            </table>
            <table class="data-table report-table">
                <caption>"By owner"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Owner"</th>
                        <th scope="col" class="num">"Won"</th>
                        <th scope="col" class="num">"Lost"</th>
                        <th scope="col" class="num">"Rate"</th>
                    </tr>
                </thead>
                <tbody>
                    {r.win_rate_by_owner
                        .into_iter()
                        .map(|w| view! {
                            <tr>
                                <th scope="row">{w.owner_name.unwrap_or_else(|| "No owner".into())}</th>
                                <td class="num">{w.won}</td>
                                <td class="num">{w.lost}</td>
                                <td class="num">{percent(w.rate)}</td>
                            </tr>
                        })
                        .collect_view()}
                </tbody>
            </table>
        </section>
        <section class="card" aria-labelledby="days-title">
            <h2 id="days-title" class="card-title">"Average days in stage"</h2>
            <table class="data-table report-table">
                <tbody>
                    {r.avg_days_in_stage
                        .into_iter()
                        .map(|d| view! {
                            <tr>
                                <th scope="row">{d.stage.label()}</th>
                                <td class="num">{format!("{:.1}", d.days)}</td>
                            </tr>
                        })
                        .collect_view()}
                </tbody>
            </table>
        </section>
    }
}
