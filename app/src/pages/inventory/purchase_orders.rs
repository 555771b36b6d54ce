//! `/purchase-orders`: status, vendor and overdue filters (kept in the URL), sortable columns, Load more, and
//! "New purchase order" in a dialog with lines (asset, quantity, unit price) to add and remove.

use crate::api::inventory::{create_purchase_order, list_purchase_orders};
use crate::components::form::{FormAlert, FormButtons, human_message};
use crate::components::format::{date, iso};
use crate::components::list_filters::{FilterKey, ListFilters};
use crate::components::states::Allowed;
use crate::components::timing::on_create_shortcut;
use crate::components::{
    CheckboxField, FormState, Modal, PagedList, PagedStates, SelectField, SortHeader, TextField,
    use_toasts,
};
use crate::pages::inventory::asset_form::{
    AssetChoices, VendorChoices, load_asset_choices, load_vendor_choices, parse_amount, parse_date,
    parse_int,
};
use crate::pages::service::tickets::word_options;
use crate::root::use_session;
use domain::purchase_order::{
    PoLineInput, PoStatus, PurchaseOrder, PurchaseOrderInput, PurchaseOrderQuery,
};
use domain::{Action, FieldError, Problem, Resource};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;

#[component]
pub fn PurchaseOrdersPage() -> impl IntoView {
    view! {
        <Allowed resource=Resource::PurchaseOrders action=Action::Read>
            <PurchaseOrderList />
        </Allowed>
    }
}

pub fn po_status_options(none: &str) -> Vec<(String, String)> {
    word_options(PoStatus::ALL, none, |s| (s.as_str(), s.label()))
}

#[component]
pub fn PoStatusBadge(status: PoStatus) -> impl IntoView {
    view! { <span class=format!("badge badge-po-{}", status.as_str()) data-testid="po-status">{status.label()}</span> }
}

/// "PO-42".
pub fn po_number(po: &PurchaseOrder) -> String {
    format!("PO-{}", po.number)
}

/// URL names as the query's: `?status=ordered&vendor_id=…&overdue=true&sort=number`.
const PURCHASE_ORDER_FILTERS: &[FilterKey] = &[
    FilterKey::choice("status"),
    FilterKey::choice("vendor_id"),
    FilterKey::flag("overdue"),
    FilterKey::sort("-created_at"),
];

#[component]
fn PurchaseOrderList() -> impl IntoView {
    let session = use_session();
    let toasts = use_toasts();
    let filters = ListFilters::<PurchaseOrderQuery>::new(PURCHASE_ORDER_FILTERS);
    filters.sync_with_url();
    let vendors = load_vendor_choices();
    let list = PagedList::new(move |cursor| list_purchase_orders(filters.query(cursor, 50)));
    let creating = RwSignal::new(false);
    let can_create = move || session.can(Resource::PurchaseOrders, Action::Create);
    // Any filter or sort change starts again from the first page.
    Effect::new(move |_| {
        filters.query(None, 50);
        list.reload();
    });
    on_create_shortcut(creating, can_create);
    let go = use_navigate();
    let on_created = Callback::new(move |po: PurchaseOrder| {
        creating.set(false);
        toasts.success(format!("{} drafted.", po_number(&po)));
        go(&format!("/purchase-orders/{}", po.id), Default::default());
    });
    view! {
        <section class="page">
            <header class="page-header">
                <div><h1>"Purchase orders"</h1></div>
                <div class="page-actions">
                    <A href="/purchase-orders/suggested" attr:class="btn btn-secondary">"Reorder suggestions"</A>
                    <Show when=can_create>
                        <button type="button" class="btn btn-primary" aria-keyshortcuts="n" title="New purchase order (N)" on:click=move |_| creating.set(true)>
                            "New purchase order"
                        </button>
                    </Show>
                </div>
            </header>
            <div class="filters" role="search">
                <div class="filters-more is-open">
                    <SelectField label="Status" value=filters.signal("status") options=Signal::derive(|| po_status_options("Any status")) />
                    <SelectField label="Vendor" value=filters.signal("vendor_id") options=vendors.options("Any vendor") />
                    <CheckboxField label="Overdue" checked=filters.flag("overdue") />
                </div>
            </div>
            <PagedStates list=list empty_title="No purchase orders match.">
                <div class="table-wrap">
                    <table class="data-table responsive-table">
                        <caption class="sr-only">"Purchase orders"</caption>
                        <thead>
                            <tr>
                                <SortHeader label="Number" key="number" sort=filters.sort() desc_first=true />
                                <th scope="col">"Vendor"</th>
                                <th scope="col">"Status"</th>
                                <th scope="col" class="num">"Lines"</th>
                                <th scope="col" class="num">"Total"</th>
                                <th scope="col">"Expected"</th>
                                <SortHeader label="Created" key="created_at" sort=filters.sort() desc_first=true />
                            </tr>
                        </thead>
                        <tbody>
                            <For each=move || list.rows.get() key=|p| (p.id, p.version) let:po>
                                <PurchaseOrderRow po=po />
                            </For>
                        </tbody>
                    </table>
                </div>
            </PagedStates>
            <Show when=move || creating.get()>
                <NewPurchaseOrderDialog vendors=vendors on_close=move |_| creating.set(false) on_created=on_created />
            </Show>
        </section>
    }
}

