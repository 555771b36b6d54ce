//! `/purchase-orders/:id`: the order with its lines (ordered / received / outstanding) and total, "Send order",
//! "Cancel order", delete, a printable view, and the receive form (a quantity per outstanding line, serial
//! numbers for serial-tracked ones, the server's `lines[i].…` errors inline).

use crate::ApiError;
use crate::api::inventory::{
    delete_purchase_order, get_purchase_order, receive_purchase_order, update_purchase_order,
};
use crate::components::delete_record::DeleteRecordButton;
use crate::components::form::{FormAlert, human_message, problem_message};
use crate::components::format::{date_time, iso};
use crate::components::history::RecordHistory;
use crate::components::{ConfirmDialog, FormState, use_toasts};
use crate::pages::customers::customer_detail::or_dash;
use crate::pages::inventory::asset_form::lines_of;
use crate::pages::inventory::purchase_orders::{PoStatusBadge, po_number};
use crate::pages::record_page::{IdRoute, Loaded};
use crate::root::use_session;
use domain::purchase_order::{
    PoStatus, PurchaseOrder, PurchaseOrderLine, PurchaseOrderPatch, ReceiveInput, ReceiveLineInput,
};
use domain::{Action, FieldError, PurchaseOrderId, PurchaseOrderLineId, Resource};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;

#[component]
pub fn PurchaseOrderDetailPage() -> impl IntoView {
    view! { <IdRoute what="purchase order" page=|id| view! { <PurchaseOrderDetail id=id /> } /> }
}

#[component]
fn PurchaseOrderDetail(id: PurchaseOrderId) -> impl IntoView {
    let loaded = Loaded::new(move || get_purchase_order(id));
    let receiving = RwSignal::new(false);
    view! {
        <section class="page po-page">
            <nav class="breadcrumbs no-print" aria-label="Breadcrumb"><A href="/purchase-orders">"Purchase orders"</A></nav>
            {loaded.view(move |po: PurchaseOrder| {
                let open = po.status.is_open();
                let for_receive = po.clone();
                view! {
                    <PoHeader po=po.clone() loaded=loaded receiving=receiving />
                    <PoFacts po=po.clone() />
                    <PoLines po=po />
                    <Show when=move || receiving.get() && open>
                        <ReceiveForm po=for_receive.clone() on_cancel=move |_| receiving.set(false) on_received=move |p: PurchaseOrder| {
                            receiving.set(false);
                            loaded.saved(p, "Goods received.");
                        } />
                    </Show>
                }
            })}
            <Show when=move || !loaded.failed()>
                <div class="no-print">
                    <RecordHistory entity="purchase_order" id=id.0 reload_key=loaded.changes />
                </div>
            </Show>
        </section>
    }
}

