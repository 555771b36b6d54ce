//! The record cards of an asset's page: the stock ledger (Load more), serial units, the depreciation schedule with
//! today's book value, and maintenance with "Log maintenance".

use crate::ApiError;
use crate::api::inventory::{
    add_asset_maintenance, asset_depreciation, asset_maintenance, asset_movements, asset_units,
};
use crate::components::form::{FormAlert, FormButtons};
use crate::components::format::{date, date_time, iso};
use crate::components::{
    EmptyState, ErrorState, FormState, Loading, Modal, PagedList, PagedStates, SelectField,
    TextField, use_toasts,
};
use crate::pages::inventory::asset_form::{parse_amount, parse_date};
use domain::asset::{Depreciation, MaintenanceInput, MaintenanceKind, StockMovement};
use domain::{AssetId, Problem};
use leptos::prelude::*;
use leptos::task::spawn_local;
use rust_decimal::prelude::ToPrimitive;

/// A signed change as "+3", "−2" or "0".
fn signed(n: i32) -> String {
    match n {
        n if n > 0 => format!("+{n}"),
        n if n < 0 => format!("\u{2212}{}", n.unsigned_abs()),
        _ => "0".to_owned(),
    }
}

#[component]
pub fn MovementsCard(id: AssetId, reload_key: RwSignal<u32>) -> impl IntoView {
    let list = PagedList::new(move |cursor| asset_movements(id, cursor));
    Effect::new(move |_| {
        reload_key.track();
        list.reload();
    });
    view! {
        <section class="card" aria-labelledby="ledger-title">
            <h2 id="ledger-title" class="card-title">"Stock movements"</h2>
            <PagedStates list=list empty_title="No stock movements yet.">
                <div class="table-wrap">
                    <table class="data-table responsive-table" data-testid="movements-table">
                        <caption class="sr-only">"Stock movements, newest first"</caption>
                        <thead>
                            <tr>
                                <th scope="col">"When"</th>
                                <th scope="col">"Kind"</th>
                                <th scope="col" class="num">"Total"</th>
                                <th scope="col" class="num">"Available"</th>
                                <th scope="col">"Reason"</th>
                                <th scope="col">"Serials"</th>
                                <th scope="col">"By"</th>
                            </tr>
                        </thead>
                        <tbody>
                            <For each=move || list.rows.get() key=|m| m.id let:m>
                                <MovementRow movement=m />
                            </For>
                        </tbody>
                    </table>
                </div>
            </PagedStates>
        </section>
    }
}

#[component]
fn MovementRow(movement: StockMovement) -> impl IntoView {
    let m = movement;
    view! {
        <tr>
            <td data-label="When" class="col-primary"><time datetime=iso(m.at)>{date_time(m.at)}</time></td>
            <td data-label="Kind"><span class=format!("badge badge-movement-{}", m.kind.as_str())>{m.kind.label()}</span></td>
            <td data-label="Total" class="num">{signed(m.total_delta)}</td>
            <td data-label="Available" class="num">{signed(m.available_delta)}</td>
            <td data-label="Reason" class="cell-wrap">{m.reason.clone()}</td>
            <td data-label="Serials" class="cell-wrap">{m.serials.join(", ")}</td>
            <td data-label="By">{m.actor_name.clone().unwrap_or_else(|| "System".into())}</td>
        </tr>
    }
}