#[component]
fn PurchaseOrderRow(po: PurchaseOrder) -> impl IntoView {
    let number = po_number(&po);
    view! {
        <tr>
            <td data-label="Number" class="col-primary"><A href=format!("/purchase-orders/{}", po.id)>{number}</A></td>
            <td data-label="Vendor">{po.vendor_name.clone()}</td>
            <td data-label="Status"><PoStatusBadge status=po.status /></td>
            <td data-label="Lines" class="num">{po.lines.len()}</td>
            <td data-label="Total" class="num">{format!("{} {}", po.total, po.currency)}</td>
            <td data-label="Expected">
                {po.expected_on.map(|d| d.to_string()).unwrap_or_else(|| "—".into())}
                {po.overdue.then(|| view! { " " <span class="badge badge-danger">"Overdue"</span> })}
            </td>
            <td data-label="Created"><time datetime=iso(po.created_at)>{date(po.created_at)}</time></td>
        </tr>
    }
}

/// One line of the new-order form.
#[derive(Clone, Copy)]
struct LineRow {
    key: u64,
    asset: RwSignal<String>,
    quantity: RwSignal<String>,
    price: RwSignal<String>,
}

impl LineRow {
    fn new(key: u64) -> Self {
        Self {
            key,
            asset: RwSignal::new(String::new()),
            quantity: RwSignal::new("1".to_owned()),
            price: RwSignal::new(String::new()),
        }
    }
}

const PO_FIELDS: [&str; 6] = [
    "vendor_id",
    "currency",
    "notes",
    "expected_on",
    "status",
    "lines",
];

