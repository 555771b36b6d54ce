//! Moving stock of one asset: the Allocate, Return and Adjust stock dialogs, and the allocations card with a
//! Return button per open allocation. Not enough stock is the server's 409, shown in the dialog as it says it.

use crate::ApiError;
use crate::api::inventory::{adjust_asset_stock, allocate_asset, asset_allocations, return_asset};
use crate::api::projects::list_projects;
use crate::components::form::{FormAlert, FormButtons};
use crate::components::format::{date_time, iso};
use crate::components::user_choices::UserChoices;
use crate::components::{
    CheckboxField, EmptyState, ErrorState, FormState, Loading, Modal, SelectField, TextField,
};
use crate::pages::customers::contact_form::CustomerPicker;
use crate::pages::inventory::asset_form::{lines_of, parse_int, take_list_errors};
use crate::pages::record_page::Loaded;
use crate::root::use_session;
use domain::asset::{
    AdjustmentInput, AllocateInput, Allocation, Asset, MovementKind, ReturnCondition, ReturnInput,
    Tracking,
};
use domain::project::ProjectQuery;
use domain::{Action, AssetId, Problem, Resource};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;

/// Shows a failed request on `form`; errors on the list field `list` (and its items) go to `list_error`.
fn show_failure(
    form: FormState,
    list_error: RwSignal<Option<String>>,
    e: &ApiError,
    fields: &[&str],
    list: &str,
) {
    let mut problem = e.problem().clone();
    let items = take_list_errors(&mut problem, list, "Serial");
    let only_list = items.is_some() && problem.errors.is_empty() && problem.status == 422;
    list_error.set(items);
    if only_list {
        form.alert.set(None);
        form.status.set(Some(problem.status));
    } else {
        form.show_error(&ApiError(problem), fields);
    }
}

/// Client-side problems: field errors inline, list items under their control.
fn show_invalid(
    form: FormState,
    list_error: RwSignal<Option<String>>,
    mut problem: Problem,
    list: &str,
) {
    list_error.set(take_list_errors(&mut problem, list, "Serial"));
    form.show_invalid(problem);
}

/// The id picked for `kind` when it is the chosen kind of target.
fn chosen<T: std::str::FromStr>(target: &str, kind: &str, picked: RwSignal<String>) -> Option<T> {
    (target == kind)
        .then(|| picked.get_untracked().parse().ok())
        .flatten()
}

fn target_options() -> Vec<(String, String)> {
    vec![
        ("project".into(), "Project".into()),
        ("customer".into(), "Customer".into()),
        ("user".into(), "User".into()),
    ]
}

/// Projects to allocate to (up to 500, by name); empty until loaded or on error.
fn project_choices() -> Signal<Vec<(String, String)>> {
    let projects = LocalResource::new(move || async move {
        let query = ProjectQuery {
            sort: Some("name".into()),
            limit: Some("500".into()),
            ..Default::default()
        };
        match list_projects(query).await {
            Ok(page) => page
                .data
                .into_iter()
                .map(|p| (p.id.to_string(), p.name))
                .collect::<Vec<_>>(),
            Err(_) => Vec::new(),
        }
    });
    Signal::derive(move || {
        let mut out = vec![(String::new(), "Choose a project".to_owned())];
        out.extend(projects.get().unwrap_or_default());
        out
    })
}