#[component]
pub fn UnitsCard(id: AssetId, reload_key: RwSignal<u32>) -> impl IntoView {
    let units = LocalResource::new(move || {
        reload_key.track();
        async move { asset_units(id).await }
    });
    let retry = Callback::new(move |()| units.refetch());
    view! {
        <section class="card" aria-labelledby="units-title">
            <h2 id="units-title" class="card-title">"Serial units"</h2>
            {move || match units.get() {
                None => view! { <Loading /> }.into_any(),
                Some(Err(e)) => view! { <ErrorState error=e on_retry=retry /> }.into_any(),
                Some(Ok(list)) if list.is_empty() => view! { <EmptyState title="No units yet: receive a purchase order with serial numbers." /> }.into_any(),
                Some(Ok(list)) => view! {
                    <div class="table-wrap">
                        <table class="data-table" data-testid="units-table">
                            <caption class="sr-only">"Serial units"</caption>
                            <thead>
                                <tr>
                                    <th scope="col">"Serial number"</th>
                                    <th scope="col">"Status"</th>
                                    <th scope="col">"Received"</th>
                                </tr>
                            </thead>
                            <tbody>
                                {list.into_iter().map(|u| view! {
                                    <tr>
                                        <td class="mono">{u.serial.clone()}</td>
                                        <td><span class=format!("badge badge-unit-{}", u.status.as_str())>{u.status.label()}</span></td>
                                        <td><time datetime=iso(u.received_at)>{date(u.received_at)}</time></td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any(),
            }}
        </section>
    }
}

#[component]
pub fn DepreciationCard(id: AssetId, reload_key: RwSignal<u32>) -> impl IntoView {
    let schedule = LocalResource::new(move || {
        reload_key.track();
        async move { asset_depreciation(id, None).await }
    });
    let retry = Callback::new(move |()| schedule.refetch());
    view! {
        <section class="card" aria-labelledby="depreciation-title">
            <h2 id="depreciation-title" class="card-title">"Depreciation"</h2>
            {move || match schedule.get() {
                None => view! { <Loading /> }.into_any(),
                // 409: the asset has no cost or useful life yet; the server says what to set.
                Some(Err(e)) if e.problem().status == 409 => {
                    view! { <p class="muted">{e.problem().detail.clone()}</p> }.into_any()
                }
                Some(Err(e)) => view! { <ErrorState error=e on_retry=retry /> }.into_any(),
                Some(Ok(d)) => view! { <DepreciationSchedule depreciation=d /> }.into_any(),
            }}
        </section>
    }
}

#[component]
fn DepreciationSchedule(depreciation: Depreciation) -> impl IntoView {
    let d = depreciation;
    let as_of = d.as_of;
    // The row of the month that contains `as_of`.
    let current = d
        .schedule
        .iter()
        .rposition(|r| r.period_start <= as_of)
        .map(|i| d.schedule[i].period);
    view! {
        <dl class="facts">
            <div><dt>"Book value today"</dt><dd class="stock-number" data-testid="book-value">{d.book_value.to_string()}</dd></div>
            <div><dt>"All units"</dt><dd data-testid="total-book-value">{d.total_book_value.to_string()}</dd></div>
            <div><dt>"Cost"</dt><dd>{d.cost.to_string()}</dd></div>
            <div><dt>"Salvage value"</dt><dd>{d.salvage_value.to_string()}</dd></div>
            <div><dt>"Method"</dt><dd>{d.method.label()}</dd></div>
            <div><dt>"Life"</dt><dd>{format!("{} months from {}", d.useful_life_months, d.start)}</dd></div>
        </dl>
        <BookValueChart depreciation=d.clone() />
        <details class="schedule-details">
            <summary>{format!("Schedule ({} months)", d.schedule.len())}</summary>
            <div class="table-wrap schedule-wrap">
                <table class="data-table" data-testid="depreciation-schedule">
                    <caption class="sr-only">"Depreciation schedule of one unit"</caption>
                    <thead>
                        <tr>
                            <th scope="col" class="num">"Period"</th>
                            <th scope="col">"Date"</th>
                            <th scope="col" class="num">"Depreciation"</th>
                            <th scope="col" class="num">"Accumulated"</th>
                            <th scope="col" class="num">"Book value"</th>
                        </tr>
                    </thead>
                    <tbody>
                        {d.schedule.into_iter().map(|r| view! {
                            <tr class:is-current=current == Some(r.period) aria-current=(current == Some(r.period)).then_some("date")>
                                <td class="num">{r.period}</td>
                                <td>{r.period_start.to_string()}</td>
                                <td class="num">{r.depreciation.to_string()}</td>
                                <td class="num">{r.accumulated.to_string()}</td>
                                <td class="num">{r.book_value.to_string()}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </details>
    }
}

/// The book value over the useful life as a line (an SVG, no script), today marked.
#[component]
fn BookValueChart(depreciation: Depreciation) -> impl IntoView {
    let d = depreciation;
    let cost = d.cost.to_f64().unwrap_or(0.0);
    let n = d.schedule.len();
    if n < 2 || cost <= 0.0 {
        return None;
    }
    let (w, h) = (600.0_f64, 160.0_f64);
    let x = |i: usize| i as f64 / n as f64 * w;
    let y = |v: f64| h - (v / cost).clamp(0.0, 1.0) * h;
    let mut points = vec![format!("0,{:.1}", y(cost))];
    points.extend(d.schedule.iter().enumerate().map(|(i, r)| {
        format!(
            "{:.1},{:.1}",
            x(i + 1),
            y(r.book_value.to_f64().unwrap_or(0.0))
        )
    }));
    let today = d
        .schedule
        .iter()
        .rposition(|r| r.period_start <= d.as_of)
        .map(|i| x(i + 1));
    let label = format!(
        "Book value falls from {} to {} over {} months; {} today.",
        d.cost, d.salvage_value, n, d.book_value
    );
    Some(view! {
        <svg class="book-value-chart" viewBox=format!("0 0 {w} {h}") preserveAspectRatio="none" role="img" aria-label=label>
            <polyline points=points.join(" ") fill="none" vector-effect="non-scaling-stroke" />
            {today.map(|tx| view! {
                <line class="today" x1=format!("{tx:.1}") x2=format!("{tx:.1}") y1="0" y2=format!("{h}") vector-effect="non-scaling-stroke" />
            })}
        </svg>
    })
}

fn maintenance_kind_options() -> Vec<(String, String)> {
    MaintenanceKind::ALL
        .iter()
        .map(|k| (k.as_str().to_owned(), k.label()))
        .collect()
}

#[component]
pub fn MaintenanceCard(id: AssetId, can_write: Signal<bool>) -> impl IntoView {
    let toasts = use_toasts();
    let reload = RwSignal::new(0_u32);
    let items = LocalResource::new(move || {
        reload.track();
        async move { asset_maintenance(id).await }
    });
    let logging = RwSignal::new(false);
    let on_logged = Callback::new(move |()| {
        logging.set(false);
        toasts.success("Maintenance logged.");
        reload.update(|n| *n += 1);
    });
    let retry = Callback::new(move |()| items.refetch());
    view! {
        <section class="card" aria-labelledby="maintenance-title">
            <header class="card-header">
                <h2 id="maintenance-title" class="card-title">"Maintenance"</h2>
                <Show when=move || can_write.get()>
                    <button type="button" class="btn btn-secondary" on:click=move |_| logging.set(true)>"Log maintenance"</button>
                </Show>
            </header>
            {move || match items.get() {
                None => view! { <Loading /> }.into_any(),
                Some(Err(e)) => view! { <ErrorState error=e on_retry=retry /> }.into_any(),
                Some(Ok(list)) if list.is_empty() => view! { <EmptyState title="No maintenance logged." /> }.into_any(),
                Some(Ok(list)) => view! {
                    <div class="table-wrap">
                        <table class="data-table responsive-table" data-testid="maintenance-table">
                            <caption class="sr-only">"Maintenance"</caption>
                            <thead>
                                <tr>
                                    <th scope="col">"Description"</th>
                                    <th scope="col">"Kind"</th>
                                    <th scope="col">"Status"</th>
                                    <th scope="col">"Scheduled"</th>
                                    <th scope="col">"Performed"</th>
                                    <th scope="col" class="num">"Cost"</th>
                                    <th scope="col">"Next due"</th>
                                </tr>
                            </thead>
                            <tbody>
                                {list.into_iter().map(|m| {
                                    let status_class = match m.status.as_str() {
                                        "done" => "badge badge-active",
                                        "overdue" => "badge badge-danger",
                                        _ => "badge badge-warning",
                                    };
                                    view! {
                                        <tr>
                                            <td data-label="Description" class="col-primary cell-wrap">{m.description.clone()}</td>
                                            <td data-label="Kind">{m.kind.label()}</td>
                                            <td data-label="Status"><span class=status_class>{crate::components::format::humanize(&m.status)}</span></td>
                                            <td data-label="Scheduled">{m.scheduled_for.map(|d| d.to_string()).unwrap_or_else(|| "—".into())}</td>
                                            <td data-label="Performed">{m.performed_at.map(date).unwrap_or_else(|| "—".into())}</td>
                                            <td data-label="Cost" class="num">{m.cost.map(|c| c.to_string()).unwrap_or_else(|| "—".into())}</td>
                                            <td data-label="Next due">{m.next_due.map(|d| d.to_string()).unwrap_or_else(|| "—".into())}</td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any(),
            }}
            <Show when=move || logging.get()>
                <MaintenanceDialog id=id on_close=move |_| logging.set(false) on_done=on_logged />
            </Show>
        </section>
    }
}

const MAINTENANCE_FIELDS: [&str; 6] = [
    "kind",
    "description",
    "performed_at",
    "scheduled_for",
    "cost",
    "next_due",
];

#[component]
fn MaintenanceDialog(
    id: AssetId,
    #[prop(into)] on_close: Callback<()>,
    #[prop(into)] on_done: Callback<()>,
) -> impl IntoView {
    let form = FormState::new();
    let kind = RwSignal::new(MaintenanceKind::Preventive.as_str().to_owned());
    let description = RwSignal::new(String::new());
    let performed = RwSignal::new(String::new());
    let scheduled = RwSignal::new(String::new());
    let cost = RwSignal::new(String::new());
    let next_due = RwSignal::new(String::new());
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if form.busy.get_untracked() {
            return;
        }
        form.clear();
        let mut errors = Vec::new();
        let performed_on = parse_date(&performed.get_untracked(), "performed_at", &mut errors);
        let scheduled_for = parse_date(&scheduled.get_untracked(), "scheduled_for", &mut errors);
        let cost = parse_amount(&cost.get_untracked(), "cost", &mut errors);
        let next_due = parse_date(&next_due.get_untracked(), "next_due", &mut errors);
        if !errors.is_empty() {
            return form.show_invalid(Problem::invalid(errors));
        }
        let input = MaintenanceInput {
            kind: MaintenanceKind::parse(&kind.get_untracked()).unwrap_or_default(),
            description: description.get_untracked(),
            // A day is what people know; noon UTC keeps it on that day in every time zone near it.
            performed_at: performed_on
                .and_then(|d| d.and_hms_opt(12, 0, 0))
                .map(|t| t.and_utc()),
            scheduled_for,
            cost,
            next_due,
        };
        let input = match input.clean() {
            Ok(i) => i,
            Err(p) => return form.show_invalid(p),
        };
        form.busy.set(true);
        spawn_local(async move {
            let result: Result<_, ApiError> = add_asset_maintenance(id, input).await;
            form.busy.try_set(false);
            match result {
                Ok(_) => on_done.run(()),
                Err(e) => form.show_error(&e, &MAINTENANCE_FIELDS),
            }
        });
    };
    view! {
        <Modal title="Log maintenance" on_close=on_close>
            <form novalidate on:submit=on_submit>
                <FormAlert form=form />
                <div class="form-grid">
                    <SelectField label="Kind" value=kind options=Signal::derive(maintenance_kind_options) error=form.error("kind") />
                    <TextField label="Cost" value=cost error=form.error("cost") placeholder="0.00" />
                    <TextField label="Done on" value=performed input_type="date" error=form.error("performed_at")
                        hint="For work done; leave empty for planned work." />
                    <TextField label="Scheduled for" value=scheduled input_type="date" error=form.error("scheduled_for")
                        hint="Planned work: you get a reminder task." />
                    <TextField label="Next due" value=next_due input_type="date" error=form.error("next_due") />
                </div>
                <div class="field" class:has-error=move || form.error("description").get().is_some()>
                    <label for="maintenance-description">"Description"</label>
                    <textarea
                        id="maintenance-description"
                        rows="3"
                        aria-required="true"
                        prop:value=move || description.get()
                        on:input=move |ev| description.set(event_target_value(&ev))
                    ></textarea>
                    {move || form.error("description").get().map(|m| view! { <p class="field-error">{m}</p> })}
                </div>
                <FormButtons form=form submit_label="Log maintenance" on_cancel=on_close />
            </form>
        </Modal>
    }
}