#[component]
fn NewPurchaseOrderDialog(
    vendors: VendorChoices,
    #[prop(into)] on_close: Callback<()>,
    #[prop(into)] on_created: Callback<PurchaseOrder>,
) -> impl IntoView {
    let form = FormState::new();
    let assets = load_asset_choices();
    let vendor = RwSignal::new(String::new());
    let currency = RwSignal::new("USD".to_owned());
    let expected = RwSignal::new(String::new());
    let notes = RwSignal::new(String::new());
    let next_key = StoredValue::new(1_u64);
    let lines = RwSignal::new(vec![LineRow::new(0)]);
    // Errors of `lines[i].…`, by the line's position when the form was sent.
    let line_errors = RwSignal::new(Vec::<FieldError>::new());
    let add_line = move |_| {
        let key = next_key.get_value();
        next_key.set_value(key + 1);
        lines.update(|l| l.push(LineRow::new(key)));
    };
    let set_errors = move |problem: &Problem| {
        line_errors.set(
            problem
                .errors
                .iter()
                .filter(|e| e.field.starts_with("lines["))
                .cloned()
                .collect(),
        );
    };
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if form.busy.get_untracked() {
            return;
        }
        form.clear();
        line_errors.set(Vec::new());
        let mut errors = Vec::new();
        let expected_on = parse_date(&expected.get_untracked(), "expected_on", &mut errors);
        let rows = lines.get_untracked();
        let line_inputs: Vec<PoLineInput> = rows
            .iter()
            .enumerate()
            .map(|(i, r)| PoLineInput {
                asset_id: r.asset.get_untracked().parse().ok(),
                quantity: parse_int(
                    &r.quantity.get_untracked(),
                    &format!("lines[{i}].quantity"),
                    Some(0),
                    &mut errors,
                )
                .unwrap_or(0),
                unit_price: parse_amount(
                    &r.price.get_untracked(),
                    &format!("lines[{i}].unit_price"),
                    &mut errors,
                ),
            })
            .collect();
        let input = PurchaseOrderInput {
            vendor_id: vendor.get_untracked().parse().ok(),
            currency: currency.get_untracked(),
            notes: notes.get_untracked(),
            expected_on,
            status: None,
            lines: line_inputs,
        };
        let input = if errors.is_empty() {
            input.clean()
        } else {
            Err(Problem::invalid(errors))
        };
        let input = match input {
            Ok(i) => i,
            Err(p) => {
                set_errors(&p);
                return form.show_invalid(p);
            }
        };
        form.busy.set(true);
        spawn_local(async move {
            let result = create_purchase_order(input).await;
            form.busy.try_set(false);
            match result {
                Ok(po) => on_created.run(po),
                Err(e) => {
                    set_errors(e.problem());
                    let mut fields: Vec<&str> = PO_FIELDS.to_vec();
                    let names: Vec<String> =
                        line_errors.with_untracked(|l| l.iter().map(|e| e.field.clone()).collect());
                    fields.extend(names.iter().map(String::as_str));
                    form.show_error(&e, &fields);
                }
            }
        });
    };
    view! {
        <Modal title="New purchase order" on_close=on_close wide=true>
            <form novalidate on:submit=on_submit>
                <FormAlert form=form />
                <div class="form-grid">
                    <SelectField label="Vendor" value=vendor options=vendors.options("Choose a vendor") required=true error=form.error("vendor_id") />
                    <TextField label="Currency" value=currency error=form.error("currency") />
                    <TextField label="Expected on" value=expected input_type="date" error=form.error("expected_on")
                        hint="Default: when sent, today plus the vendor's lead time." />
                    <TextField label="Notes" value=notes error=form.error("notes") />
                </div>
                <fieldset class="form-section po-lines">
                    <legend>"Lines"</legend>
                    {move || form.error("lines").get().map(|m| view! { <p class="field-error" role="alert">{m}</p> })}
                    <For each=move || lines.get() key=|l| l.key let:line>
                        <PoLineFields line=line lines=lines assets=assets errors=line_errors />
                    </For>
                    <button type="button" class="btn btn-secondary" on:click=add_line>"Add line"</button>
                </fieldset>
                <FormButtons form=form submit_label="Create purchase order" on_cancel=on_close />
            </form>
        </Modal>
    }
}

#[component]
fn PoLineFields(
    line: LineRow,
    lines: RwSignal<Vec<LineRow>>,
    assets: AssetChoices,
    errors: RwSignal<Vec<FieldError>>,
) -> impl IntoView {
    let key = line.key;
    let index =
        Memo::new(move |_| lines.with(|l| l.iter().position(|r| r.key == key).unwrap_or(0)));
    let error = move |field: &'static str| {
        Signal::derive(move || {
            let name = format!("lines[{}].{field}", index.get());
            errors.with(|all| {
                all.iter()
                    .find(|e| e.field == name)
                    .map(|e| human_message(&e.message))
            })
        })
    };
    let remove = move |_| lines.update(|l| l.retain(|r| r.key != key));
    view! {
        <div class="po-line" role="group" aria-label=move || format!("Line {}", index.get() + 1)>
            <SelectField label="Asset" value=line.asset options=assets.options("Choose an asset") required=true error=error("asset_id") class="po-line-asset" />
            <TextField label="Quantity" value=line.quantity input_type="number" required=true error=error("quantity") class="po-line-qty" />
            <TextField label="Unit price" value=line.price error=error("unit_price") placeholder="Vendor's price" class="po-line-price" />
            <button
                type="button"
                class="btn btn-ghost po-line-remove"
                aria-label=move || format!("Remove line {}", index.get() + 1)
                disabled=move || lines.with(|l| l.len() <= 1)
                on:click=remove
            >
                "Remove"
            </button>
        </div>
    }
}