#[component]
pub fn AllocateDialog(
    asset: Asset,
    #[prop(into)] on_close: Callback<()>,
    /// Called with the success message.
    #[prop(into)]
    on_done: Callback<String>,
) -> impl IntoView {
    let form = FormState::new();
    let quantity = RwSignal::new("1".to_owned());
    let target = RwSignal::new("project".to_owned());
    let project = RwSignal::new(String::new());
    let customer = RwSignal::new(String::new());
    let user = RwSignal::new(String::new());
    let note = RwSignal::new(String::new());
    let projects = project_choices();
    let users = UserChoices::load();
    let id = asset.id;
    // "No target" is reported on project_id whichever kind of target was chosen.
    let target_error = Signal::derive(move || {
        form.error("project_id")
            .get()
            .or_else(|| form.error("customer_id").get())
            .or_else(|| form.error("user_id").get())
    });
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if form.busy.get_untracked() {
            return;
        }
        form.clear();
        let mut errors = Vec::new();
        let qty = parse_int(&quantity.get_untracked(), "quantity", Some(0), &mut errors);
        if !errors.is_empty() {
            return form.show_invalid(Problem::invalid(errors));
        }
        let target = target.get_untracked();
        let input = AllocateInput {
            quantity: qty.unwrap_or(0),
            project_id: chosen(&target, "project", project),
            customer_id: chosen(&target, "customer", customer),
            user_id: chosen(&target, "user", user),
            note: note.get_untracked(),
            unit_ids: Vec::new(),
        };
        if let Err(problem) = input.clone().clean() {
            return form.show_invalid(problem);
        }
        form.busy.set(true);
        spawn_local(async move {
            let result = allocate_asset(id, input).await;
            form.busy.try_set(false);
            match result {
                Ok(a) => on_done.run(format!(
                    "Allocated {} to {}.",
                    a.quantity,
                    allocation_target(&a)
                )),
                Err(e) => {
                    form.show_error(
                        &e,
                        &[
                            "quantity",
                            "project_id",
                            "customer_id",
                            "user_id",
                            "note",
                            "unit_ids",
                        ],
                    );
                }
            }
        });
    };
    let serial = asset.tracking == Tracking::Serial;
    view! {
        <Modal title=format!("Allocate {}", asset.name) on_close=on_close>
            <form novalidate on:submit=on_submit>
                <p class="availability" data-testid="allocate-available">
                    {format!("{} of {} available.", asset.available_quantity, asset.total_quantity)}
                </p>
                <FormAlert form=form />
                <div class="form-grid">
                    <TextField label="Quantity" value=quantity input_type="number" required=true error=form.error("quantity") />
                    <SelectField label="Allocate to" value=target options=Signal::derive(target_options) />
                </div>
                {move || match target.get().as_str() {
                    "customer" => view! { <CustomerPicker value=customer error=target_error /> }.into_any(),
                    "user" => view! {
                        <SelectField label="User" value=user options=users.options("Choose a user") required=true error=target_error />
                    }.into_any(),
                    _ => view! {
                        <SelectField label="Project" value=project options=projects required=true error=target_error />
                    }.into_any(),
                }}
                <TextField label="Note" value=note error=form.error("note") />
                {serial.then(|| view! { <p class="form-note">"The oldest units in stock are handed out; their serial numbers are listed on the allocation."</p> })}
                <FormButtons form=form submit_label="Allocate" on_cancel=on_close />
            </form>
        </Modal>
    }
}

/// "Project Apollo", "customer Acme", "Jo Bloggs".
pub fn allocation_target(a: &Allocation) -> String {
    a.project_name
        .clone()
        .or_else(|| a.customer_name.clone())
        .or_else(|| a.user_name.clone())
        .unwrap_or_else(|| "—".to_owned())
}

fn condition_options() -> Vec<(String, String)> {
    ReturnCondition::ALL
        .iter()
        .map(|c| (c.as_str().to_owned(), c.label()))
        .collect()
}

#[component]
pub fn ReturnDialog(
    asset: AssetId,
    allocation: Allocation,
    #[prop(into)] on_close: Callback<()>,
    #[prop(into)] on_done: Callback<String>,
) -> impl IntoView {
    let form = FormState::new();
    let quantity = RwSignal::new(allocation.outstanding_quantity.to_string());
    let condition = RwSignal::new(ReturnCondition::Good.as_str().to_owned());
    let note = RwSignal::new(String::new());
    let allocation_id = allocation.id;
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if form.busy.get_untracked() {
            return;
        }
        form.clear();
        let mut errors = Vec::new();
        let qty = parse_int(&quantity.get_untracked(), "quantity", Some(0), &mut errors);
        if !errors.is_empty() {
            return form.show_invalid(Problem::invalid(errors));
        }
        let input = ReturnInput {
            allocation_id: Some(allocation_id),
            quantity: qty.unwrap_or(0),
            condition: ReturnCondition::parse(&condition.get_untracked()).unwrap_or_default(),
            note: note.get_untracked(),
            unit_ids: Vec::new(),
        };
        if let Err(problem) = input.clone().clean() {
            return form.show_invalid(problem);
        }
        let good = input.condition == ReturnCondition::Good;
        form.busy.set(true);
        spawn_local(async move {
            let result = return_asset(asset, input).await;
            form.busy.try_set(false);
            match result {
                Ok(_) => on_done.run(if good {
                    "Returned to stock.".to_owned()
                } else {
                    "Returned and written off.".to_owned()
                }),
                Err(e) => form.show_error(&e, &["quantity", "condition", "note", "unit_ids"]),
            }
        });
    };
    view! {
        <Modal title=format!("Return from {}", allocation_target(&allocation)) on_close=on_close>
            <form novalidate on:submit=on_submit>
                <p class="availability">{format!("{} of {} still out.", allocation.outstanding_quantity, allocation.quantity)}</p>
                <FormAlert form=form />
                <div class="form-grid">
                    <TextField label="Quantity" value=quantity input_type="number" required=true error=form.error("quantity") />
                    <SelectField label="Condition" value=condition options=Signal::derive(condition_options) error=form.error("condition")
                        hint="Damaged and lost units are written off." />
                </div>
                <TextField label="Note" value=note error=form.error("note") />
                <FormButtons form=form submit_label="Return" on_cancel=on_close />
            </form>
        </Modal>
    }
}