#[component]
fn PoHeader(
    po: PurchaseOrder,
    loaded: Loaded<PurchaseOrder>,
    receiving: RwSignal<bool>,
) -> impl IntoView {
    let session = use_session();
    let toasts = use_toasts();
    let busy = RwSignal::new(false);
    let confirm_cancel = RwSignal::new(false);
    let (id, version, status) = (po.id, po.version, po.status);
    let nothing_received = po.lines.iter().all(|l| l.received_quantity == 0);
    let move_to = move |to: PoStatus, done: &'static str| {
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        spawn_local(async move {
            let patch = PurchaseOrderPatch {
                status: Some(to),
                ..Default::default()
            };
            let result = update_purchase_order(id, version, patch).await;
            busy.try_set(false);
            confirm_cancel.try_set(false);
            match result {
                Ok(p) => loaded.saved(p, done),
                Err(e) => {
                    if e.problem().status == 412 {
                        toasts
                            .error("This order was changed by someone else; it has been reloaded.");
                        loaded.reload.run(());
                    } else {
                        toasts.error(problem_message(e.problem(), &e.problem().errors));
                    }
                }
            }
        });
    };
    let can_update = move || session.can(Resource::PurchaseOrders, Action::Update);
    let can_receive = move || can_update() && session.can(Resource::Assets, Action::Update);
    let print = move |_| {
        let _ = window().print();
    };
    let title = po_number(&po);
    view! {
        <header class="page-header">
            <div>
                <h1>{format!("{title} · {}", po.vendor_name)}</h1>
                <p class="page-sub">
                    <PoStatusBadge status=po.status />
                    {po.overdue.then(|| view! { " " <span class="badge badge-danger">"Overdue"</span> })}
                </p>
            </div>
            <div class="page-actions no-print">
                <Show when=move || can_update() && status == PoStatus::Draft>
                    <button type="button" class="btn btn-primary" disabled=move || busy.get() on:click=move |_| move_to(PoStatus::Ordered, "Order sent.")>
                        "Send order"
                    </button>
                </Show>
                <Show when=move || can_receive() && status.is_open() && !receiving.get()>
                    <button type="button" class="btn btn-primary" on:click=move |_| receiving.set(true)>"Receive"</button>
                </Show>
                <Show when=move || can_update() && matches!(status, PoStatus::Draft | PoStatus::Ordered) && nothing_received>
                    <button type="button" class="btn btn-danger-outline" disabled=move || busy.get() on:click=move |_| confirm_cancel.set(true)>
                        "Cancel order"
                    </button>
                </Show>
                <button type="button" class="btn btn-secondary" on:click=print>"Print"</button>
                <Show when=move || session.can(Resource::PurchaseOrders, Action::Delete) && matches!(status, PoStatus::Draft | PoStatus::Cancelled) && nothing_received>
                    <DeleteRecordButton what="purchase order" name=title.clone() back="/purchase-orders" delete=move || delete_purchase_order(id) />
                </Show>
            </div>
        </header>
        <Show when=move || confirm_cancel.get()>
            <ConfirmDialog
                title="Cancel purchase order"
                message=format!("Cancel {}? The vendor should be told separately.", po_number(&po))
                confirm_label="Cancel order"
                busy=busy
                on_confirm=move |_| move_to(PoStatus::Cancelled, "Order cancelled.")
                on_cancel=move |_| confirm_cancel.set(false)
            />
        </Show>
    }
}

#[component]
fn PoFacts(po: PurchaseOrder) -> impl IntoView {
    let time = |t: Option<chrono::DateTime<chrono::Utc>>| {
        or_dash(t.map(|t| view! { <time datetime=iso(t)>{date_time(t)}</time> }))
    };
    view! {
        <section class="card" aria-labelledby="facts-title">
            <h2 id="facts-title" class="card-title">"Details"</h2>
            <dl class="facts">
                <div><dt>"Vendor"</dt><dd><A href=format!("/vendors/{}", po.vendor_id)>{po.vendor_name.clone()}</A></dd></div>
                <div><dt>"Status"</dt><dd>{po.status.label()}</dd></div>
                <div><dt>"Total"</dt><dd data-testid="po-total">{format!("{} {}", po.total, po.currency)}</dd></div>
                <div><dt>"Expected"</dt><dd>{or_dash(po.expected_on.map(|d| d.to_string()))}</dd></div>
                <div><dt>"Ordered"</dt><dd>{time(po.ordered_at)}</dd></div>
                <div><dt>"Received"</dt><dd>{time(po.received_at)}</dd></div>
                <div><dt>"Created"</dt><dd>{time(Some(po.created_at))}</dd></div>
                <div class="span-2"><dt>"Notes"</dt><dd class="pre-wrap">{or_dash((!po.notes.is_empty()).then(|| po.notes.clone()))}</dd></div>
            </dl>
        </section>
    }
}