#[component]
pub fn AdjustDialog(
    asset: Asset,
    #[prop(into)] on_close: Callback<()>,
    #[prop(into)] on_done: Callback<String>,
) -> impl IntoView {
    let form = FormState::new();
    let delta = RwSignal::new(String::new());
    let reason = RwSignal::new(String::new());
    let write_off = RwSignal::new(false);
    let serials = RwSignal::new(String::new());
    let serial_error = RwSignal::new(None::<String>);
    let serial = asset.tracking == Tracking::Serial;
    let id = asset.id;
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if form.busy.get_untracked() {
            return;
        }
        form.clear();
        serial_error.set(None);
        let mut errors = Vec::new();
        let d = parse_int(
            &delta.get_untracked(),
            "quantity_delta",
            Some(0),
            &mut errors,
        );
        if !errors.is_empty() {
            return form.show_invalid(Problem::invalid(errors));
        }
        let input = AdjustmentInput {
            quantity_delta: d.unwrap_or(0),
            reason: reason.get_untracked(),
            kind: Some(if write_off.get_untracked() {
                MovementKind::WriteOff
            } else {
                MovementKind::Adjustment
            }),
            serials: if serial {
                lines_of(&serials.get_untracked())
            } else {
                Vec::new()
            },
        };
        let input = match input.clean() {
            Ok(i) => i,
            Err(problem) => return show_invalid(form, serial_error, problem, "serials"),
        };
        form.busy.set(true);
        spawn_local(async move {
            let result = adjust_asset_stock(id, input).await;
            form.busy.try_set(false);
            match result {
                Ok(a) => on_done.run(format!(
                    "Stock adjusted: {} of {} available.",
                    a.available_quantity, a.total_quantity
                )),
                Err(e) => {
                    show_failure(
                        form,
                        serial_error,
                        &e,
                        &["quantity_delta", "reason", "kind"],
                        "serials",
                    );
                }
            }
        });
    };
    view! {
        <Modal title=format!("Adjust stock of {}", asset.name) on_close=on_close>
            <form novalidate on:submit=on_submit>
                <p class="availability">{format!("{} of {} on the shelf.", asset.available_quantity, asset.total_quantity)}</p>
                <FormAlert form=form />
                <div class="form-grid">
                    <TextField label="Change (+/−)" value=delta input_type="number" required=true error=form.error("quantity_delta")
                        hint="Positive adds units, negative removes them." />
                    <TextField label="Reason" value=reason required=true error=form.error("reason") />
                </div>
                <CheckboxField label="Write-off (damaged, lost or scrapped)" checked=write_off />
                {serial.then(|| view! {
                    <div class="field" class:has-error=move || serial_error.get().is_some()>
                        <label for="adjust-serials">"Serial numbers (one per line)"</label>
                        <textarea
                            id="adjust-serials"
                            rows="4"
                            prop:value=move || serials.get()
                            on:input=move |ev| serials.set(event_target_value(&ev))
                        ></textarea>
                        <p class="field-hint">"One per unit added or removed."</p>
                        {move || serial_error.get().map(|m| view! { <p class="field-error">{m}</p> })}
                    </div>
                })}
                <FormButtons form=form submit_label="Save adjustment" on_cancel=on_close />
            </form>
        </Modal>
    }
}

/// The allocations of an asset (open ones first unless "show returned"), each open one with "Return".
#[component]
pub fn AllocationsCard(loaded: Loaded<Asset>) -> impl IntoView {
    let session = use_session();
    let show_closed = RwSignal::new(false);
    let id = loaded.record.with_untracked(|a| a.as_ref().map(|a| a.id));
    let items = LocalResource::new(move || {
        loaded.changes.track();
        let open_only = !show_closed.get();
        async move {
            let Some(id) = id else {
                return Ok(Vec::new());
            };
            asset_allocations(id, open_only).await
        }
    });
    let returning = RwSignal::new(None::<Allocation>);
    let toasts = crate::components::use_toasts();
    let on_returned = Callback::new(move |message: String| {
        returning.set(None);
        toasts.success(message);
        loaded.reload.run(());
    });
    let retry = Callback::new(move |()| items.refetch());
    let can_return = move || session.can(Resource::Assets, Action::Update);
    view! {
        <section class="card" aria-labelledby="allocations-title">
            <header class="card-header">
                <h2 id="allocations-title" class="card-title">"Allocations"</h2>
                <CheckboxField label="Show returned" checked=show_closed />
            </header>
            {move || match items.get() {
                None => view! { <Loading /> }.into_any(),
                Some(Err(e)) => view! { <ErrorState error=e on_retry=retry /> }.into_any(),
                Some(Ok(list)) if list.is_empty() => view! { <EmptyState title="Nothing allocated." /> }.into_any(),
                Some(Ok(list)) => view! {
                    <div class="table-wrap">
                        <table class="data-table responsive-table" data-testid="allocations-table">
                            <caption class="sr-only">"Allocations"</caption>
                            <thead>
                                <tr>
                                    <th scope="col">"Allocated to"</th>
                                    <th scope="col">"Quantity"</th>
                                    <th scope="col">"Outstanding"</th>
                                    <th scope="col">"Serials"</th>
                                    <th scope="col">"Note"</th>
                                    <th scope="col">"Allocated"</th>
                                    <th scope="col"><span class="sr-only">"Actions"</span></th>
                                </tr>
                            </thead>
                            <tbody>
                                {list.into_iter().map(|a| {
                                    let open = a.outstanding_quantity > 0;
                                    let row = a.clone();
                                    view! {
                                        <tr class:is-closed=!open>
                                            <td data-label="Allocated to" class="col-primary"><TargetLink allocation=a.clone() /></td>
                                            <td data-label="Quantity">{a.quantity}</td>
                                            <td data-label="Outstanding">{a.outstanding_quantity}</td>
                                            <td data-label="Serials" class="cell-wrap">{a.serials.join(", ")}</td>
                                            <td data-label="Note" class="cell-wrap">{a.note.clone()}</td>
                                            <td data-label="Allocated"><time datetime=iso(a.allocated_at)>{date_time(a.allocated_at)}</time></td>
                                            <td class="col-actions">
                                                {(open && can_return()).then(|| view! {
                                                    <button
                                                        type="button"
                                                        class="btn btn-secondary btn-small"
                                                        aria-label=format!("Return from {}", allocation_target(&row))
                                                        on:click=move |_| returning.set(Some(row.clone()))
                                                    >
                                                        "Return"
                                                    </button>
                                                })}
                                            </td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any(),
            }}
            {move || returning.get().zip(id).map(|(a, asset)| view! {
                <ReturnDialog asset=asset allocation=a on_close=move |_| returning.set(None) on_done=on_returned />
            })}
        </section>
    }
}

#[component]
fn TargetLink(allocation: Allocation) -> impl IntoView {
    let name = allocation_target(&allocation);
    match (allocation.project_id, allocation.customer_id) {
        (Some(p), _) => view! { <A href=format!("/projects/{p}")>{name}</A> " " <span class="cell-sub">"project"</span> }.into_any(),
        (None, Some(c)) => view! { <A href=format!("/customers/{c}")>{name}</A> " " <span class="cell-sub">"customer"</span> }.into_any(),
        _ => view! { <span>{name}</span> " " <span class="cell-sub">"user"</span> }.into_any(),
    }
}