#[component]
fn PoLines(po: PurchaseOrder) -> impl IntoView {
    let total = format!("{} {}", po.total, po.currency);
    view! {
        <section class="card" aria-labelledby="lines-title">
            <h2 id="lines-title" class="card-title">"Lines"</h2>
            <div class="table-wrap">
                <table class="data-table po-lines-table" data-testid="po-lines">
                    <caption class="sr-only">"Lines"</caption>
                    <thead>
                        <tr>
                            <th scope="col" class="num">"#"</th>
                            <th scope="col">"Asset"</th>
                            <th scope="col" class="num">"Ordered"</th>
                            <th scope="col" class="num">"Received"</th>
                            <th scope="col" class="num">"Outstanding"</th>
                            <th scope="col" class="num">"Unit price"</th>
                            <th scope="col" class="num">"Line total"</th>
                        </tr>
                    </thead>
                    <tbody>
                        {po.lines.into_iter().map(|l| view! {
                            <tr>
                                <td class="num">{l.line_no}</td>
                                <td>
                                    <A href=format!("/assets/{}", l.asset_id)>{l.sku.clone()}</A>
                                    <span class="cell-sub">{format!(" {}", l.asset_name)}</span>
                                    {l.serial_tracked.then(|| view! { " " <span class="badge">"Serials"</span> })}
                                </td>
                                <td class="num">{l.quantity}</td>
                                <td class="num" data-testid="line-received">{l.received_quantity}</td>
                                <td class="num" data-testid="line-outstanding">{l.outstanding_quantity}</td>
                                <td class="num">{l.unit_price.to_string()}</td>
                                <td class="num">{l.line_total.to_string()}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                    <tfoot>
                        <tr>
                            <th scope="row" colspan="6" class="num">"Total"</th>
                            <td class="num">{total}</td>
                        </tr>
                    </tfoot>
                </table>
            </div>
        </section>
    }
}

/// What is typed for one outstanding line.
#[derive(Clone)]
struct ReceiptRow {
    line: PurchaseOrderLine,
    quantity: RwSignal<String>,
    serials: RwSignal<String>,
}

#[component]
fn ReceiveForm(
    po: PurchaseOrder,
    #[prop(into)] on_cancel: Callback<()>,
    #[prop(into)] on_received: Callback<PurchaseOrder>,
) -> impl IntoView {
    let form = FormState::new();
    let id = po.id;
    let rows: Vec<ReceiptRow> = po
        .lines
        .iter()
        .filter(|l| l.outstanding_quantity > 0)
        .map(|l| ReceiptRow {
            line: l.clone(),
            quantity: RwSignal::new(l.outstanding_quantity.to_string()),
            serials: RwSignal::new(String::new()),
        })
        .collect();
    // Server errors name `lines[i]` by position in the request: kept per line id.
    let errors = RwSignal::new(Vec::<(PurchaseOrderLineId, &'static str, String)>::new());
    let sent = StoredValue::new(Vec::<PurchaseOrderLineId>::new());
    let rows_for_submit = rows.clone();
    let po_lines = po.lines.clone();
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if form.busy.get_untracked() {
            return;
        }
        form.clear();
        errors.set(Vec::new());
        let mut local = Vec::new();
        let mut lines = Vec::new();
        let mut ids = Vec::new();
        for r in &rows_for_submit {
            let text = r.quantity.get_untracked();
            let text = text.trim();
            if text.is_empty() || text == "0" {
                continue;
            }
            let Ok(quantity) = text.parse::<i32>() else {
                local.push((r.line.id, "quantity", "Must be a whole number.".to_owned()));
                continue;
            };
            let serials = if r.line.serial_tracked {
                lines_of(&r.serials.get_untracked())
            } else {
                Vec::new()
            };
            ids.push(r.line.id);
            lines.push(ReceiveLineInput {
                line_id: Some(r.line.id),
                quantity,
                serials,
            });
        }
        if !local.is_empty() {
            errors.set(local);
            return;
        }
        if lines.is_empty() {
            form.alert.set(Some(
                "Enter the quantity received on at least one line.".to_owned(),
            ));
            return;
        }
        sent.set_value(ids);
        let input = ReceiveInput { lines };
        // The same check the server makes (quantities against outstanding, serial numbers), before sending.
        if let Err(problem) = input.clone().check(&po_lines) {
            return show_receive_errors(form, errors, &sent.get_value(), &ApiError(problem));
        }
        form.busy.set(true);
        spawn_local(async move {
            let result = receive_purchase_order(id, input).await;
            form.busy.try_set(false);
            match result {
                Ok(p) => on_received.run(p),
                Err(e) => show_receive_errors(form, errors, &sent.get_value(), &e),
            }
        });
    };
    let line_error = move |line: PurchaseOrderLineId, field: &'static str| {
        Signal::derive(move || {
            errors.with(|all| {
                let messages: Vec<String> = all
                    .iter()
                    .filter(|(l, f, _)| *l == line && *f == field)
                    .map(|(_, _, m)| m.clone())
                    .collect();
                (!messages.is_empty()).then(|| messages.join(" "))
            })
        })
    };
    view! {
        <section class="card no-print" aria-labelledby="receive-title">
            <h2 id="receive-title" class="card-title">"Receive goods"</h2>
            <form novalidate on:submit=on_submit>
                <FormAlert form=form />
                <p class="form-note">"Enter what arrived; lines left at 0 stay outstanding."</p>
                <div class="receive-lines">
                    {rows.into_iter().map(|r| {
                        let line = r.line.clone();
                        let qty_error = line_error(line.id, "quantity");
                        let serial_error = line_error(line.id, "serials");
                        let qty_id = format!("receive-qty-{}", line.id);
                        let serial_id = format!("receive-serials-{}", line.id);
                        let (quantity, serials) = (r.quantity, r.serials);
                        view! {
                            <div class="receive-line" role="group" aria-label=format!("Line {} {}", line.line_no, line.sku)>
                                <div class="receive-line-head">
                                    <strong>{format!("{} · {}", line.sku, line.asset_name)}</strong>
                                    <span class="cell-sub">{format!(" {} of {} outstanding", line.outstanding_quantity, line.quantity)}</span>
                                </div>
                                <div class="field" class:has-error=move || qty_error.get().is_some()>
                                    <label for=qty_id.clone()>{format!("Quantity received ({})", line.sku)}</label>
                                    <input
                                        id=qty_id.clone()
                                        type="number"
                                        min="0"
                                        max=line.outstanding_quantity.to_string()
                                        prop:value=move || quantity.get()
                                        on:input=move |ev| quantity.set(event_target_value(&ev))
                                        aria-invalid=move || qty_error.get().is_some().then_some("true")
                                    />
                                    {move || qty_error.get().map(|m| view! { <p class="field-error" role="alert">{m}</p> })}
                                </div>
                                {line.serial_tracked.then(|| view! {
                                    <div class="field" class:has-error=move || serial_error.get().is_some()>
                                        <label for=serial_id.clone()>{format!("Serial numbers ({}), one per line", line.sku)}</label>
                                        <textarea
                                            id=serial_id.clone()
                                            rows="4"
                                            prop:value=move || serials.get()
                                            on:input=move |ev| serials.set(event_target_value(&ev))
                                            aria-invalid=move || serial_error.get().is_some().then_some("true")
                                        ></textarea>
                                        <p class="field-hint">{move || format!("{} entered", lines_of(&serials.get()).len())}</p>
                                        {move || serial_error.get().map(|m| view! { <p class="field-error" role="alert">{m}</p> })}
                                    </div>
                                })}
                            </div>
                        }
                    }).collect_view()}
                </div>
                <div class="form-buttons">
                    <button type="button" class="btn btn-secondary" on:click=move |_| on_cancel.run(())>"Cancel"</button>
                    <button type="submit" class="btn btn-primary" disabled=move || form.busy.get() aria-busy=move || form.busy.get().then_some("true")>
                        "Receive goods"
                    </button>
                </div>
            </form>
        </section>
    }
}

/// `lines[i].quantity` and `lines[i].serials` (and `lines[i].serials[j]`) go under line `sent[i]`'s fields; the
/// rest is the form's message.
fn show_receive_errors(
    form: FormState,
    errors: RwSignal<Vec<(PurchaseOrderLineId, &'static str, String)>>,
    sent: &[PurchaseOrderLineId],
    e: &ApiError,
) {
    let problem = e.problem();
    let mut inline = Vec::new();
    let mut rest: Vec<FieldError> = Vec::new();
    for fe in &problem.errors {
        let placed = fe
            .field
            .strip_prefix("lines[")
            .and_then(|r| r.split_once("]."))
            .and_then(|(i, field)| Some((sent.get(i.parse::<usize>().ok()?)?, field)))
            .and_then(|(line, field)| {
                let message = human_message(&fe.message);
                if field == "quantity" {
                    Some((*line, "quantity", message))
                } else if field == "serials" {
                    Some((*line, "serials", message))
                } else {
                    let j = field.strip_prefix("serials[")?.strip_suffix(']')?;
                    let n = j.parse::<usize>().ok()? + 1;
                    Some((*line, "serials", format!("Serial {n}: {message}")))
                }
            });
        match placed {
            Some(p) => inline.push(p),
            None => rest.push(fe.clone()),
        }
    }
    form.status.set(Some(problem.status));
    if inline.is_empty() || !rest.is_empty() {
        form.alert.set(Some(problem_message(problem, &rest)));
    }
    errors.set(inline);
}
